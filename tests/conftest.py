"""Fixtures shared by the whole suite."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from newsscope import storage, tables

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "data" / "sample" / "raw"


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Restore `__main__` after each test: AppTest runs app.py as `__main__`, and a process started later with the
    "spawn" method (Dask workers, multiprocessing) would re-run app.py instead of pytest's main and fail."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def nlp():
    """The configured spaCy pipeline, loaded once for the session."""
    from newsscope.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seeds_gold() -> dict:
    import json

    return json.loads((ROOT / "tests" / "data" / "seeds_gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 5-article sample corpus, built for real (spaCy included) once per session."""
    from newsscope.build import build

    out = tmp_path_factory.mktemp("sample") / "processed"
    build([SAMPLE], out)
    return out


@pytest.fixture(scope="session")
def empty_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_build(tmp_path_factory.mktemp("empty") / "processed", empty=True)


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made hostile build below: payloads in text, titles, outlets, speakers and aliases."""
    return write_fixture_build(tmp_path_factory.mktemp("hostile") / "processed")


def shared_file(*parts: str) -> Path:
    """A file of ../shared (dev data); tests that need it skip with a reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (the shared dev data sits beside the repository)")
    return path


# ── a small, hand-made and deliberately hostile build (no spaCy needed) ──────────────────────────────────────────

D = dt.date
AUSTIN, KIM, RUSSIA, PUTIN, HOSTILE = "a_austin", "a_kim", "a_russia", "a_putin", "a_hostile"
EVIL = "<script>alert('x')</script> O'Brien \"News\"; DROP TABLE articles; --"

BODIES = {
    "art1": "Lloyd Austin said North Korea is \"more confident\" because of Putin. Kim Jong-un met Putin last September.",
    "art2": "Austin warned on Tuesday that Russia \"will keep arming Pyongyang\". Putin denied it in May 2024.",
    "art3": "Lloyd Austin said North Korea is \"more confident\" because of Putin. Analysts were unsure.",
    "art4": f"{EVIL} said \"</mark><b>bold</b>\" about Austin, now.",
    "art5": "An undated note: Russia and Kim Jong-un met at some point, officials said.",
}


def _span(article: str, text: str, nth: int = 0) -> tuple[int, int]:
    body = BODIES[article]
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    return start, start + len(text)


def _articles() -> pd.DataFrame:
    rows = [
        ("art1", "RT", "Austin: Pyongyang 'more confident'", D(2024, 4, 30), "text:header", "s1"),
        ("art2", "MENAFN", "Austin warns on Russia", D(2024, 5, 2), "record", None),
        ("art3", "Reuters", "Pentagon chief on North Korea", D(2024, 5, 1), "duplicate:art1", "s1"),
        ("art4", EVIL, EVIL, D(2024, 6, 15), "sidecar", None),
        ("art5", None, None, None, None, None),
    ]
    return pd.DataFrame(
        [
            {
                "article_id": a, "source_id": f"src_{a}", "source_path": f"raw/{a}.txt", "outlet": o, "title": t,
                "url": f"https://example.org/{a}" if a != "art5" else None, "published": p, "published_source": ps,
                "body": BODIES[a], "n_words": len(BODIES[a].split()), "story_id": s, "language": "en", "fetched": None,
            }
            for a, o, t, p, ps, s in rows
        ]
    )


def _mentions() -> pd.DataFrame:
    spec = [
        ("art1", "Lloyd Austin", 0, AUSTIN, "PERSON"), ("art1", "North Korea", 0, KIM, "GPE"),
        ("art1", "Putin", 0, PUTIN, "PERSON"), ("art1", "Kim Jong-un", 0, KIM, "PERSON"), ("art1", "Putin", 1, PUTIN, "PERSON"),
        ("art2", "Austin", 0, AUSTIN, "PERSON"), ("art2", "Russia", 0, RUSSIA, "GPE"), ("art2", "Pyongyang", 0, KIM, "GPE"),
        ("art2", "Putin", 0, PUTIN, "PERSON"),
        ("art3", "Lloyd Austin", 0, AUSTIN, "PERSON"), ("art3", "Putin", 0, PUTIN, "PERSON"),
        ("art4", EVIL, 0, HOSTILE, "ORG"), ("art4", "Austin", 0, AUSTIN, "PERSON"),
        ("art5", "Russia", 0, RUSSIA, "GPE"), ("art5", "Kim Jong-un", 0, KIM, "PERSON"),
    ]
    rows = []
    for article, text, nth, actor, label in spec:
        start, end = _span(article, text, nth)
        rows.append({"article_id": article, "start": start, "end": end, "text": text, "label": label, "actor_id": actor})
    return pd.DataFrame(rows)


