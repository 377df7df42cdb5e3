"""Sources: URL lists, CSV exports, feeds, sitemaps, WARC files and the polite fetcher, against a loopback server.

No test reaches the network: `site` serves the shared html_pages and a set of hostile endpoints on 127.0.0.1,
counting every request, and the fetcher is allowed exactly 127.0.0.1/32 (`LOOPBACK`), so a redirect to 10.0.0.1
or 169.254.169.254 is still refused, and a name that resolves to 127.0.0.1 is refused when loopback is not allowed.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsscope import build, ingest, sources, tables
from newsscope.sources import fetch, guard, links
from newsscope.sources.archive import Archive

from conftest import shared_file

LOOPBACK = ("127.0.0.1/32",)
FAST = sources.FetchOptions(
    per_host_interval=0, connect_timeout=0.5, read_timeout=0.5, deadline=2.0, retries=2, backoff=0.05,
    max_retry_after=1.0, max_bytes=2 * 1024 * 1024, allow_networks=LOOPBACK,
)
SOURCES = sources.SourceOptions(fetch=FAST)
PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Harbour council votes to keep the ferry</title>
<meta property="article:published_time" content="2024-03-05"></head><body><article><h1>Harbour council votes to keep the ferry</h1>
<p>The harbour council voted on Tuesday to keep the island ferry running through the winter, the mayor said.</p>
<p>\xe2\x80\x9cWe will not cut the island off,\xe2\x80\x9d said Mayor Ines Duarte after a meeting that ran past midnight.</p>
<p>The service costs the town about two million euros a year and carries four hundred people a day.</p>
</article></body></html>"""


class Site(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, pages: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.pages = pages
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def url(self, path: str) -> str:
        return self.base + path


class Handler(http.server.BaseHTTPRequestHandler):
    server: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 (one branch per endpoint)
        path = self.path
        with self.server.lock:
            self.server.hits[path] += 1
            hits = self.server.hits[path]
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path in self.server.pages:
            return self.send(200, self.server.pages[path])
        if path.startswith("/gz/"):  # a real compressed body, sent as Content-Encoding: gzip
            return self.send(200, gzip.compress(self.server.pages["/pages/" + path[4:]]), Content_Encoding="gzip")
        if path == "/page":
            return self.send(200, PAGE)
        if path == "/private/page":
            return self.send(200, PAGE)
        if path == "/404":
            return self.send(404, b"<html>not here</html>")
        if path == "/500":
            return self.send(500, b"<html>broken</html>")
        if path == "/429":
            return self.send(429, b"slow down", "text/plain", Retry_After="1") if hits == 1 else self.send(200, PAGE)
        if path == "/429-forever":
            return self.send(429, b"slow down", "text/plain", Retry_After="3600")
        if path == "/loop-a":
            return self.send(302, b"", None, Location="/loop-b")
        if path == "/loop-b":
            return self.send(302, b"", None, Location="/loop-a")
        if path == "/to-page":
            return self.send(301, b"", None, Location="/page")
        if path == "/to-private":
            return self.send(302, b"", None, Location="http://10.0.0.1/admin")
        if path == "/to-metadata":
            return self.send(302, b"", None, Location="http://169.254.169.254/latest/meta-data/")
        if path == "/slow":
            time.sleep(3)
            return self.send(200, PAGE)
        if path == "/endless":  # a page that never ends: chunks until the client hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"<p>" + b"more " * 2000 + b"</p>")
            except OSError:
                return
        if path == "/bomb":  # 100 MB of zeros in about 100 kB of gzip (made once, when the site starts)
            return self.send(200, self.server.pages["bomb"], Content_Encoding="gzip")
        if path == "/pdf":
            return self.send(200, b"%PDF-1.4 not a page", "application/pdf")
        if path == "/bad-charset":
            return self.send(200, PAGE, "text/html; charset=x-no-such-charset")
        if path == "/wrong-charset":
            return self.send(200, "<html><body><p>Ωραία μέρα</p></body></html>".encode("utf-16-le") * 50, "text/html; charset=utf-8")
        if path == "/feed.xml":
            return self.send(200, self.server.pages["feed"], "application/rss+xml")
        if path == "/sitemap.xml":
            return self.send(200, self.server.pages["sitemap"], "application/xml")
        if path == "/sitemap-index.xml":
            return self.send(200, self.server.pages["sitemap-index"], "application/xml")
        return self.send(404, b"no such page")


def _pages(n: int | None = None) -> tuple[dict[str, bytes], dict]:
    folder = shared_file("eval", "html_pages")
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:n] if n else sorted(truth)
    return {f"/pages/{k}.html": gzip.decompress((folder / f"{k}.html.gz").read_bytes()) for k in keys}, truth


