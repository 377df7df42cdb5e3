"""The polite fetcher: URLs in, one `Result` per URL out, every response kept in the build's WARC archive.

Built on httpx (no HTTP of our own). What it promises (docs/guarantees.md, "Fetching"):

- **Polite**: a user agent naming the project; robots.txt read per site and obeyed (its `Crawl-delay` too);
  one request at a time per host with `per_host_interval` seconds between them; hosts fetched concurrently.
- **Bounded**: connect/read timeouts and a deadline per response (a server that drips a byte a second ends too);
  at most `max_bytes` of body, counted after decompression (a gzip bomb stops there); `max_redirects` hops,
  followed one by one so that a loop is seen; retries with exponential backoff on 429 and 5xx, waiting as long as
  `Retry-After` says up to `max_retry_after`.
- **Safe**: every hop's host is resolved and every address checked (`guard.Guard`); the connection goes to the
  checked address. Private, loopback, link-local and reserved addresses are refused unless allowed.
- **Nothing fetched twice**: a URL with an outcome in the archive is answered from it.
"""

from __future__ import annotations

import codecs
import email.utils
import threading
import time
import urllib.robotparser
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from newsscope import __version__
from newsscope.sources.archive import Archive, Outcome
from newsscope.sources import pages
from newsscope.sources.pages import HTML_TYPES
from newsscope.sources.guard import Guard, GuardedBackend, PrivateAddress

ROBOTS_NAME = "NewsScope"  # the product token robots.txt rules name
USER_AGENT = f"{ROBOTS_NAME}/{__version__} (news-analysis research tool; +https://github.com/newsscope/newsscope)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml", "text/plain")
GZIP_TYPES = ("application/gzip", "application/x-gzip")
MAX_ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt

