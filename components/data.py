"""The app's data layer: which build to read, one DuckDB connection per build, and cached queries.

A build is identified by its resolved version folder plus the manifest's `built_at`; the frame (`app.py`) resolves
`DIR` once per script run (`storage.current`) and every query of that run reads that version, even if a new
build is published meanwhile. Each version is read through its dashboard database (`newsscope.warehouse`: a
DuckDB file made once from the Parquet tables, opened read-only, its pages read on demand), one connection per
version held by `st.cache_resource`. Cached query results are keyed by plain values only.

Caches (all in process memory, per Streamlit worker; sizes chosen so one worker stays well under 1 GB on the
840-article build and bounded on any build; see docs/deploy.md, "Caches"):
- query results: `QUERY_ENTRIES` per kind (raw for `q`, with placeholders for `frame`), each kept `TTL_S` after
  it was made (`st.cache_resource`: the object is shared, never pickled or copied; `frame` hands a page a
  shallow copy, which copy-on-write pandas keeps apart from the cached one);
- figures: `FIGURE_ENTRIES` Plotly figures keyed by (build, chart, query, filters, arguments), `TTL_S` too, so a
  page that shows a view someone has seen builds no figure;
- per build: the connection, the lookups and the colour map (two builds: the current one and the one before).
A new build has a new key: nothing stale is ever served, the old entries age out.
"""

from __future__ import annotations

import atexit
import gc
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from newsscope import charts, queries, search, storage, timeline_queries, warehouse
from newsscope.filters import Filters

QUERY_ENTRIES = 512  # query results per cache (raw / with placeholders); each one a small aggregate or a page of rows
FIGURE_ENTRIES = 256  # Plotly figures (the largest, a Timeline, holds ≈ 200 KB of spec)
TIMELINE_ENTRIES = 64  # Timeline (events, figure) pairs
TTL_S = 3600  # seconds a cached result or figure is kept after it was made

# Streamlit runs a full garbage collection after every script run (`runner.postScriptGC`). With ~150k objects
# from the libraries imported above, that took half of the server's time under load (py-spy, 20 sessions):
# freezing what exists now exempts those long-lived objects; what the runs create is still collected.
gc.freeze()
atexit.register(gc.unfreeze)  # so the interpreter's last collection still finalises them (nanobind warns otherwise)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "raw"
UPLOADS = Path(os.environ.get("NEWSSCOPE_UPLOADS") or ROOT / "data" / "uploads")  # tests point it at a temporary folder
_BUILD_KEY = "_newsscope_build"


@dataclass(frozen=True)
class Build:
    """One published build: the resolved version folder and when it was built (together, the cache key)."""

    folder: str
    built_at: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.folder, self.built_at)


def data_dir() -> Path:
    """$NEWSSCOPE_DATA, else data/processed; a relative path is relative to the repository."""
    path = Path(os.environ.get("NEWSSCOPE_DATA") or "data/processed").expanduser()
    return path if path.is_absolute() else ROOT / path


def read_only() -> bool:
    return os.environ.get("NEWSSCOPE_READ_ONLY", "").strip().lower() in {"1", "true", "yes", "on"}


def resolve() -> Build | None:
    """Resolve the build for this script run (call once per run, in the frame) and remember it for the pages."""
    folder = storage.current(data_dir())
    build = None
    if folder is not None:
        try:
            manifest = storage.read_manifest(folder)
        except (OSError, ValueError):
            manifest = None  # a folder without a readable manifest is not a build
        if manifest is not None:
            build = Build(str(folder), str(manifest.get("built_at", "")))
    st.session_state[_BUILD_KEY] = build
    return build


def current() -> Build | None:
    """The build the frame resolved for this run (None when there is none)."""
    return st.session_state.get(_BUILD_KEY)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(max_entries=2, show_spinner="Preparing the tables (once per build)…", on_release=_close)
def database(folder: str, built_at: str) -> duckdb.DuckDBPyConnection:
    """The build version's dashboard database, read-only (made first for a build that has none).

    A read-only app does not write into the build: a missing database goes to the system temporary folder.
    """
    return warehouse.open(Path(folder), write=not read_only())


@st.cache_data(max_entries=16, show_spinner=False)
def manifest(folder: str, built_at: str) -> dict:
    return storage.read_manifest(Path(folder))


