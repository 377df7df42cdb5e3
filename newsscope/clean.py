"""Cleaning: one raw article in, a clean body plus the metadata its own text carries out.

Three entry points, one per kind of input:

- ``clean_text(raw)``: plain text, possibly pasted from a web page. Page chrome (icon words, breadcrumbs,
  "Read more" links, "Top stories" lists, cookie banners, photo credits, copyright lines ...) is removed,
  and header fields (a ``date`` header, a wire tag such as ``(MENAFN)``, a dateline such as
  ``23 Apr, 2024 11:21``, a copyright holder) are lifted into metadata.
- ``clean_html(html, url)``: a web page; trafilatura finds the main text, title, date and site name.
- ``clean_record(text, title)``: the text field of a JSON/CSV record, already clean: whitespace only.

The body stays verbatim apart from removed lines and whitespace: later stages store character offsets
into it, and gold quotes are verbatim substrings of it. Lines are stripped, runs of blank lines become one
blank line, and no character inside a paragraph is ever rewritten (no quote-mark normalisation).

The phrases and patterns that mark chrome live in ``resources/boilerplate.txt`` and the copyright-holder
-> outlet map in ``resources/outlets.csv``; both are user-editable and read once, on first use.
"""

from __future__ import annotations

import csv
import datetime
import functools
import importlib.resources
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

PublishedSource = Literal["html", "text"]
PUBLISHED_SOURCES: tuple[PublishedSource, ...] = ("html", "text")

# Formats tried in order before falling back to dateparser. Numeric dates are read day first
# ("01/05/2024" is 1 May 2024), as in most of the world's news; an American month-first date is
# still read when its day is above 12 ("05/13/2024").
HEADER_DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %b, %Y",
    "%d %B, %Y",
    "%A, %B %d, %Y",
    "%a, %d %b %Y",
    "%d %b, %Y %H:%M",
    "%d %B %Y %H:%M",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
)
EARLIEST_YEAR = 1800
# A date further ahead than this is a typo or a parse error, not a publication date.
MAX_FUTURE = datetime.timedelta(days=365)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_NAMES = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july"
    "|august|september|october|november|december"
)
_WEEKDAYS = "mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# A line that is only a date (and maybe a time and zone), optionally labelled: "23 Apr, 2024 11:21",
# "Published: May 1, 2024", "2024-05-01T10:00:00Z". Checked in code with parse_date as well.
_DATELINE = re.compile(
    r"(?i)(?:(?P<label>published|posted|updated|last updated|date)(?:\s+on)?\s*:?\s*)?"
    rf"(?P<date>(?:(?:{_WEEKDAYS})\.?,?\s+)?"
    rf"(?:\d{{1,2}}\s+(?:{_MONTH_NAMES})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTH_NAMES})\.?\s+\d{{1,2}},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}/\d{1,2}/\d{4})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s+(?:GMT|UTC|[A-Z]{2,4}T)(?:[+-]\d{1,2})?)?)"
    r"\s*\|?"  # DoD pages: "Oct. 25, 2024 |"
)
# " date 2024-05-01 " at the very start of a file: the header that some crawlers write.
_DATE_HEADER = re.compile(r"\A\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\b[ \t]*")
# "(MENAFN) ", "WASHINGTON (Reuters) - " at the very start of the text: a wire or outlet tag.
# After a place name the dash is required: "UN (UNSC) voted ..." is a sentence, not a dateline.
_AGENCY_TAG = re.compile(
    r"\A(?:[A-Z][A-Z.'\- ]+(?:, [A-Z][A-Za-z.'\- ]+)?\s+\((?P<wire>[A-Za-z][\w.&\- ]{0,39})\)\s*[-–—]\s*"
    r"|\((?P<tag>[A-Za-z][\w.&\- ]{0,39})\)\s*(?:[-–—]\s*)?)"
)
# A line that starts a copyright notice: "© Autonomous Nonprofit Organization “TV-Novosti”, 2005–2024. ..."
# Only a notice counts: "Copyright infringement is rising, he said." does not start one.
_COPYRIGHT = re.compile(
    r"(?i)\A(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|(?=(?:1[89]|20)\d{2}\b)))\s*(?:©\s*)?(?P<holder>.*)\Z"
    r"|\A(?:copyright\s+)?(?P<named>.{1,120}?)[.,]\s*all rights reserved\.?\Z"
)
_YEARS = re.compile(r"\b(?:1[89]|20)\d{2}(?:\s*[-–—]\s*(?:1[89]|20)\d{2})?\b")
_RIGHTS = re.compile(r"(?i)\ball rights reserved\b.*")
# "By Jim Garamone, DOD News": a byline, not a headline.
_BYLINE = re.compile(r"By\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}(?:\s*,|\s+and\s|\s*\Z)")
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)\Z")
_QUOTE_OPENERS = "\"'“‘«("
_BLANK_RUN = re.compile(r"\n{3,}")

