"""The dashboard under concurrent use: N sessions against one `streamlit run`, on the 840-article build.

    python -m benchmarks.load                          # 20 websocket sessions, 60 s, build in /tmp/pn (made when missing)
    python -m benchmarks.load --sessions 1
    python -m benchmarks.load --client browser --sessions 5 --seconds 20    # Chromium sessions that render
    python -m benchmarks.load --sessions 50 --workers 2   # through `newsscope serve --workers 2` (nginx + 2 workers)
    python -m benchmarks.load --filter-kinds none          # everyone on the same link (the best case for caches)

Targets: zero errors, p95 time-to-rendered <= 3 s, server memory bounded (peak RSS of the server and its children
<= 1.5 GB; the median RSS of the run's first and last quarter is printed beside it to show any growth, which the
sessions' ramp-up makes a poor pass/fail figure over one minute).

How:
- The build is reused when `--build` (default /tmp/pn) holds one (`storage.current`); otherwise
  `newsscope build <corpus> --out <build>` makes it from /work/shared/corpus/polnear_train.jsonl (840 records).
- `streamlit run app.py` listens on a free port on 127.0.0.1 only, read-only, with NEWSSCOPE_DATA at the build.
  One warm-up navigation loads the tables (reported apart, as the cold first load).
- Each session loops until the time is up: take the next page (every page once per round, in a new random order
  each round, so a short run still visits them all) and a filter set (none; a real actor id; a real outlet; both;
  a date range; a search word: the ids and outlets are read from the build), open it, wait until rendered, think
  for `--think` seconds. A navigation started before the deadline is allowed to finish.
- `--workers N` (N > 1): `newsscope serve <build> --workers N --address 127.0.0.1 --read-only` instead; each worker
  is warmed on its own port, then every session goes through nginx, keeping the route cookie as a browser does.
  Figures sum every process (serve, workers, nginx); server CPU per rendered navigation is printed (target 0.05 s),
  and the load average before and after.
- Memory: the server process's RSS plus all its children's, sampled every second with psutil; CPU seconds of the
  server's processes and of the client's (this process and its other children) over the run.

Two clients:
- `--client ws` (the default): Streamlit's own protocol, without a browser. A session is a websocket on
  /_stcore/stream, opened as the frontend opens it (subprotocols "streamlit" and a token placeholder), so the
  server does all it does for a browser: a session, a script run per navigation, every ForwardMsg serialised and
  sent. The client only decodes protobufs, so on a small machine the figure is the server's. A navigation is a
  `rerun_script` BackMsg whose ClientState carries the query string (the app reads every filter from it, as from a
  shared link) and the page: by `page_name`, its url path, on a session's first run (as a link opens the app), by
  `page_script_hash`, learnt from the `navigation` ForwardMsg, after that (as the sidebar does). Every
  `--new-session-every`-th navigation of a session opens a new session (first fetching what a browser fetches
  before it opens the socket: the page's HTML shell, /_stcore/health and /_stcore/host-config); the others change
  page and filters in the same session (with no filter in the query string the app keeps the session's filters,
  as on a page switch in the sidebar). Large messages the server marks cacheable are kept and their hashes listed in each rerun request,
  as the frontend's message cache does; the server then sends a `ref_hash` in their place, resolved here.
  Time-to-rendered: from sending the request (from the first HTTP request, on a new session) to `script_finished`.
  Errors: an exception element in a delta, a compile error, `page_not_found`, a navigation that runs another page
  than the one asked for, a run that ends without the page's title (<h1>), a reference to a message not cached, a
  closed socket, or no `script_finished` within `--timeout` seconds.
  Not measured: the scripts and styles (a browser caches them after its first visit) and the rendering.
- `--client browser`: one Chromium, one Playwright context per session; every navigation is a full page load (a
  new Streamlit session). Time-to-rendered is measured in the page: from the navigation's start to the first of
  three consecutive 100 ms checks finding the app rendered (an <h1>, `stApp` in script state `notRunning`, no
  status widget, skeleton or spinner, every Plotly chart drawn). Errors: a `stException` element, a failed
  navigation, or no render within `--timeout`. On a 2-core machine twenty renderers starve the server's CPU, so
  this measures the browsers as much as the app.

Prints the figures next to their targets (and per page); writes them as JSON to benchmarks/out/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.cookiejar
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a file: make `benchmarks` and `newsscope` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from benchmarks import CORPUS, OUT, ROOT, median, p95  # noqa: E402

P95_S = 3.0
RSS_MB = 1536
CPU_PER_NAV_S = 0.05  # server CPU seconds per rendered navigation (issue 15)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage",
        # 20 tabs in one headless browser: keep the ones not in front from being throttled (timers, rendering).
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]
PAGES = ["", "timeline", "actors", "quotes", "coverage", "articles"]  # url paths; read-only: no Add articles
FILTER_KINDS = ["none", "actor", "outlet", "actor+outlet", "dates", "text"]
# Failures after which a session's socket is in an unknown state: the next navigation opens a new session.
BROKEN = {"timeout", "connection closed", "connect failed"}


@dataclass
class Visit:
    """One navigation: which page with which filters, on a new session or not, and what came of it."""

    page: str  # the page's name in the figures: its url path, "overview" for ""
    kind: str  # the filter set, one of FILTER_KINDS
    url: str  # path and query string
    fresh: bool  # opened a new Streamlit session
    status: str = "ok"  # or the error's kind
    detail: str = ""  # the error, in a few words
    seconds: float | None = None  # to rendered, when ok
    first: float | None = None  # browser: to DOMContentLoaded; ws: to `new_session` (the server started the run)
    elements: int = 0  # ws: elements and blocks the run sent
    title: str = ""  # ws: the page's <h1> as received
    kb: float = 0.0  # ws: kilobytes received
    refs: int = 0  # ws: messages the server sent as a reference to this session's cache


def page_name(path: str) -> str:
    return path or "overview"


# ── the build and the server ─────────────────────────────────────────────────────────────────────────────────────


def ensure_build(out: Path, corpus: Path) -> Path:
    from newsscope import storage

    if storage.current(out) is not None:
        print(f"reusing the build at {out} ({storage.read_manifest(storage.current(out))['rows']['articles']} articles)")
        return out
    print(f"building {corpus} into {out} …", flush=True)
    subprocess.run([sys.executable, "-m", "newsscope.cli", "build", str(corpus), "--out", str(out)], cwd=ROOT, check=True)
    return out


def filter_choices(build: Path) -> tuple[list[str], list[str], tuple[str, str] | None]:
    """Real actor ids (the 40 most mentioned), outlets, and the build's date span, to make the filters from."""
    import pyarrow.parquet as pq

    from newsscope import storage

    folder = storage.current(build)
    actors = pq.read_table(folder / "actors.parquet", columns=["actor_id", "n_mentions"]).to_pandas()
    articles = pq.read_table(folder / "articles.parquet", columns=["outlet", "published"]).to_pandas()
    top = actors.sort_values("n_mentions", ascending=False)["actor_id"].head(40).tolist()
    outlets = articles["outlet"].dropna().value_counts().index.tolist()
    dates = articles["published"].dropna()
    span = (str(dates.min())[:10], str(dates.max())[:10]) if len(dates) else None
    return top, outlets, span


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app: Path, build: Path, port: int, log: Path, options: list[str] = (), workers: int = 1) -> subprocess.Popen:
    """`streamlit run app` on 127.0.0.1:port; `options` are extra config options as "name=value".

    `workers` > 1: `newsscope serve build --workers N` instead (N Streamlit processes behind nginx on `port`).
    """
    env = {**os.environ, "NEWSSCOPE_DATA": str(build), "NEWSSCOPE_READ_ONLY": "1"}
    env.setdefault("MALLOC_ARENA_MAX", "2")  # as `newsscope serve` runs its workers (newsscope.serve.worker_env)
    if workers > 1:
        if options or app.resolve() != (ROOT / "app.py").resolve():
            raise RuntimeError("--set and --app apply to a single `streamlit run` (--workers 1)")
        command = [sys.executable, "-m", "newsscope.cli", "serve", str(build), "--workers", str(workers), "--port", str(port),
                   "--address", "127.0.0.1", "--read-only"]
    else:
        command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    for option in options:
        name, _, value = option.partition("=")
        command += [f"--{name}", value]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90 + 30 * workers
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"the server did not become healthy in time; see {log}")


