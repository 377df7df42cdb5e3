"""Temporal expressions: find them in a parsed article, then normalise them against its publication date.

The two steps are separate on purpose. :func:`extract` runs once per article inside the spaCy pass (its
output is cached with the other rows); :func:`resolve` runs later, because the anchor -- the publication
date -- may only be known after corpus-level duplicate detection has lent an undated copy the date of its
twin. :func:`bounds` turns a resolved value into the first and last day it covers, for timelines.

Values follow TIMEX3 (ISO 8601 at the expression's own granularity):

=============  ===================  ======================================
granularity    value                example text
=============  ===================  ======================================
day            ``2024-04-30``       "Tuesday", "May 1, 2024", "yesterday"
day            ``2000-04-06T04:00`` "4 a.m. EDT Thursday" (a clock time on a day: its extent is the day)
week           ``2024-W17``         "earlier this week", "Easter week" (ISO week, 2 digits)
weekend        ``2024-W17-WE``      "last weekend"
month          ``2023-09``          "last September", "February 2022"
quarter        ``2024-Q1``          "the first quarter of 2024"
season         ``2023-FA``          "last fall" (SP, SU, FA, WI; WI is the winter starting in December)
year           ``2023``             "last year", "1950"
year-range     ``1950/1953``        "1950-53"
decade         ``199X``             "the 1990s" (TIMEX3's form, as in the TempEval gold)
century        ``19XX``             "the 20th century"
reference      ``PRESENT_REF``      "now" (also ``PAST_REF``, ``FUTURE_REF``; these have no bounds)
set            ``P1D``              "daily", "every week" (TIMEX3 SET: a frequency, no bounds)
=============  ===================  ======================================

Durations ("three years", "the past week"), ages ("63 years old") and anaphoric expressions ("that
day", "later that year") get ``value=None``: a missing value is better than a wrong date.

The vocabulary a user may want to extend (words trimmed from the front of an entity, holidays,
reference words) lives in ``resources/timexes.json``.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from spacy.tokens import Doc, Span, Token

from newsscope.nlp import doc_ents, doc_text

Tense = Literal["past", "present", "future"]
TENSES: tuple[Tense, ...] = ("past", "present", "future")
Granularity = Literal[
    "day", "week", "weekend", "month", "quarter", "season", "year", "year-range", "decade", "century", "reference", "set"
]
GRANULARITIES: tuple[Granularity, ...] = (
    "day", "week", "weekend", "month", "quarter", "season", "year", "year-range", "decade", "century", "reference", "set",
)  # fmt: skip


@dataclass(frozen=True)
class TimexMention:
    """A temporal expression found in a document.

    ``start``/``end`` are character offsets into ``doc.text``; ``end`` is exclusive, like Python slices.
    ``tense`` is the tense of the verb governing the expression, used to pick the direction of bare
    weekdays and months ("said Tuesday" is a past Tuesday, "will meet Tuesday" a coming one).
    """

    start: int
    end: int
    text: str
    tense: Tense | None


@dataclass(frozen=True)
class Resolution:
    """The normalised value of a temporal expression (see the module docstring for the value forms).

    ``anchored`` is True when the value depends on the anchor (publication date); ``method`` names the
    rule that produced it; ``start``/``end`` are the first and last day covered (inclusive), or None when
    the value is None or has no calendar extent (``PRESENT_REF``).
    """

    value: str | None
    granularity: Granularity | None
    anchored: bool
    method: str
    start: datetime.date | None
    end: datetime.date | None


# --------------------------------------------------------------------------------------------------
# vocabulary

MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
SEASONS: dict[str, tuple[str, int]] = {  # code, first month (meteorological seasons)
    "spring": ("SP", 3),
    "summer": ("SU", 6),
    "fall": ("FA", 9),
    "autumn": ("FA", 9),
    "winter": ("WI", 12),
}
SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
NUMBERS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
NUMBERS.update({"a": 1, "an": 1, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100})
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
UNITS = ("day", "week", "month", "year", "decade", "century", "hour", "minute", "second", "fortnight")

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_SEASON_RE = "|".join(SEASONS)
_NUMBER_RE = r"\d+|" + "|".join(sorted(NUMBERS, key=len, reverse=True))


@dataclass(frozen=True)
class _Vocabulary:
    trim_leading: tuple[str, ...]
    keep_leading_when: tuple[str, ...]
    modifiers: tuple[str, ...]
    parts_of_day: tuple[str, ...]
    references: dict[str, str]
    frequencies: dict[str, str]
    extract_references: tuple[str, ...]
    holidays_fixed: dict[str, tuple[int, int]]
    holidays_floating: dict[str, tuple[int, int, int]]  # month, weekday, on_or_after
    holidays_easter: dict[str, int]  # days from Easter Sunday

    @property
    def holidays(self) -> tuple[str, ...]:
        """Every holiday name, longest first (the order to match them in)."""
        return tuple(sorted([*self.holidays_fixed, *self.holidays_floating, *self.holidays_easter], key=len, reverse=True))


@functools.cache
def vocabulary() -> _Vocabulary:
    """The editable word lists of ``resources/timexes.json``, read once."""
    raw = json.loads(resources.files("newsscope").joinpath("resources/timexes.json").read_text(encoding="utf-8"))
    by_length = functools.partial(sorted, key=len, reverse=True)  # longest phrase first when matching
    return _Vocabulary(
        trim_leading=tuple(by_length(w.lower() for w in raw["trim_leading"])),
        keep_leading_when=tuple(w.lower() for w in raw["keep_leading_when"]),
        modifiers=tuple(by_length(w.lower() for w in raw["modifiers"])),
        parts_of_day=tuple(w.lower() for w in raw["parts_of_day"]),
        references={k.lower(): v for k, v in raw["references"].items()},
        frequencies={k.lower(): v for k, v in raw["frequencies"].items()},
        extract_references=tuple(w.lower() for w in raw["extract_references"]),
        holidays_fixed={k.lower(): (v[0], v[1]) for k, v in raw["holidays_fixed"].items()},
        holidays_floating={
            k.lower(): (v["month"], WEEKDAYS[v["weekday"].lower()], v["on_or_after"])
            for k, v in raw["holidays_floating"].items()
        },
        holidays_easter={k.lower(): v for k, v in raw["holidays_easter"].items() if not k.startswith("_")},
    )


def easter(year: int) -> datetime.date:
    """Western Easter Sunday of a Gregorian year (the Meeus/Jones/Butcher computus; its letters are the algorithm's)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


# --------------------------------------------------------------------------------------------------
# bounds


def bounds(value: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day (inclusive) covered by a TIMEX3/ISO value, or None when it has none.

    >>> bounds("2023-09")
    (datetime.date(2023, 9, 1), datetime.date(2023, 9, 30))

    Note: seasons are meteorological (spring = March-May; ``1998-WI`` = December 1998 - February 1999);
    reference values (``PRESENT_REF``) and malformed values give None rather than raising.
    """
    try:
        return _bounds(value.strip())
    except ValueError:  # an impossible date such as 2023-02-30 or week 54
        return None


def _bounds(value: str) -> tuple[datetime.date, datetime.date] | None:
    date = datetime.date
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2})?", value):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(m[1]), int(m[2])
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if m := re.fullmatch(r"(\d{4})-W(\d{1,2})(-WE)?", value):
        year, week = int(m[1]), int(m[2])
        if m[3]:
            return date.fromisocalendar(year, week, 6), date.fromisocalendar(year, week, 7)
        return date.fromisocalendar(year, week, 1), date.fromisocalendar(year, week, 7)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        year, quarter = int(m[1]), int(m[2])
        last_month = quarter * 3
        return date(year, last_month - 2, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])
    if m := re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value):
        year, first = int(m[1]), SEASON_START[m[2]]
        start = date(year, first, 1)
        end_year, end_month = (year + (first + 2 > 12), (first + 2 - 1) % 12 + 1)
        return start, date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    if m := re.fullmatch(r"(\d{4})", value):
        return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})/(\d{4})", value):
        first, last = int(m[1]), int(m[2])
        return (date(first, 1, 1), date(last, 12, 31)) if first <= last else None
    if m := re.fullmatch(r"(\d{3})X", value):
        return date(int(m[1]) * 10, 1, 1), date(int(m[1]) * 10 + 9, 12, 31)
    if m := re.fullmatch(r"(\d{2})XX", value):
        return date(max(int(m[1]) * 100, 1), 1, 1), date(int(m[1]) * 100 + 99, 12, 31)
    return None


# --------------------------------------------------------------------------------------------------
# resolve


def _result(value: str | None, granularity: Granularity | None, anchored: bool, method: str) -> Resolution:
    span = bounds(value) if value else None
    return Resolution(value, granularity if value else None, anchored, method, *(span or (None, None)))


def _none(method: str, anchored: bool = False) -> Resolution:
    return Resolution(None, None, anchored, method, None, None)


def _day(day: datetime.date, method: str, anchored: bool = True) -> Resolution:
    return _result(day.isoformat(), "day", anchored, method)


def _month(year: int, month: int, method: str, anchored: bool = True) -> Resolution:
    return _result(f"{year:04d}-{month:02d}", "month", anchored, method)


def _year(year: int, method: str, anchored: bool = True) -> Resolution:
    return _result(f"{year:04d}", "year", anchored, method)


def _week(day: datetime.date, method: str, weekend: bool = False, anchored: bool = True) -> Resolution:
    year, week, _ = day.isocalendar()
    if weekend:
        return _result(f"{year:04d}-W{week:02d}-WE", "weekend", anchored, method)
    return _result(f"{year:04d}-W{week:02d}", "week", anchored, method)


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


_PAST_HORIZON_DAYS = 300  # see _pick: how far back a bare month or month-day may lie in a past-tense clause

Direction = Literal["past", "future", "nearest", "last", "next", "this"]


def _direction(tense: str | None) -> Direction:
    """Bare weekdays and months: a past verb looks back, a future one forward, otherwise the nearest."""
    return {"past": "past", "future": "future"}.get(tense or "", "nearest")  # type: ignore[return-value]


Occurrence = tuple[datetime.date, datetime.date, object]  # first day, last day, payload


def _pick(
    occurrences: Iterable[Occurrence], anchor: datetime.date, direction: Direction, horizon: int | None = None
) -> object | None:
    """Choose among the occurrences of a cyclic expression (a weekday, a month, a holiday).

    past/future include the occurrence containing the anchor (news practice: "Friday" in a Friday paper
    is that day); last/next exclude it; nearest minimises the distance, preferring the past on a tie.
    With a ``horizon`` (days), a past occurrence that ended longer ago than that gives way to the nearest:
    a year-less "Feb. 10" in a past-tense clause of a January paper is far more often the coming one
    (the verb is "said", the date is that of the hearing announced) than one almost a year old.
    """
    items = sorted(occurrences, key=lambda o: o[0])
    if direction == "past":
        found = [o for o in items if o[0] <= anchor]
        if found and horizon is not None and (anchor - found[-1][1]).days > horizon:
            return _pick(items, anchor, "nearest")
        return found[-1][2] if found else None
    if direction == "future":
        found = [o for o in items if o[1] >= anchor]
        return found[0][2] if found else None
    if direction == "last":
        found = [o for o in items if o[1] < anchor]
        return found[-1][2] if found else None
    if direction == "next":
        found = [o for o in items if o[0] > anchor]
        return found[0][2] if found else None

    def distance(o: Occurrence) -> tuple[int, int]:
        if o[0] <= anchor <= o[1]:
            return 0, 0
        gap = (o[0] - anchor).days if o[0] > anchor else (anchor - o[1]).days
        return gap, o[0] > anchor  # ties go to the past

    return min(items, key=distance)[2] if items else None


_PREFIX_DIRECTION: dict[str, Direction] = {
    "last": "last",
    "past": "last",
    "previous": "last",
    "next": "next",
    "coming": "next",
    "this": "this",
    "current": "this",
}


def _normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, month abbreviations spelled out, outer punctuation dropped."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+", " ", text.strip().lower())
    text = re.sub(r"\b(jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.", r"\1", text)
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"'s$", "", text)
    return text.strip(" .,;:!?\"'()[]")


def _trim(text: str) -> str:
    vocab = vocabulary()
    changed = True
    while changed:
        changed = False
        if any(text == k or text.startswith(k + " ") for k in vocab.keep_leading_when):
            break
        for word in vocab.trim_leading:
            if text.startswith(word + " "):
                text, changed = text[len(word) + 1 :], True
                break
    return text


def _strip_modifiers(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in vocabulary().modifiers:
            for sep in (" ", "-"):
                if text.startswith(word + sep) and len(text) > len(word) + 1:
                    text, changed = text[len(word) + 1 :].lstrip(" -"), True
                    break
            if changed:
                break
        if text.startswith("the ") and changed:
            text = text[4:]
    return text


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _ymd(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


Rule = Callable[[str, "datetime.date | None", "str | None"], "Resolution | None"]
_RULES: list[Rule] = []


def _rule(function: Rule) -> Rule:
    _RULES.append(function)
    return function


def resolve(text: str, anchor: datetime.date | None, tense: str | None = None) -> Resolution:
    """Normalise a temporal expression to a TIMEX3 value, relative to ``anchor`` where it must be.

    Args:
        text: the expression as written ("last September", "on Tuesday", "1950-53").
        anchor: the publication date, or None when unknown.
        tense: the governing verb's tense ("past" / "present" / "future"), which picks the direction
            of bare weekdays, months and month-days; None means the nearest occurrence.

    Returns:
        A :class:`Resolution`. Explicit dates resolve without an anchor; relative ones without an anchor
        give ``value=None`` (``anchored=False``). Durations, ages and anaphora ("that day") give None.

    Note:
        Rules cover the forms news prose uses; the rest falls back to ``dateparser`` for strings with an
        explicit number or month. Times of day are dropped ("Friday night" is that Friday). "Last
        September" means the most recent September that has ended before the anchor; "the '90s" means
        the most recent such decade. Anaphoric expressions ("the next morning") are not resolved against
        the previous expression -- only against the anchor.
    """
    if tense is not None and tense not in TENSES:
        raise ValueError(f"unknown tense {tense!r}; expected one of {TENSES} or None")
    if isinstance(anchor, datetime.datetime):
        anchor = anchor.date()
    vocab = vocabulary()
    norm = _normalise(text)
    if norm in vocab.references:
        return _result(vocab.references[norm], "reference", False, "reference")
    norm = _trim(norm)
    if norm in vocab.references:
        return _result(vocab.references[norm], "reference", False, "reference")
    if norm in vocab.frequencies:
        return _result(vocab.frequencies[norm], "set", False, "frequency")
    if re.search(r"\b(years?|months?|weeks?|days?)[- ]old\b|^aged? \d", norm):
        return _none("age")
    if re.fullmatch(r"\d{1,3}", norm):  # "Slepian, 52," -- spaCy's DATE for an age or a count
        return _none("number")
    norm = _strip_modifiers(norm)
    if not norm:
        return _none("empty")
    for rule in _RULES:
        found = rule(norm, anchor, tense)
        if found is not None:
            return found
    return _dateparser(norm, anchor, tense)


@_rule
def _explicit_iso(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return _day(d, "explicit:iso", False) if (d := _ymd(int(m[1]), int(m[2]), int(m[3]))) else None
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        if 1 <= int(m[2]) <= 12:
            return _month(int(m[1]), int(m[2]), "explicit:iso", False)
    if m := re.fullmatch(r"(\d{4})-w(\d{1,2})", text):
        value = f"{m[1]}-W{int(m[2]):02d}"
        return _result(value, "week", False, "explicit:iso") if bounds(value) else None
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", text):  # US order, as in US wire copy
        year = int(m[3]) if len(m[3]) == 4 else 2000 + int(m[3]) if int(m[3]) < 50 else 1900 + int(m[3])
        return _day(d, "explicit:us-numeric", False) if (d := _ymd(year, int(m[1]), int(m[2]))) else None
    return None


@_rule
def _year_range(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    m = re.fullmatch(r"(?:from |between )?(\d{4}) ?(?:-|/|to|and|until|through|till) ?(\d{2}|\d{4})", text)
    if not m:
        return None
    first = int(m[1])
    last = int(m[2]) if len(m[2]) == 4 else first // 100 * 100 + int(m[2])
    if not first < last <= first + 100:
        return None
    return _result(f"{first:04d}/{last:04d}", "year-range", False, "explicit:year-range")


@_rule
def _decade_century(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    if m := re.fullmatch(r"(\d{3})0'?s", text):
        return _result(f"{m[1]}X", "decade", False, "explicit:decade")
    if m := re.fullmatch(r"'(\d)0'?s", text):  # "the '90s": the most recent such decade; "his 30s" is an age
        base = anchor.year if anchor else 1999
        century = base // 100 if int(m[1]) * 10 <= base % 100 else base // 100 - 1
        return _result(f"{century}{m[1]}X", "decade", anchor is not None, "decade:two-digit")
    if m := re.fullmatch(r"(\d{1,2}) century", text):
        return _result(f"{int(m[1]) - 1:02d}XX", "century", False, "explicit:century")
    if text in ("this century", "current century") and anchor:
        return _result(f"{anchor.year // 100:02d}XX", "century", True, "relative:this-century")
    if text in ("last century", "previous century") and anchor:
        return _result(f"{anchor.year // 100 - 1:02d}XX", "century", True, "relative:last-century")
    return None


@_rule
def _bare_year(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    m = re.fullmatch(r"(?:(?:the )?(?:year|calendar year|fiscal year|fiscal|fy|class of) )?(\d{4})", text)
    if m and 1000 <= int(m[1]) <= 2199:
        return _year(int(m[1]), "explicit:year", False)
    return None


def _month_day_year(text: str) -> tuple[int, int | None, int | None, int | None] | None:
    """(month, day, year, weekday) from "[weekday,] month day[,] [year]" or "day month [year]"."""
    weekday = None
    if m := re.match(rf"({_WEEKDAY_RE}),? (?:the )?", text):
        weekday, text = WEEKDAYS[m[1]], text[m.end() :]
    patterns = (
        rf"(?P<month>{_MONTH_RE}) (?P<day>\d{{1,2}})(?:,? (?P<year>\d{{4}}))?",
        rf"(?P<day>\d{{1,2}}) (?:of )?(?P<month>{_MONTH_RE})(?:,? (?P<year>\d{{4}}))?",
        rf"(?P<month>{_MONTH_RE}),? (?:of )?(?P<year>\d{{4}})",
    )
    for pattern in patterns:
        if m := re.fullmatch(pattern, text):
            groups = m.groupdict()
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            return MONTHS[groups["month"]], day, year, weekday
    return None


@_rule
def _explicit_month_day(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    week_of = text.startswith("the week of ") or text.startswith("week of ")
    parsed = _month_day_year(re.sub(r"^(the )?week of ", "", text))
    if not parsed:
        return None
    month, day, year, weekday = parsed
    if day is None:  # "February 2022"
        return _month(year, month, "explicit", False) if year and not week_of else None
    if year is not None:
        found = _ymd(year, month, day)
        if found is None:
            return _none("invalid-date")
        return _week(found, "explicit:week-of") if week_of else _day(found, "explicit", False)
    if anchor is None:
        return _none("needs-anchor")
    candidates = [(d, d, d) for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _ymd(y, month, day))]
    if weekday is not None:  # "Monday, Oct. 26": the year in which that date is that weekday, if near
        matching = [c for c in candidates if c[0].weekday() == weekday]
        candidates = matching or candidates
    direction = "nearest" if weekday is not None else _direction(tense)
    found = _pick(candidates, anchor, direction, horizon=_PAST_HORIZON_DAYS)
    if found is None:
        return _none("needs-anchor")
    if week_of:
        return _week(found, "month-day:week-of")  # type: ignore[arg-type]
    return _day(found, f"month-day:{direction}")  # type: ignore[arg-type]


@_rule
def _day_before_after(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    """ "the day before last Tuesday", "the day after Christmas": a day either side of a resolvable day."""
    m = re.fullmatch(r"(?:the )?day (before|after) (?!yesterday|tomorrow)(.+)", text)
    if not m:
        return None
    inner = resolve(m[2], anchor, tense)
    if inner.granularity != "day" or inner.start is None:
        return _none(inner.method, inner.anchored)
    shift = datetime.timedelta(days=-1 if m[1] == "before" else 1)
    return _day(inner.start + shift, f"day-{m[1]}:{inner.method}", inner.anchored)


_CLOCK = r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))? ?(?P<half>[ap])\.?m\.?"  # "9 a.m.", "10:30 p.m", "4am"
_ZONE = r"(?: (?:[ecmp][sd]?t|gmt|utc))?"  # "EDT", "ET", "GMT": dropped, as the TempEval gold drops them


@_rule
def _clock_time(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    """ "9 a.m. Tuesday", "Tuesday at 9 a.m.": the day's value with the clock time (TIMEX3 ``2000-04-04T09:00``)."""
    m = re.fullmatch(rf"{_CLOCK}{_ZONE},? (?P<day>.+)", text) or re.fullmatch(rf"(?P<day>.+?),? at {_CLOCK}{_ZONE}", text)
    if not m:
        return None
    hour, minute, half = int(m["hour"]), int(m["minute"] or 0), m["half"]
    if not (1 <= hour <= 12 and minute < 60):
        return None
    inner = resolve(m["day"], anchor, tense)
    if inner.granularity != "day" or inner.value is None or "T" in inner.value:
        return _none(inner.method, inner.anchored)
    hour = hour % 12 + (12 if half == "p" else 0)  # 12 a.m. is midnight, 12 p.m. noon
    return _result(f"{inner.value}T{hour:02d}:{minute:02d}", "day", inner.anchored, f"clock:{inner.method}")


@_rule
def _relative_day(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    parts = "|".join(vocabulary().parts_of_day)
    offsets = {
        "today": 0,
        "tonight": 0,
        "this": 0,
        "yesterday": -1,
        "last": -1,
        "tomorrow": 1,
        "the day before yesterday": -2,
        "day before yesterday": -2,
        "the day after tomorrow": 2,
        "day after tomorrow": 2,
    }
    m = re.fullmatch(rf"(today|tonight|yesterday|tomorrow|(?:the )?day (?:before yesterday|after tomorrow))(?: ({parts}))?", text)
    m = m or re.fullmatch(rf"(this|last) ({parts})", text)
    if not m or (m[1] == "last" and m[2] not in ("night", "evening")):
        return None
    if anchor is None:
        return _none("needs-anchor")
    word = m[1]
    return _day(anchor + datetime.timedelta(days=offsets[word]), f"relative:{word.replace(' ', '-')}")


@_rule
def _weekday(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    parts = "|".join(vocabulary().parts_of_day)
    m = re.fullmatch(
        rf"(?:(last|past|previous|next|coming|this) )?({_WEEKDAY_RE})(?: ({parts}))?|(?:({parts}) of) ({_WEEKDAY_RE})",
        text,
    )
    if not m:
        return None
    if anchor is None:
        return _none("needs-anchor")
    prefix, weekday = m[1], WEEKDAYS[m[2] or m[5]]
    direction = _PREFIX_DIRECTION[prefix] if prefix else _direction(tense)
    if direction == "this":  # "this Friday": the one in the anchor's week
        day = anchor + datetime.timedelta(days=weekday - anchor.weekday())
        return _day(day, "weekday:this")
    candidates = [(d, d, d) for k in range(-14, 15) if (d := anchor + datetime.timedelta(days=k)).weekday() == weekday]
    # wire copy is dated the day it is filed and read the next morning, so a past-tense clause reaches one day
    # past the anchor: "Tuesday" in a Monday story is the coming day far more often than the one six days back
    found = _pick(candidates, anchor + datetime.timedelta(days=1) if direction == "past" else anchor, direction)
    return _day(found, f"weekday:{direction}")  # type: ignore[arg-type]


@_rule
def _relative_unit(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    m = re.fullmatch(r"(this|last|next|past|previous|coming|current) (week|weekend|month|year|quarter|decade)", text)
    if not m and text in ("weekend", "the weekend"):  # "over the weekend": the one just gone, or coming
        if anchor is None:
            return _none("needs-anchor")
        saturdays = [(d, d + datetime.timedelta(days=1), d) for k in range(-14, 15)
                     if (d := anchor + datetime.timedelta(days=k)).weekday() == 5]
        saturday = _pick(saturdays, anchor, _direction(tense))
        return _week(saturday, f"weekend:{_direction(tense)}", weekend=True)  # type: ignore[arg-type]
    if not m:
        return None
    prefix, unit = m[1], m[2]
    if prefix == "past" and unit != "weekend":
        return _none("duration")  # "the past week" is a period up to now (TIMEX3 DURATION), not last week
    if anchor is None:
        return _none("needs-anchor")
    step = {"this": 0, "current": 0, "last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}[prefix]
    method = f"relative:{prefix}-{unit}"
    if unit == "week":
        return _week(anchor + datetime.timedelta(weeks=step), method)
    if unit == "weekend":
        # "last weekend" on a Monday is the one just gone; "this weekend" is the one in the anchor's week
        saturday = anchor + datetime.timedelta(days=5 - anchor.weekday())
        if prefix in ("last", "past", "previous"):
            saturday = saturday - datetime.timedelta(weeks=1)
        elif prefix in ("next", "coming") and anchor.weekday() >= 5:
            saturday = saturday + datetime.timedelta(weeks=1)
        return _week(saturday, method, weekend=True)
    if unit == "month":
        return _month(*_add_months(anchor.year, anchor.month, step), method)
    if unit == "quarter":
        index = anchor.year * 4 + (anchor.month - 1) // 3 + step
        return _result(f"{index // 4:04d}-Q{index % 4 + 1}", "quarter", True, method)
    if unit == "decade":
        return _result(f"{anchor.year // 10 + step:03d}X", "decade", True, method)
    return _year(anchor.year + step, method)


@_rule
def _month_name(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    m = re.fullmatch(
        rf"(?:(last|past|previous|next|coming|this) )?({_MONTH_RE})(?:,? (?:of )?(last|this|next) year)?", text
    )
    if not m:
        return None
    if anchor is None:
        return _none("needs-anchor")
    month = MONTHS[m[2]]
    if m[3]:  # "September last year"
        year = anchor.year + {"last": -1, "this": 0, "next": 1}[m[3]]
        return _month(year, month, f"month:{m[3]}-year")
    if m[1] == "this":
        return _month(anchor.year, month, "month:this")
    direction = _PREFIX_DIRECTION[m[1]] if m[1] else _direction(tense)
    occurrences = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        start, end = bounds(f"{year:04d}-{month:02d}")  # type: ignore[misc]
        occurrences.append((start, end, year))
    year = _pick(occurrences, anchor, direction, horizon=_PAST_HORIZON_DAYS if m[1] is None else None)
    return _month(year, month, f"month:{direction}")  # type: ignore[arg-type]


@_rule
def _season(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    m = re.fullmatch(rf"(?:(last|past|previous|next|coming|this) )?({_SEASON_RE})(?: (?:of )?(\d{{4}}|last year|this year|next year))?", text)
    if not m:
        return None
    code = SEASONS[m[2]][0]
    if m[3] and m[3][0].isdigit():
        return _result(f"{m[3]}-{code}", "season", False, "explicit:season")
    if anchor is None:
        return _none("needs-anchor")
    if m[3]:
        year = anchor.year + {"last year": -1, "this year": 0, "next year": 1}[m[3]]
        return _result(f"{year}-{code}", "season", True, f"season:{m[3].replace(' ', '-')}")
    if m[1] == "this":
        return _result(f"{anchor.year}-{code}", "season", True, "season:this")
    direction = _PREFIX_DIRECTION[m[1]] if m[1] else _direction(tense)
    occurrences = []
    for year in range(anchor.year - 2, anchor.year + 2):
        start, end = bounds(f"{year}-{code}")  # type: ignore[misc]
        occurrences.append((start, end, year))
    year = _pick(occurrences, anchor, direction)
    return _result(f"{year}-{code}", "season", True, f"season:{direction}")


@_rule
def _quarter(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    m = re.fullmatch(r"(?:the )?(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: (?:of )?(\d{4}))?|q([1-4]) (\d{4})", text)
    if not m:
        return None
    quarter = ORDINALS[m[1]] if m[1] else int(m[3])
    year = m[2] or m[4]
    if year:
        return _result(f"{year}-Q{quarter}", "quarter", False, "explicit:quarter")
    if anchor is None:
        return _none("needs-anchor")
    return _result(f"{anchor.year}-Q{quarter}", "quarter", True, "quarter:anchor-year")


@_rule
def _holiday(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    vocab = vocabulary()
    names = "|".join(re.escape(n) for n in vocab.holidays)
    m = re.fullmatch(rf"(?:(last|past|previous|next|coming|this) )?({names})( week)?(?:,? (\d{{4}}))?", text)
    if not m:
        return None
    week = m[3] is not None  # "Easter week", "Thanksgiving week": the ISO week (Monday to Sunday) holding the day

    def on(year: int) -> datetime.date:
        if m[2] in vocab.holidays_fixed:
            month, day = vocab.holidays_fixed[m[2]]
            return datetime.date(year, month, day)
        if m[2] in vocab.holidays_easter:
            return easter(year) + datetime.timedelta(days=vocab.holidays_easter[m[2]])
        month, weekday, first = vocab.holidays_floating[m[2]]
        day = datetime.date(year, month, first)
        return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)

    def result(day: datetime.date, method: str, anchored: bool = True) -> Resolution:
        return _week(day, f"{method}-week", anchored=anchored) if week else _day(day, method, anchored)

    def extent(day: datetime.date) -> Occurrence:
        start, end = bounds(_week(day, "").value) if week else (day, day)  # type: ignore[misc, arg-type]
        return start, end, day

    if m[4]:
        return result(on(int(m[4])), "holiday:explicit", False)
    if anchor is None:
        return _none("needs-anchor")
    if m[1] == "this":
        return result(on(anchor.year), "holiday:this")
    direction = _PREFIX_DIRECTION[m[1]] if m[1] else _direction(tense)
    found = _pick([extent(on(y)) for y in (anchor.year - 1, anchor.year, anchor.year + 1)], anchor, direction)
    return result(found, f"holiday:{direction}")  # type: ignore[arg-type]


@_rule
def _ago(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    m = re.fullmatch(rf"({_NUMBER_RE}|a few|several|few) (day|week|month|year|decade)s? (ago|from now|hence)", text)
    if not m:
        return None
    count = _number(m[1])
    if count is None:  # "a few years ago": too vague to date
        return _none("vague")
    if anchor is None:
        return _none("needs-anchor")
    sign = -1 if m[3] == "ago" else 1
    unit, method = m[2], f"relative:{m[2]}s-{m[3].replace(' ', '-')}"
    if unit == "day":
        return _day(anchor + datetime.timedelta(days=sign * count), method)
    if unit == "week":
        return _week(anchor + datetime.timedelta(weeks=sign * count), method)
    if unit == "month":
        return _month(*_add_months(anchor.year, anchor.month, sign * count), method)
    if unit == "decade":
        return _year(anchor.year + sign * 10 * count, method)
    return _year(anchor.year + sign * count, method)


@_rule
def _durations_and_anaphora(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution | None:
    units = "|".join(UNITS) + "|centuries"
    if re.fullmatch(rf"(?:(?:the )?(?:past|last|next|coming|first|final) )?(?:(?:{_NUMBER_RE}|a few|several|few|many|some|the) )?(?:{units})s?(?: and a half)?", text):
        return _none("duration")
    if re.fullmatch(rf"(?:{_NUMBER_RE})[- ](?:{units})s?(?:[- ]long)?", text):
        return _none("duration")
    if re.match(r"(?:that|the same|the following|the next|the previous|the day|same|next|following|previous) ", text) or text in ("then", "that day"):
        return _none("anaphoric")
    return None


def _dateparser(text: str, anchor: datetime.date | None, tense: str | None) -> Resolution:
    """The fallback for explicit forms the rules above do not know; only for text with a number or month."""
    # only text naming a month, a plausible year or a numeric date: dateparser reads a bare "44" (an age
    # in "Kopp, 44,") as 1944, and "0735" (a clock time) as a year
    if not re.search(rf"\b(?:{_MONTH_RE})\b|\b(?:1\d{{3}}|20\d{{2}}|21\d{{2}})\b|\b\d{{1,2}}[/.-]\d{{1,2}}\b", text):
        return _none("unresolved")
    import dateparser  # imported lazily: loading its language data costs a second

    settings: dict[str, object] = {
        "PREFER_DATES_FROM": {"past": "past", "future": "future"}.get(tense or "", "current_period"),
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if anchor is not None:
        settings["RELATIVE_BASE"] = datetime.datetime.combine(anchor, datetime.time())
    data = dateparser.date.DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if data.date_obj is None:
        return _none("unresolved")
    explicit_year = re.search(r"\b\d{4}\b", text) is not None
    if not explicit_year and anchor is None:
        return _none("needs-anchor")
    day = data.date_obj.date()
    anchored = not explicit_year
    if data.period == "year":
        return _year(day.year, "dateparser", anchored)
    if data.period == "month":
        return _month(day.year, day.month, "dateparser", anchored)
    if data.period == "week":
        return _week(day, "dateparser")
    return _day(day, "dateparser", anchored)


# --------------------------------------------------------------------------------------------------
# extract

_TEST_ANCHOR = datetime.date(2000, 6, 15)  # any date will do: only whether a candidate resolves matters


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """The candidate patterns, each with its clues (compiled once, on first use: nothing is read at import time).

    The clues of a pattern for a rare expression are strings one of which each of its matches contains; a
    text holding none of them is not scanned, since looking for a few strings costs far less than the
    pattern's alternatives at every word. A case-insensitive pattern's clues are lower case.
    """
    vocab = vocabulary()
    months = (
        r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
        r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.|Sept)"
    )
    weekdays = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    parts = "|".join(vocab.parts_of_day)
    holidays = "|".join(re.escape(h) for h in vocab.holidays)
    references = "|".join(re.escape(r) for r in vocab.extract_references)
    frequencies = "|".join(re.escape(f) for f in sorted(vocab.frequencies, key=len, reverse=True))
    number = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty)"
    months_named = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # clues
    holiday_names = tuple(sorted(vocab.holidays))
    return (  # (pattern, clues)
        (re.compile(r"\b(1\d{3}|20\d{2}) ?[-\u2013\u2014/] ?(\d{2}|\d{4})\b(?![-\u2013\u2014/]?\d)"), ()),
        (re.compile(rf"\b(?:(?:[Tt]he )?day (?:before|after) )?(?:(?:last|next|this|past|coming) )?{weekdays}(?:,? {months} \d{{1,2}}(?:,? \d{{4}})?)?(?: (?:{parts}))?\b"), ()),
        (re.compile(rf"\b\d{{1,2}}(?::\d{{2}})? ?[ap]\.m\.?(?: (?:[ECMP][SD]?T|GMT|UTC))?,? (?:{weekdays}|today|tonight|tomorrow|yesterday)\b"
                    rf"|\b{weekdays},? at \d{{1,2}}(?::\d{{2}})? ?[ap]\.m\.?"), ("a.m", "p.m")),
        (re.compile(rf"\b{months} \d{{1,2}}\b(?:,? \d{{4}}\b)?|\b\d{{1,2}} {months}(?: \d{{4}}\b)?|\b{months},? \d{{4}}\b"), months_named),
        (re.compile(r"(?i)\b(?:(?:early|late|mid|earlier|later)[- ])?(?:this|last|next|past|coming) (?:week|weekend|month|year|quarter|decade|spring|summer|fall|autumn|winter)\b"), ()),
        (re.compile(rf"\b(?:(?:[Ll]ast|[Nn]ext|[Tt]his|[Ee]arly|[Ll]ate|[Mm]id-?) ?){months}(?!\.? \d)(?: (?:last|this|next) year)?\b"), months_named),
        (re.compile(rf"\b(?:in|In|by|until|since|of|from|during|before|after|last|next|this) (?P<t>{months}(?: (?:last|this|next) year)?)(?!\.? \d)"), months_named),
        (re.compile(rf"(?i)\b(?:today|tonight|yesterday|tomorrow)(?: (?:{parts}))?\b|\b(?:this|last) (?:{parts})\b"), ()),
        (re.compile(r"\b(?:(?:the )?(?:early|mid|late)[- ])?(?:1\d|20)\d0'?s\b|'\d0s\b"), ("0s", "0's")),
        (re.compile(rf"(?i)\b(?:(?:almost|nearly|about|some|more than|over|just) )?{number} (?:day|week|month|year|decade)s? ago\b"), ("ago",)),
        (re.compile(rf"(?i)\b(?:{references})\b"), ()),
        (re.compile(rf"\b(?:{frequencies})\b"), ()),  # lower case only: "the Daily News" is a newspaper
        (re.compile(rf"(?i)\b(?:(?:last|next|this) )?(?:{holidays})(?: week)?\b"), holiday_names),
        (re.compile(r"\b(?:pre|post|mid)-(?:1[5-9]|20)\d{2}\b"), ("pre-", "post-", "mid-")),
        (re.compile(r"(?:\b(?:in|In|since|Since|until|by|from|before|after|during|around|early|late|mid|year|of|and|or)|\d{4},) (?P<t>(?:1[5-9]|20)\d{2})\b(?![-\u2013/]\d| ?%| percent| people)"), ()),
    )


# Besides the two cases of each ASCII letter, a case-insensitive pattern matches these four for i, s and k,
# which str.lower() does not turn into i, s or k.
_FOLDED_LETTERS = "\u0130\u0131\u017f\u212a"  # İ ı ſ K (Kelvin sign)


def _lowered(text: str) -> str | None:
    """``text`` in lower case, where the clues of case-insensitive patterns are looked for; None when it holds
    one of ``_FOLDED_LETTERS`` (a clue could then be missed, so those patterns always run)."""
    return None if any(ch in text for ch in _FOLDED_LETTERS) else text.lower()


def _may_match(pattern: re.Pattern[str], clues: tuple[str, ...], text: str, lowered: str | None) -> bool:
    """False when no match of ``pattern`` is possible because ``text`` holds none of its clues.

    ``lowered`` is ``_lowered(text)``, computed once per text.
    """
    if not clues:
        return True
    if pattern.flags & re.IGNORECASE:
        return lowered is None or any(clue in lowered for clue in clues)
    return any(clue in text for clue in clues)


_DAY_WORDS = re.compile(r"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|yesterday|tomorrow)\b")
_YEAR_PAIR = re.compile(r"\b(\d{4}) (?:and|to|through|until|till|or) (\d{4})\b")


@functools.lru_cache(maxsize=16384)
def _trial(text: str) -> tuple[bool, bool] | None:
    """How a candidate resolves against a test anchor: None for an age or a count (no date at all), else
    (resolved by one of our rules, resolved at all). Cached: the same strings recur from article to article."""
    trial = resolve(text, _TEST_ANCHOR)
    if trial.method in ("age", "number"):
        return None
    return trial.value is not None and trial.method != "dateparser", trial.value is not None


def _tense(span: Span) -> Tense | None:
    """The tense of the verb governing a span: walk up from its root to the first verb, then read its auxiliaries."""
    token = span.root
    for _ in range(12):
        if token.pos_ in ("VERB", "AUX") and not (token.i >= span.start and token.i < span.end):
            break
        if token.head is token:
            break
        token = token.head
    if token.pos_ not in ("VERB", "AUX"):
        return None
    return _verb_tense(token)


# a verb of scheduling makes its date a coming one whatever its own tense ("postponed until Tuesday");
# not "plan": "On Friday, the government planned to pay" is as often a past Friday
_FUTURE_VERBS = {"schedule", "postpone", "delay", "adjourn", "reschedule", "defer"}
_FUTURE_HEADS = {"go", "plan", "expect", "schedule", "set", "intend", "aim", "hope", "vow", "promise", "prepare", "due", "likely", "want", "seek", "agree", "threaten"}


def _verb_tense(verb: Token, depth: int = 0) -> Tense | None:
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in auxes}
    if verb.lemma_.lower() in _FUTURE_VERBS:
        return "future"
    if words & {"will", "'ll", "shall", "wo"}:
        return "future"
    if words & {"would", "could", "might", "may", "should", "must", "can"}:
        if "have" in words:
            return "past"
        # "would" reports a plan ("said he would vote Tuesday"); "could not be reached Wednesday" is no future
        return "future" if words & {"would", "'d"} else None
    if "to" in words and verb.tag_ == "VB" and depth < 3 and verb.head is not verb:
        head = verb.head
        if head.lemma_.lower() in _FUTURE_HEADS:
            return "future"
        if head.pos_ in ("VERB", "AUX"):
            return _verb_tense(head, depth + 1)
        return None
    if any(a.tag_ == "VBD" for a in auxes) or verb.tag_ == "VBD":
        return "past"
    if words & {"has", "have", "'ve"} and verb.tag_ in ("VBN", "VBG"):  # "has said", "have been searching"
        return "past"
    if verb.tag_ == "VBN" and not auxes:  # a reduced relative: "the injunction issued Thursday"
        return "past"
    if verb.tag_ in ("VBZ", "VBP") or any(a.tag_ in ("VBZ", "VBP") for a in auxes):
        return "present"
    return None


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading prepositions/articles (vocabulary ``trim_leading``) and trailing punctuation or "'s"."""
    vocab = vocabulary()
    changed = True
    while changed:
        changed = False
        lowered = text[start:end].lower()
        if any(lowered == k or lowered.startswith(k + " ") for k in vocab.keep_leading_when):
            break
        for word in vocab.trim_leading:
            if lowered.startswith(word + " ") and end - start > len(word) + 1:
                start, changed = start + len(word) + 1, True
                break
    while end > start and text[end - 1] in " .,;:!?\"')\u201d":
        if text[end - 1] == "." and re.search(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|a\.m|p\.m)\.$", text[start:end]):
            break
        end -= 1
    if text[start:end].endswith(("'s", "\u2019s")):
        end -= 2
    return start, end


def extract(doc: Doc) -> list[TimexMention]:
    """Temporal expressions in a parsed document, in text order, without overlaps.

    Candidates are spaCy ``DATE`` entities (and ``TIME`` entities naming a day, "Friday night"), trimmed of
    leading prepositions, plus patterns the statistical model misses: year ranges ("1950-53"), weekdays,
    "last month", month names, decades, "N years ago", holidays and "now". Where candidates overlap, one
    that resolves beats one that does not, then the longer wins. Ages ("63 years old") are dropped;
    durations ("three years") are kept (their value resolves to None). "Between 1994 and 1997" becomes two
    year mentions, as TIMEX3 marks it; the hyphenated "1950-53" stays one year range.

    Note: the tense is read from the dependency parse, so a wrong parse gives a wrong direction for bare
    weekdays; an expression outside any clause (a dateline, a headline) gets tense None.
    """
    text = doc_text(doc)
    candidates: set[tuple[int, int]] = set()
    for ent in doc_ents(doc):
        if ent.label_ == "DATE" or (ent.label_ == "TIME" and _DAY_WORDS.search(ent.text)):
            pair = _YEAR_PAIR.search(ent.text)
            if pair:  # "between 1994 and 1997": two dates, as TIMEX3 marks them (only "1950-53" is one range)
                candidates.update((ent.start_char + pair.start(g), ent.start_char + pair.end(g)) for g in (1, 2))
                continue
            candidates.add(_trim_span(text, ent.start_char, ent.end_char))
    lowered = _lowered(text)
    for pattern, clues in _patterns():
        if not _may_match(pattern, clues, text, lowered):
            continue
        for m in pattern.finditer(text):
            group = "t" if "t" in pattern.groupindex else 0  # a named group "t" marks the expression proper
            candidates.add(_trim_span(text, m.start(group), m.end(group)))

    scored = []
    for start, end in candidates:
        if end <= start:
            continue
        trial = _trial(text[start:end])
        if trial is None:
            continue
        by_rule, resolved = trial
        scored.append((by_rule, resolved, end - start, -start, start, end))
    chosen: list[tuple[int, int]] = []
    for *_, start, end in sorted(scored, reverse=True):
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))

    mentions = []
    for start, end in sorted(chosen):
        span = doc.char_span(start, end, alignment_mode="expand")
        tense = _tense(span) if span is not None and len(span) else None
        mentions.append(TimexMention(start, end, text[start:end], tense))
    return mentions
