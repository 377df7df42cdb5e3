"""The URL form of the global filters: parse never raises, says what it ignored, and round-trips."""

from __future__ import annotations

import datetime as dt

import pytest

from newsscope.filters import MAX_TEXT, MAX_VALUES, Filters, date_span, describe, parse, to_params

ACTORS = {"a1", "a2"}
OUTLETS = {"RT", "Reuters", "O'Brien \"News\""}
STORIES = {"s1"}
D = dt.date


def _parse(params):
    return parse(params, ACTORS, OUTLETS, STORIES)


def test_empty_params_mean_no_filter():
    assert _parse({}) == (Filters(), [])
    assert Filters().is_empty


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2024-04-01", "to": "2024-05-31"}, Filters(date_from=D(2024, 4, 1), date_to=D(2024, 5, 31))),
        ({"actor": ["a2", "a1", "a2"]}, Filters(actors=("a2", "a1"))),  # order kept, duplicates dropped
        ({"actor": "a1"}, Filters(actors=("a1",))),
        ({"outlet": ["O'Brien \"News\""]}, Filters(outlets=("O'Brien \"News\"",))),
        ({"story": "s1", "q": "  sanctions  "}, Filters(story="s1", text="sanctions")),
        ({"q": "", "from": "", "actor": [""]}, Filters()),  # empty values are no filter, not an error
    ],
)
def test_parse_valid(params, expected):
    assert _parse(params) == (expected, [])


@pytest.mark.parametrize(
    ("params", "expected", "notice"),
    [
        ({"from": "yesterday"}, Filters(), "not a date"),
        ({"to": "2024-02-30"}, Filters(), "not a date"),
        ({"from": ["2024-01-01", "2024-02-01"]}, Filters(date_from=D(2024, 1, 1)), "extra 'from'"),
        ({"from": "2024-06-01", "to": "2024-05-01"}, Filters(date_from=D(2024, 5, 1), date_to=D(2024, 6, 1)), "Swapped"),
        ({"actor": ["a1", "<script>"]}, Filters(actors=("a1",)), "unknown actor"),
        ({"outlet": "Nobody"}, Filters(), "unknown outlet"),
        ({"story": ["s1", "s1"]}, Filters(story="s1"), ""),
        ({"story": "s9"}, Filters(), "unknown story"),
        ({"q": "x" * (MAX_TEXT + 5)}, Filters(text="x" * MAX_TEXT), f"first {MAX_TEXT}"),
        ({"actor": ["a1"] + [f"z{i}" for i in range(MAX_VALUES + 10)]}, Filters(actors=("a1",)), f"first {MAX_VALUES}"),
    ],
)
def test_parse_ignores_bad_values_with_a_notice(params, expected, notice):
    filters, notices = _parse(params)
    assert filters == expected
    if notice:
        assert any(notice in n for n in notices), notices
    else:
        assert notices == []


def test_unknown_values_are_listed_briefly():
    _, notices = _parse({"actor": [f"bad{i}" for i in range(10)]})
    assert notices == ["Ignored unknown actor id(s) 'bad0', 'bad1', 'bad2' and 7 more."]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(D(2024, 4, 1), D(2024, 5, 31), ("a1", "a2"), ("RT",), "s1", "north korea"),
        Filters(date_to=D(2024, 1, 1), outlets=("O'Brien \"News\"", "Reuters")),
    ],
)
def test_round_trip(filters):
    assert _parse(to_params(filters)) == (filters, [])


@pytest.mark.parametrize(
    ("date_from", "date_to", "words"),
    [
        (D(2024, 4, 1), D(2024, 5, 31), "Apr–May 2024"),
        (D(2024, 4, 3), D(2024, 4, 20), "3–20 Apr 2024"),
        (D(2024, 4, 3), D(2024, 4, 3), "3 Apr 2024"),
        (D(2023, 11, 1), D(2024, 2, 1), "Nov 2023–Feb 2024"),
        (D(2024, 3, 1), None, "since Mar 2024"),
        (None, D(2024, 3, 1), "until Mar 2024"),
        (None, None, ""),
    ],
)
def test_date_span(date_from, date_to, words):
    assert date_span(date_from, date_to) == words


@pytest.mark.parametrize(
    ("filters", "count", "noun", "words"),
    [
        (Filters(D(2024, 4, 1), D(2024, 5, 31), ("a1",), ("RT", "Reuters")), 12, "quotes", "12 quotes by Lloyd Austin, Apr–May 2024, 2 outlets"),
        (Filters(outlets=("RT",)), 1, "quotes", "1 quote, RT"),
        (Filters(actors=("a1", "a2")), 3, "articles", "3 articles involving Lloyd Austin or Kim Jong-un"),
        (Filters(actors=("a1", "a2", "a3", "a4", "a5")), 0, "quotes", "0 quotes by Lloyd Austin, Kim Jong-un, a3 and 2 more"),
        (Filters(story="s1", text="sanctions"), None, "articles", "All articles, one story, mentioning “sanctions”"),
        (Filters(), 1234, "articles", "1,234 articles"),
    ],
)
def test_describe(filters, count, noun, words):
    assert describe(filters, {"a1": "Lloyd Austin", "a2": "Kim Jong-un"}, count, noun) == words
