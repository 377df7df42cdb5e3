"""Sitemaps (trafilatura's sitemap parser): the page links of a `urlset`, the nested sitemaps of an index.

trafilatura's `sitemap_search` downloads by itself (around this fetcher, its robots rules and its address checks),
so only its parser is used: the fetcher gets the sitemap, `SitemapObject.process` reads the links out of it.
"""

from __future__ import annotations

import functools
import zlib
from urllib.parse import urlsplit

from newsscope import ingest

GZIP_MAGIC = b"\x1f\x8b"


def unpacked(data: bytes, limit: int) -> bytes | None:
    """A gzipped sitemap (`sitemap.xml.gz`) unpacked, at most `limit` bytes; the data itself if not gzip; None if too large."""
    if not data.startswith(GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        return b""
    return None if len(out) > limit else out


def is_sitemap(data: bytes, url: str) -> bool:
    from trafilatura.sitemaps import SITEMAP_FORMAT, is_plausible_sitemap

    text = data[:4096].decode("utf-8", errors="replace").lstrip()
    return bool(SITEMAP_FORMAT.match(text)) and ("<urlset" in text or "<sitemapindex" in text) and is_plausible_sitemap(url, text)


@functools.cache
def _sitemap_class() -> type:
    from trafilatura.sitemaps import DETECT_SITEMAP_LINK, SitemapObject
    from trafilatura.utils import safe_relative_url

    class Sitemap(SitemapObject):
        """trafilatura's sitemap reader, keeping every link listed.

        Its own `handle_link` passes each link through courlan's filters, which drop hosts given as IP addresses,
        other sites' links and URLs courlan takes for non-articles: a list a user gives is a list to fetch.
        """

        __slots__ = ()

        def handle_link(self, link: str) -> None:
            if link == self.current_url:
                return
            link = safe_relative_url(self.base_url, link.strip())
            if not link.startswith(("http://", "https://")):
                return
            (self.sitemap_urls if DETECT_SITEMAP_LINK.search(link) else self.urls).append(link)

    return Sitemap


def links(data: bytes, url: str) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) listed by the sitemap at `url`."""
    parts = urlsplit(url)
    sitemap = _sitemap_class()(f"{parts.scheme}://{parts.netloc}", parts.hostname or "", [], external=True)
    text, _ = ingest.decode(data)
    sitemap.content = text or ""
    sitemap.current_url = url
    sitemap.process()
    return list(dict.fromkeys(sitemap.urls)), list(dict.fromkeys(sitemap.sitemap_urls))