def _actors() -> pd.DataFrame:
    rows = [
        (AUSTIN, "Lloyd Austin", "person", ["Austin", "Lloyd Austin"]), (KIM, "Kim Jong-un", "person", ["Kim Jong-un", "Pyongyang"]),
        (RUSSIA, "Russia", "country", ["Russia"]), (PUTIN, "Vladimir Putin", "person", ["Putin"]), (HOSTILE, EVIL, "organization", [EVIL]),
    ]
    m = _mentions()
    return pd.DataFrame(
        [
            {
                "actor_id": a, "name": n, "kind": k, "aliases": al,
                "n_mentions": int((m["actor_id"] == a).sum()), "n_articles": int(m.loc[m["actor_id"] == a, "article_id"].nunique()),
                "first_seen": D(2024, 4, 30), "last_seen": D(2024, 6, 15),
            }
            for a, n, k, al in rows
        ]
    )


def _quotes() -> pd.DataFrame:
    spec = [
        ("q1", "art1", "more confident", AUSTIN, "Lloyd Austin", "said", "claim", "direct"),
        ("q2", "art2", "will keep arming Pyongyang", AUSTIN, "Austin", "warned", "warning", "direct"),
        ("q3", "art3", "more confident", AUSTIN, "Lloyd Austin", "said", "claim", "direct"),
        ("q4", "art4", "</mark><b>bold</b>", HOSTILE, EVIL, "said", "denial", "direct"),
        ("q5", "art2", "Putin denied it", PUTIN, "Putin", "denied", "denial", "indirect"),
    ]
    rows = []
    for qid, article, text, speaker_id, speaker, cue, stance, kind in spec:
        start, end = _span(article, text)
        s_start, s_end = _span(article, speaker)
        rows.append(
            {
                "quote_id": qid, "article_id": article, "start": start, "end": end, "quote": text, "kind": kind,
                "speaker": speaker, "speaker_start": s_start, "speaker_end": s_end, "speaker_actor_id": speaker_id,
                "cue": cue, "stance": stance,
            }
        )
    return pd.DataFrame(rows)


def _timexes() -> pd.DataFrame:
    spec = [
        ("art1", "last September", "2023-09", "month", True, "relative:last-month"),
        ("art2", "Tuesday", "2024-04-30", "day", True, "weekday:past"),
        ("art2", "May 2024", "2024-05", "month", False, "absolute:month-year"),
        ("art4", "now", "PRESENT_REF", "reference", True, "reference"),
        ("art5", "some point", None, None, False, "unresolved"),
    ]
    rows = []
    for article, text, value, gran, anchored, method in spec:
        start, end = _span(article, text)
        rows.append({"article_id": article, "start": start, "end": end, "text": text, "value": value, "granularity": gran, "anchored": anchored, "method": method})
    return pd.DataFrame(rows)


def _events() -> pd.DataFrame:
    spec = [
        ("e1", "art1", "Kim Jong-un met Putin last September.", "2023-09", D(2023, 9, 1), D(2023, 9, 30), "month", [KIM, PUTIN], "k_meet", "reported"),
        ("e2", "art2", "Austin warned on Tuesday that Russia \"will keep arming Pyongyang\".", "2024-04-30", D(2024, 4, 30), D(2024, 4, 30), "day", [AUSTIN, RUSSIA], "k_warn", "reported"),
        ("e3", "art2", "Putin denied it in May 2024.", "2024-05", D(2024, 5, 1), D(2024, 5, 31), "month", [PUTIN], "k_deny", "reported"),
        ("e4", "art3", "Lloyd Austin said North Korea is \"more confident\" because of Putin.", "2023-09", D(2023, 9, 1), D(2023, 9, 30), "month", [KIM, PUTIN], "k_meet", "reported"),
        ("p1", "art1", "Austin: Pyongyang 'more confident'", "2024-04-30", D(2024, 4, 30), D(2024, 4, 30), "day", [AUSTIN], None, "publication"),
        ("p4", "art4", EVIL, "2024-06-15", D(2024, 6, 15), D(2024, 6, 15), "day", [HOSTILE], None, "publication"),
    ]
    rows = []
    for eid, article, sentence, value, start_d, end_d, gran, actor_ids, key, kind in spec:
        body = BODIES[article]
        start = body.find(sentence)
        rows.append(
            {
                "event_id": eid, "article_id": article, "sentence": sentence, "start": max(start, 0), "end": max(start, 0) + len(sentence),
                "date_value": value, "date_start": start_d, "date_end": end_d, "granularity": gran, "actor_ids": actor_ids,
                "event_key": key, "kind": kind,
            }
        )
    return pd.DataFrame(rows)


