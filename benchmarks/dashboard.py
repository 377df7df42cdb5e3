"""The dashboard at scale: every query the pages run, and the app's cold start, on a 100 000-article build.

Targets:
- each query function the pages use, for typical filter sets (none; one actor; one actor + a date range; a text
  search): p95 <= 200 ms warm and cold, and <= 1.5 x the same SQL run directly by DuckDB over the Parquet files;
- app cold start (first Overview render through `streamlit.testing.v1.AppTest`, NEWSSCOPE_DATA pointing at the
  100k build) <= 3 s, and peak RSS of that process <= 1.5 GB (its VmHWM; see `peak_rss_mb`).

How:
- The 100k build comes from `benchmarks.synth` over the 840-article build (benchmarks/out/build840, made by
  `memory`/`incremental` when missing) and is reused while its base is unchanged; its dashboard database is made
  when missing (a synthetic build from before `newsscope.warehouse`).
- "Ours" is `newsscope.queries.<name>(con, filters, ...)` on the connection the app uses
  (`components.data.database`: the build's dashboard database, `newsscope.warehouse.open`, a DuckDB file made
  once per build from the Parquet tables and opened read-only), called with the arguments the pages pass. "Raw"
  is the very SQL the function sent, with its parameters written in as literals (so DuckDB folds away every
  unused filter clause, as SQL written for that one filter set would read), run on a connection whose tables are
  views over the Parquet files that compute the dashboard database's derived columns on the fly
  (`warehouse.DERIVED` over `read_parquet(...)`): the same result, from the Parquet files alone, with nothing
  precomputed. The SQL is captured by running the function once on a recording connection, so the raw side
  follows any change in queries.py. At 1,000,000 articles recomputing the derived columns takes seconds to minutes
  per query, so there (or with `--raw database`) "raw" is that literal SQL on a fresh connection to the dashboard
  database: what the query layer itself costs over DuckDB. A third column runs the same literal SQL on the dashboard database, which
  isolates what the query layer itself costs (parameter binding, pandas post-processing).
- Cold: the first call of each query on a freshly opened connection (one per filter set; a fresh DuckDB
  instance, so its page cache is empty; the operating system's file cache is not dropped). Warm: `--repeats`+1
  further calls, interleaved ours / raw. p95 per query across all its samples. (The third column is measured only
  with --repeats >= 3.)
- App cold start runs in a fresh subprocess (imports included) with NEWSSCOPE_READ_ONLY=1; peak RSS is that
  process's `ru_maxrss`. It is interleaved with the same start on the 840-article build for scale.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import OUT, ROOT, Figure, median, p95, report

P95_MS = 200
RAW_RATIO = 1.5
START_S = 3.0
RSS_MB = 1536


# ── connections ──────────────────────────────────────────────────────────────────────────────────────────────────


def app_connection(folder: Path):
    """The connection the app queries: components.data.database without Streamlit's cache around it."""
    from newsscope import warehouse

    return warehouse.open(folder)


def parquet_connection(folder: Path, derived: bool = True):
    """Views over the Parquet files. `derived`: with the dashboard database's columns and its own tables
    (`warehouse.EXTRA`), each computed from the Parquet tables on every query (for the SQL the queries send); else the
    contract's columns only (for the hand-written SQL, which needs nothing else)."""
    import duckdb

    from newsscope import warehouse

    con = duckdb.connect(":memory:", config={"threads": warehouse.THREADS})
    for name in warehouse.ORDER:  # a view is bound when made: what a derived SELECT reads comes first
        source = f"read_parquet('{folder / (name + '.parquet')}')"
        select = warehouse.DERIVED.get(name, "SELECT t.* FROM {t} t") if derived else "SELECT t.* FROM {t} t"
        con.execute(f"CREATE VIEW {name} AS {select.format(t=source)}")
    for name, select in warehouse.EXTRA.items() if derived else ():
        con.execute(f"CREATE VIEW {name} AS {select}")
    return con


class Recorder:
    """A connection stand-in that records each statement and its parameters, then runs it on the real one."""

    def __init__(self, con):
        self.con = con
        self.statements: list[tuple[str, dict]] = []

    def execute(self, sql: str, params=None):
        if "duckdb_databases()" not in sql:  # which build the connection reads (for its search index): not page work
            self.statements.append((sql, dict(params or {}), dict(self.registered)))
        return self.con.execute(sql, params) if params else self.con.execute(sql)

    registered: dict = {}

    def register(self, name, table):
        self.registered = {**self.registered, name: table}
        return self.con.register(name, table)

    def unregister(self, name):
        self.registered = {k: v for k, v in self.registered.items() if k != name}
        return self.con.unregister(name)

    def cursor(self):
        return self


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]::VARCHAR[]" if value else "[]::VARCHAR[]"
    return "'" + str(value).replace("'", "''") + "'"


