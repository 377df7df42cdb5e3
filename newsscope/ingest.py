"""Reading raw input: files and records in, `RawDocument`s or `ingest_log` rows out.

Every input unit — a text or HTML file, or one record of a JSON, JSONL or CSV file — comes out exactly once,
either as a `RawDocument` to clean or as a `LogRow` saying why it cannot be one. Nothing raises for bad input.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES
SIDECAR_NAMES = ("metadata.csv", "metadata.jsonl")

# A pasted article is a few kB; a 10 MB .txt is a dump, not an article. Record files may hold a whole corpus.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_RECORD_FILE_BYTES = 2 * 1024 * 1024 * 1024
MAX_JSON_FILE_BYTES = 512 * 1024 * 1024

# Record fields, in order of preference: the first present, non-empty one wins.
TEXT_FIELDS = ("text", "body", "content")
DATE_FIELDS = ("published", "date", "published_at", "pubdate")
OUTLET_FIELDS = ("outlet", "source", "publisher", "site_name")
META_FIELDS = ("title", "url")

csv.field_size_limit(MAX_DOCUMENT_BYTES)

Kind = Literal["text", "html", "record"]


@dataclass(frozen=True)
class RawDocument:
    """One input unit whose text could be read; metadata fields are as given by the record or sidecar."""

    source_path: str  # input path relative to its root (the file holding the record, for records)
    source_id: str  # source_path for files; the record's `id`, or "<source_path>#<n>" for records without one
    kind: Kind
    content: str
    meta: dict[str, str] = field(default_factory=dict)  # outlet / published / title / url, strings as given


@dataclass(frozen=True)
class LogRow:
    """One `ingest_log` row."""

    source_path: str
    source_id: str
    status: str
    reason: str
    article_id: str | None = None


def read(paths: list[Path]) -> Iterator[RawDocument | LogRow]:
    """Read every input unit under `paths` (files or folders, recursively), in a stable order.

    Note: names starting with "." are skipped (hidden files, version-control folders), and `metadata.csv` /
    `metadata.jsonl` in a folder are sidecars that describe the files beside them, not articles.
    """
    sidecars: dict[Path, dict[str, dict[str, str]]] = {}
    for root, path, problem in _discover(paths):
        rel = _relative(path, root)
        if problem:
            yield LogRow(rel, rel, "unreadable", problem)
            continue
        if path.parent not in sidecars:
            sidecars[path.parent] = read_sidecar(path.parent)
        yield from _read_file(path, rel, sidecars[path.parent].get(path.name, {}))


def _relative(path: Path, root: Path) -> str:
    if root.is_file() or root == path:
        return path.name
    return path.relative_to(root).as_posix()


def _discover(paths: list[Path]) -> Iterator[tuple[Path, Path, str | None]]:
    """(root, file, problem) for every candidate file; a problem is a reason the file cannot even be opened."""
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield root, root, None
            continue
        if not root.exists():
            yield root, root, f"no such file or folder: {root}"
            continue
        seen: set[str] = {os.path.realpath(root)}
        for folder, dirs, files in os.walk(root, followlinks=True, onerror=None):
            kept = []
            for name in sorted(dirs):
                sub = Path(folder) / name
                if name.startswith("."):
                    continue
                real = os.path.realpath(sub)
                if real in seen:
                    yield root, sub, f"symbolic link loop: {name} points back to {real}, which is already read"
                    continue
                seen.add(real)
                kept.append(name)
            dirs[:] = kept
            for name in sorted(files):
                if name.startswith(".") or name in SIDECAR_NAMES:
                    continue
                path = Path(folder) / name
                if path.is_symlink() and not path.exists():
                    yield root, path, "broken symbolic link"
                    continue
                yield root, path, None


def _read_file(path: Path, rel: str, meta: dict[str, str]) -> Iterator[RawDocument | LogRow]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield LogRow(rel, rel, "not_text", f"unsupported file type {suffix or '(none)'!r}; expected one of {SUFFIXES}")
        return
    try:
        size = path.stat().st_size
    except OSError as error:
        yield LogRow(rel, rel, "unreadable", f"cannot stat file: {error.strerror or error}")
        return
    limit = {".json": MAX_JSON_FILE_BYTES}.get(suffix, MAX_RECORD_FILE_BYTES if suffix in RECORD_SUFFIXES else MAX_DOCUMENT_BYTES)
    if size > limit:
        yield LogRow(rel, rel, "too_large", f"file is {size:,} bytes; the limit for {suffix} files is {limit:,}")
        return
    if size == 0:
        yield LogRow(rel, rel, "empty", "file is empty (0 bytes)")
        return
    try:
        data = path.read_bytes()
    except OSError as error:
        yield LogRow(rel, rel, "unreadable", f"cannot read file: {error.strerror or error}")
        return
    text, problem = decode(data)
    if text is None:
        yield LogRow(rel, rel, "not_text", problem or "not text")
        return
    if suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES:
        if not text.strip():
            yield LogRow(rel, rel, "empty", "file holds only whitespace")
            return
        yield RawDocument(rel, rel, "html" if suffix in HTML_SUFFIXES else "text", text, meta)
    elif suffix == ".csv":
        yield from _csv_records(text, rel)
    elif suffix == ".json":
        yield from _json_records(text, rel)
    else:
        yield from _jsonl_records(text, rel)


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 (with BOM) or cp1252; (None, reason) when not text."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding))
            except UnicodeDecodeError as error:
                return None, f"invalid {encoding} after its byte-order mark: {error.reason} at byte {error.start}"
    if b"\x00" in data[:8192]:
        return None, "binary data (NUL bytes), not text"
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        # cp1252 leaves five bytes undefined; text that uses them is not cp1252 either.
        return _check_text(data.decode("cp1252"))
    except UnicodeDecodeError as error:
        return None, f"neither UTF-8 nor cp1252 text (undecodable byte at {error.start})"


def _check_text(text: str) -> tuple[str | None, str | None]:
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v")
    if sample and controls / len(sample) > 0.01:
        return None, f"binary data ({controls} control characters in the first {len(sample)}), not text"
    return text.replace("\x00", ""), None


def _csv_records(text: str, rel: str) -> Iterator[RawDocument | LogRow]:
    rows = csv.DictReader(io.StringIO(text, newline=""))
    try:
        for n, row in enumerate(rows, start=1):
            yield _record({k.strip().lower(): v for k, v in row.items() if isinstance(k, str)}, rel, n)
    except csv.Error as error:
        yield LogRow(rel, f"{rel}#{rows.line_num}", "unreadable", f"CSV error at line {rows.line_num}: {error}")
    if rows.fieldnames is None:
        yield LogRow(rel, rel, "empty", "CSV file has no header row")


def _json_records(text: str, rel: str) -> Iterator[RawDocument | LogRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        yield LogRow(rel, rel, "unreadable", f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}")
        return
    if isinstance(data, dict) and not any(k in data for k in TEXT_FIELDS):
        # A wrapper such as {"articles": [...]}: take its only list of objects.
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else data
    records = data if isinstance(data, list) else [data]
    for n, record in enumerate(records, start=1):
        yield _record(record, rel, n)


def _jsonl_records(text: str, rel: str) -> Iterator[RawDocument | LogRow]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield LogRow(rel, f"{rel}#{n}", "unreadable", f"invalid JSON on line {n}: {error.msg} at column {error.colno}")
            continue
        yield _record(record, rel, n)


def _record(record: object, rel: str, n: int) -> RawDocument | LogRow:
    """One record (a dict from JSON/JSONL/CSV) as a document, or the reason it is not one."""
    if not isinstance(record, dict):
        return LogRow(rel, f"{rel}#{n}", "unreadable", f"record {n} is a {type(record).__name__}, expected an object")
    record_id = record.get("id")
    source_id = str(record_id) if isinstance(record_id, (str, int)) and str(record_id).strip() else f"{rel}#{n}"
    present = [f for f in TEXT_FIELDS if f in record]
    if not present:
        return LogRow(rel, source_id, "unreadable", f"record {n} has no text field; expected one of {TEXT_FIELDS}")
    text = next((record[f] for f in present if isinstance(record[f], str) and record[f].strip()), None)
    if text is None:
        kinds = {type(record[f]).__name__ for f in present}
        if all(isinstance(record[f], str) or record[f] is None for f in present):
            return LogRow(rel, source_id, "empty", f"record {n} has an empty {present[0]!r} field")
        return LogRow(rel, source_id, "unreadable", f"record {n}: field {present[0]!r} is {'/'.join(sorted(kinds))}, expected a string")
    return RawDocument(rel, source_id, "record", text, _meta(record))


def _meta(record: dict) -> dict[str, str]:
    meta: dict[str, str] = {}
    for name, fields in (("published", DATE_FIELDS), ("outlet", OUTLET_FIELDS), ("title", ("title",)), ("url", ("url",))):
        for f in fields:
            value = record.get(f)
            if isinstance(value, dict):  # e.g. NewsAPI's "source": {"id": ..., "name": ...}
                value = value.get("name")
            if isinstance(value, (str, int, float)) and str(value).strip():
                meta[name] = str(value).strip()
                break
    return meta


def read_sidecar(folder: Path) -> dict[str, dict[str, str]]:
    """File name -> metadata from the folder's metadata.csv / metadata.jsonl (columns: file, outlet, published, title, url)."""
    table: dict[str, dict[str, str]] = {}
    for name in SIDECAR_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            text, _ = decode(path.read_bytes())
        except OSError:
            continue
        if text is None:
            continue
        rows = csv.DictReader(io.StringIO(text, newline="")) if name.endswith(".csv") else _json_lines(text)
        for row in rows:
            file = (row.get("file") or row.get("filename") or "").strip()
            if file:
                table[file] = {k: v.strip() for k, v in _meta(row).items()}
    return table


def _json_lines(text: str) -> Iterator[dict]:
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            yield row
