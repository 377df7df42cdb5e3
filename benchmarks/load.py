"""The dashboard under concurrent use: N browser sessions against one `streamlit run`, on the 840-article build.

    python -m benchmarks.load                          # 20 sessions, 60 s, build in /tmp/pn (made when missing)
    python -m benchmarks.load --sessions 5 --seconds 20

Targets: zero errors, p95 time-to-rendered <= 3 s, server memory bounded (peak RSS of the server and its children
<= 1.5 GB; the median RSS of the run's first and last quarter is printed beside it to show any growth, which the
sessions' ramp-up makes a poor pass/fail figure over one minute).

How:
- The build is reused when `--build` (default /tmp/pn) holds one (`storage.current`); otherwise
  `newsscope build <corpus> --out <build>` makes it from /work/shared/corpus/polnear_train.jsonl (840 records).
- `streamlit run app.py` listens on a free port on 127.0.0.1 only, read-only, with NEWSSCOPE_DATA at the build.
  One warm-up navigation loads the tables (reported apart, as the cold first load).
- One Chromium, one Playwright context per session (async API). Each session loops until the time is up: pick a
  page and a filter set (none; a real actor id; a real outlet; both; a date range; a search word: the ids and
  outlets are read from the build), open the URL (a full page load: a new Streamlit session, as a shared link
  does), wait until rendered, think for `--think` seconds.
- Time-to-rendered is measured in the page: from the navigation's start (`performance.now()` origin) to the first
  of three consecutive 100 ms checks finding the app rendered: an <h1>, `stApp` in script state `notRunning`, no
  status widget, skeleton or spinner, and every Plotly chart drawn.
- Errors: a `stException` element on the rendered page, a failed navigation, or a render not reached within
  `--timeout` seconds. A navigation started before the deadline is allowed to finish.
- Memory: the server process's RSS plus all its children's, sampled every second with psutil.

Prints the figures next to their targets; writes them as JSON to benchmarks/out/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a file: make `benchmarks` and `newsscope` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import CORPUS, OUT, ROOT, median, p95  # noqa: E402

P95_S = 3.0
RSS_MB = 1536
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage",
        # 20 tabs in one headless browser: keep the ones not in front from being throttled (timers, rendering).
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]
PAGES = ["", "timeline", "actors", "quotes", "coverage", "articles"]  # read-only: no Add articles

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


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)  # seconds to rendered, successful navigations
    shell: list[float] = field(default_factory=list)  # seconds to DOMContentLoaded (the page shell, before the app runs)
    errors: Counter = field(default_factory=Counter)
    error_urls: list[str] = field(default_factory=list)
    navigations: int = 0
    pages: Counter = field(default_factory=Counter)


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
    """Real actor ids (the 40 most mentioned), outlets, and the build's date span, to make the URLs from."""
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


def start_server(build: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "NEWSSCOPE_DATA": str(build), "NEWSSCOPE_READ_ONLY": "1"}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"streamlit did not become healthy in 90 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def sample_rss(pid: int, samples: list[tuple[float, float]], cpu: dict[str, dict[int, float]], stop: asyncio.Event) -> None:
    """(seconds since start, MB) for the server and all its children, every second until `stop`.

    Also keeps the CPU seconds of every process of the server's tree and of the browser's (this process's other
    children: Playwright's driver and Chromium), last value per pid, so processes that ended still count.
    """
    import psutil

    server = psutil.Process(pid)
    me = psutil.Process()
    started = time.monotonic()
    while not stop.is_set():
        total = 0
        served = [server, *server.children(recursive=True)]
        for proc in served:
            try:
                total += proc.memory_info().rss
                times = proc.cpu_times()
                cpu["server"][proc.pid] = times.user + times.system
            except psutil.Error:  # a child that ended between listing and reading
                pass
        for proc in me.children(recursive=True):
            if proc.pid in cpu["server"]:
                continue
            try:
                times = proc.cpu_times()
                cpu["browser"][proc.pid] = times.user + times.system
            except psutil.Error:
                pass
        samples.append((time.monotonic() - started, total / 2**20))
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except asyncio.TimeoutError:
            pass


# ── the sessions ─────────────────────────────────────────────────────────────────────────────────────────────────


