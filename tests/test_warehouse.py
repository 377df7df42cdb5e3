"""The dashboard database: made once per build version, reused, remade when its source changes, read-only safe,
and giving the same answers as the plain Parquet tables."""

from __future__ import annotations

import dataclasses

import threading
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import AUSTIN, D, KIM, RUSSIA, write_fixture_build

from newsscope import queries, storage, tables, warehouse
from newsscope.filters import Filters


def plain(folder: Path) -> duckdb.DuckDBPyConnection:
    """The contract tables straight from Parquet, without derived columns."""
    con = duckdb.connect(":memory:")
    for name in tables.TABLES:
        con.from_arrow(pq.read_table(folder / f"{name}.parquet")).create(name)
    return con


@pytest.fixture()
def isolated(tmp_path, monkeypatch) -> Path:
    """A fixture build of its own, and a temporary folder of its own for fallback files."""
    monkeypatch.setattr(warehouse, "TEMP_DIR", tmp_path / "tmp")
    return storage.current(write_fixture_build(tmp_path / "processed"))


def test_create_writes_the_contract_tables_and_derived_columns(isolated):
    made = warehouse.create(isolated)
    assert made == warehouse.path(isolated) and made.parent == isolated / storage.CACHE
    con = duckdb.connect(str(made), read_only=True)
    listed = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert listed == set(tables.TABLES) | set(warehouse.EXTRA)  # nothing else: the security tests count on that
    rows = storage.read_manifest(isolated)["rows"]
    for name in tables.TABLES:
        columns = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]  # names: module constants
        assert columns == tables.SCHEMAS[name].names + list(warehouse.DERIVED_COLUMNS.get(name, ())), name
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == rows[name]
    # The actor tables regroup the mentions: every mention with an actor counted once, every quote about one listed once.
    assert con.execute("SELECT sum(mentions) FROM actor_articles").fetchone()[0] == con.execute("SELECT count(actor_id) FROM mentions").fetchone()[0]
    assert con.execute("SELECT count(*) FROM actor_articles").fetchone()[0] == con.execute("SELECT count(DISTINCT (actor_id, article_id)) FROM mentions WHERE actor_id IS NOT NULL").fetchone()[0]
    about = con.execute("SELECT count(*), count(DISTINCT (actor_id, quote_id)) FROM quote_mentions").fetchone()
    assert about[0] == about[1] > 0
    assert not list(made.parent.glob("*.partial*"))


def test_open_makes_it_once_and_reuses_it(isolated):
    first = warehouse.open(isolated)
    made = warehouse.path(isolated)
    stamp = made.stat().st_mtime_ns, made.stat().st_ino
    first.close()
    again = warehouse.open(isolated)
    assert (made.stat().st_mtime_ns, made.stat().st_ino) == stamp
    assert again.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    with pytest.raises(duckdb.Error):  # read-only
        again.execute("DELETE FROM articles")


def test_a_new_version_gets_its_own_file(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "TEMP_DIR", tmp_path / "tmp")
    out = tmp_path / "processed"
    old = storage.current(write_fixture_build(out))
    warehouse.open(old).close()
    new = storage.current(write_fixture_build(out))
    assert new != old and not warehouse.path(new).exists()
    warehouse.open(new).close()
    assert warehouse.path(new).exists() and warehouse.path(old).exists()  # the previous version stays readable


def test_a_table_rewritten_in_place_gets_a_new_file(isolated):
    warehouse.open(isolated).close()
    before = warehouse.path(isolated)
    frame = storage.read_table(isolated, "articles")
    frame.loc[frame["article_id"] == "art1", "title"] = "A new title"
    storage.write_table(isolated, "articles", frame)
    con = warehouse.open(isolated)
    assert warehouse.path(isolated) != before and not before.exists()
    assert con.execute("SELECT title FROM articles WHERE article_id = 'art1'").fetchone()[0] == "A new title"


def test_concurrent_sessions_make_it_once(isolated, monkeypatch):
    made = []
    create = warehouse.create

    def counting(folder, target=None):
        made.append(target)
        return create(folder, target)

    monkeypatch.setattr(warehouse, "create", counting)
    results, errors = [], []

    def session():
        try:
            results.append(warehouse.open(isolated).execute("SELECT count(*) FROM quotes").fetchone()[0])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=session) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and results == [5] * 4 and len(made) == 1


