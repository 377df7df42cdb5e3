"""Web archives (WARC / WARC.gz, warcio): every HTML response record is a page, every other record a row.

A record of a WARC file is an input unit, like a record of a JSON file: an HTML `response` with status 200 becomes
an article (its `WARC-Target-URI` as url, its `WARC-Date` as fetch date); a `request`, `warcinfo`, `metadata`,
`revisit` or non-HTML response gets an `ingest_log` row saying what it is; a record cut short (a file truncated
mid-record) gets an `unreadable` row, and the records before it are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsscope import ingest
from newsscope.sources import pages
from newsscope.sources.archive import DAMAGED

SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def read(path: Path, rel: str, max_bytes: int = ingest.MAX_DOCUMENT_BYTES) -> Iterator[ingest.RawDocument | ingest.LogRow]:
    """Every record of the archive at `path`, as a page or a row."""
    n = 0
    try:
        handle = open(path, "rb")
    except OSError as error:
        yield ingest.LogRow(rel, rel, "unreadable", f"cannot read file: {error.strerror or error}")
        return
    with handle:
        records = ArchiveIterator(handle, arc2warc=True, check_digests=True)
        offset = 0
        try:
            for record in records:
                n += 1
                # The body is read before the offset is asked for: asking skips the rest of the record.
                body = record.content_stream().read(max_bytes + 1) if record.rec_type == "response" else b""
                missing = getattr(record.raw_stream, "limit", 0) if len(body) <= max_bytes else 0
                offset = records.get_record_offset()
                yield _record(record, body, missing, rel, offset, max_bytes)
        except DAMAGED as error:
            at = handle.tell()
            yield ingest.LogRow(rel, f"{rel}@{at}", "unreadable", f"WARC record after offset {offset:,} is cut short or damaged ({type(error).__name__}: {error}); the {n} record(s) before it were read")
            return
    if n == 0:
        yield ingest.LogRow(rel, rel, "empty", "the archive holds no records")


def _record(record, body: bytes, missing: int, rel: str, offset: int, max_bytes: int) -> ingest.RawDocument | ingest.LogRow:  # noqa: ANN001 (warcio's ArcWarcRecord)
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or ""
    source_id = url or f"{rel}@{offset}"
    kind = record.rec_type
    if kind != "response" or record.http_headers is None:
        what = f"a {kind} record" + (f" for {url}" if url else "")
        return ingest.LogRow(rel, f"{rel}@{offset}", "not_html", f"{what}, not an HTTP response with a page")
    status = int(record.http_headers.get_statuscode() or 0)
    if not 200 <= status < 300:
        return ingest.LogRow(rel, source_id, f"http_{status}", f"the archived response for {url} is HTTP {status}")
    content_type = record.http_headers.get_header("Content-Type")
    if missing:
        return ingest.LogRow(rel, source_id, "unreadable", f"the record for {url} is cut short: {missing:,} of its {record.length:,} bytes are missing (a truncated file)")
    if record.digest_checker.passed is False:
        return ingest.LogRow(rel, source_id, "unreadable", f"the record for {url} is damaged: {'; '.join(map(str, record.digest_checker.problems))}")
    if len(body) > max_bytes:
        return ingest.LogRow(rel, source_id, "too_large", f"the archived page {url} is over {max_bytes:,} bytes")
    fetched = headers.get_header("WARC-Date")
    unit = pages.page(body, content_type, url, rel, source_id, {"fetched": fetched} if fetched else {})
    truncated = headers.get_header("WARC-Truncated")
    if truncated and isinstance(unit, ingest.RawDocument):
        unit = ingest.RawDocument(unit.source_path, unit.source_id, unit.kind, unit.content, {**unit.meta, "note": f"the archive marks this record as truncated ({truncated}); read as far as it goes"}, unit.provenance)
    return unit