# What a URL is expected to hold: an article page, a feed or sitemap, or (a URL given on the command line) either.
Expect = Literal["page", "xml", "any"]
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch. The defaults are for the open web; tests shorten the waits."""

    user_agent: str = USER_AGENT
    concurrency: int = 8  # hosts fetched at once
    per_host_interval: float = 1.0  # seconds between two requests to one host
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # between two reads
    deadline: float = 60.0  # for a whole response, headers to last byte
    retries: int = 3  # further attempts after a 429 or 5xx
    backoff: float = 1.0  # first wait before a retry; doubled each time
    max_retry_after: float = 60.0  # a longer Retry-After is cut to this
    max_redirects: int = 10
    max_bytes: int = 10 * 1024 * 1024  # of body, after decompression
    robots: bool = True  # obey robots.txt
    allow_private: bool = False  # every address may be fetched (a crawl inside one's own network)
    allow_networks: tuple[str, ...] = ()  # CIDRs that may be fetched although private, e.g. ("127.0.0.1/32",)
    offline: bool = False  # fetch nothing: answer only from the archive (a hosted, read-only app)

    def guard(self) -> Guard:
        return Guard.of(self.allow_networks, self.allow_private)


@dataclass(frozen=True)
class Result:
    """What became of one URL: `status` "ok" (with `body`) or an ingest status with its reason."""

    url: str
    status: str
    reason: str
    final_url: str | None = None
    body: bytes = b""
    content_type: str | None = None
    charset: str | None = None
    fetched: str | None = None  # ISO timestamp of the response
    reused: bool = False  # answered from the archive, not the network


class _Failure(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0
    delay: float = 0.0


class Fetcher:
    """Fetches URLs into `archive`. Use as a context manager (it holds an HTTP connection pool)."""

    def __init__(self, options: FetchOptions, archive: Archive) -> None:
        self.options = options
        self.archive = archive
        self.guard = options.guard()
        transport = httpx.HTTPTransport(retries=0, trust_env=False)
        # The pool connects through the guarded backend: the address check happens at connect time (see guard.py).
        # httpx has no public hook for the network backend, so its pool is replaced by an equal one that has it.
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=100, max_keepalive_connections=20,
            network_backend=GuardedBackend(self.guard),
        )
        timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
        self.client = httpx.Client(transport=transport, headers={"User-Agent": options.user_agent}, timeout=timeout,
                                   follow_redirects=False, trust_env=False)
        self._hosts: dict[str, _Host] = defaultdict(_Host)
        self._hosts_lock = threading.Lock()
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str | _Failure] = {}
        self.requests = 0  # HTTP requests sent (robots.txt included)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    # ── many URLs ────────────────────────────────────────────────────────────────────────────────────────────────

    def fetch_all(self, urls: Iterable[str], expect: Expect = "page", progress: Progress | None = None) -> dict[str, Result]:
        """One `Result` per distinct URL; hosts in parallel, each host's URLs one after another."""
        urls = list(dict.fromkeys(urls))
        by_host: dict[str, list[str]] = defaultdict(list)
        for url in urls:
            by_host[urlsplit(url).netloc.lower()].append(url)
        results: dict[str, Result] = {}
        counts: Counter[str] = Counter()
        lock = threading.Lock()

        def run(host_urls: list[str]) -> None:
            for url in host_urls:
                result = self.fetch(url, expect)
                with lock:
                    results[url] = result
                    counts[result.status] += 1
                    if progress:
                        progress("fetch", len(results), len(urls))
                        progress(f"fetch: {result.status}", counts[result.status], len(urls))

        workers = max(1, min(self.options.concurrency, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsscope-fetch") as pool:
            for future in [pool.submit(run, group) for group in by_host.values()]:
                future.result()
        return {url: results[url] for url in urls}

    # ── one URL ──────────────────────────────────────────────────────────────────────────────────────────────────

    def fetch(self, url: str, expect: Expect = "page") -> Result:
        """The result for `url`: from the archive if it has an outcome for it, else from the network."""
        known = self.archive.outcomes.get(url)
        if known is not None:
            return self._replay(known)
        if self.options.offline:
            return Result(url, "not_fetched", "fetching is turned off here (a hosted, read-only app fetches nothing); the URL is not in the archive")
        record = None
        try:
            result, record = self._fetch(url, expect)
        except _Failure as failure:
            result = Result(url, failure.status, failure.reason)
        self.archive.record(Outcome(url, result.status, result.reason, result.final_url, record, result.fetched))
        return result

    def _replay(self, outcome: Outcome) -> Result:
        if outcome.status != "ok" or not outcome.record:
            return Result(outcome.url, outcome.status, outcome.reason, outcome.final_url, reused=True)
        stored = self.archive.load(outcome.record)
        kind, charset = pages.content_type(stored.headers.get("content-type"))
        return Result(outcome.url, "ok", outcome.reason, outcome.final_url, stored.body, kind, charset, stored.fetched, reused=True)

    def _fetch(self, url: str, expect: Expect) -> tuple[Result, str]:
        """The page at `url` after redirects, and the record id of its response; raises `_Failure`."""
        current = _checked_url(url)
        seen = [current]
        for _ in range(self.options.max_redirects + 1):
            if self.options.robots and not self._allowed(current):
                raise _Failure("robots_disallowed", f"robots.txt of {_origin(current)} forbids {urlsplit(current).path or '/'} to {ROBOTS_NAME}")
            response, body, record, fetched = self._get(current, expect)
            if response.status_code in REDIRECT_STATUSES and response.headers.get("location"):
                target = _checked_url(urljoin(current, response.headers["location"]))
                if target in seen:
                    chain = " → ".join([*seen, target])
                    raise _Failure("redirect_loop", f"redirect loop: {chain}")
                seen.append(target)
                current = target
                continue
            if not 200 <= response.status_code < 300:
                raise _Failure(f"http_{response.status_code}", f"HTTP {response.status_code} {response.reason_phrase} from {current}")
            kind, charset = pages.content_type(response.headers.get("content-type"))
            if charset:
                try:
                    codecs.lookup(charset)
                except LookupError:
                    raise _Failure("bad_charset", f"{current} declares charset {charset!r}, which is not a known encoding") from None
            note = "" if current == url else f"redirected to {current}"
            return Result(url, "ok", note, current, body, kind, charset, fetched), record
        raise _Failure("redirect_loop", f"more than {self.options.max_redirects} redirects: {' → '.join(seen)}")

    def _get(self, url: str, expect: Expect) -> tuple[httpx.Response, bytes, str, str]:
        """One URL, retried on 429/5xx; its response stored; (response, body, record id, fetched at)."""
        attempt = 0
        while True:
            self._wait_turn(url)
            try:
                response, body, truncated, problem = self._request(url, expect)
            except PrivateAddress as error:
                raise _Failure("private_address", str(error)) from None
            if response.status_code in RETRY_STATUSES and attempt < self.options.retries:
                wait = _retry_after(response.headers.get("retry-after"), self.options.max_retry_after)
                wait = self.options.backoff * 2**attempt if wait is None else wait
                attempt += 1
                time.sleep(wait)
                continue
            record, fetched = self.archive.store(url, response.status_code, response.reason_phrase, list(response.headers.multi_items()), body, truncated)
            if problem is not None:
                raise problem
            return response, body, record, fetched

    def _request(self, url: str, expect: Expect, limit: int | None = None) -> tuple[httpx.Response, bytes, str | None, _Failure | None]:
        """Send one GET; the body read within the size limit and the deadline.

        Returns (response, body, WARC-Truncated reason or None, the failure to report after storing or None).
        """
        limit = limit or self.options.max_bytes
        self.requests += 1
        started = time.monotonic()
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code in REDIRECT_STATUSES or response.status_code in RETRY_STATUSES or response.status_code >= 400:
                    return response, b"", "not read", None
                kind, _ = pages.content_type(response.headers.get("content-type"))
                wrong = _wrong_type(kind, expect)
                if wrong:
                    return response, b"", "not read", _Failure("not_html", f"{url} is {wrong}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit and not response.headers.get("content-encoding"):
                    return response, b"", "length", _Failure("too_large", f"{url} declares {int(declared):,} bytes; the limit is {limit:,}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():  # decompressed: the limit holds for what a gzip bomb unpacks to
                    size += len(chunk)
                    if size > limit:
                        body = b"".join(chunks)
                        encoded = f" (decompressed from {response.num_bytes_downloaded:,} bytes sent)" if response.headers.get("content-encoding") else ""
                        return response, body, "length", _Failure("too_large", f"{url} sent more than {limit:,} bytes{encoded}; stopped there")
                    chunks.append(chunk)
                    if time.monotonic() - started > self.options.deadline:
                        return response, b"".join(chunks), "time", _Failure("timeout", f"{url} took longer than {self.options.deadline:g} s to send its page; stopped after {size:,} bytes")
                return response, b"".join(chunks), None, None
        except httpx.TimeoutException as error:
            raise _Failure("timeout", f"{url}: no answer within {self.options.read_timeout:g} s ({type(error).__name__})") from None
        except httpx.DecodingError as error:
            raise _Failure("unreadable", f"{url}: the body cannot be decompressed ({error})") from None
        except (httpx.TransportError, httpx.InvalidURL) as error:
            if isinstance(error.__cause__, PrivateAddress) or isinstance(error.__context__, PrivateAddress):
                raise PrivateAddress(str(error.__cause__ or error.__context__)) from None
            raise _Failure("connect_error", f"{url}: {error or type(error).__name__}") from None

    def _wait_turn(self, url: str) -> None:
        """Sleep until this host may be asked again (one request per `per_host_interval`, or its Crawl-delay)."""
        host = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            state = self._hosts[host]
        with state.lock:
            interval = max(self.options.per_host_interval, state.delay)
            now = time.monotonic()
            if state.next_at > now:
                time.sleep(state.next_at - now)
            state.next_at = time.monotonic() + interval

    # ── robots.txt ───────────────────────────────────────────────────────────────────────────────────────────────

    def _allowed(self, url: str) -> bool:
        origin = _origin(url)
        with self._hosts_lock:
            rules = self._robots.get(origin)
        if rules is None:
            rules = self._read_robots(origin)
            with self._hosts_lock:
                self._robots[origin] = rules
        if isinstance(rules, _Failure):
            raise rules
        if isinstance(rules, str):
            return rules == "allow"
        return rules.can_fetch(ROBOTS_NAME, url)

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | str | _Failure:
        """The site's rules, as RFC 9309 says: 4xx → everything allowed; 5xx → nothing allowed.

        A site that cannot be reached at all gives the failure itself (`timeout`, `connect_error`): its pages
        could not be fetched either, and "robots_disallowed" would hide why.
        """
        url = f"{origin}/robots.txt"
        self._wait_turn(url)
        try:
            response, body, truncated, _ = self._request(url, "any", MAX_ROBOTS_BYTES)
        except PrivateAddress:
            return "allow"  # the page itself is refused with its own reason
        except _Failure as failure:
            if failure.status in ("timeout", "connect_error"):
                return _Failure(failure.status, f"{origin} cannot be reached (its robots.txt: {failure.reason})")
            return "disallow"
        self.archive.store(url, response.status_code, response.reason_phrase, list(response.headers.multi_items()), body, truncated)
        if 400 <= response.status_code < 500:
            return "allow"
        if response.status_code >= 300:
            return "disallow"
        parser = urllib.robotparser.RobotFileParser(url)
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(ROBOTS_NAME)
        if delay:
            with self._hosts_lock:
                self._hosts[urlsplit(origin).netloc.lower()].delay = min(float(delay), self.options.max_retry_after)
        return parser


def _checked_url(url: str) -> str:
    parts = urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number below 65536)
    except ValueError:
        raise _Failure("bad_url", f"{url!r} has an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Failure("bad_url", f"{url!r} is not an http(s) URL with a host")
    return urlunsplit(parts._replace(fragment=""))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _wrong_type(content_type: str | None, expect: Expect) -> str | None:
    """A description of why the type is not what was expected, or None (no Content-Type: the body decides)."""
    if content_type is None:
        return None
    allowed = {"page": HTML_TYPES, "xml": XML_TYPES + GZIP_TYPES + HTML_TYPES, "any": HTML_TYPES + XML_TYPES + GZIP_TYPES}[expect]
    if content_type in allowed or content_type.endswith("+xml"):
        return None
    return f"{content_type}, not a web page ({', '.join(HTML_TYPES)})" if expect == "page" else f"{content_type}, not a page, feed or sitemap"


def _retry_after(header: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), at most `cap`; None without one."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return min(float(header), cap)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, min((when - datetime.now(timezone.utc)).total_seconds(), cap))