def worker_bases(proc: subprocess.Popen) -> list[str]:
    """The base URLs of the Streamlit workers under `proc` (`newsscope serve --workers N`), by their listening ports."""
    import psutil

    bases = []
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            if "streamlit" in " ".join(child.cmdline()):
                bases += [f"http://127.0.0.1:{c.laddr.port}" for c in child.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN]
        except psutil.Error:
            pass
    return sorted(set(bases))


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Meter:
    """The server's RSS (with its children's) every second, and the CPU seconds of the server's and the client's
    processes (the client: this process and its other children, i.e. Playwright's driver and Chromium)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self.processes = 0  # how many server processes the last sample found (workers, proxy, their children)
        self.cpu: dict[str, dict[int, float]] = {"server": {}, "client": {}}  # last value per pid: ended processes still count
        self.stop = asyncio.Event()

    async def sample(self) -> None:
        import psutil

        server = psutil.Process(self.server_pid)
        me = psutil.Process()
        started = time.monotonic()
        while not self.stop.is_set():
            total = 0
            try:
                served = [server, *server.children(recursive=True)]
            except psutil.Error:  # the server itself ended: the sessions will say so
                served = []
            for proc in served:
                try:
                    total += proc.memory_info().rss
                    self.cpu["server"][proc.pid] = sum(proc.cpu_times()[:2])
                except psutil.Error:  # a child that ended between listing and reading
                    pass
            for proc in [me, *me.children(recursive=True)]:
                if proc.pid in self.cpu["server"]:
                    continue
                try:
                    self.cpu["client"][proc.pid] = sum(proc.cpu_times()[:2])
                except psutil.Error:
                    pass
            self.samples.append((time.monotonic() - started, total / 2**20))
            self.processes = len(served)
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass

    def cpu_seconds(self) -> dict[str, float]:
        return {k: sum(v.values()) for k, v in self.cpu.items()}


# ── what the sessions ask for ────────────────────────────────────────────────────────────────────────────────────


def page_order(rng: random.Random) -> Iterator[str]:
    """Every page once per round, in a new random order each round."""
    while True:
        yield from rng.sample(PAGES, len(PAGES))


def pick_filters(rng: random.Random, actors: list[str], outlets: list[str], span: tuple[str, str] | None,
                 kinds: list[str] = FILTER_KINDS) -> tuple[str, dict[str, str]]:
    """(kind, query parameters) of a random filter set, of one of `kinds`."""
    kind = rng.choice(kinds)
    params: dict[str, str] = {}
    if "actor" in kind and actors:
        params["actor"] = rng.choice(actors)
    if "outlet" in kind and outlets:
        params["outlet"] = rng.choice(outlets[:20])
    if kind == "dates" and span:  # a random window of about two months inside the build's span
        first, last = (dt.date.fromisoformat(d) for d in span)
        start = first + dt.timedelta(days=rng.randrange(max(1, (last - first).days)))
        params["from"], params["to"] = start.isoformat(), min(last, start + dt.timedelta(days=60)).isoformat()
    if kind == "text":
        params["q"] = rng.choice(["president", "minister", "election", "said", "war", "police"])
    return kind, params


# ── the websocket client ─────────────────────────────────────────────────────────────────────────────────────────


class MessageCache:
    """The frontend's ForwardMsg cache: messages the server marks cacheable, kept until `max_age` script runs have
    passed since their last use. Their hashes go with every rerun request; the server then sends a `ref_hash`
    message in their place (see streamlit/runtime/scriptrunner_utils/script_run_context.py, `enqueue`)."""

    def __init__(self) -> None:
        self.messages: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run count at its last use)
        self.runs = 0
        self.max_age = 2  # the server's global.maxCachedMessageAge; `new_session` says which

    def hashes(self) -> list[str]:
        return list(self.messages)

    def take(self, msg: ForwardMsg) -> ForwardMsg | None:
        """The message itself, or the cached one a reference stands for (None when it is not cached)."""
        if msg.WhichOneof("type") == "ref_hash":
            hit = self.messages.get(msg.ref_hash)
            if hit is None:
                return None
            self.messages[msg.ref_hash] = (hit[0], self.runs)
            return hit[0]
        if msg.WhichOneof("type") == "new_session" and msg.new_session.config.max_cached_message_age:
            self.max_age = msg.new_session.config.max_cached_message_age
        if msg.metadata.cacheable:
            self.messages[msg.hash] = (msg, self.runs)
        return msg

    def run_finished(self) -> None:
        self.runs += 1
        self.messages = {h: (m, used) for h, (m, used) in self.messages.items() if self.runs - used <= self.max_age}


@dataclass
class Run:
    """What the server sends for one navigation, read message by message (`read`) until the run is over.

    When the app reruns itself (`st.rerun`) a new `new_session` starts another run; the last one is what renders.
    """

    page: str  # the url path asked for ("" for the default page)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # url path -> (page script hash, title), from `navigation`
    ran: str | None = None  # the page script hash the navigation chose
    run_id: str = ""
    elements: int = 0
    titles: list[str] = field(default_factory=list)  # <h1> texts of the last run
    errors: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)

    def read(self, msg: ForwardMsg) -> bool:
        """Take one message (a reference already resolved); True once the run is over."""
        kind = msg.WhichOneof("type")
        if not self.run_id and kind not in ("new_session", "script_finished"):
            return False  # the end of the session's previous run (its status, a compile error's details)
        if kind == "new_session":
            self.run_id = msg.metadata.run.script_run_id
            self.elements, self.titles = 0, []
        elif kind == "navigation":
            self.pages = {p.url_pathname: (p.page_script_hash, p.page_name) for p in msg.navigation.app_pages}
            self.ran = msg.navigation.page_script_hash
            if self.ran != self.pages.get(self.page, ("",))[0]:  # st.navigation falls back to the default page on an unknown hash
                self.errors.append(("wrong page", f"asked for {self.page!r}, ran {self.ran[:8]}"))
        elif kind == "page_not_found":
            self.errors.append(("page not found", f"asked for {msg.page_not_found.page_name or self.page!r}"))
        elif kind == "delta":
            delta = msg.delta
            which = delta.WhichOneof("type")
            self.elements += 1
            if which == "new_element":
                self._element(delta.new_element)
            elif which == "new_transient":
                for element in delta.new_transient.elements:
                    self._element(element)
        elif kind == "script_finished":
            return self._finished(msg)
        return False

    def _element(self, element) -> None:
        which = element.WhichOneof("type")
        if which == "exception":
            error = element.exception
            self.errors.append(("warning" if error.is_warning else "exception", f"{error.type}: {error.message[:80]}"))
        elif which == "heading" and element.heading.tag == "h1":
            self.titles.append(element.heading.body)

    def _finished(self, msg: ForwardMsg) -> bool:
        status = msg.script_finished
        if status in (ForwardMsg.FINISHED_EARLY_FOR_RERUN, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            return False  # the app reran itself, or a fragment finished: the page is not done
        if msg.metadata.run.script_run_id != self.run_id:
            # The server failed to handle the request (AppSession.handle_backmsg_exception): its finish names no run.
            self.errors.append(("server error", "script_finished without this run's identity"))
        elif status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            # (the exception itself follows the script_finished message, in a session_event)
            self.errors.append(("compile error", "script_finished with FINISHED_WITH_COMPILE_ERROR"))
        elif self.ran is None:
            self.errors.append(("no navigation", "the run never reached st.navigation"))
        else:
            title = self.pages.get(self.page, ("", ""))[1]
            if not any(t == title or t.startswith(f"{title} of ") for t in self.titles):  # "Timeline of Iran" is the Timeline
                self.errors.append(("no title", f"expected {title!r}, got {self.titles}"))
        return True


class StreamlitSession:
    """One Streamlit session over its websocket, held as the frontend holds it, without rendering."""

    def __init__(self, base: str, timeout: float) -> None:
        self.base = base
        self.url = "ws" + base.removeprefix("http") + "/_stcore/stream"
        self.timeout = timeout
        self.socket = None
        self.pages: dict[str, tuple[str, str]] = {}  # url path -> (page script hash, title), once a run has said
        self.cache = MessageCache()
        # Cookies as a browser keeps them: behind `newsscope serve --workers N` the route cookie the proxy sets on
        # the first request sends the websocket to the same worker.
        self.cookies = http.cookiejar.CookieJar()

    def fetch_shell(self, page: str) -> None:
        """What a browser fetches before it opens the socket: the page's HTML shell, health and host config (its
        scripts and styles come from its cache after the first visit)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies))
        for path in (f"/{page}", "/_stcore/health", "/_stcore/host-config"):  # loopback: never through a system proxy
            with opener.open(self.base + path, timeout=self.timeout) as response:
                response.read()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
            self.socket = None

    def rerun_request(self, page: str, query: str) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        if page in self.pages:  # a page change within the session: the sidebar's way, by hash
            state.page_script_hash = self.pages[page][0]
        else:  # the session's first run: the page comes from the URL's path, as when a link opens the app
            state.page_name = page
        state.cached_message_hashes.extend(self.cache.hashes())
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale, info.color_scheme = "UTC", 0, "en-US", "light"
        info.url = f"{self.base}/{page}" + (f"?{query}" if query else "")
        return msg.SerializeToString()

    async def navigate(self, page: str, query: str, visit: Visit) -> Run | None:
        """Run `page` with the filters in `query`; fills in `visit` (and returns the Run, None if it never began)."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake

        started = time.perf_counter()
        received = 0
        run = None
        try:
            async with asyncio.timeout(self.timeout):
                if self.socket is None:
                    try:
                        await asyncio.to_thread(self.fetch_shell, page)
                        # No proxy (loopback only); no client pings (a browser sends none); no cap on message size.
                        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
                        self.socket = await connect(self.url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], origin=self.base,
                                                    proxy=None, ping_interval=None, max_size=None, max_queue=None,
                                                    additional_headers={"Cookie": cookie} if cookie else None)
                    except (OSError, InvalidHandshake) as error:
                        visit.status, visit.detail = "connect failed", f"{type(error).__name__}: {error}"
                        return None
                await self.socket.send(self.rerun_request(page, query))
                run = Run(page)
                while True:
                    raw = await self.socket.recv()
                    received += len(raw)
                    msg = ForwardMsg.FromString(raw)
                    visit.refs += msg.WhichOneof("type") == "ref_hash"
                    msg = self.cache.take(msg)
                    if msg is None:
                        run.errors.append(("cache miss", "a ref_hash to a message this session does not hold"))
                        continue
                    if msg.WhichOneof("type") == "new_session" and visit.first is None:
                        visit.first = time.perf_counter() - started
                    if run.read(msg):
                        break
        except TimeoutError:
            visit.status, visit.detail = "timeout", f"no script_finished in {self.timeout:g} s"
        except ConnectionClosed as error:
            visit.status, visit.detail = "connection closed", str(error)
        seconds = time.perf_counter() - started
        visit.kb = received / 1024
        if run is None:
            return None
        self.cache.run_finished()
        self.pages = run.pages or self.pages
        visit.elements, visit.title = run.elements, " / ".join(run.titles)
        if visit.status == "ok" and run.errors:
            visit.status, visit.detail = run.errors[0]
        if visit.status == "ok":
            visit.seconds = seconds
        return run


class WsClient:
    """`--client ws`: sessions of Streamlit websocket clients."""

    def __init__(self, base: str, args: argparse.Namespace) -> None:
        self.base, self.args = base, args
        self.app_pages: dict[str, tuple[str, str]] = {}  # what the app lists: url path -> (hash, title)

    async def __aenter__(self) -> WsClient:
        return self

    async def __aexit__(self, *exc) -> None:
        pass

    async def warm_up(self) -> float:
        session = StreamlitSession(self.base, 120)
        visit = Visit("overview", "none", "/", True)
        run = await session.navigate("", "", visit)
        await session.close()
        if visit.status != "ok":
            raise RuntimeError(f"the warm-up load failed: {visit.status} ({visit.detail})")
        self.app_pages = run.pages
        missing, extra = set(PAGES) - set(run.pages), set(run.pages) - set(PAGES)
        if missing or extra:
            print(f"warning: the app lists {sorted(run.pages)}; this test visits {PAGES}", flush=True)
        return visit.seconds

    async def session(self, index: int, choices, deadline: float, visits: list[Visit]) -> None:
        args = self.args
        rng = random.Random(args.seed * 1000 + index)
        pages = page_order(rng)
        streamlit: StreamlitSession | None = None
        done = 0
        try:
            await asyncio.sleep(rng.uniform(0, 2.0))  # stagger the first loads a little
            while time.monotonic() < deadline and len(visits) < args.max_navigations:
                page = next(pages)
                kind, params = pick_filters(rng, *choices, args.filter_kinds)
                if streamlit is None or done % args.new_session_every == 0:
                    if streamlit is not None:
                        await streamlit.close()
                    streamlit = StreamlitSession(self.base, args.timeout)
                query = urlencode(params)
                visit = Visit(page_name(page), kind, f"/{page}" + (f"?{query}" if query else ""), fresh=not streamlit.pages)
                visits.append(visit)
                await streamlit.navigate(page, query, visit)
                done += 1
                if visit.status in BROKEN:
                    await streamlit.close()
                    streamlit = None
                await asyncio.sleep(args.think)
        finally:
            if streamlit is not None:
                await streamlit.close()


# ── the browser client ───────────────────────────────────────────────────────────────────────────────────────────

# True once the app is rendered and idle; `window.__nsQuietSince` keeps when the quiet stretch began.
RENDERED = """() => {
    const idle = document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        && document.querySelector('h1')
        && !document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-testid="stSpinner"]')
        && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'));
    if (!idle) { window.__nsQuiet = 0; return false; }
    if (!window.__nsQuiet) window.__nsQuietSince = performance.now();
    window.__nsQuiet = (window.__nsQuiet || 0) + 1;
    return window.__nsQuiet >= 3;
}"""


async def _blocking(tab) -> str:
    """What kept a page from counting as rendered (for the error tally)."""
    try:
        return await tab.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const why = [];
            if (!app) why.push('no app');
            else if (app.dataset.testScriptState !== 'notRunning') why.push('script ' + app.dataset.testScriptState);
            if (!document.querySelector('h1')) why.push('no h1');
            for (const id of ['stStatusWidget', 'stSkeleton', 'stSpinner'])
                if (document.querySelector(`[data-testid="${id}"]`)) why.push(id);
            if (![...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))) why.push('chart not drawn');
            return why.join(', ') || 'idle at the end';
        }""")
    except Exception as error:  # noqa: BLE001 (diagnostics only: the page may be gone)
        return type(error).__name__


