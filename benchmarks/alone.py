"""Each page query timed alone on one build: the first call on a fresh connection (cold) and the median of three
more (warm), for every call `benchmarks.dashboard` makes, with nothing interleaved (the dashboard benchmark runs the
raw-Parquet side between samples, which evicts the database's pages; this shows what one query costs by itself).

    python -m benchmarks.alone BUILD [query ...]     # e.g. benchmarks/out/synth100k timeline key_events
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from benchmarks import dashboard
from newsscope import storage


def main(argv: list[str]) -> None:
    folder = storage.current(Path(argv[0]))
    if folder is None:
        raise SystemExit(f"no build at {argv[0]}")
    names = set(argv[1:])
    con = dashboard.app_connection(folder)
    for call in dashboard.calls(con, dashboard.filter_sets(con)):
        if names and call.query not in names:
            continue
        fresh = dashboard.app_connection(folder)
        started = time.perf_counter()
        rows = call.run(fresh)
        cold = (time.perf_counter() - started) * 1000
        warm = [dashboard._ms(lambda: call.run(fresh)) for _ in range(3)]  # noqa: B023 - called at once
        n = len(rows) if hasattr(rows, "__len__") else rows
        print(f"{call.query:24s} {call.label:18s} cold {cold:7.0f}  warm {statistics.median(warm):7.0f} ms  rows {n}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
