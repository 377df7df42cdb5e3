"""The dashboard's global filters and their URL form (pure: no Streamlit here).

The address bar always holds the current view, so a link is a complete, shareable description of it:

    ?from=2024-04-01&to=2024-05-31&actor=<actor_id>&actor=<actor_id>&outlet=RT&story=<story_id>&q=sanctions

`parse` never raises on what a URL carries: a value it cannot use is dropped and reported in a notice, the way
datasette ignores a bad parameter rather than failing the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

MAX_VALUES = 50  # repeatable params beyond this are dropped (a URL is not a bulk API)
MAX_TEXT = 200  # characters of free-text search kept
PARAMS = ("from", "to", "actor", "outlet", "story", "q")


@dataclass(frozen=True)
class Filters:
    """What every page is narrowed to. Empty tuples and None mean "no restriction"."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actors: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    story: str | None = None
    text: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == Filters()


def _values(params: Mapping[str, str | list[str]], name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _date(params: Mapping[str, str | list[str]], name: str, notices: list[str]) -> dt.date | None:
    values = [v for v in _values(params, name) if v.strip()]
    if not values:
        return None
    if len(values) > 1:
        notices.append(f"Ignored extra {name!r} values; kept the first ({_short(values[0])!r}).")
    try:
        return dt.date.fromisoformat(values[0].strip())
    except ValueError:
        notices.append(f"Ignored {name}={_short(values[0])!r}: not a date (expected YYYY-MM-DD).")
        return None


def _known(params: Mapping[str, str | list[str]], name: str, known: Collection[str], what: str, notices: list[str]) -> tuple[str, ...]:
    values = [v for v in _values(params, name) if v != ""]
    if len(values) > MAX_VALUES:
        notices.append(f"Ignored {len(values) - MAX_VALUES} {name!r} values beyond the first {MAX_VALUES}.")
        values = values[:MAX_VALUES]
    kept: list[str] = []
    unknown: list[str] = []
    for value in values:
        if value in known:
            if value not in kept:
                kept.append(value)
        else:
            unknown.append(value)
    if unknown:
        shown = ", ".join(repr(_short(u)) for u in unknown[:3]) + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
        notices.append(f"Ignored unknown {what} {shown}.")
    return tuple(kept)


def parse(
    params: Mapping[str, str | list[str]],
    known_actors: Collection[str],
    known_outlets: Collection[str],
    known_stories: Collection[str],
) -> tuple[Filters, list[str]]:
    """Filters from URL query parameters, and one notice per value that was ignored.

    Args:
        params: query parameters; a repeated parameter is a list (as `st.query_params.get_all` gives).
        known_actors, known_outlets, known_stories: the valid ids of the current build.

    Returns:
        The filters, and human-readable notices naming each ignored value and why.
    """
    notices: list[str] = []
    date_from = _date(params, "from", notices)
    date_to = _date(params, "to", notices)
    if date_from and date_to and date_from > date_to:
        notices.append(f"Swapped from={date_from} and to={date_to}: the range was reversed.")
        date_from, date_to = date_to, date_from
    actors = _known(params, "actor", known_actors, "actor id(s)", notices)
    outlets = _known(params, "outlet", known_outlets, "outlet(s)", notices)
    stories = _known(params, "story", known_stories, "story id(s)", notices)
    if len(stories) > 1:
        notices.append(f"Ignored extra 'story' values; kept {stories[0]!r}.")
    text_values = [v for v in _values(params, "q") if v.strip()]
    text = text_values[0].strip() if text_values else None
    if text and len(text) > MAX_TEXT:
        notices.append(f"Search text cut to its first {MAX_TEXT} characters (it had {len(text)}).")
        text = text[:MAX_TEXT]
    return Filters(date_from, date_to, actors, outlets, stories[0] if stories else None, text or None), notices


def to_params(filters: Filters) -> dict[str, str | list[str]]:
    """The URL query parameters for `filters` (only those that restrict something)."""
    params: dict[str, str | list[str]] = {}
    if filters.date_from:
        params["from"] = filters.date_from.isoformat()
    if filters.date_to:
        params["to"] = filters.date_to.isoformat()
    if filters.actors:
        params["actor"] = list(filters.actors)
    if filters.outlets:
        params["outlet"] = list(filters.outlets)
    if filters.story:
        params["story"] = filters.story
    if filters.text:
        params["q"] = filters.text
    return params


def _month(day: dt.date) -> str:
    return day.strftime("%b %Y")


def date_span(date_from: dt.date | None, date_to: dt.date | None) -> str:
    """A date range in words: "Apr–May 2024", "12 Apr 2024", "since Mar 2024"."""
    if date_from and date_to:
        if date_from == date_to:
            return date_from.strftime("%-d %b %Y")
        if (date_from.year, date_from.month) == (date_to.year, date_to.month):
            return f"{date_from.day}–{date_to.day} {_month(date_to)}"
        if date_from.year == date_to.year:
            return f"{date_from.strftime('%b')}–{_month(date_to)}"
        return f"{_month(date_from)}–{_month(date_to)}"
    if date_from:
        return f"since {_month(date_from)}"
    if date_to:
        return f"until {_month(date_to)}"
    return ""


def describe(filters: Filters, names: Mapping[str, str], count: int | None = None, noun: str = "quotes") -> str:
    """The filters in words, like datasette: "12 quotes by Lloyd Austin, Apr–May 2024, 2 outlets".

    Args:
        names: display names by actor id (ids without a name are shown as they are).
        count: the number of rows the view shows; None leaves the count out.
        noun: what is counted ("quotes", "articles", "events").
    """
    singular = {"stories": "story", "quotes": "quote", "articles": "article", "events": "event"}.get(noun, noun)
    head = f"{count:,} {noun if count != 1 else singular}" if count is not None else f"All {noun}"
    parts: list[str] = []
    if filters.actors:
        people = [names.get(a, a) for a in filters.actors]
        shown = ", ".join(people[:-1]) + f" or {people[-1]}" if len(people) > 1 else people[0]
        if len(people) > 3:
            shown = f"{', '.join(people[:3])} and {len(people) - 3} more"
        head += f" {'by' if noun == 'quotes' else 'involving'} {shown}"
    span = date_span(filters.date_from, filters.date_to)
    if span:
        parts.append(span)
    if filters.outlets:
        parts.append(filters.outlets[0] if len(filters.outlets) == 1 else f"{len(filters.outlets)} outlets")
    if filters.story:
        parts.append("one story")
    if filters.text:
        parts.append(f"mentioning “{_short(filters.text)}”")
    return ", ".join([head, *parts])