def inline(sql: str, params: dict) -> str:
    """The statement with every `$name` written as a literal (longest names first: `$date_from` before `$date`)."""
    for name in sorted(params, key=len, reverse=True):
        sql = re.sub(rf"\${name}\b", lambda _: _literal(params[name]), sql)
    return sql


# ── hand-written SQL for the Overview's queries ─────────────────────────────────────────────────────────────────
# Written from the functions' docstrings, not from their SQL, over the plain Parquet tables: each filter set gets
# only the clauses it needs, and a query without filters does not touch the articles table at all. A check that the
# query layer is not much slower than what one would write by hand without a dashboard database.


def _scope(f, actor_rule: bool = True) -> list[str]:
    """WHERE clauses on `articles a` for the global filters (the rules of newsscope/queries.py's docstring)."""
    clauses = []
    if f.outlets:
        clauses.append(f"a.outlet IN ({', '.join(_literal(o) for o in f.outlets)})")
    if f.story:
        clauses.append(f"a.story_id = {_literal(f.story)}")
    if f.text:
        clauses.append(f"contains(lower(coalesce(a.title, '') || ' ' || coalesce(a.body, '')), {_literal(f.text.lower())})")
    if f.date_from:
        clauses.append(f"a.published >= {_literal(f.date_from)}")
    if f.date_to:
        clauses.append(f"a.published <= {_literal(f.date_to)}")
    if actor_rule and f.actors:
        clauses.append(f"a.article_id IN (SELECT article_id FROM mentions WHERE actor_id IN ({', '.join(_literal(x) for x in f.actors)}))")
    return clauses


def _where(clauses: list[str], *more: str) -> str:
    every = [*clauses, *more]
    return f"WHERE {' AND '.join(every)}" if every else ""


def _in_scope(column: str, clauses: list[str]) -> list[str]:
    return [f"{column} IN (SELECT a.article_id FROM articles a {_where(clauses)})"] if clauses else []


def _hand_kpis(f, kw) -> str:
    c = _scope(f)
    return f"""
        WITH s AS (SELECT a.article_id, a.outlet, a.published FROM articles a {_where(c)})
        SELECT (SELECT count(*) FROM s) AS articles, (SELECT count(DISTINCT outlet) FROM s) AS outlets,
               (SELECT count(DISTINCT actor_id) FROM mentions {_where(_in_scope('article_id', c))}) AS actors,
               (SELECT count(*) FROM quotes {_where(_in_scope('article_id', c))}) AS quotes,
               (SELECT min(published) FROM s) AS first_published, (SELECT max(published) FROM s) AS last_published,
               (SELECT count(*) FROM s WHERE published IS NULL) AS undated"""


def _hand_articles_over_time(f, kw) -> str:
    return f"""
        SELECT CAST(date_trunc({_literal(kw['grain'])}, a.published) AS DATE) AS period, coalesce(a.outlet, '(no outlet)') AS outlet,
               count(*) AS articles
        FROM articles a {_where(_scope(f), 'a.published IS NOT NULL')} GROUP BY ALL ORDER BY period, outlet"""


def _hand_top_actors(f, kw) -> str:
    return f"""
        SELECT m.actor_id, any_value(ac.name) AS name, any_value(ac.kind) AS kind, count(*) AS mentions,
               count(DISTINCT m.article_id) AS articles
        FROM mentions m JOIN actors ac ON ac.actor_id = m.actor_id {_where(_in_scope('m.article_id', _scope(f)))}
        GROUP BY m.actor_id ORDER BY mentions DESC, name LIMIT {int(kw['limit'])}"""


def _hand_top_speakers(f, kw) -> str:
    speaker = [f"q.speaker_actor_id IN ({', '.join(_literal(x) for x in f.actors)})"] if f.actors else []
    return f"""
        SELECT q.speaker_actor_id AS actor_id, any_value(ac.name) AS name, any_value(ac.kind) AS kind, count(*) AS quotes,
               count(DISTINCT q.article_id) AS articles
        FROM quotes q JOIN actors ac ON ac.actor_id = q.speaker_actor_id
        {_where(_in_scope('q.article_id', _scope(f, actor_rule=False)), *speaker)}
        GROUP BY q.speaker_actor_id ORDER BY quotes DESC, name LIMIT {int(kw['limit'])}"""