# Chrome that sits at the top of a page (navigation, dateline, icon strip): a headline-like line above
# it belongs to another story (a sidebar); the article's own headline comes after it.
_NAV_KINDS = frozenset({"icon", "dateline", "phrase", "pattern", "block", "related", "language"})

ChromeKind = Literal[
    "end", "icon", "dateline", "phrase", "pattern", "block", "related", "language", "copyright", "caption"
]


@dataclass(frozen=True)
class Cleaned:
    """One cleaned article: the body and the metadata lifted from the input itself.

    ``body`` is the whole article body with page chrome removed; the headline, where the text has one,
    stays as its first line. ``published_source`` says where the date came from: ``"html"`` (HTML
    metadata) or ``"text"`` (a header or dateline in the text); it is None when there is no date.
    """

    body: str
    title: str | None = None
    outlet: str | None = None
    published: datetime.date | None = None
    published_source: PublishedSource | None = None
    url: str | None = None


@dataclass(frozen=True)
class Boilerplate:
    """The chrome rules read from ``boilerplate.txt`` (see the comments at its top)."""

    phrases: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    blocks: frozenset[str]
    related: frozenset[str]
    captions: tuple[re.Pattern[str], ...]
    ends: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OutletRule:
    """One row of ``outlets.csv``: where ``match`` occurs (whole words, any case), the outlet is ``outlet``."""

    match: str
    outlet: str
    pattern: re.Pattern[str]


def _key(line: str) -> str:
    """How phrases are compared: case and runs of spaces ignored."""
    return " ".join(line.split()).casefold()


def _resource(name: str) -> str:
    return importlib.resources.files("newsscope").joinpath("resources", name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=8)
def load_boilerplate(path: Path | None = None) -> Boilerplate:
    """Read the chrome rules, once per process (the packaged ``resources/boilerplate.txt`` by default).

    Args:
        path: another rules file in the same format, e.g. a user's edited copy.

    Returns:
        The phrases, full-line patterns, list headings and related-story link phrases.

    Raises:
        ValueError: a ``re:`` line is not a valid regular expression (the message names the line).
    """
    text = path.read_text(encoding="utf-8") if path is not None else _resource("boilerplate.txt")
    phrases: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    blocks: set[str] = set()
    related: set[str] = set()
    captions: list[re.Pattern[str]] = []
    ends: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, sep, value = line.partition(":")
        value = value.strip()
        if sep and kind in ("re", "caption"):
            try:
                compiled = re.compile(value)
            except re.error as error:
                raise ValueError(f"boilerplate line {number}: bad pattern {value!r}: {error}") from error
            (patterns if kind == "re" else captions).append(compiled)
        elif sep and kind == "block":
            blocks.add(_key(value))
        elif sep and kind == "related":
            related.add(_key(value))
        elif sep and kind == "end":
            ends.add(_key(value))
        else:
            phrases.add(_key(line))
    return Boilerplate(
        phrases=frozenset(phrases),
        patterns=tuple(patterns),
        blocks=frozenset(blocks),
        related=frozenset(related),
        captions=tuple(captions),
        ends=frozenset(ends),
    )