@pytest.fixture(scope="module")
def site():
    pages, _ = _pages(12)
    server = Site(pages)
    urls = [server.url(p) for p in pages]
    items = "".join(f"<item><title>Story {i}</title><link>{u}</link><pubDate>Tue, 0{i % 9 + 1} Apr 2024 10:00:00 GMT</pubDate></item>" for i, u in enumerate(urls[:4]))
    server.pages["feed"] = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Gazette</title>{items}</channel></rss>'.encode()
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls[4:8])
    server.pages["sitemap"] = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()
    server.pages["sitemap-index"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{server.url('/sitemap.xml')}</loc></sitemap></sitemapindex>"
    ).encode()
    server.pages["bomb"] = gzip.compress(bytes(100 * 1024 * 1024), compresslevel=6)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _fetch(site: Site, path: str, tmp_path: Path, options: sources.FetchOptions = FAST) -> fetch.Result:
    with fetch.Fetcher(options, Archive(tmp_path / "archive")) as fetcher:
        return fetcher.fetch(site.url(path), "page")


# ── the fetcher, one hostile endpoint at a time ─────────────────────────────────────────────────────────────────

HOSTILE = [
    ("/404", "http_404", "HTTP 404"),
    ("/500", "http_500", "HTTP 500"),
    ("/429-forever", "http_429", "HTTP 429"),
    ("/loop-a", "redirect_loop", "/loop-b → "),
    ("/to-private", "private_address", "10.0.0.1 is refused: a private address"),
    ("/to-metadata", "private_address", "169.254.169.254 is refused: a link-local address"),
    ("/slow", "timeout", "no answer within 0.5 s"),
    ("/endless", "too_large", "more than 2,097,152 bytes"),
    ("/bomb", "too_large", "decompressed from"),
    ("/pdf", "not_html", "application/pdf"),
    ("/bad-charset", "bad_charset", "'x-no-such-charset'"),
    ("/private/page", "robots_disallowed", "robots.txt"),
]


