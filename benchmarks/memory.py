"""Peak memory of the build: 200, 400 and 840 articles, each built in a fresh subprocess.

Targets: peak RSS of the 840-article build <= 1.5 GB, and not growing with corpus length (peak at 840 articles
<= 1.15 x peak at 200: the tables themselves are a few MB, so anything beyond that is memory held per article).

Each build runs as `python -m benchmarks.memory --child N --out DIR` under a small launcher process, and the
launcher reads `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` once the build has exited: the peak of the build
process (and of any spaCy worker it waited for), in a process that has run nothing else. The build is the real
thing, model loading included, as `newsscope build` runs it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

from benchmarks import OUT, ROOT, Figure, read_corpus, report, write_jsonl

LIMIT_MB = 1536
GROWTH = 1.15
SIZES = (200, 400, 840)
QUICK_SIZES = (10, 25, 50)

_measured: dict[tuple[int, str], dict] = {}  # (n, out) -> result, so `incremental` can reuse this run's full build


def measure(n: int, out: Path, batch_size: int = 64) -> dict:
    """Build the first `n` corpus articles into `out` in a fresh subprocess; its seconds and peak RSS (MB)."""
    key = (n, str(out))
    if key not in _measured:
        cmd = [sys.executable, "-m", "benchmarks.memory", "--launch", str(n), "--out", str(out), "--batch-size", str(batch_size)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"build of {n} articles failed:\n{done.stderr[-3000:]}")
        _measured[key] = json.loads(done.stdout.strip().splitlines()[-1])
        (OUT / f"{out.name}.json").write_text(json.dumps(_measured[key], indent=2))
    return _measured[key]


def last_measured(n: int, out: Path) -> dict | None:
    """The result of the last `measure(n, out)` of any run, when `out` is still that build; else None."""
    import contextlib

    from newsscope import storage

    path = OUT / f"{out.name}.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        result = json.loads(path.read_text())
        folder = storage.current(out)
        if result["n"] == n and folder is not None and storage.read_manifest(folder)["articles_processed"] == n:
            return result
    return None


def _launch(n: int, out: Path, batch_size: int) -> None:
    cmd = [sys.executable, "-m", "benchmarks.memory", "--child", str(n), "--out", str(out), "--batch-size", str(batch_size)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: kB
    print(json.dumps(result))


def _child(n: int, out: Path, batch_size: int) -> None:
    import shutil

    from newsscope.build import BuildOptions, build

    source = write_jsonl(read_corpus(n), out.parent / f"{out.name}-input" / "corpus.jsonl")
    shutil.rmtree(out.parent / f".{out.name}.versions", ignore_errors=True)  # a full build: no cache to reuse
    if out.is_symlink():
        out.unlink()
    result = build([source], out, BuildOptions(batch_size=batch_size))
    print(json.dumps({"n": n, "input": str(source), "out": str(out), "seconds": result.seconds, "processed": result.processed, "rows": result.manifest["rows"]}))


def run(args) -> None:
    sizes = tuple(args.sizes) if args.sizes else QUICK_SIZES if args.quick else SIZES
    if args.parallel:  # peak RSS does not depend on load, so the builds may share the machine (their seconds may not)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(sizes)) as pool:
            results = list(pool.map(lambda n: measure(n, OUT / f"build{n}", args.batch_size), sizes))
    else:
        results = [measure(n, OUT / f"build{n}", args.batch_size) for n in sizes]
    for result in results:
        print(f"    {result['n']:>4} articles: peak RSS {result['peak_rss_mb']:,.0f} MB, build {result['seconds']:.1f} s", flush=True)
    first, last = results[0], results[-1]
    growth = last["peak_rss_mb"] / first["peak_rss_mb"]
    figures = [
        Figure(f"peak RSS, {last['n']}-article build", last["peak_rss_mb"], "MB", f"<= {LIMIT_MB} MB", last["peak_rss_mb"] <= LIMIT_MB, ""),
        Figure(f"peak RSS {last['n']} ÷ {first['n']} articles", growth, "x", f"<= {GROWTH}", growth <= GROWTH, "flat = not growing with corpus length"),
    ]
    details = "\n".join(f"- {r['n']} articles: peak RSS {r['peak_rss_mb']:,.0f} MB; build {r['seconds']:.1f} s (fresh process, model load included)" for r in results)
    contention = "RSS does not depend on load; the build seconds shown do" + (
        " (the builds ran at the same time, with --parallel)." if args.parallel else "."
    )
    report("memory", "5. Build memory", figures, details, contention=contention)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--launch", type=int)
    parser.add_argument("--child", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--batch-size", type=int, default=64)
    a = parser.parse_args()
    if a.launch:
        _launch(a.launch, a.out, a.batch_size)
    else:
        _child(a.child, a.out, a.batch_size)
