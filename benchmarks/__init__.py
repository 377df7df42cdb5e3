"""NewsScope benchmarks: scripts (not timed tests) that measure the build and the dashboard against issue 5's targets.

    python -m benchmarks                      # all of them, default sizes (each finishes in a few minutes)
    python -m benchmarks throughput --quick   # one, small

The machine is shared and absolute times drift, so every figure is a ratio of two measurements taken side by side
in the same run (interleaved: ours, bare, ours, bare, ...; medians), or a bound that holds with a wide margin.
Each benchmark prints its figures next to their targets and rewrites its own section of `benchmarks/RESULTS.md`.
Scratch output goes to `benchmarks/out/` (git-ignored).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
CORPUS = Path(os.environ.get("NEWSSCOPE_BENCH_CORPUS", "/work/shared/corpus/polnear_train.jsonl"))
EXTRA = Path(os.environ.get("NEWSSCOPE_BENCH_EXTRA", "/work/shared/eval/polnear_dev.jsonl"))  # articles not in CORPUS
NAMES = ("throughput", "scaling", "memory", "incremental", "dashboard")  # memory before incremental: they share the 840 build


@dataclass(frozen=True)
class Figure:
    """One measured figure and its target; `met` is None for figures reported without a target."""

    name: str
    value: float
    unit: str
    target: str
    met: bool | None
    note: str = ""

    def line(self) -> str:
        verdict = {True: "MET", False: "MISSED", None: "-"}[self.met]
        return f"  {self.name:<58} {self.value:>10.3f} {self.unit:<8} target {self.target:<22} {verdict}"


# ── corpus and timing helpers ────────────────────────────────────────────────────────────────────────────────────


def read_corpus(n: int | None = None, path: Path = CORPUS) -> list[dict]:
    """The first `n` records (all when None) of a JSONL corpus."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if n is not None and len(records) >= n:
                break
            if line.strip():
                records.append(json.loads(line))
    return records


def write_jsonl(records: Iterable[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def words(texts: Iterable[str]) -> int:
    """Whitespace words: the one numerator every words/s figure here uses, so ratios are ratios of times."""
    return sum(len(t.split()) for t in texts)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleave(runs: dict[str, Callable[[], object]], repeats: int, before: Callable[[], None] | None = None) -> dict[str, list[float]]:
    """Seconds of each named run, `repeats` times, round-robin (a, b, a, b, ...) so drift hits all alike."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for r in range(repeats):
        for name, fn in runs.items():
            if before:
                before()
            seconds[name].append(timed(fn))
            print(f"    round {r + 1}/{repeats} {name:<14} {seconds[name][-1]:8.2f} s", flush=True)
    return seconds


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))]


def reset_caches(keep: tuple[str, ...] = ("load_pipeline",)) -> int:
    """Clear every functools cache in newsscope modules except `keep`, so a build never reuses a previous one's work.

    Returns the number of caches cleared. The model stays loaded (the comparison with bare spaCy loads it once).
    """
    cleared = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("newsscope") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if attr not in keep and callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
                cleared += 1
    return cleared


# ── what every result records ────────────────────────────────────────────────────────────────────────────────────


def git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return f"{sha}{' + uncommitted changes' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        return round(kb / 1024**2, 1)
    except (OSError, AttributeError):
        return float("nan")


@functools.lru_cache(maxsize=1)
def machine() -> dict:
    import importlib.metadata

    from newsscope import nlp

    model = nlp.model_name()
    try:
        model_version = importlib.metadata.version(model)
    except importlib.metadata.PackageNotFoundError:
        model_version = "unknown"
    return {
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "python": platform.python_version(),
        "spacy": importlib.metadata.version("spacy"),
        "model": f"{model} {model_version}",
        "duckdb": importlib.metadata.version("duckdb"),
        "streamlit": importlib.metadata.version("streamlit"),
    }


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def command() -> str:
    return " ".join([".venv/bin/python -m benchmarks", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("__main__.py") else " ".join(sys.argv)


def report(name: str, title: str, figures: list[Figure], details: str = "", contention: str = "") -> None:
    """Print the figures next to their targets and replace this benchmark's section of RESULTS.md."""
    print(f"\n{title}")
    for f in figures:
        print(f.line())
    m = machine()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(
        f"| {f.name} | {f.value:,.3f} {f.unit} | {f.target} | {({True: 'met', False: '**missed**', None: '–'})[f.met]} | {f.note} |" for f in figures
    )
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"| figure | value | target | met? | note |\n| --- | --- | --- | --- | --- |\n{rows}\n\n"
        f"- command: `{command()}`\n- date: {stamp}; git commit: {git_commit()}\n"
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; Python {m['python']}, spaCy {m['spacy']}, "
        f"model {m['model']}, DuckDB {m['duckdb']}, Streamlit {m['streamlit']}\n"
        f"- load average at the end (1/5/15 min): {load_average()}\n"
        + (f"- contention: {contention}\n" if contention else "")
        + (f"\n{details.strip()}\n" if details.strip() else "")
        + f"<!-- /bench:{name} -->"
    )
    RESULTS.write_text(_with_section(RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else _HEADER, name, section), encoding="utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps({"figures": [dataclasses.asdict(f) for f in figures], "machine": m, "date": stamp}, indent=2))


_SECTION = re.compile(r"<!-- bench:(\w+) -->.*?<!-- /bench:\1 -->", re.S)


def _with_section(text: str, name: str, section: str) -> str:
    """RESULTS.md with `name`'s section replaced in place (or added after the last section); all other text kept."""
    found = {m[1]: m for m in _SECTION.finditer(text)}
    if name in found:
        return text[: found[name].start()] + section + text[found[name].end() :]
    if not found:
        return text.rstrip() + "\n\n" + section + "\n"
    last = max(found.values(), key=lambda m: m.end()).end()
    return text[:last] + "\n\n" + section + text[last:]


_HEADER = """# Benchmark results

Latest figures of `python -m benchmarks` (issue 5). Each section is rewritten by its benchmark; see
`benchmarks/__init__.py` for how figures are taken (interleaved runs, medians, ratios measured side by side).
"""