@functools.lru_cache(maxsize=8)
def load_outlets(path: Path | None = None) -> tuple[OutletRule, ...]:
    """Read the name -> outlet map, once per process (the packaged ``resources/outlets.csv`` by default).

    Args:
        path: another CSV with the columns ``match,outlet``; lines starting with ``#`` are comments.

    Raises:
        ValueError: the header lacks ``match`` or ``outlet``.
    """
    text = path.read_text(encoding="utf-8") if path is not None else _resource("outlets.csv")
    rows = csv.DictReader(line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    if rows.fieldnames is None or not {"match", "outlet"} <= set(rows.fieldnames):
        raise ValueError(f"outlets file needs the columns ['match', 'outlet']; found {rows.fieldnames}")
    rules = []
    for row in rows:
        match, outlet = (row["match"] or "").strip(), (row["outlet"] or "").strip()
        if match and outlet:
            pattern = re.compile(rf"(?<!\w){re.escape(match)}(?!\w)", re.IGNORECASE)
            rules.append(OutletRule(match, outlet, pattern))
    return tuple(rules)


def outlet_for(name: str) -> str | None:
    """The outlet that ``outlets.csv`` maps a copyright holder, wire tag or site name to; None if none.

    >>> outlet_for("Autonomous Nonprofit Organization “TV-Novosti”, 2005–2024")
    'RT'
    """
    for rule in load_outlets():
        if rule.pattern.search(name):
            return rule.outlet
    return None


def parse_date(value: str) -> datetime.date | None:
    """A calendar date from a header or record field; None when there is none or it is implausible.

    Reads ISO dates and timestamps ("2024-05-01", "2024-05-01T10:00:00Z": the date as written, no time
    zone conversion), the ``HEADER_DATE_FORMATS`` ("May 1, 2024", "23 Apr, 2024 11:21", "01/05/2024"),
    and, failing those, whatever dateparser reads as an absolute date with a day, month and year.

    Args:
        value: the text of the field.

    Returns:
        The date, or None for empty text, impossible dates ("32/13/2024"), relative expressions
        ("yesterday": meaningless without an anchor), dates without a day ("May 2024": the day would be
        invented), years before 1800, and dates more than a year after today.

    Note:
        Numeric dates are read day first: "01/05/2024" is 1 May 2024, not 5 January. An American feed
        with ambiguous numeric dates should be converted to ISO before ingest.
    """
    value = " ".join(value.split()) if isinstance(value, str) else ""
    if not value or not any(ch.isdigit() for ch in value):
        return None
    parsed = _parse_known_formats(value)
    if parsed is None:
        parsed = _parse_with_dateparser(value)
    if parsed is None:
        return None
    today = datetime.date.today()
    if parsed.year < EARLIEST_YEAR or parsed > today + MAX_FUTURE:
        return None
    return parsed


def _parse_known_formats(value: str) -> datetime.date | None:
    if _ISO_DATE.match(value):
        try:
            return datetime.datetime.fromisoformat(value.replace("z", "Z")).date()
        except ValueError:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                return None  # "2024-13-45...": impossible, and no other reading is better
    for fmt in HEADER_DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _parse_with_dateparser(value: str) -> datetime.date | None:
    # Imported here: dateparser takes a second to import and is only needed for odd formats.
    import dateparser

    settings = {
        "DATE_ORDER": "DMY",
        "PARSERS": ["custom-formats", "absolute-time"],  # no "2 days ago", no bare timestamps
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "past",
    }
    try:
        parsed = dateparser.parse(value, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed is not None else None


def _split_lines(text: str) -> list[str]:
    """Lines with surrounding whitespace stripped; any newline convention."""
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _join(lines: Iterable[str]) -> str:
    """Join lines, one blank line at most between paragraphs, nothing around the whole."""
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def normalise_whitespace(text: str) -> str:
    """Strip every line, collapse runs of blank lines to one, strip the whole; no other change."""
    return _join(_split_lines(text))


def _words(line: str) -> list[str]:
    return line.split()


def looks_like_headline(line: str) -> bool:
    """A short line that starts like a title and does not end like a sentence or a lead-in.

    Note:
        A headline that ends with a full stop is taken for a sentence, and a one- or two-word
        line ("Podcasts") for a label; both are rare in real headlines.
    """
    words = _words(line)
    if not 3 <= len(words) <= 30 or len(line) > 250:
        return False
    if line[-1] in ".,;:":
        return False
    first = line[0]
    return first.isupper() or first.isdigit() or first in _QUOTE_OPENERS


def looks_like_paragraph(line: str) -> bool:
    """A line of running text: a sentence of six words or more, or any line over thirty words."""
    words = _words(line)
    return len(words) > 30 or (len(words) >= 6 and bool(_SENTENCE_END.search(line)))


def _is_icon_line(line: str) -> bool:
    # Icon fonts leak their glyph names as text: "bookmark-bicon bookmarkicon cameraicon checkicon ..."
    words = _words(line)
    icons = sum("icon" in word.casefold() for word in words)
    return icons >= 3 and icons / len(words) >= 0.4


def _scripts(line: str) -> set[str]:
    return {unicodedata.name(ch, "?").split(" ")[0] for ch in line if ch.isalpha()}


_CJK_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "FULLWIDTH", "HALFWIDTH"})


