"""Reading raw input: files and records in, `RawDocument`s or `ingest_log` rows out.

Every input unit — a text or HTML file, or one record of a JSON, JSONL or CSV file — comes out exactly once,
either as a `RawDocument` to clean or as a `LogRow` saying why it cannot be one. Nothing raises for bad input.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
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
# spaCy's default `max_length`: a longer text makes `nlp.pipe` raise (E088), and would need gigabytes to parse.
MAX_ARTICLE_CHARS = 1_000_000

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
    meta: dict[str, str] = field(default_factory=dict)  # outlet / published / title / url / fetched, strings as given
    # Where `meta` came from, as `published_source` will say: "record" (a record, or a list of links: a CSV export,
    # a feed) or "sidecar" (a metadata.csv beside the file). None: "record" for records, else "sidecar".
    provenance: str | None = None


@dataclass(frozen=True)
class LogRow:
    """One `ingest_log` row."""

    source_path: str
    source_id: str
    status: str
    reason: str
    article_id: str | None = None


Other = Callable[[Path, str], "Iterable | None"]


def read(paths: list[Path], other: Other | None = None) -> Iterator[RawDocument | LogRow]:
    """Read every input unit under `paths` (files or folders, recursively), in a stable order.

    Args:
        paths: files or folders.
        other: asked first for every file (path, relative name): the units of a file that is another kind of
            source (a web archive, a list of links: see `newsscope.sources`), or None to read it here.

    Note: names starting with "." are skipped (hidden files, version-control folders), and `metadata.csv` /
    `metadata.jsonl` in a folder are sidecars that describe the files beside them, not articles.
    """
    sidecars: dict[Path, dict[str, dict[str, str]]] = {}
    for root, path, problem in _discover(paths):
        rel = _relative(path, root)
        if problem:
            yield LogRow(rel, rel, "unreadable", problem)
            continue
        units = other(path, rel) if other is not None else None
        if units is not None:
            yield from units
            continue
        if path.parent not in sidecars:
            sidecars[path.parent] = read_sidecar(path.parent)
        yield from _read_file(path, rel, sidecars[path.parent].get(path.name, {}))


def _relative(path: Path, root: Path) -> str:
    rel = path.name if root.is_file() or root == path else path.relative_to(root).as_posix()
    return storable(rel)


def storable(text: str) -> str:
    """`text` without lone surrogates, which UTF-8 (and so Parquet) cannot store.

    Python reads each byte of a file name that is not UTF-8 as a surrogate (U+DC80–U+DCFF): it is written back as
    the byte it stands for ("bad\\xff.txt"). Any other lone surrogate (a JSON escape such as "\\ud800") becomes U+FFFD.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(
            f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text
        )


def _discover(paths: list[Path]) -> Iterator[tuple[Path, Path, str | None]]:
    """(root, file, problem) for every candidate file; a problem is a reason the file cannot even be opened."""
    for root in paths:
        root = Path(root)
        if root.exists() and not root.is_dir():  # a file, or a pipe or device that _read_file turns away
            yield root, root, None
            continue
        if not root.exists():
            yield root, root, f"no such file or folder: {root}"
            continue
        seen: set[str] = {os.path.realpath(root)}
        unlisted: list[OSError] = []  # folders os.walk could not list (it reports them here, then carries on)
        for folder, dirs, files in os.walk(root, followlinks=True, onerror=unlisted.append):
            while unlisted:
                error = unlisted.pop(0)
                yield root, Path(error.filename), f"cannot list folder: {error.strerror or error}"
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
                    yield root, path, _broken_link(path)
                    continue
                yield root, path, None
        for error in unlisted:
            yield root, Path(error.filename), f"cannot list folder: {error.strerror or error}"


def _broken_link(path: Path) -> str:
    try:
        path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"symbolic link loop: {path.name} points (through links) back to itself"
    return f"broken symbolic link: {path.name} points to {os.readlink(path)!r}, which does not exist"


