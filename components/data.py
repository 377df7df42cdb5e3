"""The app's data layer: which build to read, one DuckDB connection per build, and cached queries.

A build is identified by its resolved version folder plus the manifest's `built_at`; the frame (`app.py`) resolves
`DIR` once per script run (`storage.current`) and every query of that run reads that version, even if a new
build is published meanwhile. Each version is read through its dashboard database (`newsscope.warehouse`: a
DuckDB file made once from the Parquet tables, opened read-only, its pages read on demand), one connection per
version held by `st.cache_resource`. Cached query results are keyed by plain values only.
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

from newsscope import charts, queries, storage, warehouse
from newsscope.filters import Filters

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
        "articles", "article", "article_spans",
    )
}  # fmt: skip


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(build_key: tuple[str, str], name: str, filters: Filters | None, args: tuple, kwargs: tuple) -> object:
    con = database(*build_key).cursor()  # one cursor per call: cursors are safe to use from concurrent sessions
    try:
        fn = _QUERIES[name]
        return fn(con, filters, *args, **dict(kwargs)) if filters is not None else fn(con, *args, **dict(kwargs))
    finally:
        con.close()


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


@st.cache_data(max_entries=4, show_spinner=False)
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


@st.cache_data(max_entries=64, show_spinner=False)
def _timeline_figure(build_key: tuple[str, str], filters: Filters, lane: str, lanes: int, publications: bool):
    events = _cached(build_key, "timeline", filters, (), (("kind", "reported"), ("lane", lane), ("lanes", lanes)))
    pubs = _cached(build_key, "publications", filters, (), ()) if publications else None
    return events, charts.timeline(events, pubs, lane_title=lane.capitalize(), colors=_colors(build_key))


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


def frame(name: str, filters: Filters | None = None, *args: object, **kwargs: object) -> pd.DataFrame:
    """`q` for queries returning a frame (a copy, so a page may add columns without touching the cache).

    Missing titles and outlets come out as their placeholders ("(untitled)", "(no outlet)"), so no page shows "None".
    """
    return charts.with_placeholders(q(name, filters, *args, **kwargs).copy())
