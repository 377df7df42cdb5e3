"""`python -m benchmarks [name ...] [--quick]`: run the named benchmarks (all by default) in order."""

from __future__ import annotations

import argparse
import importlib
import time

from benchmarks import NAMES, OUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run; any of {NAMES} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes and fewer rounds (a smoke run, not a measurement)")
    parser.add_argument("--n", type=int, default=None, help="articles for throughput/scaling (default 200; 50 with --quick)")
    parser.add_argument("--repeats", type=int, default=None, help="interleaved rounds per measurement (default 3; 1 with --quick)")
    parser.add_argument("--batch-size", type=int, default=64, help="spaCy batch size, the same for the build and bare spaCy")
    parser.add_argument("--base", default=None, help="an existing 840-article build to scale (dashboard); default: benchmarks/out/build840")
    parser.add_argument("--articles", type=int, default=None, help="articles in the synthetic corpus (dashboard; default 100000)")
    parser.add_argument("--reuse-synthetic", action="store_true",
                        help="dashboard: time the synthetic build in place even if it was made from another version of --base (its manifest says which)")
    parser.add_argument("--raw", choices=("parquet", "database"), default=None,
                        help="dashboard: where the raw SQL runs (default: parquet below 1,000,000 articles, else database)")
    parser.add_argument("--corpus", type=int, default=None, help="incremental: corpus size (default 840; 50 with --quick)")
    parser.add_argument("--reuse-full", action="store_true", help="incremental: reuse the last full build (and its time) if still in place")
    parser.add_argument("--sizes", type=int, nargs="+", help="memory: corpus sizes to build (default 200 400 840; 10 25 50 with --quick)")
    parser.add_argument("--parallel", action="store_true", help="memory: run the builds at the same time (peak RSS is load-independent; build seconds are not)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; expected any of {NAMES}")
    args.n = args.n or (50 if args.quick else 200)
    args.repeats = args.repeats or (1 if args.quick else 3)
    OUT.mkdir(parents=True, exist_ok=True)
    for name in args.names or NAMES:
        started = time.perf_counter()
        print(f"== {name} ==", flush=True)
        importlib.import_module(f"benchmarks.{name}").run(args)
        print(f"== {name}: {time.perf_counter() - started:.0f} s ==\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