_QUERIES = {
    name: getattr(queries, name)
    for name in (
        "actor_options", "outlet_options", "story_options", "date_bounds", "kpis", "articles_over_time", "top_actors",
        "top_speakers", "ingest_summary", "ingest_log", "quotes", "quote_count", "actor", "actor_mentions_over_time",
        "quotes_about", "quotes_by", "co_actors", "actor_outlets", "timeline", "long_events", "publications", "undated_timexes",
        "event_evidence", "same_event", "stories", "story_articles", "story_quotes", "story_quote_grid", "story_claims", "story_actors", "shared_events",
        "articles", "article", "article_spans", "article_bodies", "outlet_counts",
    )
}  # fmt: skip
_QUERIES.update({name: getattr(timeline_queries, name) for name in ("key_events", "count_happenings", "happening_reports", "key_event_reports")})


def _query(build_key: tuple[str, str], name: str, filters: Filters | None, args: tuple, kwargs: tuple) -> object:
    con = database(*build_key).cursor()  # one cursor per call: cursors are safe to use from concurrent sessions
    try:
        fn = _QUERIES[name]
        return fn(con, filters, *args, **dict(kwargs)) if filters is not None else fn(con, *args, **dict(kwargs))
    finally:
        con.close()


# cache_resource, not cache_data: a hit returns the object itself instead of unpickling a copy (under load the
# pickling was 3 % of the server's time, the copies and placeholders another 10 %). Nobody mutates what it returns:
# `q` serves scalars and the frame's own helpers, `frame` returns a shallow copy.
@st.cache_resource(max_entries=QUERY_ENTRIES, ttl=TTL_S, show_spinner=False)
def _cached(build_key: tuple[str, str], name: str, filters: Filters | None, args: tuple, kwargs: tuple) -> object:
    return _query(build_key, name, filters, args, kwargs)


@st.cache_resource(max_entries=QUERY_ENTRIES, ttl=TTL_S, show_spinner=False)
def _framed(build_key: tuple[str, str], name: str, filters: Filters | None, args: tuple, kwargs: tuple) -> pd.DataFrame:
    """A query's frame with its placeholders (what `frame` serves), made once per arguments."""
    return charts.with_placeholders(_query(build_key, name, filters, args, kwargs))


@dataclass(frozen=True)
class Lookups:
    """What the sidebar needs of a build on every run, computed once per build (kept, never copied)."""

    actor_ids: tuple[str, ...]  # most mentioned first
    names: dict[str, str]  # actor id -> name
    kinds: dict[str, str]  # actor id -> kind
    outlets: tuple[str, ...]  # largest first
    story_titles: dict[str, str]  # story id -> "title · n articles", largest story first


@st.cache_resource(max_entries=2, show_spinner=False)
def _lookups(build_key: tuple[str, str]) -> Lookups:
    actors = _cached(build_key, "actor_options", None, (), ())
    stories = _cached(build_key, "story_options", None, (), ())
    ids = actors["actor_id"].tolist()
    return Lookups(
        actor_ids=tuple(ids),
        names=dict(zip(ids, actors["name"].tolist())),
        kinds=dict(zip(ids, actors["kind"].tolist())),
        outlets=tuple(_cached(build_key, "outlet_options", None, (), ())["outlet"].tolist()),
        story_titles={s: f"{charts.shown(t, 'title')} · {n} articles" for s, t, n in zip(stories["story_id"], stories["title"], stories["n_articles"])},
    )


@st.cache_resource(max_entries=2, show_spinner=False)
def _colors(build_key: tuple[str, str]) -> dict[str, str]:
    known = _lookups(build_key)
    # Outlets and actors rarely share a chart; each list gets the palette in its own rank order.
    return {**charts.color_map([known.names[a] for a in known.actor_ids]), **charts.color_map(list(known.outlets))}


def lookups() -> Lookups:
    """The current build's actor, outlet and story lookups for the filter widgets."""
    return _lookups(current().key)


def colors() -> dict[str, str]:
    """Name -> colour for the current build's most prominent actors and outlets (the same on every page)."""
    build = current()
    return _colors(build.key) if build else {}


@st.cache_resource(max_entries=TIMELINE_ENTRIES, ttl=TTL_S, show_spinner=False)
def _timeline_figure(build_key: tuple[str, str], filters: Filters, lane: str, lanes: int, publications: bool):
    events = _cached(build_key, "timeline", filters, (), (("lane", lane), ("lanes", lanes)))
    pubs = _cached(build_key, "publications", filters, (), ()) if publications else None
    bounds = (filters.date_from, filters.date_to)
    return events, charts.timeline(events, pubs, lane_title=lane.capitalize(), colors=_colors(build_key), bounds=bounds)