def _hand_quote_count(f, kw) -> str:
    speaker = [f"q.speaker_actor_id IN ({', '.join(_literal(x) for x in f.actors)})"] if f.actors else []
    return f"SELECT count(*) AS n FROM quotes q {_where(_in_scope('q.article_id', _scope(f, actor_rule=False)), *speaker)}"


HAND = {
    "kpis": _hand_kpis,
    "articles_over_time": _hand_articles_over_time,
    "top_actors": _hand_top_actors,
    "top_speakers": _hand_top_speakers,
    "quote_count": _hand_quote_count,
}


# ── what the pages ask ───────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Call:
    query: str  # function name in newsscope.queries (or newsscope.timeline_queries: the Timeline's key events)
    filters: object | None  # Filters, or None for lookups by id
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""  # filter set

    def run(self, con):
        from newsscope import queries, timeline_queries

        fn = getattr(queries, self.query, None) or getattr(timeline_queries, self.query)
        return fn(con, self.filters, *self.args, **self.kwargs) if self.filters is not None else fn(con, *self.args, **self.kwargs)


def filter_sets(con) -> dict[str, object]:
    """Typical filter sets on this build: none; the most quoted person; that person in a 3-month window; a search."""
    from newsscope.filters import Filters

    actor = con.execute(
        "SELECT q.speaker_actor_id FROM quotes q JOIN actors a ON a.actor_id = q.speaker_actor_id WHERE a.kind = 'person' "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchall()[0][0]
    first, last = con.execute("SELECT min(published), max(published) FROM articles").fetchall()[0]
    middle = first + (last - first) / 2
    return {
        "no filter": Filters(),
        "one actor": Filters(actors=(actor,)),
        "actor + 3 months": Filters(date_from=middle, date_to=middle + dt.timedelta(days=91), actors=(actor,)),
        "word search": Filters(text="immigration"),
        "phrase search": Filters(text='"health care"'),
        "boolean search": Filters(text="trump AND (immigration OR border) NOT clinton"),
    }


def calls(con, sets: dict[str, object]) -> list[Call]:
    """Every query the pages run, with the arguments they pass (see pages/*.py and components/widgets.py)."""
    from newsscope import queries

    article_id = con.execute("SELECT article_id FROM quotes GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
    story_id = con.execute("SELECT story_id FROM articles GROUP BY 1 HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
    event = con.execute("SELECT event_id, event_key FROM events WHERE kind = 'reported' AND event_key IS NOT NULL LIMIT 1").fetchall()[0]
    happening = con.execute("SELECT happening_id FROM happenings ORDER BY salience DESC, happening_id LIMIT 1").fetchall()[0][0]
    out = [Call(name, None, label="lookup") for name in ("actor_options", "outlet_options", "story_options", "date_bounds", "ingest_summary")]
    out.append(Call("ingest_log", None, kwargs={"problems_only": True}, label="lookup"))  # the Articles page's log view, by default
    out += [
        Call("article", None, (article_id,), label="by id"),
        Call("article_spans", None, (article_id,), label="by id"),
        Call("event_evidence", None, (event[0],), label="by id"),
        Call("same_event", None, (event[1], event[0]), label="by id"),
        Call("happening_reports", None, (happening,), label="by id"),  # a headline card's evidence
    ]
    out += [Call(name, None, (story_id,), label="by id") for name in ("story_articles", "story_quote_grid", "story_claims", "story_actors")]
    for label, f in sets.items():
        actor = f.actors[0] if f.actors else sets["one actor"].actors[0]
        local = type(f)(f.date_from, f.date_to, (), f.outlets, f.story, f.text)  # the Actors page drops the actor filter
        kpi = queries.kpis(con, f).iloc[0]
        grain = queries.pick_grain(kpi["first_published"], kpi["last_published"])
        out += [
            Call("kpis", f, label=label),
            Call("articles_over_time", f, kwargs={"grain": grain}, label=label),
            Call("top_actors", f, kwargs={"limit": 15}, label=label),
            Call("top_speakers", f, kwargs={"limit": 15}, label=label),
            Call("quotes", f, kwargs={"stances": (), "kinds": (), "text": None, "limit": 500}, label=label),
            Call("quote_count", f, label=label),
            Call("key_events", f, kwargs={"limit": 60}, label=label),  # the Timeline opens on these
            Call("count_happenings", f, label=label),
            Call("timeline", f, kwargs={"lane": "actor", "lanes": 12}, label=label),
            Call("publications", f, label=label),
            Call("undated_timexes", f, label=label),
            Call("stories", f, label=label),
            Call("shared_events", f, label=label),
            Call("articles", f, kwargs={"order": "relevance" if f.text else "date", "limit": 500}, label=label),
            Call("actor", None, (actor,), label=label),
            Call("actor_mentions_over_time", local, (actor,), {"grain": grain}, label=label),
            Call("co_actors", local, (actor,), {"limit": 15}, label=label),
            Call("actor_outlets", local, (actor,), label=label),
            Call("quotes_by", local, (actor,), {"limit": 50}, label=label),
            Call("quotes_about", local, (actor,), {"limit": 50}, label=label),
        ]
    return out


# ── timing ───────────────────────────────────────────────────────────────────────────────────────────────────────


def _ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - started)


def _run_raw(con, statements: list) -> None:
    """Each statement, with the match sets it joins (given: the search is timed on its own) registered by name."""
    for sql, tables in statements:
        for name, table in tables.items():
            con.register(name, table)
        try:
            con.execute(sql).df()
        finally:
            for name in tables:
                con.unregister(name)


def time_queries(folder: Path, repeats: int, in_memory: bool = False, raw_on: str = "parquet") -> tuple[dict, dict]:
    """Samples in ms per query name: {name: {"ours": {...}, "raw": {...}, "raw_mem": {...}}} with cold/warm lists.

    `raw_on`: where "raw" runs the literal SQL — "parquet" (views computing the derived columns on every query) or
    "database" (a fresh read-only connection to the dashboard database: the query layer's own cost, for sizes where
    recomputing the derived columns per query takes minutes)."""
    setup = app_connection(folder)
    sets = filter_sets(setup)
    plan = calls(setup, sets)
    # Capture each call's SQL once, on the app's connection.
    raw_sql: list[list[str]] = []
    for n, call in enumerate(plan, start=1):
        recorder = Recorder(setup)
        started = time.perf_counter()
        call.run(recorder)
        print(f"    captured {n}/{len(plan)} {call.query} ({call.label}) {time.perf_counter() - started:.1f} s", flush=True)
        raw_sql.append([(inline(sql, params), tables) for sql, params, tables in recorder.statements])
    hand_sql = [[(HAND[c.query](c.filters, c.kwargs), {})] if c.query in HAND and c.filters is not None and not c.filters.text else None for c in plan]
    for call, sql in zip(plan, hand_sql):  # the hand-written SQL must give the same numbers
        if sql and call.label == "one actor":
            mine, theirs = setup.execute(sql[0][0]).df(), call.run(setup)
            same = mine.astype(str).values.tolist() == theirs.astype(str).values.tolist() if hasattr(theirs, "shape") else mine.iloc[0, 0] == theirs
            if not same:
                print(f"    warning: hand-written SQL for {call.query} ({call.label}) differs from the query's result")
    setup.close()

    samples: dict[str, dict[str, dict[str, list[float]]]] = {}
    loads = []

    def add(call, side, kind, ms):
        samples.setdefault(call.query, {}).setdefault(side, {"cold": [], "warm": []})[kind].append(ms)

    groups: dict[str, list[int]] = {}
    for i, call in enumerate(plan):
        groups.setdefault(call.label, []).append(i)
    for label, indices in groups.items():
        started = time.perf_counter()
        ours = app_connection(folder)
        loads.append(time.perf_counter() - started)
        from newsscope import queries

        queries.search_index(ours)._cache.clear()  # cold: each search is made again on a fresh connection
        raw = parquet_connection(folder) if raw_on == "parquet" else app_connection(folder)
        plain = parquet_connection(folder, derived=False)

        def measure(state: str) -> None:
            for i in indices:
                add(plan[i], "ours", state, _ms(lambda: plan[i].run(ours)))
                add(plan[i], "raw", state, _ms(lambda: _run_raw(raw, raw_sql[i])))
                if in_memory:
                    add(plan[i], "raw_mem", state, _ms(lambda: _run_raw(ours, raw_sql[i])))
                if hand_sql[i]:
                    add(plan[i], "hand", state, _ms(lambda: _run_raw(plain, hand_sql[i])))

        measure("cold")  # cold: first call of each query on fresh connections
        for _ in range(repeats + 1):
            measure("warm")
        ours.close()
        raw.close()
        plain.close()
        print(f"    {label}: {len(indices)} calls timed", flush=True)
    return samples, {"load_seconds": loads, "filter_sets": {k: str(v) for k, v in sets.items()}, "calls": len(plan), "sets": sets}


# ── the search alone, the index build ────────────────────────────────────────────────────────────────────────

SEARCHES = ["immigration", '"health care"', "trump AND (immigration OR border) NOT clinton", "title:obama", "speaker:trump",
            "immigr*", "korea OR iran OR syria", "NOT trump AND said"]
SEARCH_MS = 50
INDEX_S_PER_100K = 60
INCREMENTAL_SHARE = 0.05


def time_search(folder: Path, repeats: int) -> dict:
    """ms per query -> matching article set (`SearchIndex.match`, its cache cleared each time), articles and quotes:
    `samples` the keys alone (what a filter on every page asks for), `scored` with BM25 scores (the Articles
    page's ranking)."""
    from newsscope import search

    index = search.open(folder)
    samples, scored, sizes = [], [], {}
    for _ in range(max(3, repeats + 2)):
        for text in SEARCHES:
            for kind in ("articles", "quotes"):
                if kind == "quotes" and text.startswith("title:"):
                    continue
                for with_scores, into in ((False, samples), (True, scored)):
                    index._cache.clear()
                    started = time.perf_counter()
                    found = index.match(text, kind, scored=with_scores)
                    into.append(1000 * (time.perf_counter() - started))
                sizes[f"{kind}: {text}"] = len(found)
    return {"samples": samples, "scored": scored, "sizes": sizes}


def index_figures(folder: Path, n_articles: int) -> dict:
    """The index build (from its state file, or made now and timed) and an incremental update adding one article."""
    import json as _json
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from newsscope import search, storage, tables

    target = search.path(folder)
    if not (target / "state.json").exists():
        print("    making the search index", flush=True)
        made = search.create(folder)
        full = {"seconds": made.seconds, "added": made.added}
    else:
        full = _json.loads((target / "state.json").read_text())["made"]
    # +1 article: a version folder beside it with the same tables and one article more (linked where unchanged).
    scratch = OUT / "incremental-search"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for name in tables.TABLES:
        if name != "articles" and (folder / f"{name}.parquet").exists():
            os.link(folder / f"{name}.parquet", scratch / f"{name}.parquet")
    (scratch / storage.CACHE).mkdir()
    articles = pq.read_table(folder / "articles.parquet")
    extra = articles.slice(0, 1).to_pylist()[0]
    extra.update(article_id="ffffffffffff0000", title="A new article about zeppelins", body="Zeppelins return to the skies over the capital.")
    pq.write_table(pa.concat_tables([articles, pa.Table.from_pylist([extra], schema=articles.schema)]), scratch / "articles.parquet")
    storage.write_manifest(scratch, {**storage.read_manifest(folder), "built_at": "incremental-search-benchmark"})
    del articles
    made = search.create(scratch, previous=folder)
    found = len(search.SearchIndex.open(search.path(scratch)).match("zeppelins"))
    shutil.rmtree(scratch, ignore_errors=True)
    return {"full_s": full["seconds"], "full_articles": full.get("added", n_articles), "incremental_s": made.seconds,
            "incremental_added": made.added, "found_new": found}


# ── every page's first render, per link ──────────────────────────────────────────────────────────────────────

PAGES = ("overview", "timeline", "actors", "quotes", "coverage", "articles")
PAGE_S = 1.0


def _pages_child(folder: Path, links_json: str) -> None:
    from streamlit.testing.v1 import AppTest

    links = json.loads(links_json)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # the app's start (imports, lookups), measured by app_start; here each page's first render per link
    out = []
    for label, params in links.items():
        for page in PAGES:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            for key, value in params.items():
                at.query_params[key] = value
            at.run()  # the default page (Overview) with this link
            started = time.perf_counter()
            if page != "overview":
                at.switch_page(f"app_pages/{page}.py").run()
                seconds = time.perf_counter() - started
            else:
                seconds = None
            out.append({"link": label, "page": page, "seconds": seconds, "errors": [str(e.value)[:200] for e in at.exception]})
    # Overview: its first render per link, measured in a session of its own after the others warmed the lookups.
    for label, params in links.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        for key, value in params.items():
            at.query_params[key] = value
        at.query_params["overview_bench"] = label  # a distinct URL, the same queries
        started = time.perf_counter()
        at.run()
        for row in out:
            if row["link"] == label and row["page"] == "overview":
                row["seconds"] = time.perf_counter() - started
    print(json.dumps({"renders": out, "peak_rss_mb": peak_rss_mb()}))


def page_renders(folder: Path, links: dict) -> dict:
    env = dict(os.environ, NEWSSCOPE_DATA=str(folder), NEWSSCOPE_READ_ONLY="1")
    done = subprocess.run([sys.executable, "-m", "benchmarks.dashboard", "--pages-child", str(folder), json.dumps(links)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"page renders on {folder} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def links_for(sets: dict) -> dict:
    from newsscope.filters import to_params

    return {label: to_params(f) for label, f in sets.items()}


# ── app cold start ───────────────────────────────────────────────────────────────────────────────────────────────


def _app_child(folder: Path) -> None:
    started = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    imported = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    done = time.perf_counter()
    errors = [str(e.value)[:300] for e in at.exception]
    rss = peak_rss_mb()
    print(json.dumps({"seconds": done - started, "run_seconds": done - imported, "peak_rss_mb": rss, "errors": errors, "metrics": len(at.metric)}))


def peak_rss_mb() -> float:
    """This process's peak RSS since it started its program: VmHWM, which exec resets.

    Not `ru_maxrss`: Linux carries the pre-exec high-water mark into it, so a child forked from a big benchmark
    process would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def app_start(folder: Path) -> dict:
    env = dict(os.environ, NEWSSCOPE_DATA=str(folder), NEWSSCOPE_READ_ONLY="1")
    done = subprocess.run([sys.executable, "-m", "benchmarks.dashboard", "--app-child", str(folder)], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"app start on {folder} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ── the benchmark ────────────────────────────────────────────────────────────────────────────────────────────────


def _synthetic(args) -> tuple[Path, Path, int, float | None]:
    """The base build, the synthetic build, its size, and the seconds its dashboard database took (None: not timed)."""
    from benchmarks import synth
    from benchmarks.memory import measure
    from newsscope import storage, warehouse

    n_base = 50 if args.quick else 840
    n_articles = args.articles or (10_000 if args.quick else 100_000)
    base = Path(args.base) if args.base else OUT / f"build{n_base}"
    if storage.current(base) is None:
        measure(n_base, base, args.batch_size)
    big = OUT / f"synth{n_articles // 1000}k"
    folder = storage.current(big)
    base_folder = str(storage.current(base))
    made = storage.read_manifest(folder).get("synthetic", {}) if folder is not None else {}
    fresh = made.get("base") == base_folder and made.get("articles") == n_articles and made.get("version") == synth.VERSION
    if getattr(args, "reuse_synthetic", False) and made.get("articles") == n_articles:
        fresh = True  # asked for: the build as it is (the report names the base it was made from)
    if not fresh:
        print(f"    scaling {base} to {n_articles:,} articles → {big}", flush=True)
        started = time.perf_counter()
        synth.scale(base, big, n_articles)
        print(f"    synthetic build written in {time.perf_counter() - started:.0f} s", flush=True)
    if not warehouse.path(storage.current(base)).exists():  # as a build makes it now (the app start compares the two)
        warehouse.create(storage.current(base))
    folder = storage.current(big)
    made_s = None
    if not warehouse.path(folder).exists():  # a synthetic build from before the dashboard database
        started = time.perf_counter()
        warehouse.create(folder)
        made_s = time.perf_counter() - started
        print(f"    dashboard database made in {made_s:.0f} s", flush=True)
    return base, big, n_articles, made_s


def run(args) -> None:
    from newsscope import storage

    base, big, n_articles, made_s = _synthetic(args)
    made = f"; the database itself was made in {made_s:.0f} s (once per build)" if made_s else ""
    folder = storage.current(big)
    rows = storage.read_manifest(folder)["rows"]
    print(f"    {rows}", flush=True)
    raw_on = getattr(args, "raw", None) or ("database" if n_articles >= 1_000_000 else "parquet")
    raw_name = "raw Parquet" if raw_on == "parquet" else "raw SQL on the dashboard database"
    samples, info = time_queries(folder, args.repeats, in_memory=not args.quick and args.repeats >= 3 and raw_on == "parquet", raw_on=raw_on)

    lines, figures, hand_ratios = [], [], []
    worst = {"warm": (0.0, ""), "cold": (0.0, ""), "ratio": (0.0, "")}
    for name, sides in samples.items():
        ow, oc = p95(sides["ours"]["warm"]), p95(sides["ours"]["cold"])
        rw, rc = p95(sides["raw"]["warm"]), p95(sides["raw"]["cold"])
        mw = p95(sides["raw_mem"]["warm"]) if "raw_mem" in sides else float("nan")
        ratio = max(ow / rw, oc / rc)
        for key, value in (("warm", ow), ("cold", oc), ("ratio", ratio)):
            if value > worst[key][0]:
                worst[key] = (value, name)
        flag = "" if max(ow, oc) <= P95_MS and ratio <= RAW_RATIO else " ✗"
        hand = ""
        if "hand" in sides:
            hw, hc = p95(sides["hand"]["warm"]), p95(sides["hand"]["cold"])
            hand_ratios.append((max(ow / hw, oc / hc), name))
            hand = f"{hw:.0f} / {hc:.0f} ({ow / hw:.2f} / {oc / hc:.2f})"
        lines.append(f"| {name}{flag} | {ow:.0f} | {oc:.0f} | {rw:.0f} | {rc:.0f} | {mw:.0f} | {ow / rw:.2f} | {oc / rc:.2f} | {hand} |")
    over = [n for n, s in samples.items() if max(p95(s["ours"]["warm"]), p95(s["ours"]["cold"])) > P95_MS]
    slower = [n for n, s in samples.items() if max(p95(s["ours"]["warm"]) / p95(s["raw"]["warm"]), p95(s["ours"]["cold"]) / p95(s["raw"]["cold"])) > RAW_RATIO]
    figures += [
        Figure("worst query p95, warm", worst["warm"][0], "ms", f"<= {P95_MS} ms", worst["warm"][0] <= P95_MS, worst["warm"][1]),
        Figure("worst query p95, cold", worst["cold"][0], "ms", f"<= {P95_MS} ms", worst["cold"][0] <= P95_MS, worst["cold"][1]),
        Figure("queries over 200 ms (p95, warm or cold)", len(over), f"of {len(samples)}", "0", not over, ", ".join(over)),
        Figure(f"worst p95 ours ÷ {raw_name}", worst["ratio"][0], "x", f"<= {RAW_RATIO}", worst["ratio"][0] <= RAW_RATIO, worst["ratio"][1]),
        Figure("queries slower than 1.5 x raw", len(slower), f"of {len(samples)}", "0", not slower, ", ".join(slower)),
    ]
    if hand_ratios:
        value, name = max(hand_ratios)
        figures.append(Figure("worst p95 ours ÷ hand-written SQL (Overview queries)", value, "x", f"<= {RAW_RATIO}", value <= RAW_RATIO, name))

    searched = time_search(folder, args.repeats)
    search_p95 = p95(searched["samples"])
    figures.append(Figure("search alone p95 (query → matching article / quote set)", search_p95, "ms", f"<= {SEARCH_MS} ms", search_p95 <= SEARCH_MS,
                          f"{len(searched['samples'])} searches of {len(SEARCHES)} queries; median {median(searched['samples']):.1f} ms; "
                          f"with BM25 scores (a ranking) p95 {p95(searched['scored']):.0f} ms"))
    built = index_figures(folder, n_articles)
    per_100k = built["full_s"] * 100_000 / max(1, built["full_articles"])
    share = built["incremental_s"] / built["full_s"]
    figures += [
        Figure("search index build, per 100,000 articles", per_100k, "s", f"<= {INDEX_S_PER_100K} s", per_100k <= INDEX_S_PER_100K,
               f"{built['full_s']:.0f} s for {built['full_articles']:,} articles and their quotes"),
        Figure("index update adding 1 article ÷ full index build", share, "x", f"<= {INCREMENTAL_SHARE}", share <= INCREMENTAL_SHARE,
               f"{built['incremental_s']:.1f} s ({built['incremental_added']} article re-indexed; found by a search: {built['found_new']})"),
    ]
    renders = page_renders(folder, links_for(info["sets"]))
    render_rows = renders["renders"]
    worst_render = max(render_rows, key=lambda r: r["seconds"] or 0)
    slow = [f"{r['page']} ({r['link']}) {r['seconds']:.2f} s" for r in render_rows if (r["seconds"] or 0) > PAGE_S]
    figures += [
        Figure("worst page first render (AppTest, one process)", worst_render["seconds"], "s", f"<= {PAGE_S} s", worst_render["seconds"] <= PAGE_S,
               f"{worst_render['page']} ({worst_render['link']}); {len(slow)} of {len(render_rows)} over"),
        Figure("peak RSS of the page-render process", renders["peak_rss_mb"], "MB", f"<= {RSS_MB} MB", renders["peak_rss_mb"] <= RSS_MB, ""),
    ]
    render_table = "\n".join(f"| {r['link']} | " + " | ".join(
        f"{x['seconds']:.2f}" + (" ✗" if x["seconds"] > PAGE_S else "") + (" (error)" if x["errors"] else "")
        for x in render_rows if x["link"] == r["link"]) + " |" for r in render_rows if r["page"] == "overview")

    starts = {"big": [], "base": []}
    for _ in range(max(1, min(args.repeats, 3))):
        for key, where in (("big", big), ("base", base)):
            result = app_start(where)
            if result["errors"]:
                print(f"    app errors on {key}: {result['errors']}")
            starts[key].append(result)
            print(f"    app start on the {key} build: {result['seconds']:.2f} s (run {result['run_seconds']:.2f} s), peak RSS {result['peak_rss_mb']:,.0f} MB", flush=True)
    start_s = median([r["seconds"] for r in starts["big"]])
    start_base = median([r["seconds"] for r in starts["base"]])
    rss = max(r["peak_rss_mb"] for r in starts["big"])
    n_base = storage.read_manifest(storage.current(base))["rows"]["articles"]
    figures += [
        Figure(f"app cold start, first Overview render, {n_articles // 1000}k articles", start_s, "s", f"<= {START_S} s", start_s <= START_S,
               f"{n_base}-article build: {start_base:.2f} s; imports included"),
        Figure("peak RSS of that process", rss, "MB", f"<= {RSS_MB} MB", rss <= RSS_MB, f"{n_base}-article build: {max(r['peak_rss_mb'] for r in starts['base']):,.0f} MB"),
    ]
    errors = sorted({e for r in starts["big"] + starts["base"] for e in r["errors"]})
    details = f"""
Synthetic build: {big} ({', '.join(f'{k} {v:,}' for k, v in rows.items())}), made by `benchmarks/synth.py` from {storage.read_manifest(folder).get("synthetic", {}).get("base", base)}.
Filter sets: {json.dumps(info['filter_sets'])}. {info['calls']} calls; p95 per query over its samples (warm:
{args.repeats + 1} rounds x filter sets; cold: first call per filter set on fresh connections). Opening the app's dashboard
database took {', '.join(f'{1000 * s:.0f}' for s in info['load_seconds'])} ms per fresh connection{made}.

| query (✗ = misses a target) | ours warm p95 ms | ours cold p95 ms | {raw_name} warm | {raw_name} cold | same SQL on the dashboard database, warm | ours ÷ raw warm | ours ÷ raw cold | hand-written warm / cold (ours ÷ it) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(lines)}

App start (fresh process, AppTest, NEWSSCOPE_READ_ONLY=1), interleaved: {n_articles:,} articles {[round(r['seconds'], 2) for r in starts['big']]} s
(of which `at.run()` {[round(r['run_seconds'], 2) for r in starts['big']]} s); {n_base} articles {[round(r['seconds'], 2) for r in starts['base']]} s
(`at.run()` {[round(r['run_seconds'], 2) for r in starts['base']]} s). Peak RSS {[round(r['peak_rss_mb']) for r in starts['big']]} MB vs {[round(r['peak_rss_mb']) for r in starts['base']]} MB.
{('App exceptions: ' + '; '.join(errors)) if errors else 'No app exceptions.'}

Each page's first render (seconds; AppTest in one read-only process, the link's filters in the URL; Overview
measured in a session of its own):

| link | {' | '.join(PAGES)} |
| --- | {' | '.join('---' for _ in PAGES)} |
{render_table}

Search sizes (matching documents): {json.dumps(searched['sizes'])}
"""
    report(
        "dashboard" if n_articles < 1_000_000 else "dashboard_1m",
        f"4. Dashboard at scale ({n_articles:,} synthetic articles)",
        figures,
        details,
        contention="absolute ms and the 3 s start are load-sensitive on this shared 2-core machine; ours and raw are "
        "interleaved call by call, so their ratios are the robust figures.",
    )
    print(details)


if __name__ == "__main__" and "--app-child" in sys.argv:
    _app_child(Path(sys.argv[sys.argv.index("--app-child") + 1]))
if __name__ == "__main__" and "--pages-child" in sys.argv:
    _pages_child(Path(sys.argv[sys.argv.index("--pages-child") + 1]), sys.argv[sys.argv.index("--pages-child") + 2])