def _happenings() -> pd.DataFrame:
    spec = [
        ("k_meet", "2023-09", D(2023, 9, 1), D(2023, 9, 30), "month", "Kim Jong-un met Putin", "meet", [KIM, PUTIN], 2, 2, 2, 6.0),
        ("k_warn", "2024-04-30", D(2024, 4, 30), D(2024, 4, 30), "day", EVIL, "warn", [AUSTIN, RUSSIA], 1, 1, 1, 3.0),
        ("k_deny", "2024-05", D(2024, 5, 1), D(2024, 5, 31), "month", "Putin denied it", "deny", [PUTIN], 1, 1, 1, 2.0),
    ]
    return pd.DataFrame(spec, columns=tables.SCHEMAS["happenings"].names)


def _ingest_log() -> pd.DataFrame:
    rows = [{"source_path": f"raw/{a}.txt", "source_id": f"src_{a}", "status": "ok", "reason": "", "article_id": a} for a in BODIES]
    rows.append({"source_path": "raw/blank.txt", "source_id": "src_blank", "status": "empty", "reason": "no article text left after removing page chrome", "article_id": None})
    rows.append({"source_path": "raw/<img src=x onerror=alert(1)>.html", "source_id": "src_x", "status": "unreadable", "reason": EVIL, "article_id": None})
    return pd.DataFrame(rows)


def write_fixture_build(out: Path, empty: bool = False) -> Path:
    """Publish a hand-made build at `out` (a link, like a real build); `empty=True` writes zero-row tables."""
    frames = {
        "articles": _articles(), "mentions": _mentions(), "actors": _actors(), "quotes": _quotes(),
        "timexes": _timexes(), "events": _events(), "happenings": _happenings(), "ingest_log": _ingest_log(),
    }
    folder = storage.new_version(out)
    for name in tables.TABLES:
        storage.write_table(folder, name, tables.empty(name) if empty else frames[name])
    storage.write_manifest(
        folder,
        {
            "pipeline_version": "test", "model": {"name": "hand-made", "version": "0"}, "built_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            "rows": {name: 0 if empty else len(frames[name]) for name in tables.TABLES},
        },
    )
    storage.publish(out, folder)
    return out


# ── a real server and a real browser ─────────────────────────────────────────────────────────────────────────────

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
# Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this machine refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:  # already gone
        pass


@contextmanager
def serve(build: Path | None, log_path: Path, read_only: bool = False, python: str = sys.executable, root: Path = ROOT, cli: bool = False):
    """`streamlit run app.py` on a free loopback port; yields the base URL once /_stcore/health answers.

    `build=None` sets no NEWSSCOPE_DATA (the app's default, as on a fresh deployment); `python` and `root` run
    another venv's interpreter on another checkout; `cli=True` starts it as a user does, `newsscope serve DIR`.
    """
    port = _free_port()
    env = {**os.environ, "NEWSSCOPE_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    for name in ("NEWSSCOPE_READ_ONLY", "NEWSSCOPE_DATA"):
        env.pop(name, None)
    if build is not None:
        env["NEWSSCOPE_DATA"] = str(build)
    if read_only:
        env["NEWSSCOPE_READ_ONLY"] = "1"
    if cli:
        assert build is not None, "newsscope serve takes a build folder"
        command = [python, "-m", "newsscope.cli", "serve", str(build), "--port", str(port), *(["--read-only"] if read_only else [])]
    else:
        command = [python, "-m", "streamlit", "run", str(root / "app.py"), "--server.port", str(port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "w+") as log:
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"streamlit did not become healthy:\n{log.read()[-3000:]}")
                time.sleep(0.3)
            yield base
        finally:  # the whole process group: `newsscope serve` runs streamlit as a child
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        pytest.skip("no Chromium found: install Debian's `chromium` (/usr/bin/chromium) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium):
    """A new Chromium tab (its own context) for one browser test."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1600})
    tab = context.new_page()
    yield tab
    context.close()
