"""Lists of links: a text file of URLs, and CSV exports (Media Cloud, GDELT, or any CSV naming its URL column).

A link carries the metadata its list gives (title, publication date, outlet); the build prefers it to what the
fetched page says (`published_source` "record"), and the page fills only what the list leaves empty.
"""

from __future__ import annotations

import csv
import io
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from newsscope import ingest

# (url column, {our field: their column}) of the exports we know, tried in order.
EXPORTS: dict[str, tuple[str, dict[str, str]]] = {
    "Media Cloud": ("url", {"title": "title", "published": "publish_date", "outlet": "media_name"}),
    "GDELT GKG": ("documentidentifier", {"outlet": "sourcecommonname", "published": "date"}),
    "GDELT events": ("sourceurl", {"published": "dateadded"}),
}
_URL = re.compile(r"https?://\S+\Z", re.IGNORECASE)
_GDELT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2}\d{2}\d{2})?\Z")  # 20240423113000 or 20240423

Expect = Literal["page", "xml", "any"]


@dataclass(frozen=True)
class Link:
    """A URL to fetch, where it was listed, and what the list says about it."""

    url: str
    source_path: str  # the list, feed or sitemap it came from
    source_id: str  # the URL itself, unless it needs telling apart
    expect: Expect = "page"  # a page; a feed or sitemap ("xml"); or unknown, a URL given on the command line ("any")
    meta: dict[str, str] = field(default_factory=dict)


def is_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


def looks_like_url_list(text: str) -> bool:
    """Whether a text file is a list of URLs: of its lines neither blank nor `#` comments, 80% or more are one URL.

    Note: so a list with a stray bad line is still a list (that line gets a `bad_url` row), while an article
    that quotes a few addresses, one a line, among its paragraphs is still an article.
    """
    lines = [line.strip() for line in text.splitlines()]
    listed = [line for line in lines if line and not line.startswith("#")]
    return bool(listed) and sum(map(is_url, listed)) >= 0.8 * len(listed)


def url_list(text: str, rel: str) -> Iterator[Link | ingest.LogRow]:
    """The links of a URL list, one per line (blank lines and `#` comments skipped)."""
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line):
            yield Link(line, rel, line)
        else:
            yield ingest.LogRow(rel, f"{rel}#{n}", "bad_url", f"line {n} is not an http(s) URL: {line[:200]!r}")


def link_columns(header: list[str], url_column: str | None) -> tuple[str, dict[str, str], str] | None:
    """(url column, metadata columns, export name) for a CSV header, or None if it is not a list of links.

    A CSV with an article text column (`text`, `body`, `content`) is a file of records, not of links, unless
    `url_column` names its URL column.
    """
    names = [h.strip().lower() for h in header]
    if url_column:
        if url_column.lower() not in names:
            return None
        known = next((m for u, m in EXPORTS.values() if u == url_column.lower()), {"title": "title", "published": "published", "outlet": "outlet"})
        return url_column.lower(), {k: v for k, v in known.items() if v in names}, f"--url-column {url_column}"
    if any(f in names for f in ingest.TEXT_FIELDS):
        return None
    for name, (column, meta) in EXPORTS.items():
        if column in names:
            return column, {k: v for k, v in meta.items() if v in names}, name
    return None


def csv_header(text: str) -> list[str] | None:
    try:
        return next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error:
        return None


def csv_links(text: str, rel: str, url_column: str | None) -> Iterator[Link | ingest.LogRow]:
    """The links of a CSV export, with the title, date and outlet columns it has."""
    header = csv_header(text) or []
    found = link_columns(header, url_column)
    if found is None:
        yield ingest.LogRow(rel, rel, "unreadable", f"CSV has no URL column {url_column!r}; its columns are {header}")
        return
    column, meta_columns, _ = found
    rows = csv.DictReader(io.StringIO(text, newline=""))
    try:
        for n, row in enumerate(rows, start=1):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            url = row.get(column, "")
            if not is_url(url):
                yield ingest.LogRow(rel, f"{rel}#{n}", "bad_url", f"row {n}: {column!r} is not an http(s) URL: {url[:200]!r}")
                continue
            meta = {name: ingest.storable(row[c]) for name, c in meta_columns.items() if row.get(c)}
            if "published" in meta:
                meta["published"] = gdelt_date(meta["published"])
            yield Link(url, rel, url, "page", meta)
    except csv.Error as error:
        yield ingest.LogRow(rel, f"{rel}#{rows.line_num}", "unreadable", f"CSV error at line {rows.line_num}: {error}")


def gdelt_date(value: str) -> str:
    """GDELT's 20240423113000 as 2024-04-23 (other forms unchanged: the build's date parser reads them)."""
    match = _GDELT_DATE.match(value)
    return f"{match[1]}-{match[2]}-{match[3]}" if match else value


def sniff(path: Path, rel: str, url_column: str | None) -> Iterator[Link | ingest.LogRow] | None:
    """The links in a file if it is a URL list or a CSV of links, else None (it is read as articles)."""
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".csv", ".urls"):
        return None
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a named pipe would block the read; ingest logs it
            return None
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return None
    text, _ = ingest.decode(head)
    if text is None:
        return None
    if suffix == ".csv":
        header = csv_header(text)
        if header is None or link_columns(header, url_column) is None:
            return None
        return _whole(path, rel, lambda t: csv_links(t, rel, url_column))
    if suffix == ".urls" or looks_like_url_list(text if len(head) < 64 * 1024 else text.rsplit("\n", 1)[0]):
        return _whole(path, rel, lambda t: url_list(t, rel))
    return None


def _whole(path: Path, rel: str, parse) -> Iterator[Link | ingest.LogRow]:  # noqa: ANN001
    try:
        data = path.read_bytes()
    except OSError as error:
        yield ingest.LogRow(rel, rel, "unreadable", f"cannot read file: {error.strerror or error}")
        return
    text, problem = ingest.decode(data)
    if text is None:
        yield ingest.LogRow(rel, rel, "not_text", problem or "not text")
        return
    n = 0
    for n, unit in enumerate(parse(text), start=1):
        yield unit
    if n == 0:
        yield ingest.LogRow(rel, rel, "empty", "the list holds no links")
