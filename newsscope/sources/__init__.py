"""Sources of articles: local files, lists of links, feeds, sitemaps and web archives, all as `RawDocument`s.

One module per kind of input, each turning its input into the same two things the build knows — `RawDocument`s
to clean and `ingest_log` rows (`ingest.LogRow`) for what is not an article — so `build` learns nothing of HTTP
or WARC:

- `ingest` (the package beside this one): text, HTML, JSON, JSONL and CSV files of articles;
- `links`: a text file of URLs (`#` comments), CSV exports of links (Media Cloud, GDELT, `--url-column`);
- `feeds`: RSS/Atom (feedparser), as files or URLs;
- `sitemaps`: XML sitemaps and sitemap indexes (trafilatura's parser), as files or URLs;
- `warc`: WARC/ARC files (warcio);
- `fetch`: the polite fetcher every URL goes through, keeping what it gets in an `archive.Archive`.

`read(inputs, options, archive)` is the one entry point: inputs are paths or URLs (strings starting with http://
or https://). Links are gathered from every input first, then fetched together (hosts in parallel), so that
each URL is fetched once even when two lists name it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsscope import ingest
from newsscope.sources import feeds, links, pages, sitemaps, warc
from newsscope.sources.archive import Archive
from newsscope.sources.fetch import FetchOptions, Fetcher, Result
from newsscope.sources.links import Link

__all__ = ["Archive", "FetchOptions", "Link", "SourceOptions", "read", "is_url"]

Progress = Callable[[str, int, int], None]
is_url = links.is_url


@dataclass(frozen=True)
class SourceOptions:
    fetch: FetchOptions = field(default_factory=FetchOptions)
    url_column: str | None = None  # the URL column of a CSV of links (`--url-column`)
    max_sitemaps: int = 100  # nested sitemaps followed from one index, at most


def read(inputs: Iterable[Path | str], options: SourceOptions = SourceOptions(), archive: Path | None = None,
         progress: Progress | None = None) -> Iterator[ingest.RawDocument | ingest.LogRow]:
    """Every input unit of `inputs`, as a RawDocument or a LogRow; URLs are fetched into the WARC folder `archive`.

    Local articles come first, in input order; then the pages of every link, in the order they were listed.
    Without `archive`, URLs are not fetched: each gets a `not_fetched` row.
    """
    found: list[Link] = []
    files: list[Path] = []
    for item in inputs:
        text = str(item)
        if links.is_url(text):
            found.append(Link(text.strip(), text.strip(), text.strip(), "any"))
        else:
            files.append(Path(item))

    def other(path: Path, rel: str) -> Iterable | None:
        if warc.is_warc(path):
            return warc.read(path, rel)
        if path.suffix.lower() in (".xml", ".rss", ".atom", ".gz"):
            return _xml_file(path, rel, options)
        return links.sniff(path, rel, options.url_column)

    for unit in ingest.read(files, other):
        if isinstance(unit, Link):
            found.append(unit)
        else:
            yield unit
    if not found:
        return
    if archive is None:
        for link in found:
            yield ingest.LogRow(link.source_path, link.source_id, "not_fetched", "URLs are only fetched by a build with an output folder")
        return
    store = Archive(archive)
    try:
        with Fetcher(options.fetch, store) as fetcher:
            yield from _pages(found, fetcher, options, progress)
    finally:
        store.close()


def _xml_file(path: Path, rel: str, options: SourceOptions) -> Iterator[Link | ingest.LogRow]:
    """A feed or sitemap file: its links (nested sitemaps of a local index are fetched like any sitemap URL)."""
    try:
        data = sitemaps.unpacked(path.read_bytes(), options.fetch.max_bytes)
    except OSError as error:
        yield ingest.LogRow(rel, rel, "unreadable", f"cannot read file: {error.strerror or error}")
        return
    if data is None:
        yield ingest.LogRow(rel, rel, "too_large", f"unpacks to more than {options.fetch.max_bytes:,} bytes")
        return
    yield from _container(data, rel, rel) or [ingest.LogRow(rel, rel, "unreadable", "neither an RSS/Atom feed nor a sitemap")]


def _container(data: bytes, url: str, source: str) -> list[Link | ingest.LogRow] | None:
    """The links of a feed or sitemap (its URL `url`, listed in `source`), or None if it is neither."""
    if feeds.is_feed(data):
        return list(feeds.links(data, source))
    if sitemaps.is_sitemap(data, url if links.is_url(url) else "sitemap.xml"):
        pages_found, nested = sitemaps.links(data, url if links.is_url(url) else "http://localhost/sitemap.xml")
        units: list[Link | ingest.LogRow] = [Link(u, source, u, "page") for u in pages_found]
        units += [Link(u, source, u, "xml") for u in nested]
        if not units:
            units.append(ingest.LogRow(source, source, "empty", "the sitemap lists no links"))
        return units
    return None


def _pages(found: list[Link], fetcher: Fetcher, options: SourceOptions, progress: Progress | None) -> Iterator[ingest.RawDocument | ingest.LogRow]:
    """Fetch every link (containers first, round by round), yielding the pages and the rows."""
    first: dict[str, Link] = {}
    sitemaps_seen = 0
    todo = found
    while todo:
        batch: list[Link] = []
        for link in todo:
            if link.url in first:
                earlier = first[link.url]
                yield ingest.LogRow(link.source_path, link.source_id, "duplicate", f"the same URL as listed in {earlier.source_path}")
            elif link.expect == "xml" and sitemaps_seen >= options.max_sitemaps:
                yield ingest.LogRow(link.source_path, link.source_id, "too_large", f"more than {options.max_sitemaps} nested sitemaps; this one is not read")
            else:
                first[link.url] = link
                sitemaps_seen += link.expect == "xml"
                batch.append(link)
        results: dict[str, Result] = {}
        for expect in ("any", "xml", "page"):
            wanted = [link.url for link in batch if link.expect == expect]
            if wanted:
                results.update(fetcher.fetch_all(wanted, expect, progress))
        todo = []
        for link in batch:
            result = results[link.url]
            if result.status != "ok":
                yield ingest.LogRow(link.source_path, link.source_id, result.status, result.reason)
                continue
            if link.expect != "page":
                body = sitemaps.unpacked(result.body, options.fetch.max_bytes)
                units = _container(body, result.final_url or link.url, link.url) if body else None
                if units is not None:
                    todo += [u for u in units if isinstance(u, Link)]
                    yield from (u for u in units if not isinstance(u, Link))
                    continue
                if link.expect == "xml":
                    yield ingest.LogRow(link.source_path, link.source_id, "unreadable", f"{link.url} is neither an RSS/Atom feed nor a sitemap")
                    continue
            meta = {**link.meta, **({"fetched": result.fetched} if result.fetched else {})}
            if result.reason:
                meta["note"] = result.reason
            unit = pages.page(result.body, _header(result), result.final_url or link.url, link.source_path, link.source_id, meta,
                              "record" if link.meta else None)
            yield unit


def _header(result: Result) -> str | None:
    if result.content_type is None:
        return None
    return result.content_type + (f"; charset={result.charset}" if result.charset else "")
