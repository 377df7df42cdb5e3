"""The fetch archive: every response the fetcher received, kept as WARC, and what became of every URL asked for.

A folder of `.warc.gz` files (one per fetch run, one gzip member per record, flushed record by record). Two kinds
of record are written:

- `response`: an HTTP response as received (status line, headers, body). The body is stored as decoded bytes
  (after Content-Encoding), so any WARC tool reads it; the original `Content-Encoding` is kept in the header
  `X-NewsScope-Content-Encoding`. A body that was not downloaded (wrong type, too large) is stored empty, with
  `WARC-Truncated`.
- `metadata` (content type `application/json`, header `WARC-NewsScope: outcome`): the outcome of one URL asked for
  — its status, reason and, for a page, the record id of its final response.

A rebuild reads the outcomes and fetches only URLs without one, so a fetch killed half-way resumes where it stopped
(the record being written when it died is cut short; the reader stops there and that URL is fetched again).
"""

from __future__ import annotations

import io
import json
import threading
import zlib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUTCOME = "outcome"
# What warcio raises on a damaged or cut-short file (AttributeError: a record header block without its URI).
DAMAGED = (ArchiveLoadFailed, EOFError, OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error)
SUFFIX = ".warc.gz"


@dataclass(frozen=True)
class Outcome:
    """What became of one URL: `status` "ok" or the ingest status; `record` the final response's WARC-Record-ID."""

    url: str
    status: str
    reason: str
    final_url: str | None = None
    record: str | None = None
    fetched: str | None = None  # ISO timestamp of the final response


@dataclass(frozen=True)
class Stored:
    """A stored response: status, headers (lower-case names) and the (decoded) body."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched: str


class Archive:
    """The WARC files of one build output (`folder`), read once on open, appended to by `store`/`record`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.outcomes: dict[str, Outcome] = {}
        self._where: dict[str, tuple[Path, int]] = {}  # record id -> (file, offset)
        self._lock = threading.Lock()
        self._writer: WARCWriter | None = None
        self._handle: io.BufferedWriter | None = None
        self.damaged: list[str] = []  # files whose last record was cut short (a killed fetch)
        if self.folder.is_dir():
            for path in sorted(self.folder.glob(f"*{SUFFIX}")):
                self._index(path)

    def _index(self, path: Path) -> None:
        with open(path, "rb") as handle:
            records = ArchiveIterator(handle)
            try:
                for record in records:
                    kind = record.rec_type
                    record_id = record.rec_headers.get_header("WARC-Record-ID")
                    if kind == "response":
                        self._where[record_id] = (path, records.get_record_offset())
                    elif kind == "metadata" and record.rec_headers.get_header("WARC-NewsScope") == OUTCOME:
                        data = json.loads(record.content_stream().read())
                        self.outcomes[data["url"]] = Outcome(**data)
            except DAMAGED as error:
                self.damaged.append(f"{path.name}: {error}")
        # An outcome whose response record did not survive is no outcome.
        for url, outcome in list(self.outcomes.items()):
            if outcome.record and outcome.record not in self._where:
                del self.outcomes[url]

    def files(self) -> list[Path]:
        return sorted(self.folder.glob(f"*{SUFFIX}")) if self.folder.is_dir() else []

    def load(self, record_id: str) -> Stored:
        """The stored response with this record id."""
        path, offset = self._where[record_id]
        with open(path, "rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)))
            body = record.raw_stream.read()  # stored decoded: no content decoding to undo
            headers = {k.lower(): v for k, v in record.http_headers.headers}
            return Stored(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                status=int(record.http_headers.get_statuscode()),
                headers=headers,
                body=body,
                fetched=record.rec_headers.get_header("WARC-Date"),
            )

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"fetch-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}{SUFFIX}"
            self._handle = open(self.folder / name, "ab")
            self._writer = WARCWriter(self._handle, gzip=True)
            self._path = self.folder / name
        return self._writer

    def store(self, url: str, status: int, reason: str, headers: list[tuple[str, str]], body: bytes, truncated: str | None = None) -> tuple[str, str]:
        """Append one response; returns (record id, WARC-Date)."""
        kept = []
        for name, value in headers:
            lower = name.lower()
            if lower == "content-encoding":
                kept.append(("X-NewsScope-Content-Encoding", value))
            elif lower not in ("transfer-encoding", "content-length"):
                kept.append((name, value))
        kept.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {reason or ''}".strip(), kept, protocol="HTTP/1.1")
        fetched = _now()
        extra = {"WARC-Date": fetched}
        if truncated:
            extra["WARC-Truncated"] = truncated
        with self._lock:
            writer = self._open()
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict=extra)
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            offset = self._handle.tell()
            writer.write_record(record)
            self._flush()
            self._where[record_id] = (self._path, offset)
        return record_id, fetched

    def record(self, outcome: Outcome) -> None:
        """Append the outcome of one URL (after its responses, so a reader never sees an outcome without them)."""
        data = json.dumps(outcome.__dict__).encode()
        with self._lock:
            writer = self._open()
            record = writer.create_warc_record(
                outcome.url, "metadata", payload=io.BytesIO(data), warc_content_type="application/json",
                warc_headers_dict={"WARC-NewsScope": OUTCOME, "WARC-Date": _now()},
            )
            writer.write_record(record)
            self._flush()
            self.outcomes[outcome.url] = outcome

    def _flush(self) -> None:
        # Flushed, not fsynced: a killed fetch loses nothing the kernel holds; a power cut may lose the last records,
        # which are then fetched again.
        assert self._handle is not None
        self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
            self._handle = self._writer = None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
