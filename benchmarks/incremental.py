"""Incremental builds of the 840-article corpus: an unchanged rebuild, and adding one article.

Targets:
- rebuilding unchanged input takes <= 5% of the full build's time;
- adding one article takes <= 3 s plus that article's own processing (bare `nlp()` of its text).

The full build runs once, in a fresh subprocess (shared with `benchmarks.memory` when both run in one invocation),
into benchmarks/out/build840 — the base that `benchmarks.dashboard` scales up. Then, in this process, each round
times: an unchanged rebuild; a build with one extra article (the first of polnear_dev.jsonl, not in the corpus);
an untimed rebuild back to the 840 articles (which drops the extra article from the cache again); and bare
`nlp(text)` of the extra article. The model is loaded before the rounds (as the CLI would load it once per
process); its load time is measured apart and reported as a second add-one figure.
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks import EXTRA, OUT, Figure, interleave, median, read_corpus, report, reset_caches, write_jsonl
from benchmarks.memory import last_measured, measure

REBUILD_SHARE = 0.05
ADD_ONE_OVERHEAD = 3.0


def run(args) -> None:
    from newsscope import nlp, storage
    from newsscope.build import BuildOptions, build

    n = args.corpus or (50 if args.quick else 840)
    out = OUT / f"build{n}"
    full = last_measured(n, out) if args.reuse_full else None
    full = full or measure(n, out, args.batch_size)
    print(f"    full build of {n} articles: {full['seconds']:.1f} s (fresh process)", flush=True)
    corpus = Path(full["input"])  # the very file the full build read
    extra = read_corpus(1, EXTRA)[0]
    extra = {"id": extra["id"], "outlet": extra.get("outlet") or extra.get("publisher"), "published": extra["published"], "title": extra["title"], "text": extra["text"]}
    extra_file = write_jsonl([extra], OUT / "incremental-extra" / "extra.jsonl")
    options = BuildOptions(batch_size=args.batch_size)

    started = time.perf_counter()
    nlp.load_pipeline.cache_clear()
    pipeline = nlp.load_pipeline(nlp.model_name())
    model_load = time.perf_counter() - started

    articles = storage.read_manifest(storage.current(out))["rows"]["articles"]  # 839 of 840: one record is an exact copy

    def expect(report_, processed, reused):
        assert (report_.processed, report_.reused) == (processed, reused), (report_.processed, report_.reused)

    runs = {
        "unchanged": lambda: expect(build([corpus], out, options), 0, articles),
        "add one": lambda: expect(build([corpus, extra_file], out, options), 1, articles),
        "(back to base)": lambda: expect(build([corpus], out, options), 0, articles),
        "bare nlp(one)": lambda: pipeline(extra["text"]),
    }
    seconds = interleave(runs, args.repeats, before=reset_caches)
    unchanged, add_one, bare_one = median(seconds["unchanged"]), median(seconds["add one"]), median(seconds["bare nlp(one)"])
    share = unchanged / full["seconds"]
    overhead = add_one - bare_one
    figures = [
        Figure("unchanged rebuild ÷ full build", share, "x", f"<= {REBUILD_SHARE}", share <= REBUILD_SHARE, f"{unchanged:.2f} s vs {full['seconds']:.1f} s"),
        Figure("add one article − its bare nlp() (model loaded)", overhead, "s", f"<= {ADD_ONE_OVERHEAD} s", overhead <= ADD_ONE_OVERHEAD, f"{add_one:.2f} s − {bare_one:.2f} s"),
        Figure("same, counting a cold model load", overhead + model_load, "s", f"<= {ADD_ONE_OVERHEAD} s", overhead + model_load <= ADD_ONE_OVERHEAD, f"model load {model_load:.2f} s (a CLI run pays it)"),
    ]
    rounds = "\n".join(f"- {name}: median {median(s):.2f} s, rounds {[round(x, 2) for x in s]}" for name, s in seconds.items())
    details = f"Full build of {n} articles: {full['seconds']:.1f} s (one run, fresh process, model load included).\n\n{rounds}\n"
    report(
        "incremental",
        "3. Incremental rebuilds",
        figures,
        details,
        contention="the full build is a single run (a couple of minutes), so load during it moves the 5% ratio; "
        "the rebuild rounds are short and interleaved.",
    )
    print(details)
