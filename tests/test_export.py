"""`newsscope export` (newsscope/export.py) and the pages' CSV downloads: a file holds what the page shows, under the
same filters (search included), and a bad request is refused with a reason rather than a traceback.

Runs on the hand-made hostile build of conftest (five articles, five quotes; no spaCy needed).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import AUSTIN, EVIL, PUTIN, write_fixture_build
from typer.testing import CliRunner

from newsscope import queries, storage, warehouse
from newsscope.cli import app
from newsscope.filters import Filters


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return write_fixture_build(tmp_path_factory.mktemp("export") / "processed")


@pytest.fixture(scope="module")
def con(build):
    return warehouse.open(storage.current(build))


def _export(build: Path, target: Path, *args: str):
    result = CliRunner().invoke(app, ["export", str(build), "-o", str(target), *args])
    return result, (pd.read_csv(target, keep_default_na=False) if target.exists() else None)


def test_search_export_is_the_ranked_result_with_its_query(build, con, tmp_path):
    result, rows = _export(build, tmp_path / "s.csv", "--table", "search", "--query", "putin OR analysts")
    assert result.exit_code == 0, result.output
    expected = queries.articles(con, Filters(text="putin OR analysts"), order="relevance")
    assert list(rows["article_id"]) == list(expected["article_id"])  # same hits, same order as the Articles page
    assert list(rows["rank"]) == list(range(1, len(rows) + 1))
    assert set(rows["query"]) == {"putin OR analysts"}
    assert rows["score"].is_monotonic_decreasing
    assert f"{len(rows)} rows" in result.output


def test_articles_export_follows_query_and_actor(build, con, tmp_path):
    result, rows = _export(build, tmp_path / "a.csv", "--table", "articles", "--query", "austin", "--actor", PUTIN)
    assert result.exit_code == 0, result.output
    expected = set(queries.articles(con, Filters(actors=(PUTIN,), text="austin"))["article_id"])
    assert expected and set(rows["article_id"]) == expected
    _, everything = _export(build, tmp_path / "all.csv", "--table", "articles")
    assert set(everything["article_id"]) == {"art1", "art2", "art3", "art4", "art5"}
    assert EVIL in set(everything["title"])  # corpus text kept verbatim in the file, quoted by the CSV writer


def test_share_link_gives_the_same_file_as_options(build, tmp_path):
    _, by_options = _export(build, tmp_path / "o.csv", "--table", "articles", "--query", "korea", "--from", "2024-05-01")
    _, by_link = _export(build, tmp_path / "l.csv", "--table", "articles", "--link", "http://localhost:8501/articles?q=korea&from=2024-05-01")
    assert not by_options.empty and by_options.equals(by_link)


def test_actor_tables_and_quote_search(build, con, tmp_path):
    result, rows = _export(build, tmp_path / "co.csv", "--table", "co_actors", "--actor", AUSTIN)
    assert result.exit_code == 0, result.output
    assert set(rows["actor_id"]) == set(queries.co_actors(con, Filters(), AUSTIN)["actor_id"])
    result, quotes = _export(build, tmp_path / "q.csv", "--table", "quotes", "--quote-query", "arming")
    assert result.exit_code == 0, result.output
    assert len(quotes) >= 1 and all("arming" in q.lower() for q in quotes["quote"])


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--table", "articles", "--query", "korea AND"], "search 'korea AND'"),
        (["--table", "search"], "needs --query"),
        (["--table", "co_actors"], "needs --actor"),
        (["--table", "nope"], "unknown table"),
        (["--table", "quotes", "--quote-query", "title:x"], "quote search"),
    ],
)
def test_bad_exports_are_refused_with_a_reason(build, tmp_path, args, reason):
    result, rows = _export(build, tmp_path / "bad.csv", *args)
    assert result.exit_code == 2 and reason in " ".join(result.output.split()), result.output
    assert rows is None and not isinstance(result.exception, (ValueError, KeyError, TypeError))


def test_pages_offer_csv_downloads(monkeypatch, build):
    from test_search import _open

    def labels(at):
        return {e.proto.label for e in at.get("download_button")}

    at = _open(monkeypatch, build, "articles", {"q": "putin"})
    assert not at.exception and "Download results (CSV)" in labels(at)
    at = _open(monkeypatch, build, "articles", {})
    assert "Download list (CSV)" in labels(at)
    at = _open(monkeypatch, build, "actors", {"actors_actor": AUSTIN})
    assert not at.exception and len(labels(at)) >= 3, labels(at)
