"""Tests for newsscope.events: sentence events, publication events and cross-article linking."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from newsscope import events
from newsscope.tables import to_arrow

D = dt.date


class Corpus:
    """Builds the four input frames from article texts, locating sentences, timexes and mentions by substring."""

    def __init__(self) -> None:
        self.articles: list[dict] = []
        self.sentences: list[dict] = []
        self.timexes: list[dict] = []
        self.mentions: list[dict] = []

    def article(self, article_id: str, published: dt.date | None, sentences: list[str], title: str | None = None) -> str:
        body = " ".join(sentences)
        self.articles.append(dict(article_id=article_id, published=published, outlet="x", title=title, body=body))
        at = 0
        for sentence in sentences:
            start = body.index(sentence, at)
            self.sentences.append(dict(article_id=article_id, start=start, end=start + len(sentence)))
            at = start + len(sentence)
        return body

    def timex(self, article_id: str, text: str, value: str | None, gran: str | None, d0, d1) -> None:
        body = self._body(article_id)
        start = body.index(text)
        self.timexes.append(
            dict(article_id=article_id, start=start, end=start + len(text), text=text, value=value, granularity=gran,
                 anchored=True, method="test", date_start=d0, date_end=d1)  # fmt: skip
        )

    def mention(self, article_id: str, text: str, actor_id: str | None, nth: int = 0) -> None:
        body = self._body(article_id)
        start = -1
        for _ in range(nth + 1):
            start = body.index(text, start + 1)
        self.mentions.append(dict(article_id=article_id, start=start, end=start + len(text), actor_id=actor_id))

    def _body(self, article_id: str) -> str:
        return next(a["body"] for a in self.articles if a["article_id"] == article_id)

    def extract(self) -> pd.DataFrame:
        timex_cols = ["article_id", "start", "end", "text", "value", "granularity", "anchored", "method", "date_start", "date_end"]
        return events.extract(
            pd.DataFrame(self.articles, columns=["article_id", "published", "outlet", "title", "body"]),
            pd.DataFrame(self.sentences, columns=["article_id", "start", "end"]),
            pd.DataFrame(self.timexes, columns=timex_cols),
            pd.DataFrame(self.mentions, columns=["article_id", "start", "end", "actor_id"]),
        )


def test_sentence_with_date_and_actor_is_an_event() -> None:
    c = Corpus()
    c.article("a", None, ["Austin spoke on Tuesday.", "Nothing happened in May.", "Putin smiled."])
    c.timex("a", "Tuesday", "2024-04-30", "day", D(2024, 4, 30), D(2024, 4, 30))
    c.timex("a", "May", "2024-05", "month", D(2024, 5, 1), D(2024, 5, 31))  # no actor in its sentence
    c.mention("a", "Austin", "austin")
    c.mention("a", "Putin", "putin")  # no date in its sentence
    out = c.extract()
    assert len(out) == 1  # undated article: no publication event
    row = out.iloc[0]
    assert row["sentence"] == "Austin spoke on Tuesday."
    assert (row["start"], row["end"]) == (0, 24)
    assert row["date_value"] == "2024-04-30" and row["date_start"] == D(2024, 4, 30) and row["granularity"] == "day"
    assert row["actor_ids"] == ["austin"] and row["kind"] == "reported"
    assert to_arrow("events", out).num_rows == 1


@pytest.mark.parametrize(
    ("value", "d0", "d1"),
    [(None, None, None), ("PRESENT_REF", None, None)],
)
def test_unresolved_timex_makes_no_event(value, d0, d1) -> None:
    c = Corpus()
    c.article("a", None, ["Austin spoke now."])
    c.timex("a", "now", value, "reference", d0, d1)
    c.mention("a", "Austin", "austin")
    assert c.extract().empty


def test_one_event_per_sentence_and_timex_and_unresolved_mentions_ignored() -> None:
    c = Corpus()
    c.article("a", None, ["Kim, who went to Russia last September, spoke on Tuesday."])
    c.timex("a", "last September", "2023-09", "month", D(2023, 9, 1), D(2023, 9, 30))
    c.timex("a", "Tuesday", "2024-04-30", "day", D(2024, 4, 30), D(2024, 4, 30))
    c.mention("a", "Kim", "kim")
    c.mention("a", "Russia", "russia")
    c.mention("a", "Tuesday", None)
    out = c.extract()
    assert sorted(out["date_value"]) == ["2023-09", "2024-04-30"]
    assert out["event_id"].is_unique
    assert all(ids == ["kim", "russia"] for ids in out["actor_ids"])
    # Same article: not linked to each other.
    assert out["event_key"].nunique() == 2


def test_publication_event() -> None:
    c = Corpus()
    c.article("a", D(2024, 5, 1), ["Kim met Putin.", "Kim left.", "Austin said so.", "Iran, China, Russia and NATO."], title=None)
    c.article("b", D(2024, 4, 23), ["Headline here.", "Body."], title="Headline here.")
    for text, actor, nth in [("Kim", "kim", 0), ("Kim", "kim", 1), ("Putin", "putin", 0), ("Austin", "austin", 0),
                             ("Iran", "iran", 0), ("China", "china", 0), ("Russia", "russia", 0), ("NATO", "nato", 0)]:  # fmt: skip
        c.mention("a", text, actor, nth)
    out = c.extract().set_index("article_id")
    a, b = out.loc["a"], out.loc["b"]
    assert a["kind"] == "publication" and a["sentence"] == "Kim met Putin." and (a["start"], a["end"]) == (0, 14)
    assert a["date_value"] == "2024-05-01" and a["date_start"] == a["date_end"] == D(2024, 5, 1)
    assert len(a["actor_ids"]) == events.PUBLICATION_ACTORS and "kim" in a["actor_ids"]
    assert a["actor_ids"] == sorted(a["actor_ids"])
    assert b["sentence"] == "Headline here." and b["actor_ids"] == []
    assert a["event_key"] != b["event_key"]


def _kim_visit() -> Corpus:
    """Rows modelled on seeds 000, 001 and 003 (Kim's September 2023 visit to Russia) and a July 2023 meeting."""
    c = Corpus()
    c.article(
        "000",
        None,
        [
            "Ties between Moscow and the DPRK have deepened since Kim traveled to Russia last September for talks with President Vladimir Putin.",
            "The Russian and North Korean defense chiefs met last July in Pyongyang.",
        ],
    )
    c.timex("000", "last September", "2023-09", "month", D(2023, 9, 1), D(2023, 9, 30))
    c.timex("000", "last July", "2023-07", "month", D(2023, 7, 1), D(2023, 7, 31))
    for text, actor in [("Moscow", "RU"), ("DPRK", "NK"), ("Kim", "KIM"), ("Russia", "RU"), ("Vladimir Putin", "PUTIN"),
                        ("Russian", "RU"), ("North Korean", "NK"), ("Pyongyang", "NK")]:  # fmt: skip
        c.mention("000", text, actor)
    c.article(
        "001",
        D(2024, 5, 1),
        [
            "The relationship between Russia and the Democratic People's Republic of Korea (DPRK) has strengthened notably since Kim's visit to Russia for talks with President Vladimir Putin in September last year.",
            "Additionally, high-level meetings between defense officials from both nations in Pyongyang last July underscore the expanding cooperation.",
        ],
    )
    c.timex("001", "September last year", "2023-09", "month", D(2023, 9, 1), D(2023, 9, 30))
    c.timex("001", "last July", "2023-07", "month", D(2023, 7, 1), D(2023, 7, 31))
    for text, actor in [("Russia", "RU"), ("Democratic People's Republic of Korea", "NK"), ("Kim", "KIM"),
                        ("Vladimir Putin", "PUTIN"), ("Pyongyang", "NK")]:  # fmt: skip
        c.mention("001", text, actor)
    c.article(
        "003",
        D(2024, 4, 23),
        [
            "While close ties between Russia and North Korea date back to the days of the Soviet Union, they recently picked up steam when President Vladimir Putin met with Kim Jong-un in Russia’s Far East last year to discuss bilateral relations.",
        ],
        title="US troubled by Russia’s ‘complete embrace’ of North Korea",
    )
    c.timex("003", "last year", "2023", "year", D(2023, 1, 1), D(2023, 12, 31))
    for text, actor in [("Russia", "RU"), ("North Korea", "NK"), ("Vladimir Putin", "PUTIN"), ("Kim Jong-un", "KIM")]:
        c.mention("003", text, actor)
    return c


def test_kim_visit_linked_across_three_articles() -> None:
    out = _kim_visit().extract()
    reported = out[out["kind"] == "reported"].set_index(["article_id", "date_value"])
    visit = {reported.loc[("000", "2023-09"), "event_key"], reported.loc[("001", "2023-09"), "event_key"],
             reported.loc[("003", "2023"), "event_key"]}  # fmt: skip
    assert len(visit) == 1
    # The July meeting of 000 shares only Russia + North Korea with the 2023 sentence of 003, which matches the
    # September visit better: it stays separate. 001's July sentence has one actor, so it links to nothing.
    assert reported.loc[("000", "2023-07"), "event_key"] not in visit
    assert reported.loc[("001", "2023-07"), "event_key"] != reported.loc[("000", "2023-07"), "event_key"]
    assert out["event_id"].is_unique
    assert set(out["kind"]) == {"reported", "publication"}
    assert len(out[out["kind"] == "publication"]) == 2  # 000 is undated
    assert to_arrow("events", out).num_rows == len(out)


@pytest.mark.parametrize(
    ("a", "b", "linked"),
    [
        # (date_start, date_end, actors) of two events in different articles
        ((D(2023, 9, 1), D(2023, 9, 30), ["KIM", "PUTIN"]), (D(2023, 9, 13), D(2023, 9, 13), ["KIM", "PUTIN", "RU"]), True),
        ((D(2023, 9, 1), D(2023, 9, 30), ["KIM", "PUTIN"]), (D(2023, 9, 1), D(2023, 9, 30), ["KIM", "PUTIN"]), True),
        ((D(2023, 9, 1), D(2023, 9, 30), ["KIM", "PUTIN"]), (D(2023, 10, 1), D(2023, 10, 31), ["KIM", "PUTIN"]), False),
        ((D(2023, 9, 1), D(2023, 9, 30), ["KIM", "PUTIN"]), (D(2023, 9, 13), D(2023, 9, 13), ["KIM", "RU"]), False),
        # Overlapping but neither contains the other (a week across a month boundary).
        ((D(2023, 9, 1), D(2023, 9, 30), ["KIM", "PUTIN"]), (D(2023, 9, 28), D(2023, 10, 4), ["KIM", "PUTIN"]), False),
        # A year-range across years is blocked under each of its years.
        ((D(1950, 1, 1), D(1953, 12, 31), ["UN", "NK"]), (D(1952, 6, 1), D(1952, 6, 30), ["UN", "NK"]), True),
        # Too vague to link: a century.
        ((D(1900, 1, 1), D(1999, 12, 31), ["UN", "NK"]), (D(1952, 6, 1), D(1952, 6, 30), ["UN", "NK"]), False),
    ],
)
def test_link_rule(a, b, linked: bool) -> None:
    frame = pd.DataFrame(
        [dict(event_id="e1", article_id="x", date_start=a[0], date_end=a[1], actor_ids=a[2]),
         dict(event_id="e2", article_id="y", date_start=b[0], date_end=b[1], actor_ids=b[2])]  # fmt: skip
    )
    keys = events.link(frame)
    assert (keys.iloc[0] == keys.iloc[1]) is linked
    if linked:
        assert keys.iloc[0] == events._short_hash("e1")  # the component's smallest event_id


def test_link_same_article_not_linked_directly() -> None:
    frame = pd.DataFrame(
        [dict(event_id=f"e{n}", article_id="x", date_start=D(2023, 9, 1), date_end=D(2023, 9, 30), actor_ids=["A", "B"]) for n in range(2)]
    )
    keys = events.link(frame)
    assert keys.nunique() == 2


def test_link_is_transitive_and_scales() -> None:
    # 3,000 articles each reporting the same month with the same two actors: one component, built without
    # a quadratic Python loop (the block exceeds MAX_BLOCK and is joined on identical ranges).
    n = 3_000
    frame = pd.DataFrame(
        {
            "event_id": [f"e{i:05d}" for i in range(n)],
            "article_id": [f"a{i}" for i in range(n)],
            "date_start": [D(2016, 3, 1)] * n,
            "date_end": [D(2016, 3, 31)] * n,
            "actor_ids": [["CLINTON", "TRUMP"]] * n,
        }
    )
    keys = events.link(frame)
    assert keys.nunique() == 1


def test_empty_inputs() -> None:
    out = Corpus().extract()
    assert out.empty and list(out.columns) == events.COLUMNS


def test_oversized_blocks_link_identical_ranges_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "MAX_BLOCK", 1)
    sept, day = (D(2023, 9, 1), D(2023, 9, 30)), (D(2023, 9, 13), D(2023, 9, 13))
    rows = [
        ("e1", "x", *sept, ["A", "B", "C"]),
        ("e2", "x", *sept, ["A", "B"]),  # same article as e1: linked through e3
        ("e3", "y", *sept, ["A", "B", "C"]),
        ("e4", "z", *day, ["A", "B"]),  # contained, but the block is oversized: not linked
        ("e5", "w", *day, ["A", "B"]),  # identical to e4
        ("e6", "v", *day, ["A", "C"]),  # only shares one actor with e4/e5
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "article_id", "date_start", "date_end", "actor_ids"])
    keys = events.link(frame).tolist()
    assert keys[0] == keys[1] == keys[2]
    assert keys[3] == keys[4] != keys[0]
    assert keys[5] not in {keys[0], keys[3]}