def _read_file(path: Path, rel: str, meta: dict[str, str]) -> Iterator[RawDocument | LogRow]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield LogRow(rel, rel, "not_text", f"unsupported file type {suffix or '(none)'!r}; expected one of {SUFFIXES}")
        return
    try:
        info = path.stat()
    except OSError as error:
        yield LogRow(rel, rel, "unreadable", f"cannot stat file: {error.strerror or error}")
        return
    if not stat.S_ISREG(info.st_mode):
        # Reading a named pipe blocks until someone writes to it; /dev/zero never ends.
        yield LogRow(rel, rel, "unreadable", f"not a regular file ({_file_type(info.st_mode)}); only files are read")
        return
    size = info.st_size
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
        if suffix in TEXT_SUFFIXES and len(text) > MAX_ARTICLE_CHARS:
            yield LogRow(rel, rel, "too_large", _too_long(text))
            return
        yield RawDocument(rel, rel, "html" if suffix in HTML_SUFFIXES else "text", text, meta)
    else:
        reader = {".csv": _csv_records, ".json": _json_records}.get(suffix, _jsonl_records)
        n = 0
        for n, unit in enumerate(reader(text, rel), start=1):
            yield unit
        if n == 0:
            yield LogRow(rel, rel, "empty", f"{suffix} file holds no records")


def _too_long(text: str) -> str:
    return f"text is {len(text):,} characters; the limit for one article is {MAX_ARTICLE_CHARS:,}"


def _file_type(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"))
    return next((name for test, name in kinds if test(mode)), "special file")


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
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    if bad <= max(1, len(data) // 1000) and any(ord(c) > 0x7F and c != "\ufffd" for c in lenient):
        # UTF-8 text with a stray bad byte (a truncated copy, a bad paste): read as cp1252, every "“" and "é"
        # in it would become "â€œ" and "Ã©". Valid multi-byte UTF-8 sequences almost never occur in cp1252 text.
        return _check_text(lenient)
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
    except (ValueError, RecursionError) as error:
        yield LogRow(rel, rel, "unreadable", f"invalid JSON: {_json_problem(error)}")
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
        except (ValueError, RecursionError) as error:
            yield LogRow(rel, f"{rel}#{n}", "unreadable", f"invalid JSON on line {n}: {_json_problem(error)}")
            continue
        yield _record(record, rel, n)


def _json_problem(error: ValueError | RecursionError) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error).split(";")[0]  # "Exceeds the limit (4300 digits) for integer string conversion: ..."


def _record(record: object, rel: str, n: int) -> RawDocument | LogRow:
    """One record (a dict from JSON/JSONL/CSV) as a document, or the reason it is not one."""
    if not isinstance(record, dict):
        return LogRow(rel, f"{rel}#{n}", "unreadable", f"record {n} is a {type(record).__name__}, expected an object")
    record_id = record.get("id")
    source_id = storable(str(record_id)) if isinstance(record_id, (str, int)) and str(record_id).strip() else f"{rel}#{n}"
    present = [f for f in TEXT_FIELDS if f in record]
    if not present:
        return LogRow(rel, source_id, "unreadable", f"record {n} has no text field; expected one of {TEXT_FIELDS}")
    text = next((record[f] for f in present if isinstance(record[f], str) and record[f].strip()), None)
    if text is None:
        kinds = {type(record[f]).__name__ for f in present}
        if all(isinstance(record[f], str) or record[f] is None for f in present):
            return LogRow(rel, source_id, "empty", f"record {n} has an empty {present[0]!r} field")
        return LogRow(rel, source_id, "unreadable", f"record {n}: field {present[0]!r} is {'/'.join(sorted(kinds))}, expected a string")
    if len(text) > MAX_ARTICLE_CHARS:
        return LogRow(rel, source_id, "too_large", f"record {n}: {_too_long(text)}")
    return RawDocument(rel, source_id, "record", storable(text), _meta(record))


def _meta(record: dict) -> dict[str, str]:
    meta: dict[str, str] = {}
    for name, fields in (("published", DATE_FIELDS), ("outlet", OUTLET_FIELDS), ("title", ("title",)), ("url", ("url",))):
        for f in fields:
            value = record.get(f)
            if isinstance(value, dict):  # e.g. NewsAPI's "source": {"id": ..., "name": ...}
                value = value.get("name")
            if isinstance(value, (str, int, float)) and str(value).strip():
                meta[name] = storable(str(value).strip())
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
        try:
            for row in rows:
                file = row.get("file") or row.get("filename")
                if isinstance(file, str) and file.strip():
                    table[file.strip()] = _meta(row)
        except csv.Error:
            continue  # keep the rows read so far; a sidecar only adds metadata, the files are read either way
    return table


def _json_lines(text: str) -> Iterator[dict]:
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, an integer too long, nesting too deep
            continue
        if isinstance(row, dict):
            yield row
