"""Happening quality figures on a build (issue 12): sizes, date spans, date disagreement, the top key events.

    python -m benchmarks.happenings BUILD_DIR [--top 25] [--sample 20 --seed 12]

Prints the largest happening (reports, articles, the date span of its members), the share of multi-article
happenings whose members disagree on the date (two day-dated members on different days, or a member whose range
neither contains nor lies in the happening's date), the top key events by salience, and a random sample of
multi-article happenings with their reports' sentences for checking links by hand.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from newsscope import storage


def figures(build: Path, top: int = 25, sample: int = 20, seed: int = 12) -> str:
    folder = storage.current(Path(build))
    happenings = storage.read_table(folder, "happenings")
    events = storage.read_table(folder, "events")
    arts = storage.read_table(folder, "articles")[["article_id", "outlet"]]
    names = dict(zip(*storage.read_table(folder, "actors")[["actor_id", "name"]].T.values))
    reports = events[events["kind"] != "publication"].merge(
        happenings[["happening_id", "date_start", "date_end"]].rename(columns={"date_start": "h0", "date_end": "h1"}),
        left_on="event_key", right_on="happening_id")
    for c in ("date_start", "date_end", "h0", "h1"):
        reports[c] = pd.to_datetime(reports[c])
    out = [f"{len(happenings):,} happenings from {len(reports):,} reports ({(events['kind'] == 'article_dated').sum():,} dated by their article)"]
    big = happenings.sort_values("n_events", ascending=False).iloc[0]
    members = reports[reports["event_key"] == big["happening_id"]]
    out.append(f"largest: {big['n_events']} reports, {big['n_articles']} articles, {big['date_value']} ({big['granularity']}); "
               f"members' dates {members['date_start'].min().date()} .. {members['date_end'].max().date()}: {big['headline']!r}")
    sizes = happenings["n_events"].value_counts().sort_index()
    out.append("reports per happening: " + ", ".join(f"{k}: {v}" for k, v in sizes.items() if k <= 5) + f", >5: {int(sizes[sizes.index > 5].sum())}")
    multi = reports[reports["event_key"].isin(happenings.loc[happenings["n_articles"] > 1, "happening_id"])]
    day = multi[multi["date_start"] == multi["date_end"]]
    split_days = day.groupby("event_key")["date_start"].nunique()
    outside = ~(((multi["date_start"] <= multi["h0"]) & (multi["h1"] <= multi["date_end"])) | ((multi["h0"] <= multi["date_start"]) & (multi["date_end"] <= multi["h1"])))
    bad = set(split_days[split_days > 1].index) | set(multi.loc[outside, "event_key"])
    n_multi = multi["event_key"].nunique()
    out.append(f"multi-article happenings: {n_multi:,}; members disagreeing on the date: {len(bad)} ({len(bad) / max(n_multi, 1):.1%})")
    out.append(f"\ntop {top} by salience:")
    for r in happenings.sort_values(["salience", "date_start"], ascending=[False, True]).head(top).itertuples():
        actors = ", ".join(names.get(a, a) for a in list(r.actor_ids)[:3])
        out.append(f"  {r.salience:6.2f}  {r.date_value:<10} {r.headline}  [{actors}; {r.n_articles} articles, {r.n_outlets} outlets]")
    out.append(f"\nsample of {sample} multi-article happenings (seed {seed}):")
    picked = happenings[happenings["n_articles"] > 1].sample(min(sample, n_multi), random_state=seed)
    for r in picked.itertuples():
        out.append(f"- {r.date_value} {r.headline!r} ({r.n_events} reports)")
        for s, d, k in reports.loc[reports["event_key"] == r.happening_id, ["sentence", "date_value", "kind"]].head(4).itertuples(index=False):
            out.append(f"    [{d} {k}] {' '.join(str(s).split())[:160]}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    print(figures(args.build, args.top, args.sample, args.seed))


if __name__ == "__main__":
    main()