def pick_url(rng: random.Random, base: str, actors: list[str], outlets: list[str], span: tuple[str, str] | None) -> tuple[str, str]:
    page = rng.choice(PAGES)
    kind = rng.choice(["none", "actor", "outlet", "actor+outlet", "dates", "text"])
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
    return f"{base}/{page}" + (f"?{urlencode(params)}" if params else ""), page or "overview"


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


async def navigate(tab, url: str, timeout_s: float) -> tuple[str, float | None, float | None]:
    """("ok" | error kind, seconds to rendered, seconds to DOMContentLoaded)."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await tab.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        return "navigation timeout", None, None
    except PlaywrightError:
        return "navigation failed", None, None
    try:
        await tab.wait_for_function(RENDERED, polling=100, timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        return f"render timeout ({await _blocking(tab)})", None, None
    except PlaywrightError:
        return "navigation failed", None, None
    if await tab.locator('[data-testid="stException"]').count():
        return "stException", None, None
    rendered, shell = await tab.evaluate(
        "() => [window.__nsQuietSince, performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null]"
    )
    return "ok", rendered / 1000, shell / 1000 if shell else None


async def session(browser, index: int, base: str, choices, deadline: float, args, tally: Tally) -> None:
    rng = random.Random(args.seed * 1000 + index)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    tab = await context.new_page()
    try:
        await asyncio.sleep(rng.uniform(0, 2.0))  # stagger the first loads a little
        while time.monotonic() < deadline and tally.navigations < args.max_navigations:
            url, page = pick_url(rng, base, *choices)
            tally.navigations += 1
            tally.pages[page] += 1
            status, seconds, shell = await navigate(tab, url, args.timeout)
            if status == "ok":
                tally.times.append(seconds)
                if shell is not None:
                    tally.shell.append(shell)
            else:
                tally.errors[status] += 1
                tally.error_urls.append(f"{status}: {url}")
            await asyncio.sleep(args.think)
    finally:
        await context.close()


async def run(args) -> dict:
    from playwright.async_api import async_playwright

    build = ensure_build(args.build, args.corpus)
    choices = filter_choices(build)
    port = free_port()
    log = OUT / "load-streamlit.log"
    OUT.mkdir(parents=True, exist_ok=True)
    proc = start_server(build, port, log)
    base = f"http://127.0.0.1:{port}"
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()
    cpu: dict[str, dict[int, float]] = {"server": {}, "browser": {}}
    sampler = asyncio.create_task(sample_rss(proc.pid, samples, cpu, stop))
    tally = Tally()
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=args.chromium, args=ARGS)
            try:
                warm = await browser.new_context()
                tab = await warm.new_page()
                status, cold, _ = await navigate(tab, f"{base}/", 120)
                await warm.close()
                if status != "ok":
                    raise RuntimeError(f"the warm-up load failed: {status}")
                print(f"server up on {base}; first (cold) load rendered in {cold:.2f} s; {args.sessions} sessions for {args.seconds:.0f} s …", flush=True)
                started = time.monotonic()
                marker = len(samples)  # memory growth is judged from here (the tables are loaded by now)
                cpu_before = {k: sum(v.values()) for k, v in cpu.items()}
                deadline = started + args.seconds
                await asyncio.gather(*(session(browser, i, base, choices, deadline, args, tally) for i in range(args.sessions)))
                wall = time.monotonic() - started
                await asyncio.sleep(1.1)  # one more sample before the browser closes
                cpu_used = {k: round(sum(v.values()) - cpu_before[k], 1) for k, v in cpu.items()}
            finally:
                await browser.close()
    finally:
        stop.set()
        await sampler
        stop_server(proc)
    return summarise(args, tally, samples[marker:], cold, wall, max(mb for _, mb in samples) if samples else None, cpu_used)


def summarise(args, tally: Tally, samples: list[tuple[float, float]], cold: float, wall: float, peak: float | None, cpu_used: dict) -> dict:
    times = tally.times
    mem = [mb for _, mb in samples]
    quarter = max(1, len(mem) // 4)
    first, last = median(mem[:quarter]) if mem else 0.0, median(mem[-quarter:]) if mem else 0.0
    return {
        "sessions": args.sessions, "seconds": args.seconds, "think_s": args.think, "wall_s": round(wall, 1),
        "navigations": tally.navigations, "rendered": len(times), "errors": sum(tally.errors.values()), "error_kinds": dict(tally.errors),
        "error_examples": tally.error_urls[:5], "pages": dict(tally.pages),
        "cold_first_load_s": round(cold, 3),
        "p50_s": round(median(times), 3) if times else None, "p95_s": round(p95(times), 3) if times else None,
        "max_s": round(max(times), 3) if times else None,
        "shell_p50_s": round(median(tally.shell), 3) if tally.shell else None,
        "rss_peak_mb": round(peak, 1) if peak else None, "rss_first_quarter_mb": round(first, 1), "rss_last_quarter_mb": round(last, 1),
        "rss_samples": len(mem), "cpu_s_server": cpu_used["server"], "cpu_s_browser": cpu_used["browser"], "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }


def report(r: dict) -> None:
    def line(name: str, value: str, target: str, met: bool | None) -> None:
        verdict = {True: "MET", False: "MISSED", None: "-"}[met]
        print(f"  {name:<34} {value:>14}   target {target:<26} {verdict}")

    print(f"\nLoad test: {r['sessions']} sessions, {r['seconds']:.0f} s (+{r['wall_s'] - r['seconds']:.1f} s to finish the last navigations), "
          f"think {r['think_s']} s; load average {r['load_average']} on {r['cpus']} CPUs")
    line("sessions", str(r["sessions"]), "", None)
    line("navigations (rendered)", f"{r['navigations']} ({r['rendered']})", "", None)
    line("errors", str(r["errors"]), "0", r["errors"] == 0)
    if r["errors"]:
        print(f"    {r['error_kinds']}; e.g. {r['error_examples'][:3]}")
    if r["p50_s"] is not None:
        line("time-to-rendered p50", f"{r['p50_s']:.2f} s", "", None)
        line("time-to-rendered p95", f"{r['p95_s']:.2f} s", f"<= {P95_S:.0f} s", r["p95_s"] <= P95_S)
        line("time-to-rendered max", f"{r['max_s']:.2f} s", "", None)
    if r["shell_p50_s"] is not None:
        line("page shell (DOMContentLoaded) p50", f"{r['shell_p50_s']:.2f} s", "", None)
    line("first (cold) load", f"{r['cold_first_load_s']:.2f} s", "", None)
    if r["rss_peak_mb"] is not None:
        line("server RSS peak (incl. children)", f"{r['rss_peak_mb']:.0f} MB", f"<= {RSS_MB} MB", r["rss_peak_mb"] <= RSS_MB)
        line("RSS last / first quarter (median)", f"{r['rss_last_quarter_mb']:.0f}/{r['rss_first_quarter_mb']:.0f} MB", "(growth, for reading)", None)
    print(f"  CPU seconds during the run: server {r['cpu_s_server']}, browser {r['cpu_s_browser']} "
          f"(of {r['wall_s'] * r['cpus']:.0f} core-seconds on the machine)")
    print(f"  pages opened: {r['pages']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions (default 20)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the sessions keep navigating (default 60)")
    parser.add_argument("--think", type=float, default=1.0, help="pause after each rendered page, seconds (default 1)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a navigation may take before it counts as an error (default 30)")
    parser.add_argument("--max-navigations", type=int, default=5000, help="stop after this many navigations in all (default 5000)")
    parser.add_argument("--build", type=Path, default=Path("/tmp/pn"), help="the build to serve; made from --corpus when it holds none")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"corpus for a missing build (default {CORPUS})")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"Chromium executable (default {CHROMIUM})")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        parser.error(f"no Chromium at {args.chromium}; pass --chromium")
    if args.sessions < 1 or args.seconds <= 0:
        parser.error("--sessions must be >= 1 and --seconds > 0")
    result = asyncio.run(run(args))
    report(result)
    (OUT / "load.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"\n(figures saved to {OUT / 'load.json'})")
    return 0 if result["errors"] == 0 and result["p95_s"] is not None and result["p95_s"] <= P95_S else 1


if __name__ == "__main__":
    sys.exit(main())