def _is_language_switcher(line: str) -> bool:
    # "العربيةespрусdefrrs": language names and codes run together, several scripts, hardly any spaces.
    # Japanese, Chinese and Korean text has no spaces and mixes scripts (kanji, kana, Latin) in every sentence:
    # more than a few such characters are a sentence, not a list of language names ("日本語", "中文", "한국어").
    if len(line) > 80 or len(_words(line)) > 3 or len(_scripts(line)) < 2:
        return False
    east_asian = sum(1 for ch in line if unicodedata.name(ch, "?").split(" ")[0] in _CJK_SCRIPTS)
    return east_asian <= 8


def _dateline(line: str) -> tuple[bool, datetime.date | None]:
    """Whether a line is only a date (a dateline), and the publication date it gives, if any.

    An "Updated: ..." line is a dateline but gives no publication date; an impossible date gives none.
    """
    match = _DATELINE.fullmatch(line)
    if match is None:
        return False, None
    label = (match.group("label") or "").casefold()
    return True, None if "updated" in label else parse_date(match.group("date"))


def _copyright_outlet(line: str) -> str | None:
    """The outlet named by a copyright line: mapped through outlets.csv, else the holder as written."""
    match = _COPYRIGHT.match(line)
    if match is None:
        return None
    holder = match.group("holder") if match.group("holder") is not None else match.group("named")
    mapped = outlet_for(holder)
    if mapped:
        return mapped
    holder = _RIGHTS.sub("", holder)
    holder = _YEARS.sub("", holder).strip(" ,.;:–—-")
    # Only a name is an outlet; "Copyright notice: this page may not be reproduced ..." is not.
    return holder if holder and len(_words(holder)) <= 6 else None


@dataclass
class _Lifted:
    """Metadata found while removing chrome (mutable while scanning; becomes part of Cleaned)."""

    outlet: str | None = None
    published: datetime.date | None = None


def _classify(line: str, rules: Boilerplate, lifted: _Lifted) -> ChromeKind | None:
    """The kind of chrome a line is, or None for article text; lifts a dateline or copyright holder."""
    key = _key(line)
    if _is_icon_line(line):
        return "icon"
    if key in rules.blocks:
        return "block"
    if key in rules.ends:
        return "end"
    if key in rules.related:
        return "related"
    if _COPYRIGHT.match(line):
        lifted.outlet = lifted.outlet or _copyright_outlet(line)
        return "copyright"
    is_dateline, published = _dateline(line)
    if is_dateline:
        lifted.published = lifted.published or published
        return "dateline"
    if key in rules.phrases:
        return "phrase"
    if any(pattern.fullmatch(line) for pattern in rules.patterns):
        return "pattern"
    if any(pattern.fullmatch(line) for pattern in rules.captions):
        return "caption"
    if _is_language_switcher(line):
        return "language"
    return None