async def browser_navigate(tab, url: str, timeout_s: float, visit: Visit) -> None:
    """Open `url` in `tab` and wait until rendered; fills in `visit`."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await tab.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        visit.status = "navigation timeout"
        return
    except PlaywrightError:
        visit.status = "navigation failed"
        return
    try:
        await tab.wait_for_function(RENDERED, polling=100, timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        visit.status, visit.detail = "render timeout", await _blocking(tab)
        return
    except PlaywrightError:
        visit.status = "navigation failed"
        return
    if await tab.locator('[data-testid="stException"]').count():
        visit.status = "stException"
        return
    rendered, shell = await tab.evaluate(
        "() => [window.__nsQuietSince, performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null]"
    )
    visit.seconds, visit.first = rendered / 1000, shell / 1000 if shell else None


class BrowserClient:
    """`--client browser`: Playwright contexts in one Chromium; every navigation a full page load."""

    def __init__(self, base: str, args: argparse.Namespace) -> None:
        self.base, self.args = base, args

    async def __aenter__(self) -> BrowserClient:
        from playwright.async_api import async_playwright

        self.playwright = await async_playwright().start()
        self.browser = await self.playwright.chromium.launch(executable_path=self.args.chromium, args=ARGS)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.browser.close()
        await self.playwright.stop()

    async def warm_up(self) -> float:
        warm = await self.browser.new_context()
        tab = await warm.new_page()
        visit = Visit("overview", "none", "/", True)
        await browser_navigate(tab, f"{self.base}/", 120, visit)
        await warm.close()
        if visit.status != "ok":
            raise RuntimeError(f"the warm-up load failed: {visit.status} ({visit.detail})")
        return visit.seconds

    async def session(self, index: int, choices, deadline: float, visits: list[Visit]) -> None:
        args = self.args
        rng = random.Random(args.seed * 1000 + index)
        pages = page_order(rng)
        context = await self.browser.new_context(viewport={"width": 1280, "height": 900})
        tab = await context.new_page()
        try:
            await asyncio.sleep(rng.uniform(0, 2.0))  # stagger the first loads a little
            while time.monotonic() < deadline and len(visits) < args.max_navigations:
                page = next(pages)
                kind, params = pick_filters(rng, *choices, args.filter_kinds)
                path = f"/{page}" + (f"?{urlencode(params)}" if params else "")
                visit = Visit(page_name(page), kind, path, fresh=True)
                visits.append(visit)
                await browser_navigate(tab, self.base + path, args.timeout, visit)
                await asyncio.sleep(args.think)
        finally:
            await context.close()


# ── the run ──────────────────────────────────────────────────────────────────────────────────────────────────────


async def run(args: argparse.Namespace) -> dict:
    build = ensure_build(args.build, args.corpus)
    choices = filter_choices(build)
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    load_before = [round(x, 2) for x in os.getloadavg()]
    proc = start_server(args.app, build, port, args.out / "load-streamlit.log", args.set, args.workers)
    base = f"http://127.0.0.1:{port}"
    meter = Meter(proc.pid)
    sampler = asyncio.create_task(meter.sample())
    visits: list[Visit] = []
    app_pages: dict[str, tuple[str, str]] = {}
    try:
        async with (WsClient if args.client == "ws" else BrowserClient)(base, args) as client:
            cold = await client.warm_up()
            if args.workers > 1 and args.client == "ws":  # every worker loads the tables once: warm each on its own port
                for worker in worker_bases(proc):
                    await WsClient(worker, args).warm_up()
            app_pages = getattr(client, "app_pages", {})
            print(f"server up on {base}; first (cold) load rendered in {cold:.2f} s; {args.sessions} {args.client} sessions "
                  f"for {args.seconds:.0f} s …", flush=True)
            started = time.monotonic()
            marker = len(meter.samples)  # memory growth is judged from here (the tables are loaded by now)
            cpu_before = meter.cpu_seconds()
            deadline = started + args.seconds
            await asyncio.gather(*(client.session(i, choices, deadline, visits) for i in range(args.sessions)))
            wall = time.monotonic() - started
            await asyncio.sleep(1.1)  # one more sample before the client closes
            cpu_used = {k: round(v - cpu_before[k], 1) for k, v in meter.cpu_seconds().items()}
    finally:
        meter.stop.set()
        await sampler
        stop_server(proc)
    peak = max(mb for _, mb in meter.samples) if meter.samples else None
    result = summarise(args, visits, meter.samples[marker:], cold, wall, peak, cpu_used, app_pages)
    result["load_average_before"], result["server_processes"] = load_before, meter.processes
    return result


def figures(times: list[float]) -> dict:
    """n, p50, p95 and max of some times (None when there are none)."""
    if not times:
        return {"n": 0, "p50_s": None, "p95_s": None, "max_s": None}
    return {"n": len(times), "p50_s": round(median(times), 3), "p95_s": round(p95(times), 3), "max_s": round(max(times), 3)}


def summarise(args, visits: list[Visit], samples: list[tuple[float, float]], cold: float, wall: float, peak: float | None,
              cpu_used: dict, app_pages: dict) -> dict:
    ok = [v for v in visits if v.status == "ok"]
    times = [v.seconds for v in ok]
    errors = [v for v in visits if v.status != "ok"]
    mem = [mb for _, mb in samples]
    quarter = max(1, len(mem) // 4)
    first, last = median(mem[:quarter]) if mem else 0.0, median(mem[-quarter:]) if mem else 0.0
    per_page = {}
    for path in PAGES:
        name = page_name(path)
        rendered = [v for v in ok if v.page == name]
        per_page[name] = {
            "navigations": sum(v.page == name for v in visits), **figures([v.seconds for v in rendered]),
            "errors": sum(v.page == name for v in errors),
            # Evidence the page really ran (ws): its title as received, and how much it sent.
            "title": Counter(v.title for v in rendered).most_common(1)[0][0] if rendered and args.client == "ws" else None,
            "elements_median": median([v.elements for v in rendered]) if rendered and args.client == "ws" else None,
            "kb_median": round(median([v.kb for v in rendered]), 1) if rendered and args.client == "ws" else None,
        }
    firsts = [v.first for v in ok if v.first is not None]
    return {
        "client": args.client, "workers": args.workers, "filter_kinds": args.filter_kinds, "streamlit_options": args.set, "sessions": args.sessions, "seconds": args.seconds, "think_s": args.think, "wall_s": round(wall, 1),
        "new_session_every": args.new_session_every if args.client == "ws" else 1,
        "navigations": len(visits), "rendered": len(ok), "new_sessions": sum(v.fresh for v in visits),
        "cached_refs": sum(v.refs for v in visits),
        "errors": len(errors), "error_kinds": dict(Counter(v.status for v in errors)),
        "error_examples": [f"{v.status} ({v.detail}): {v.url}" if v.detail else f"{v.status}: {v.url}" for v in errors[:5]],
        "pages": {name: p["navigations"] for name, p in per_page.items()},
        "cold_first_load_s": round(cold, 3),
        **figures(times),
        "first_p50_s": round(median(firsts), 3) if firsts else None,
        "per_page": per_page,
        "per_filter": {kind: figures([v.seconds for v in ok if v.kind == kind]) for kind in FILTER_KINDS},
        "new_session": figures([v.seconds for v in ok if v.fresh]), "same_session": figures([v.seconds for v in ok if not v.fresh]),
        "slowest": [f"{v.seconds:.2f} s {'new' if v.fresh else 'same'} session {v.url}" for v in sorted(ok, key=lambda v: -v.seconds)[:8]],
        "app_pages": {page_name(path): title for path, (_, title) in app_pages.items()},
        "rss_peak_mb": round(peak, 1) if peak else None, "rss_first_quarter_mb": round(first, 1), "rss_last_quarter_mb": round(last, 1),
        "rss_samples": len(mem), "rss_every_5s_mb": [round(mb) for mb in mem[::5]], "cpu_s_server": cpu_used["server"], "cpu_s_client": cpu_used["client"],
        "cpu_s_per_navigation": round(cpu_used["server"] / len(ok), 4) if ok else None,
        "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }


def report(r: dict) -> None:
    def line(name: str, value: str, target: str, met: bool | None) -> None:
        verdict = {True: "MET", False: "MISSED", None: "-"}[met]
        print(f"  {name:<34} {value:>14}   target {target:<26} {verdict}")

    def seconds(f: dict) -> str:
        return f"{f['p50_s']:.2f} / {f['p95_s']:.2f} / {f['max_s']:.2f} s" if f["n"] else "-"

    options = f" (server options {r['streamlit_options']})" if r["streamlit_options"] else ""
    served = f"{r['workers']} workers behind nginx" if r["workers"] > 1 else "1 streamlit process"
    print(f"\nLoad test ({r['client']} client{options}, {served}): {r['sessions']} sessions, {r['seconds']:.0f} s (+{r['wall_s'] - r['seconds']:.1f} s to finish "
          f"the last navigations), think {r['think_s']} s; load average {r.get('load_average_before')} before, {r['load_average']} after, on {r['cpus']} CPUs")
    line("sessions", str(r["sessions"]), "", None)
    line("navigations (rendered)", f"{r['navigations']} ({r['rendered']})", "", None)
    line("of them on a new session", str(r["new_sessions"]), "", None)
    if r["client"] == "ws":
        line("messages sent as cache references", str(r["cached_refs"]), "", None)
    line("errors", str(r["errors"]), "0", r["errors"] == 0)
    if r["errors"]:
        print(f"    {r['error_kinds']}; e.g. {r['error_examples'][:3]}")
    if r["p50_s"] is not None:
        line("time-to-rendered p50", f"{r['p50_s']:.2f} s", "", None)
        line("time-to-rendered p95", f"{r['p95_s']:.2f} s", f"<= {P95_S:.0f} s", r["p95_s"] <= P95_S)
        line("time-to-rendered max", f"{r['max_s']:.2f} s", "", None)
    if r["first_p50_s"] is not None:
        what = "run started (new_session) p50" if r["client"] == "ws" else "page shell (DOMContentLoaded) p50"
        line(what, f"{r['first_p50_s']:.2f} s", "", None)
    line("first (cold) load", f"{r['cold_first_load_s']:.2f} s", "", None)
    if r["rss_peak_mb"] is not None:
        line(f"server RSS peak ({r.get('server_processes')} processes)", f"{r['rss_peak_mb']:.0f} MB", f"<= {RSS_MB} MB", r["rss_peak_mb"] <= RSS_MB)
        line("RSS last / first quarter (median)", f"{r['rss_last_quarter_mb']:.0f}/{r['rss_first_quarter_mb']:.0f} MB", "(growth, for reading)", None)
    if r["cpu_s_per_navigation"] is not None:
        line("server CPU per navigation", f"{r['cpu_s_per_navigation']:.3f} s", f"<= {CPU_PER_NAV_S} s", r["cpu_s_per_navigation"] <= CPU_PER_NAV_S)
    print(f"  CPU seconds during the run: server {r['cpu_s_server']}, client {r['cpu_s_client']} "
          f"(of {r['wall_s'] * r['cpus']:.0f} core-seconds on the machine)")
    print("  per page: navigations (errors), time-to-rendered p50 / p95 / max" + (", title received, elements, KB (medians)" if r["client"] == "ws" else ""))
    for name, p in r["per_page"].items():
        evidence = f"   {p['title']!r:<12} {p['elements_median']:>5.0f} el {p['kb_median']:>7.0f} KB" if p["title"] is not None else ""
        print(f"    {name:<10} {p['navigations']:>4} ({p['errors']})   {seconds(p):>24}{evidence}")
    print("  per filter set: " + "; ".join(f"{kind} {f['p95_s']:.2f} s p95 (n={f['n']})" for kind, f in r["per_filter"].items() if f["n"]))
    if r["client"] == "ws":
        print(f"  new session {seconds(r['new_session'])} (n={r['new_session']['n']}); same session {seconds(r['same_session'])} (n={r['same_session']['n']})")
    print(f"  slowest: {r['slowest'][:3]}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", choices=["ws", "browser"], default="ws",
                        help="ws: Streamlit websocket clients that do not render (default); browser: Playwright/Chromium contexts")
    parser.add_argument("--workers", type=int, default=1, help="1: one `streamlit run` (default); N > 1: `newsscope serve --workers N`, "
                        "N Streamlit processes behind nginx (memory and CPU summed over all of them)")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the sessions keep navigating (default 60)")
    parser.add_argument("--think", type=float, default=1.0, help="pause after each rendered page, seconds (default 1)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a navigation may take before it counts as an error (default 30)")
    parser.add_argument("--new-session-every", type=int, default=4,
                        help="ws: open a new Streamlit session every this many navigations of a session (default 4; browser: every one)")
    parser.add_argument("--max-navigations", type=int, default=5000, help="stop after this many navigations in all (default 5000)")
    parser.add_argument("--build", type=Path, default=Path("/tmp/pn"), help="the build to serve; made from --corpus when it holds none")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"corpus for a missing build (default {CORPUS})")
    parser.add_argument("--app", type=Path, default=ROOT / "app.py", help="the Streamlit script to serve (default app.py; another one to "
                        "check that errors are caught, e.g. a deliberately broken copy)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable; default none)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where load.json and the server's log go (default {OUT})")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"browser: Chromium executable (default {CHROMIUM})")
    parser.add_argument("--filter-kinds", default=",".join(FILTER_KINDS),
                        help=f"the filter sets sessions draw from, comma-separated (default all: {','.join(FILTER_KINDS)}); "
                        "`none` alone is a shared link opened by everyone: every page's view is the same for all sessions")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.filter_kinds = [k.strip() for k in args.filter_kinds.split(",") if k.strip()]
    if not args.filter_kinds or set(args.filter_kinds) - set(FILTER_KINDS):
        parser.error(f"--filter-kinds takes some of {','.join(FILTER_KINDS)}")
    if args.client == "browser" and not Path(args.chromium).exists():
        parser.error(f"no Chromium at {args.chromium}; pass --chromium")
    if args.sessions < 1 or args.seconds <= 0 or args.new_session_every < 1:
        parser.error("--sessions and --new-session-every must be >= 1 and --seconds > 0")
    return args


def measure(args: argparse.Namespace) -> dict:
    """Start the server, run the sessions, stop it; the figures as a dict (what load.json holds)."""
    return asyncio.run(run(args))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = measure(args)
    except RuntimeError as error:  # the server did not start, or the app failed its first load
        print(f"error: {error}", file=sys.stderr)
        return 2
    report(result)
    (args.out / "load.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"\n(figures saved to {args.out / 'load.json'})")
    return 0 if result["errors"] == 0 and result["p95_s"] is not None and result["p95_s"] <= P95_S else 1


if __name__ == "__main__":
    sys.exit(main())
