"""A fetched or archived response body as an HTML page to clean, or the reason it is not one."""

from __future__ import annotations

import codecs
import email.message
import re

from newsscope import ingest

HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def content_type(header: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from a Content-Type header; (None, None) without one."""
    if not header:
        return None, None
    message = email.message.Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), (charset.strip().lower() if isinstance(charset, str) and charset.strip() else None)


def decode(body: bytes, charset: str | None) -> tuple[str | None, str | None, str]:
    """(text, None, note) or (None, problem, status): the declared charset (header, else `<meta charset>`) if any.

    Without a declared charset the bytes are read as ingest reads a file (UTF-8, UTF-16 with BOM, cp1252).
    A declared charset the bytes do not fit (more than one bad byte in a thousand) is `bad_charset`.
    """
    if charset is None:
        found = _META_CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii").lower() if found else None
    if charset is None:
        text, problem = ingest.decode(body)
        return (text, None, "") if text is not None else (None, problem, "not_text")
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        return None, f"the page declares charset {charset!r}, which is not a known encoding", "bad_charset"
    text = body.decode(codec.name, errors="replace")
    bad = text.count("\ufffd") - body.decode(codec.name, errors="ignore").count("\ufffd")
    if bad > max(1, len(body) // 1000):
        return None, f"the page declares {charset!r} but {bad:,} of its bytes are not valid {codec.name}", "bad_charset"
    return text.replace("\x00", ""), None, ""


def page(body: bytes, content_type_header: str | None, url: str, source_path: str, source_id: str, meta: dict[str, str], provenance: str | None = None) -> ingest.RawDocument | ingest.LogRow:
    """The page as a RawDocument (kind "html", `meta["url"]` set), or a row: `not_html`, `bad_charset`, `empty`."""
    kind, charset = content_type(content_type_header)
    sniffed = body[:1024].lstrip().lower()
    if kind is not None and kind not in HTML_TYPES:
        return ingest.LogRow(source_path, source_id, "not_html", f"{url} is {kind}, not a web page")
    if kind is None and not (sniffed.startswith((b"<!doctype html", b"<html")) or b"<html" in sniffed):
        return ingest.LogRow(source_path, source_id, "not_html", f"{url} has no Content-Type and does not start like HTML")
    if not body.strip():
        return ingest.LogRow(source_path, source_id, "empty", f"{url} sent an empty page")
    text, problem, status = decode(body, charset)
    if text is None:
        return ingest.LogRow(source_path, source_id, status, problem or "not text")
    return ingest.RawDocument(source_path, ingest.storable(source_id), "html", text, {**meta, "url": ingest.storable(url)}, provenance)