def _next_text(lines: list[str], kinds: list[ChromeKind | None], start: int, step: int) -> int | None:
    """Index of the nearest non-blank, non-chrome line from ``start`` in direction ``step``."""
    i = start
    while 0 <= i < len(lines):
        if lines[i] and kinds[i] is None:
            return i
        i += step
    return None


def _mark_lists_and_links(lines: list[str], kinds: list[ChromeKind | None]) -> None:
    """Extend "block" headings over their lists, "related" links over their headlines, "end" to the end."""
    for i, kind in enumerate(kinds):
        if kind == "end":
            kinds[i:] = ["end"] * (len(kinds) - i)
            return
        if kind == "block":
            j = i + 1
            while j < len(lines) and not (kinds[j] is None and looks_like_paragraph(lines[j])):
                if lines[j] and kinds[j] is None:
                    kinds[j] = "block"
                j += 1
        elif kind == "related":
            after = _next_text(lines, kinds, i + 1, +1)
            before = _next_text(lines, kinds, i - 1, -1)
            if after is not None and looks_like_headline(lines[after]):
                if before is not None and lines[before] == lines[after]:
                    kinds[before] = "related"
                kinds[after] = "related"
            elif before is not None and looks_like_headline(lines[before]) and after is None:
                kinds[before] = "related"


def _choose_title(lines: list[str], kinds: list[ChromeKind | None]) -> int | None:
    """Index of this article's headline, or None; marks sidebar headlines above it as chrome.

    The header zone is everything before the first paragraph; its headline-like lines (not bylines) are
    candidates. Navigation chrome there (icon strip, dateline, breadcrumb, share buttons) that has a
    candidate below it separates other stories' headlines (above) from this one's (below). A candidate
    shown twice (page headline and image title) wins, else the first one below the navigation. Without
    navigation chrome, only a headline-like first line is a headline: a text that starts with a
    sentence has none.
    """
    text_lines = [i for i, line in enumerate(lines) if line and kinds[i] is None]
    if not text_lines:
        return None
    end = next((i for i in text_lines if looks_like_paragraph(lines[i])), len(lines))
    candidates = [i for i in text_lines if i < end and looks_like_headline(lines[i]) and not _BYLINE.match(lines[i])]
    # The navigation line that separates other stories' headlines from this one's: the last one that
    # still has a candidate below it (share buttons under the headline do not count).
    top = max((i for i in range(end) if kinds[i] in _NAV_KINDS and any(c > i for c in candidates)), default=-1)
    if top < 0:
        candidates = [i for i in candidates if i == text_lines[0]]
    texts = [lines[i] for i in candidates]
    repeated = [i for i in candidates if texts.count(lines[i]) > 1]
    below = [i for i in candidates if i > top]
    title = (repeated or below or [None])[0]
    if title is None:
        return None
    for i in candidates:
        if i < top and lines[i] != lines[title]:
            kinds[i] = "related"  # a sidebar headline above the page's navigation
    return title