@pytest.mark.parametrize(("path", "status", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_endpoint_gets_a_clear_status(site: Site, tmp_path: Path, path: str, status: str, reason: str) -> None:
    started = time.monotonic()
    result = _fetch(site, path, tmp_path)
    assert (result.status, result.body) == (status, b"")
    assert reason in result.reason, result.reason
    assert time.monotonic() - started < 8  # every wait is bounded (retries of the 429 cut to max_retry_after)
    assert f"`{status}`" in _documented() or (status.startswith("http_") and tables.is_status(status))


def test_429_with_retry_after_is_retried_after_waiting(site: Site, tmp_path: Path) -> None:
    started = time.monotonic()
    result = _fetch(site, "/429", tmp_path)
    assert result.status == "ok" and b"Harbour council" in result.body
    assert site.hits["/429"] == 2 and time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured


def test_a_redirect_is_followed_and_the_final_url_kept(site: Site, tmp_path: Path) -> None:
    result = _fetch(site, "/to-page", tmp_path)
    assert result.status == "ok" and result.final_url == site.url("/page") and "redirected to" in result.reason


def test_loopback_is_refused_unless_allowed_even_through_a_name(site: Site, tmp_path: Path) -> None:
    strict = sources.FetchOptions(per_host_interval=0, connect_timeout=0.5, read_timeout=0.5)
    before = sum(site.hits.values())
    for url in (site.url("/page"), f"http://localhost:{site.server_port}/page", f"http://[::ffff:127.0.0.1]:{site.server_port}/page"):
        with fetch.Fetcher(strict, Archive(tmp_path / "a")) as fetcher:
            result = fetcher.fetch(url)
        assert result.status == "private_address" and "loopback" in result.reason, result
    assert sum(site.hits.values()) == before  # refused before connecting: the server saw nothing


@pytest.mark.parametrize(
    ("address", "refused"),
    [("8.8.8.8", None), ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"), ("169.254.169.254", "link-local"),
     ("::1", "loopback"), ("fe80::1", "link-local"), ("fc00::1", "private"), ("100.64.0.1", "not global"), ("0.0.0.0", "unspecified"),
     ("::ffff:10.0.0.1", "private"), ("224.0.0.1", "multicast")],
)
def test_guard_refuses_every_non_public_address(address: str, refused: str | None) -> None:
    problem = guard.Guard().problem(address)
    assert (problem is None) if refused is None else (refused in problem)
    assert guard.Guard.of(["10.0.0.0/8"]).problem("10.1.2.3") is None
    assert guard.Guard.of([], everything=True).problem(address) is None


def test_retry_after_as_seconds_or_date_is_capped() -> None:
    assert fetch._retry_after("5", 60) == 5 and fetch._retry_after("3600", 60) == 60
    assert fetch._retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 60) == 0  # in the past: no wait
    assert fetch._retry_after("soon", 60) is None and fetch._retry_after(None, 60) is None


# ── whole inputs: lists, exports, feeds, sitemaps, WARC ─────────────────────────────────────────────────────────


def _read(inputs: list, tmp_path: Path, options: sources.SourceOptions = SOURCES):
    return build.read_corpus(inputs, options, tmp_path / "archive")


def _documented() -> str:
    return (Path(__file__).resolve().parents[1] / "docs" / "guarantees.md").read_text(encoding="utf-8")


def test_a_url_list_with_good_and_bad_links_loses_nothing(site: Site, tmp_path: Path) -> None:
    good = [p for p in site.pages if p.startswith("/pages/")][:3]
    bad = ["/404", "/loop-a", "/to-metadata", "/pdf", "/private/page"]
    listing = tmp_path / "urls.txt"
    listing.write_text("# my links\n\n" + "\n".join(site.url(p) for p in [*good, *bad, "/page", good[0]]) + "\nnot a url\n", encoding="utf-8")
    log, drafts = _read([listing], tmp_path)
    statuses = Counter(row.status for row in log)
    assert statuses == {"ok": 4, "http_404": 1, "redirect_loop": 1, "private_address": 1, "not_html": 1, "robots_disallowed": 1,
                        "duplicate": 1, "bad_url": 1}, [(r.status, r.reason) for r in log]
    assert {d.url for d in drafts} == {site.url(p) for p in [*good, "/page"]}
    harbour = next(d for d in drafts if d.url == site.url("/page"))
    assert harbour.title == "Harbour council votes to keep the ferry" and harbour.fetched
    assert all(row.source_path == "urls.txt" for row in log)


def test_a_rerun_fetches_nothing_and_a_killed_fetch_resumes(site: Site, tmp_path: Path) -> None:
    paths = [p for p in site.pages if p.startswith("/pages/")][3:7] + ["/404", "/slow"]
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(site.url(p) for p in paths), encoding="utf-8")
    # a fetch "killed" after the first two URLs: their records are there, then half a record
    with fetch.Fetcher(FAST, Archive(tmp_path / "archive")) as fetcher:
        for path in paths[:2]:
            fetcher.fetch(site.url(path))
    [warc_file] = (tmp_path / "archive").glob("*.warc.gz")
    with open(warc_file, "ab") as handle:
        handle.write(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 9999\r\n\r\nHTTP/1.1 200")[:40])
    before = Counter(site.hits)
    log, drafts = _read([listing], tmp_path)
    fetched = Counter(site.hits) - before
    # only what was missing (and robots.txt, read again by each fetch run)
    assert set(fetched) == {*paths[2:], "/robots.txt"} and all(n == 1 for n in fetched.values())
    assert len(log) == len(paths) and len(drafts) == 4
    before = Counter(site.hits)
    log2, drafts2 = _read([listing], tmp_path)
    assert Counter(site.hits) == before, "a re-run sent requests"
    assert [(r.status, r.reason) for r in log2] == [(r.status, r.reason) for r in log]
    assert [d.body for d in drafts2] == [d.body for d in drafts]


def test_media_cloud_and_gdelt_exports_give_their_metadata_with_provenance_record(site: Site, tmp_path: Path) -> None:
    urls = [site.url(p) for p in site.pages if p.startswith("/pages/")][:2]
    mediacloud = tmp_path / "mediacloud.csv"
    mediacloud.write_text(f"id,url,title,publish_date,media_name\n1,{urls[0]},A title from Media Cloud,2024-04-23 11:21:00,Loopback Times\n", encoding="utf-8")
    gdelt = tmp_path / "gdelt.csv"
    gdelt.write_text(f"GKGRECORDID,DATE,SourceCommonName,DocumentIdentifier\nx-1,20240501093000,gdelt-source.example,{urls[1]}\nx-2,20240501,a.example,ftp://nope\n", encoding="utf-8")
    log, drafts = _read([mediacloud, gdelt], tmp_path)
    by_url = {d.url: d for d in drafts}
    first, second = by_url[urls[0]], by_url[urls[1]]
    assert (first.title, first.outlet, str(first.published), first.published_source) == ("A title from Media Cloud", "Loopback Times", "2024-04-23", "record")
    assert (second.outlet, str(second.published), second.published_source) == ("gdelt-source.example", "2024-05-01", "record")
    assert second.title  # not in the export: the page's own title fills it
    assert [r.status for r in log if r.status != "ok"] == ["bad_url"]


def test_any_csv_with_url_column(site: Site, tmp_path: Path) -> None:
    export = tmp_path / "links.csv"
    export.write_text(f"Link,headline\n{site.url('/page')}\n", encoding="utf-8")
    log, drafts = _read([export], tmp_path, sources.SourceOptions(fetch=FAST, url_column="Link"))
    assert [d.url for d in drafts] == [site.url("/page")]
    log, drafts = _read([export], tmp_path)  # without --url-column it is a CSV of records, and has no text field
    assert drafts == [] and log[0].status == "unreadable"


def test_a_feed_url_and_a_sitemap_index(site: Site, tmp_path: Path) -> None:
    log, drafts = _read([site.url("/feed.xml"), site.url("/sitemap-index.xml")], tmp_path)
    assert len(drafts) == 8 and all(r.status == "ok" for r in log), [(r.status, r.reason) for r in log]
    from_feed = [d for d in drafts if d.source_path == site.url("/feed.xml")]
    assert len(from_feed) == 4 and all(d.outlet == "Loopback Gazette" and d.published_source == "record" for d in from_feed)
    assert {d.title for d in from_feed} == {f"Story {i}" for i in range(4)}
    assert all(d.source_path == site.url("/sitemap.xml") for d in drafts if d not in from_feed)


def test_a_feed_file_and_a_sitemap_file(site: Site, tmp_path: Path) -> None:
    (tmp_path / "feed.rss").write_bytes(site.pages["feed"])
    (tmp_path / "sitemap.xml").write_bytes(site.pages["sitemap"])
    (tmp_path / "junk.xml").write_bytes(b"<?xml version='1.0'?><note>hi</note>")
    log, drafts = _read([tmp_path / "feed.rss", tmp_path / "sitemap.xml", tmp_path / "junk.xml"], tmp_path)
    assert len(drafts) == 8
    assert [(r.status, r.reason) for r in log if r.status != "ok"] == [("unreadable", "neither an RSS/Atom feed nor a sitemap")]


def test_gzipped_pages_and_a_wrong_charset(site: Site, tmp_path: Path) -> None:
    key = next(p for p in site.pages if p.startswith("/pages/"))[len("/pages/"):]
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{site.url('/gz/' + key)}\n{site.url('/wrong-charset')}\n", encoding="utf-8")
    log, drafts = _read([listing], tmp_path)
    assert len(drafts) == 1 and drafts[0].url.endswith("/gz/" + key)
    [bad] = [r for r in log if r.status != "ok"]
    assert bad.status == "bad_charset" and "not valid utf-8" in bad.reason


def test_a_hosted_app_fetches_nothing(site: Site, tmp_path: Path) -> None:
    before = sum(site.hits.values())
    log, drafts = _read([site.url("/page")], tmp_path, sources.SourceOptions(fetch=sources.FetchOptions(offline=True, allow_networks=LOOPBACK)))
    assert drafts == [] and log[0].status == "not_fetched" and "read-only" in log[0].reason
    assert sum(site.hits.values()) == before


def _warc(path: Path) -> None:
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news.example/ferry", "response", payload=io.BytesIO(PAGE), http_headers=http))
        writer.write_record(writer.create_warc_record("https://news.example/ferry", "request", payload=io.BytesIO(b"GET /ferry HTTP/1.1\r\n\r\n")))
        png = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news.example/logo.png", "response", payload=io.BytesIO(b"\x89PNG..."), http_headers=png))
        gone = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news.example/gone", "response", payload=io.BytesIO(b"<html>gone</html>"), http_headers=gone))
        writer.write_record(writer.create_warc_record("https://news.example/cut", "response", payload=io.BytesIO(PAGE.replace(b"ferry", b"bridge")), http_headers=http))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])  # the last record cut short


