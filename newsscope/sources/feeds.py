"""RSS and Atom feeds (feedparser): each entry's link, with its title, date and the feed's name as outlet."""

from __future__ import annotations

import time
from collections.abc import Iterator

import feedparser

from newsscope import ingest
from newsscope.sources.links import Link, is_url


def is_feed(data: bytes) -> bool:
    """Whether the bytes are an RSS or Atom feed (one feedparser recognises a version of)."""
    head = data[:2048].lstrip().lower()
    if not (head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed") or head.startswith(b"<rdf")):
        return False
    return bool(feedparser.parse(data).version)


def links(data: bytes, source: str) -> Iterator[Link | ingest.LogRow]:
    """The entries of a feed as links; an entry without a usable link is a row saying so.

    Note: feedparser never fetches anything here (it is given bytes), so relative links resolve against the
    feed's own `xml:base` only.
    """
    parsed = feedparser.parse(data)
    outlet = " ".join((parsed.feed.get("title") or "").split()) or None
    n = 0
    for n, entry in enumerate(parsed.entries, start=1):
        url = (entry.get("link") or "").strip()
        if not is_url(url):
            yield ingest.LogRow(source, f"{source}#{n}", "bad_url", f"feed entry {n} has no http(s) link ({url[:200]!r})")
            continue
        meta: dict[str, str] = {}
        title = " ".join((entry.get("title") or "").split())
        if title:
            meta["title"] = ingest.storable(title)
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        if when:
            meta["published"] = time.strftime("%Y-%m-%d", when)
        if outlet:
            meta["outlet"] = ingest.storable(outlet)
        yield Link(url, source, url, "page", meta)
    if n == 0:
        yield ingest.LogRow(source, source, "empty", "the feed has no entries")
