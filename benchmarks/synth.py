"""A large synthetic build for dashboard load tests: a real build replicated to N articles (default 100 000).

    python -m benchmarks.synth BASE_BUILD OUT [--articles 100000]

How it is made, so that every table stays consistent with the others:

- The base is a real build (the 840-article PolNeAR build). Replica k = 0, 1, ..., R-1 copies every table;
  the last replica is cut short so the total is exactly N articles (its other tables keep only rows of the
  articles kept).
- Ids: every id of an article-level thing (`article_id`, `quote_id`, `event_id`, `event_key`, `story_id`) keeps
  its first 12 hex characters and gets the replica number as 4 hex characters: `<12 hex><k:04x>`. The same rule
  applied in every table keeps the joins intact (a quote's `article_id` is its article's, an event's `event_key`
  groups the same reports, a story's versions stay together within a replica). `source_id` gets `#k`,
  `source_path` a `replica-kkk/` prefix, `url` a `?replica=k` query.
- Actors are shared by all replicas (`actor_id`, `speaker_actor_id` and `actor_ids` are unchanged), as real
  actors recur across time; the actors table's counts and first/last seen dates are recomputed from the
  synthetic mentions.
- Dates shift by (k mod 156) x 7 days (whole weeks, so weekdays and ISO weeks stay right; at most three years,
  so a small base gives a denser corpus rather than a longer one): `articles.published`,
  `events.date_start/date_end`, and ISO values in `events.date_value` and `timexes.value` (YYYY-MM-DD, YYYY-MM,
  YYYY-Www, YYYY shift; ranges, seasons, quarters and PRESENT_REF-style values are kept as they are); an
  event's date_start/date_end follow its shifted value's calendar extent (`timexes.bounds`). Every ISO value
  moves, absolute ones too ("1952" can become "1953"): the result is for load, not for history, and one rule
  for both tables keeps an event's `date_value` equal to the value of the time expression it came from.
  120 replicas of the one-year 840-article corpus span a little over three years, about 80 articles a day.
- Outlets rotate: replica k gives an article of the i-th outlet (of the base's sorted outlets) the outlet
  (i + k) mod n_outlets, and replicas from k = n_outlets on carry an edition suffix (`nyt-2`, `nyt-3`, `nyt-4`),
  so 7 base outlets become 28 with mixed content each.
- Bodies, titles, quote text and sentences are unchanged, so a text search matches R times as many articles.

The result is a valid build folder: written through newsscope.storage (lock, a new version folder,
`write_table` per table with the table contract's schema, `write_manifest`, the dashboard database
`newsscope.warehouse.create` as a build makes it, atomic `publish`), with a manifest that says it is synthetic and
how it was made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newsscope import search, storage, tables, timexes, warehouse

VERSION = 2  # bump when the recipe changes: the dashboard benchmark then rebuilds its synthetic corpus
SHIFT_DAYS = 7
SHIFT_CYCLE = 156  # replicas k and k + 156 get the same shift: three years of weekly shifts, whatever the base size
EDITIONS = 4
ID_KEEP = 12  # hex characters of the original id kept; 4 more encode the replica

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def shift_value(value: str | None, days: int) -> str | None:
    """An ISO date value moved by `days` at its own granularity; values of other shapes are returned unchanged."""
    if value is None:
        return None
    try:
        if m := _DAY.match(value):
            return (dt.date(int(m[1]), int(m[2]), int(m[3])) + dt.timedelta(days)).isoformat()
        if m := _MONTH.match(value):
            return (dt.date(int(m[1]), int(m[2]), 15) + dt.timedelta(days)).strftime("%Y-%m")
        if m := _WEEK.match(value):
            year, week, _ = (dt.date.fromisocalendar(int(m[1]), int(m[2]), 1) + dt.timedelta(days)).isocalendar()
            return f"{year}-W{week:02d}"
        if m := _YEAR.match(value):
            return str((dt.date(int(m[1]), 7, 1) + dt.timedelta(days)).year)
    except ValueError:  # a value like 2016-02-30 or week 53 of a 52-week year: keep it as the build wrote it
        return value
    return value


def _replica_id(column: pa.ChunkedArray, k: int) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(pc.utf8_slice_codeunits(column, 0, ID_KEEP), pa.scalar(f"{k:04x}"), "")


def _map_values(column: pa.ChunkedArray, mapping: dict, type: pa.DataType | None = None) -> pa.Array:
    """Each value looked up in `mapping` (null where it has no entry)."""
    index = pc.index_in(column, value_set=pa.array(list(mapping), type=column.type))
    return pa.array(list(mapping.values()), type=type or column.type).take(index)


def _shift_dates(column: pa.ChunkedArray, days: int) -> pa.ChunkedArray:
    return pc.add(column.cast(pa.int32()), pa.scalar(days, pa.int32())).cast(pa.date32())


def _shift_strings(column: pa.ChunkedArray, days: int) -> pa.Array:
    values = [v for v in pc.unique(column).to_pylist() if v is not None]
    return _map_values(column, {v: shift_value(v, days) for v in values})


def _set(table: pa.Table, name: str, column) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, column)


def _replica(base: dict[str, pa.Table], k: int, keep: pa.Array | None, outlets: list[str]) -> dict[str, pa.Table]:
    """Replica k of every article-level table (`keep`: the base article ids to keep, None for all)."""
    days = (k % SHIFT_CYCLE) * SHIFT_DAYS
    out = {}
    for name in ("articles", "mentions", "quotes", "timexes", "events", "ingest_log"):
        t = base[name]
        if keep is not None:
            t = t.filter(pc.is_in(t["article_id"], value_set=keep))
        for column in ("article_id", "quote_id", "event_id", "event_key", "story_id"):
            if column in t.column_names:
                t = _set(t, column, _replica_id(t[column], k))
        out[name] = t
    a = out["articles"]
    edition = (k // len(outlets)) % EDITIONS
    rotated = {o: outlets[(i + k) % len(outlets)] + (f"-{edition + 1}" if edition else "") for i, o in enumerate(outlets)}
    a = _set(a, "outlet", _map_values(a["outlet"], rotated))
    a = _set(a, "published", _shift_dates(a["published"], days))
    a = _set(a, "source_id", pc.binary_join_element_wise(a["source_id"], pa.scalar(f"#{k}"), ""))
    a = _set(a, "source_path", pc.binary_join_element_wise(pa.scalar(f"replica-{k:03d}/"), a["source_path"], ""))
    a = _set(a, "url", pc.binary_join_element_wise(a["url"], pa.scalar(f"?replica={k}"), ""))
    out["articles"] = a
    log = out["ingest_log"]
    log = _set(log, "source_id", pc.binary_join_element_wise(log["source_id"], pa.scalar(f"#{k}"), ""))
    log = _set(log, "source_path", pc.binary_join_element_wise(pa.scalar(f"replica-{k:03d}/"), log["source_path"], ""))
    out["ingest_log"] = log
    e = out["events"]
    e = _set(e, "date_value", _shift_strings(e["date_value"], days))
    # The calendar extent follows the shifted value where it has one ("2016" → all of the shifted year), else
    # the dates move by `days` like everything else.
    extents = {v: timexes.bounds(v) for v in pc.unique(e["date_value"]).to_pylist() if v is not None}
    extents = {v: b for v, b in extents.items() if b is not None}
    for column, side in (("date_start", 0), ("date_end", 1)):
        from_value = _map_values(e["date_value"], {v: b[side] for v, b in extents.items()}, pa.date32())
        e = _set(e, column, pc.coalesce(from_value, _shift_dates(e[column], days)))
    out["events"] = e
    out["timexes"] = _set(out["timexes"], "value", _shift_strings(out["timexes"]["value"], days))
    # Happenings: each replica's own copies (ids as its events' keys), dated like its events.
    h = base["happenings"]
    h = _set(h, "happening_id", _replica_id(h["happening_id"], k))
    h = h.filter(pc.is_in(h["happening_id"], value_set=pc.unique(e["event_key"].drop_null())))
    h = _set(h, "date_value", _shift_strings(h["date_value"], days))
    for column, side in (("date_start", 0), ("date_end", 1)):
        from_value = _map_values(h["date_value"], {v: b[side] for v, b in extents.items()}, pa.date32())
        h = _set(h, column, pc.coalesce(from_value, _shift_dates(h[column], days)))
    out["happenings"] = h
    return out


def _actors(base_actors: pa.Table, articles: pa.Table, mentions: pa.Table) -> pd.DataFrame:
    """The actors table recomputed over the synthetic mentions (names, kinds and aliases from the base)."""
    import duckdb

    con = duckdb.connect()
    con.register("base_actors", base_actors)
    con.register("a", articles.select(["article_id", "published"]))
    con.register("m", mentions.select(["article_id", "actor_id"]))
    return con.execute(
        """
        SELECT b.actor_id, b.name, b.kind, b.aliases,
               coalesce(c.n_mentions, 0) AS n_mentions, coalesce(c.n_articles, 0) AS n_articles,
               c.first_seen, c.last_seen
        FROM base_actors b LEFT JOIN (
            SELECT m.actor_id, count(*) AS n_mentions, count(DISTINCT m.article_id) AS n_articles,
                   min(a.published) AS first_seen, max(a.published) AS last_seen
            FROM m JOIN a USING (article_id) WHERE m.actor_id IS NOT NULL GROUP BY m.actor_id
        ) c USING (actor_id)
        ORDER BY b.actor_id
        """
    ).df()


def scale(base: Path, out: Path, n_articles: int = 100_000, progress=print) -> dict:
    """Write a synthetic build of `n_articles` articles made from the build at `base` into `out`; its manifest."""
    started = time.perf_counter()
    folder_in = storage.current(Path(base))
    if folder_in is None:
        raise FileNotFoundError(f"{base} is not a NewsScope build (no manifest.json)")
    base_tables = {name: pq.read_table(folder_in / f"{name}.parquet") for name in tables.TABLES}
    for name, t in base_tables.items():  # a base built before a contract column existed (articles.fetched) gets it empty
        for f in tables.SCHEMAS[name]:
            if f.name not in t.column_names:
                base_tables[name] = t = t.append_column(f, pa.nulls(len(t), f.type))
    base_manifest = storage.read_manifest(folder_in)
    ids = base_tables["articles"]["article_id"]
    n_base = len(ids)
    if len(set(s[:ID_KEEP] for s in ids.to_pylist())) != n_base:
        raise ValueError(f"article ids of {base} are not unique in their first {ID_KEEP} characters; cannot replicate")
    outlets = sorted({o for o in base_tables["articles"]["outlet"].to_pylist() if o is not None})
    replicas = math.ceil(n_articles / n_base)
    parts: dict[str, list[pa.Table]] = {name: [] for name in tables.TABLES if name != "actors"}
    for k in range(replicas):
        left = n_articles - k * n_base
        keep = ids.combine_chunks().slice(0, left) if left < n_base else None
        for name, t in _replica(base_tables, k, keep, outlets).items():
            parts[name].append(t)
        if k % max(1, replicas // 5) == 0:
            progress(f"    replica {k + 1}/{replicas}")
    out = Path(out)
    rows = {}
    with storage.lock(out):
        folder = storage.new_version(out)
        big = {name: pa.concat_tables(parts.pop(name)) for name in list(parts)}
        big["actors"] = _actors(base_tables["actors"], big["articles"], big["mentions"])
        for name in tables.TABLES:  # each table is let go once written: at 1,000,000 articles they hold ~10 GB,
            table = big.pop(name)  # which the dashboard database's sorts below need
            frame = table if name == "actors" else table.to_pandas(types_mapper=pd.ArrowDtype)
            rows[name] = len(frame)
            storage.write_table(folder, name, frame)
            del table, frame
            progress(f"    wrote {name}: {rows[name]:,} rows")
        manifest = dict(base_manifest)
        manifest.update(
            built_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            rows={name: int(rows[name]) for name in tables.TABLES},
            articles_processed=0,
            articles_reused=0,
            seconds=round(time.perf_counter() - started, 3),
            synthetic={
                "base": str(folder_in),
                "base_articles": n_base,
                "articles": n_articles,
                "version": VERSION,
                "replicas": replicas,
                "shift_days": f"(k mod {SHIFT_CYCLE}) x {SHIFT_DAYS}",
                "outlets": len(outlets) * min(EDITIONS, math.ceil(replicas / len(outlets))),
                "made_by": "benchmarks/synth.py",
            },
        )
        storage.write_manifest(folder, manifest)
        started_db = time.perf_counter()
        warehouse.create(folder)
        progress(f"    wrote the dashboard database in {time.perf_counter() - started_db:.1f} s")
        made = search.create(folder)
        progress(f"    wrote the search index in {made.seconds:.1f} s")
        storage.publish(out, folder)
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="a real build folder to scale")
    parser.add_argument("out", type=Path, help="where to write the synthetic build")
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args(argv)
    manifest = scale(args.base, args.out, args.articles)
    print(f"{manifest['rows']} in {manifest['seconds']:.1f} s → {args.out}")


if __name__ == "__main__":
    main()