def test_a_warc_with_non_html_and_truncated_records(tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    _warc(archive)
    units = list(sources.read([archive]))
    kinds = [(u.status if isinstance(u, ingest.LogRow) else "page") for u in units]
    assert kinds == ["not_html", "page", "not_html", "not_html", "http_404", "unreadable"], [getattr(u, "reason", u) for u in units]
    page = units[1]
    assert page.meta["url"] == "https://news.example/ferry" and page.meta["fetched"].startswith("20")
    assert "https://news.example/cut is cut short" in units[-1].reason and "bytes are missing" in units[-1].reason
    log, drafts = build.read_corpus([archive])
    assert [d.url for d in drafts] == ["https://news.example/ferry"] and drafts[0].fetched


def test_url_lists_are_told_from_articles(tmp_path: Path) -> None:
    assert links.looks_like_url_list("# saved\nhttps://a.example/x\n\nhttp://b.example/y?z=1\n")
    assert not links.looks_like_url_list("A story that cites https://a.example/x in its text.\n")
    article = tmp_path / "story.txt"
    article.write_text("See https://a.example/x\nThe council met on Tuesday and voted to keep the ferry.\n", encoding="utf-8")
    [unit] = list(sources.read([article]))
    assert isinstance(unit, ingest.RawDocument) and unit.kind == "text"


def test_every_fetch_status_is_in_the_contract() -> None:
    text = _documented()
    for status in tables.STATUSES:
        assert f"`{status}`" in text
    assert "`http_<code>`" in text


def test_cli_build_of_a_url_list_on_a_loopback_site_opens_the_dashboard(site: Site, tmp_path: Path, monkeypatch) -> None:
    import pyarrow.parquet as pq
    from streamlit.testing.v1 import AppTest

    from newsscope import storage

    good = [p for p in site.pages if p.startswith("/pages/")][:3] + ["/page"]
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(site.url(p) for p in [*good, "/404", "/to-metadata"]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "newsscope.cli", "build", str(listing), "--out", str(out),
               "--allow-network", "127.0.0.1/32", "--per-host-interval", "0"]
    process = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    folder = storage.current(out)
    log = pq.read_table(folder / "ingest_log.parquet").to_pandas()
    assert Counter(log["status"]) == {"ok": 4, "http_404": 1, "private_address": 1}, log.to_string()
    articles = pq.read_table(folder / "articles.parquet").to_pandas()
    assert len(articles) == 4 and articles["fetched"].notna().all()
    assert "Harbour council votes to keep the ferry" in set(articles["title"])
    assert list((out / "archive").glob("*.warc.gz")), "the fetched responses are kept as WARC in the build"
    served = sum(site.hits.values())
    again = subprocess.run(command, capture_output=True, text=True, timeout=600)  # a rebuild reuses the archive
    assert again.returncode == 0, again.stderr[-3000:]
    assert sum(site.hits.values()) == served
    monkeypatch.setenv("NEWSSCOPE_DATA", str(out))
    monkeypatch.delenv("NEWSSCOPE_READ_ONLY", raising=False)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Articles"] == "4"


# ── the HTML quality floor ──────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_html_path_is_at_least_as_good_as_plain_trafilatura() -> None:
    from newsscope.evaluation import html

    result = html.evaluate(shared_file("eval", "html_pages"))
    ours, plain = result["system"], result["baseline"]
    assert ours["f1"] >= plain["f1"], html.format_report(result)
    assert ours["f1"] >= 0.957  # measured 0.9574 (benchmarks/RESULTS.md); the floor only goes up
    assert not result["lost"], result["lost"]  # every page is an article, whatever its language
    assert sum(result["languages"].values()) == 83 and result["languages"]["en"] == 77