def test_read_only_deployment_uses_the_temporary_folder(isolated):
    con = warehouse.open(isolated, write=False)
    assert not warehouse.path(isolated).exists()
    assert warehouse.fallback_path(isolated).exists()
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5


def test_an_unwritable_version_folder_falls_back(isolated, monkeypatch):
    blocker = isolated.parent / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(warehouse, "path", lambda folder: blocker / "dashboard.duckdb")  # mkdir under a file fails
    con = warehouse.open(isolated)
    assert warehouse.fallback_path(isolated).exists()
    assert queries.kpis(con, Filters())["articles"].iloc[0] == 5


def test_nowhere_writable_loads_into_memory(isolated, monkeypatch):
    blocker = isolated.parent / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(warehouse, "path", lambda folder: blocker / "dashboard.duckdb")
    monkeypatch.setattr(warehouse, "TEMP_DIR", blocker / "tmp")
    con = warehouse.open(isolated)
    assert {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()} == set(tables.TABLES) | set(warehouse.EXTRA)
    assert queries.quote_count(con, Filters(actors=(AUSTIN,))) == 3


def test_a_missing_table_is_an_empty_one(isolated):
    (isolated / "timexes.parquet").unlink()
    con = warehouse.open(isolated)
    assert con.execute("SELECT count(*) FROM timexes").fetchone()[0] == 0
    assert queries.undated_timexes(con, Filters()).empty


# ── the same answers ─────────────────────────────────────────────────────────────────────────────────────────────

FILTER_SETS = [
    Filters(),
    Filters(actors=(AUSTIN,)),
    Filters(actors=(KIM, RUSSIA), date_from=D(2024, 5, 1)),
    Filters(date_from=D(2024, 4, 1), date_to=D(2024, 5, 31)),
    Filters(outlets=("RT", "Reuters")),
    Filters(story="s1"),
    Filters(text="pyongyang"),
    Filters(text="north korea"),
    Filters(text="%"),
]


def _answers(con: duckdb.DuckDBPyConnection, actor_id: str, story_id: str, article_id: str) -> dict:
    out = {}
    for i, f in enumerate(FILTER_SETS):
        for name in ("kpis", "articles_over_time", "top_actors", "top_speakers", "quotes", "quote_count", "publications",
                     "undated_timexes", "stories", "shared_events", "articles", "long_events"):
            out[name, i] = getattr(queries, name)(con, f)
        out["timeline", i] = queries.timeline(con, f)
        out["timeline_outlets", i] = queries.timeline(con, f, lane="outlet")
        out["search", i] = queries.articles(con, dataclasses.replace(f, text="korea said"), order="relevance")
        for name in ("actor_mentions_over_time", "quotes_about", "quotes_by", "co_actors", "actor_outlets"):
            out[name, i] = getattr(queries, name)(con, f, actor_id)
    for name in ("story_articles", "story_quote_grid", "story_claims", "story_actors"):
        out[name] = getattr(queries, name)(con, story_id)
    out["article"] = queries.article(con, article_id)
    out["article_spans"] = queries.article_spans(con, article_id)
    return out


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key, left in a.items():
        right = b[key]
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=str(key))
        else:
            assert left == right, key


def test_same_answers_as_the_parquet_tables(hostile_build):
    folder = storage.current(hostile_build)
    _same(_answers(warehouse.open(folder), AUSTIN, "s1", "art2"), _answers(plain(folder), AUSTIN, "s1", "art2"))


@pytest.mark.slow
def test_same_answers_on_the_sample_build(sample_build):
    folder = storage.current(sample_build)
    reference = plain(folder)
    actor_id = reference.execute("SELECT actor_id FROM actors ORDER BY n_mentions DESC, actor_id LIMIT 1").fetchone()[0]
    story_id = reference.execute("SELECT story_id FROM articles GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    article_id = reference.execute("SELECT article_id FROM quotes GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    _same(_answers(warehouse.open(folder), actor_id, story_id, article_id), _answers(reference, actor_id, story_id, article_id))


def test_read_only_deployment_reads_the_builds_own_file(isolated):
    warehouse.create(isolated)
    con = warehouse.open(isolated, write=False)
    assert not warehouse.fallback_path(isolated).exists()
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