def clean_text(raw: str) -> Cleaned:
    """Clean plain text, possibly pasted from a web page.

    Args:
        raw: the file's text.

    Returns:
        The body without page chrome (headline first, where there is one), the headline, and the outlet
        and publication date found in the text (``published_source="text"``).

    Note:
        Rules are line-based: chrome that shares a line with article text stays (except the ``date``
        header and wire tag at the very start). A sidebar headline is only recognised above navigation
        chrome; a headline-like first line (a kicker, a byline without "By") is taken for the headline.
        A dateline in the body that is only a date is taken for the publication date.
    """
    rules = load_boilerplate()
    lifted = _Lifted()
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")

    header = _DATE_HEADER.match(text)
    if header:
        lifted.published = parse_date(header.group("date"))
        text = text[header.end() :]
    tag = _AGENCY_TAG.match(text.lstrip())
    if tag:
        name = (tag.group("wire") or tag.group("tag")).strip()
        outlet = outlet_for(name) or (name if name.isupper() and len(name) >= 2 else None)
        if outlet:
            lifted.outlet = outlet
            text = text.lstrip()[tag.end() :]

    lines = _split_lines(text)
    kinds = [_classify(line, rules, lifted) if line else None for line in lines]
    _mark_lists_and_links(lines, kinds)
    title_at = _choose_title(lines, kinds)
    title = lines[title_at] if title_at is not None else None
    kept = [line for line, kind in zip(lines, kinds, strict=True) if kind is None]
    if title is not None:
        # The headline may be repeated (image title, share box) or follow a standfirst: keep it once, first.
        first = kept.index(title)
        rest = [line for i, line in enumerate(kept) if line != title or i == first]
        kept = rest if not any(rest[:first]) else [title, ""] + [line for line in rest if line != title]
    body = _join(kept)
    return Cleaned(
        body=body,
        title=title,
        outlet=lifted.outlet,
        published=lifted.published,
        published_source="text" if lifted.published else None,
    )


def clean_html(html: str, url: str | None = None) -> Cleaned:
    """Clean a web page with trafilatura: main text, title, date and site name.

    Args:
        html: the page.
        url: where it came from, if known (helps trafilatura and is kept as ``url``).

    Returns:
        The main text (scripts, styles, iframes, navigation and comments never reach it) with the
        line-based chrome rules of ``clean_text`` applied; the title,
        publication date (``published_source="html"``) and outlet (site name, mapped through
        ``outlets.csv``) from the page's metadata. A page without extractable text gives body ``""``.

    Note:
        The date is htmldate's original-date guess from metadata and markup, without its "extensive"
        search of free text; a page that only shows its date in prose gets none. The body is trafilatura's
        text: the headline is its first line only when trafilatura kept the page's ``<h1>``.
    """
    # Imported here: trafilatura is slow to import and plain-text builds do not need it.
    import trafilatura

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or not (document.text or "").strip():
        return Cleaned(body="", url=url)

    rules = load_boilerplate()
    lifted = _Lifted()
    lines = _split_lines(document.text)
    kinds = [_classify(line, rules, lifted) if line else None for line in lines]
    _mark_lists_and_links(lines, kinds)
    body = _join(line for line, kind in zip(lines, kinds, strict=True) if kind is None)

    # The title goes in `title` only: putting it before a body that lacks it (as this did until issue 14) added
    # words the article does not have on 68 of the 83 pages of ../shared/eval/html_pages/.
    title = " ".join((document.title or "").split()) or None
    published = parse_date(document.date) if document.date else None
    sitename = " ".join((document.sitename or "").split()) or None
    outlet = (outlet_for(sitename) or sitename) if sitename else lifted.outlet
    return Cleaned(
        body=body,
        title=title,
        outlet=outlet,
        published=published,
        published_source="html" if published else None,
        url=url or document.url or None,
    )


def clean_record(text: str, title: str | None = None) -> Cleaned:
    """Clean the text field of a JSON/CSV record, which is already article text.

    Args:
        text: the record's text.
        title: the record's title field, kept as ``title`` (stripped; None if blank).

    Returns:
        The text with whitespace normalised (lines stripped, blank-line runs collapsed, ends stripped)
        and nothing else changed: a title repeated at the start of the text stays, and no metadata is
        looked for in the text (the record's own fields are the caller's to read).
    """
    title = " ".join(title.split()) if title else None
    return Cleaned(body=normalise_whitespace(text), title=title or None)