def timeline_figure(filters: Filters, lane: str, lanes: int, publications: bool):
    """`(events, figure)` for the Timeline page, cached: a figure of thousands of events takes a while to build."""
    return _timeline_figure(current().key, filters, lane, lanes, publications)


def q(name: str, filters: Filters | None = None, *args: object, **kwargs: object):
    """Run `queries.<name>` on the current build, cached per (build, arguments).

    `filters=None` calls the query without filters (lookups, one article, one event). Arguments must be plain
    hashable values (str, int, tuples, `Filters`), never frames.
    """
    build = current()
    if build is None:
        raise RuntimeError("no build resolved for this run; the frame (app.py) calls data.resolve() first")
    return _cached(build.key, name, filters, tuple(args), tuple(sorted(kwargs.items())))


def csv(name: str, filters: Filters | None = None, *args: object, shape=None, **kwargs: object):
    """A callable making the CSV of `queries.<name>(...)` on the current build, for `st.download_button(data=...)`:
    the query runs when the user clicks, not on every render of the page (uncached: a download is asked once).
    `shape(frame) -> frame`: what is written, made from the query's rows (default: the rows, list columns left out)."""
    key = current().key

    def make() -> bytes:
        rows = _query(key, name, filters, tuple(args), tuple(sorted(kwargs.items())))
        rows = shape(rows) if shape is not None else rows.drop(columns=["outlets"], errors="ignore")  # a list; `outlet_list` joins it
        return rows.to_csv(index=False).encode("utf-8")

    return make


def frame(name: str, filters: Filters | None = None, *args: object, **kwargs: object) -> pd.DataFrame:
    """`q` for queries returning a frame (a copy, so a page may add columns without touching the cache).

    Missing titles and outlets come out as their placeholders ("(untitled)", "(no outlet)"), so no page shows "None".
    """
    build = current()
    if build is None:
        raise RuntimeError("no build resolved for this run; the frame (app.py) calls data.resolve() first")
    return _framed(build.key, name, filters, tuple(args), tuple(sorted(kwargs.items()))).copy(deep=False)


_CHARTS = {"articles_over_time": charts.articles_over_time, "ranked_bars": charts.ranked_bars, "presence_heatmap": charts.presence_heatmap}
_COLOURED = {"articles_over_time", "ranked_bars"}  # the builders that take the build's colour map


@st.cache_resource(max_entries=FIGURE_ENTRIES, ttl=TTL_S, show_spinner=False)
def _figure(build_key: tuple[str, str], chart: str, name: str, filters: Filters | None, args: tuple, kwargs: tuple, chart_kwargs: tuple):
    rows = _framed(build_key, name, filters, args, kwargs).copy(deep=False)
    colours = {"colors": _colors(build_key)} if chart in _COLOURED else {}
    return _CHARTS[chart](rows, **dict(chart_kwargs), **colours)


def figure(chart: str, name: str, filters: Filters | None = None, *args: object, chart_kwargs: dict | None = None, **kwargs: object):
    """`charts.<chart>(frame(name, filters, *args, **kwargs), **chart_kwargs)`, cached by those plain values.

    The figure object is shared by every session that asks for the same view (st.plotly_chart only reads it);
    builders that colour by name get the build's colour map.
    """
    build = current()
    if build is None:
        raise RuntimeError("no build resolved for this run; the frame (app.py) calls data.resolve() first")
    return _figure(build.key, chart, name, filters, tuple(args), tuple(sorted(kwargs.items())), tuple(sorted((chart_kwargs or {}).items())))


@st.cache_data(max_entries=256, show_spinner=False)
def query_problem(text: str, kind: str = "articles") -> str | None:
    """Why the search `text` cannot be read (a message for the sidebar), or None when it can."""
    try:
        search.check(text, kind)
    except search.QueryError as error:
        return str(error)
    return None


@st.cache_data(max_entries=64, show_spinner=False)
def _snippets(build_key: tuple[str, str], text: str, article_ids: tuple[str, ...]) -> dict[str, search.Snippet]:
    con = database(*build_key).cursor()
    try:
        index = queries.search_index(con)
        bodies = queries.article_bodies(con, article_ids)
    finally:
        con.close()
    out = {}
    for article_id, title, body in bodies[["article_id", "title", "body"]].itertuples(index=False):
        found = index.snippet(text, {"body": body or "", "title": title or ""})
        if found is not None:
            out[article_id] = found
    return out


def snippets(text: str, article_ids: tuple[str, ...]) -> dict[str, search.Snippet]:
    """The best matching passage of each article (by id) for the search `text`; articles without one are left out."""
    return _snippets(current().key, text, tuple(article_ids))
