"""Full-text search (newsscope.search): the query syntax, the index per build version (incremental on rebuild),
one match set narrowing every page the same way, and the sidebar's handling of bad and hostile queries.

Runs on the hand-made hostile build of conftest (five articles, five quotes; no spaCy needed).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import AUSTIN, EVIL, write_fixture_build
from streamlit.testing.v1 import AppTest

from newsscope import queries, search, storage, tables, warehouse
from newsscope.filters import Filters

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return storage.current(write_fixture_build(tmp_path_factory.mktemp("search") / "processed"))


@pytest.fixture(scope="module")
def con(folder):
    return warehouse.open(folder)


def _ids(con, text: str) -> set[str]:
    return set(queries.articles(con, Filters(text=text))["article_id"])


# ── syntax ───────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pyongyang", {"art1", "art2"}),  # title or body, any case
        ("PUTIN korea", {"art1", "art3"}),  # words side by side: all of them (art2 has Putin, no Korea)
        ("putin OR analysts", {"art1", "art2", "art3"}),
        ("austin AND (korea OR russia) NOT pentagon", {"art1", "art2"}),
        ("putin -analysts", {"art1", "art2"}),
        ("putin AND NOT analysts", {"art1", "art2"}),  # Lucene's reading: putin without analysts
        ("NOT analysts AND putin", {"art1", "art2"}),
        ("putin AND NOT (analysts OR pentagon)", {"art1", "art2"}),
        ('putin AND NOT "more confident"', {"art2"}),
        ("putin AND NOT title:pentagon", {"art1", "art2"}),
        ('"more confident"', {"art1", "art3"}),  # a phrase
        ('"confident more"', set()),  # word order matters in a phrase
        ("title:pentagon", {"art3"}),
        ("title:pyongyang", {"art1"}),  # art2 has it in the body only
        ("outlet:menafn", {"art2"}),
        ("speaker:putin", {"art2"}),  # q5's speaker
        ("quote:arming", {"art2"}),
        ("pyong*", {"art1", "art2"}),  # a prefix
        ("title:pent*", {"art3"}),
        ('"Pyongyang" AND pyong*', {"art1", "art2"}),
        ("zzzz", set()),
    ],
)
def test_query_syntax_on_every_field(con, query, expected):
    assert _ids(con, query) == expected


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ('"nuclear trigger', "phrase is not closed"),
        ("(korea OR dprk", "parentheses do not match"),
        ("korea AND", "AND/OR/NOT"),
        ("nope:korea", "Unknown field “nope:”"),
        ("nope:kor*", "Unknown field “nope:”"),
        ("NOT ukraine", "only NOT"),
        (EVIL, "Could not read"),
        ("   ", "empty"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(query, needle):
    with pytest.raises(search.QueryError, match=None) as raised:
        search.check(query)
    assert needle in str(raised.value)


def test_quote_search_uses_the_same_syntax(con):
    def quote_ids(text):
        return set(queries.quotes(con, Filters(), text=text)["quote_id"])

    assert quote_ids('"keep arming"') == {"q2"}
    assert quote_ids("confident OR denied") == {"q1", "q5"}  # q3 has q1's words: one row for both
    assert quote_ids("speaker:putin") == {"q5"}
    assert quote_ids("arm*") == {"q2"}
    with pytest.raises(search.QueryError, match="Unknown field"):
        search.check("title:x", "quotes")  # quotes have quote: and speaker: only


@pytest.mark.parametrize(("kind", "texts"), [("articles", ("putin", "russia NOT putin", "austin OR korea*")),
                                              ("quotes", ("confident OR denied", "arm* NOT confident"))])
def test_a_filter_gets_the_keys_only_a_ranking_the_scores(folder, kind, texts):
    index = search.open(folder)
    for text in texts:
        scored, keys = index.match(text, kind), index.match(text + " ", kind, scored=False)  # " ": not the cached one
        assert list(keys.keys) == list(scored.keys) and len(scored) > 0, text
        assert keys.scores is None and "score" not in keys.arrow().column_names and len(scored.scores) == len(scored)


def test_snippet_highlights_character_ranges(folder):
    index = search.open(folder)
    body = "Ré—sumé “quoted” ünïcode, then Pyongyang and <b>Pyongyang</b>."
    found = index.snippet("pyongyang", {"body": body})
    assert [found.text[s:e] for s, e in found.ranges] == ["Pyongyang", "Pyongyang"]  # characters, not bytes


# ── one match set, every page ────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("text", ["putin", '"more confident"', "austin AND (korea OR russia)"])
def test_a_search_narrows_every_query_the_same_way(con, text):
    f = Filters(text=text)
    matched = set(queries.articles(con, f)["article_id"])
    assert matched
    kpi = queries.kpis(con, f).iloc[0]
    assert int(kpi["articles"]) == len(matched)
    every = con.execute("SELECT article_id, published FROM articles").df()
    dated = every[every["article_id"].isin(matched) & every["published"].notna()]
    assert int(queries.articles_over_time(con, f, "day")["articles"].sum()) == len(dated)
    assert int(queries.publications(con, f)["articles"].sum()) == len(dated)
    all_quotes = con.execute("SELECT quote_id, article_id FROM quotes").df()
    assert int(queries.quote_count(con, f)) == int(all_quotes["article_id"].isin(matched).sum())
    assert set(queries.quotes(con, f)["article_id"]) <= matched
    mentions = con.execute("SELECT article_id, actor_id FROM mentions WHERE actor_id IS NOT NULL").df()
    in_view = mentions[mentions["article_id"].isin(matched)]
    top = queries.top_actors(con, f, limit=100)
    assert dict(zip(top["actor_id"], top["mentions"])) == in_view.groupby("actor_id").size().to_dict()
    for name in ("stories", "timeline", "shared_events", "undated_timexes"):
        frame = getattr(queries, name)(con, f)
        if "article_id" in frame:
            assert set(frame["article_id"]) <= matched, name


def test_same_answers_from_plain_tables_and_the_dashboard_database(folder, con):
    import duckdb
    import pyarrow.parquet as pq

    plain = duckdb.connect(":memory:")
    for name in tables.TABLES:
        plain.from_arrow(pq.read_table(folder / f"{name}.parquet")).create(name)
    for text in ("putin", "pyong*", "speaker:putin"):
        assert set(queries.articles(plain, Filters(text=text))["article_id"]) == _ids(con, text)


# ── the index per build version ──────────────────────────────────────────────────────────────────────────────────


def _next_version(out: Path, frames: dict[str, pd.DataFrame]) -> Path:
    folder = storage.new_version(out)
    for name in tables.TABLES:
        storage.write_table(folder, name, frames[name])
    storage.write_manifest(folder, {"built_at": folder.name, "rows": {n: len(f) for n, f in frames.items()}})
    return folder


def test_incremental_rebuild_reindexes_only_changed_articles(tmp_path, folder):
    out = tmp_path / "processed"
    first = storage.current(write_fixture_build(out))
    made = search.create(first)
    assert not made.incremental and made.added == 5
    frames = {name: storage.read_table(first, name) for name in tables.TABLES}
    articles = frames["articles"]
    added = articles.iloc[[0]].assign(article_id="art6", body="A brand new zeppelin story.", title="Zeppelin", story_id=None)
    # A rewritten body is another article to a build (its id is the SHA-1 of the body): art5 gone, art5b new.
    rewritten = articles[articles["article_id"] == "art5"].assign(article_id="art5b", body="An undated note, rewritten: the blimp.")
    articles = pd.concat([articles, added, rewritten], ignore_index=True)
    frames["articles"] = articles[~articles["article_id"].isin(["art3", "art5"])].reset_index(drop=True)  # art3 removed
    frames["quotes"] = frames["quotes"][~frames["quotes"]["article_id"].isin(["art3", "art5"])]
    second = _next_version(out, frames)
    again = search.create(second, previous=first)
    assert again.incremental and again.added == 2 and again.removed == 2  # art6, art5b added; art3, art5 deleted
    fresh = tmp_path / "fresh"
    search.create(second, target=fresh)
    incremental, rebuilt = search.open(second), search.SearchIndex.open(fresh)
    for text in ("zeppelin", "blimp", "undated", "pentagon", "putin", '"more confident"', "speaker:austin"):
        assert list(incremental.match(text).keys) == list(rebuilt.match(text).keys), text
        assert list(incremental.match(text.replace("speaker:", ""), "quotes").keys) == list(rebuilt.match(text.replace("speaker:", ""), "quotes").keys)
    assert len(incremental.match("pentagon")) == 0 and len(incremental.match("zeppelin")) == 1
    assert search.open(first).num_docs() == 5  # the previous version's index is untouched
    assert len(search.open(first).match("pentagon")) == 1 and len(search.open(first).match("zeppelin")) == 0  # its files were linked, not changed
    segment = next((search.path(first) / "articles").glob("*.idx"))
    assert (search.path(second) / "articles" / segment.name).stat().st_ino == segment.stat().st_ino  # hard-linked


def test_a_new_title_reindexes_its_article(tmp_path):
    out = tmp_path / "processed"
    first = storage.current(write_fixture_build(out))
    search.create(first)
    frames = {name: storage.read_table(first, name) for name in tables.TABLES}
    frames["articles"].loc[frames["articles"]["article_id"] == "art2", "title"] = "A new headline about a dirigible"  # same body, same id
    second = _next_version(out, frames)
    again = search.create(second, previous=first)
    assert again.incremental and again.added == 1 and again.removed == 1
    assert len(search.open(second).match("title:dirigible")) == 1 and len(search.open(first).match("title:dirigible")) == 0


def test_a_speakers_new_name_reindexes_the_articles_quoting_them(tmp_path):
    out = tmp_path / "processed"
    first = storage.current(write_fixture_build(out))
    search.create(first)
    frames = {name: storage.read_table(first, name) for name in tables.TABLES}
    frames["actors"].loc[frames["actors"]["actor_id"] == AUSTIN, "name"] = "Lloyd Zeppelin Austin"  # bodies unchanged
    second = _next_version(out, frames)
    again = search.create(second, previous=first)
    quoting = frames["quotes"].loc[frames["quotes"]["speaker_actor_id"] == AUSTIN, "article_id"].nunique()
    assert again.incremental and again.added == quoting > 0
    assert len(search.open(second).match("speaker:zeppelin")) == quoting


def test_index_is_made_when_missing_and_replaced_when_stale(tmp_path):
    out = tmp_path / "processed"
    folder = storage.current(write_fixture_build(out))
    assert not search.path(folder).exists()
    assert len(search.open(folder).match("putin")) == 3  # made on first use, like the dashboard database
    assert search.path(folder).exists()


# ── the app ──────────────────────────────────────────────────────────────────────────────────────────────────────


def _open(monkeypatch, build: Path, page: str, params: dict) -> AppTest:
    monkeypatch.setenv("NEWSSCOPE_DATA", str(build))
    monkeypatch.delenv("NEWSSCOPE_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    return at


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return write_fixture_build(tmp_path_factory.mktemp("search_app") / "processed")


@pytest.mark.parametrize("page", ["overview", "timeline", "actors", "quotes", "coverage", "articles"])
def test_bad_query_shows_a_notice_in_the_sidebar_and_is_ignored(monkeypatch, build, page):
    at = _open(monkeypatch, build, page, {"q": "korea AND"})
    assert not at.exception, [e.value for e in at.exception]
    notices = [w.value for w in at.sidebar.warning]
    assert any("Search ignored" in n and "AND/OR/NOT" in n for n in notices), notices
    assert at.session_state["filters"].text is None  # ignored: the page shows everything


def test_hostile_query_is_shown_as_text(monkeypatch, build):
    at = _open(monkeypatch, build, "articles", {"q": "<img src=x onerror=alert(1)> AND"})
    assert not at.exception
    shown = [w.value for w in at.sidebar.warning]
    assert shown and not any(re.search(r"(?<!\\)<img", n) for n in shown)  # every "<" escaped for Markdown: `\<img`
    assert any("\\<img src=x onerror=alert\\(1\\)\\>" in n for n in shown)  # and the query itself shown


def test_articles_page_ranks_and_highlights(monkeypatch, build):
    at = _open(monkeypatch, build, "articles", {"q": "pyongyang OR analysts"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["q"] == "pyongyang OR analysts"
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert '<mark class="ns-hit">Pyongyang</mark>' in html or '<mark class="ns-hit">Analysts</mark>' in html
    assert "<script>" not in html  # art4's body is never raw HTML
    assert at.segmented_control(key="articles_order").value == "relevance"
    at.segmented_control(key="articles_order").set_value("date").run()
    assert at.query_params["articles_order"] == "date"


def test_hostile_corpus_text_in_a_snippet_is_escaped(monkeypatch, build):
    at = _open(monkeypatch, build, "articles", {"q": '"alert x"'})
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "&lt;script&gt;" in html and "<script>" not in html and "<mark class=\"ns-hit\">alert</mark>" in html


def test_quotes_page_search_in_the_url(monkeypatch, build):
    at = _open(monkeypatch, build, "quotes", {})
    at.text_input(key="quotes_text").input('"keep arming" OR denied').run()
    assert not at.exception
    assert at.query_params["quotes_text"] == '"keep arming" OR denied'
    at.text_input(key="quotes_text").input("title:x").run()
    assert any("Quote search ignored" in w.value for w in at.warning)


def test_share_link_carries_the_query(monkeypatch, build):
    at = _open(monkeypatch, build, "overview", {"q": 'austin AND "more confident"'})
    codes = [c.value for c in at.sidebar.code]
    assert any("q=austin+AND+%22more+confident%22" in c for c in codes), codes


def test_index_dir_copied_folder_still_opens(tmp_path, folder):
    """A version folder copied elsewhere (its index name carries file stats) gets an index of its own."""
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("search-*", "dashboard-*"))
    assert len(search.open(copy).match("putin")) == 3


def test_the_readmes_search_examples_find_what_it_says_on_the_sample(sample_build):
    """Each query of the README's search table, on the sample corpus, finds the number of articles the row gives."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("Examples on the sample corpus", 1)[1].split("\n\n", 2)[1]
    con = warehouse.open(storage.current(sample_build))
    checked = 0
    for row in table.splitlines()[2:]:
        queries_in_row = re.findall(r"`([^`]+)`", row.split("|")[1] + row.split("|")[2])
        counts = [int(n) for n in re.findall(r"\d+", re.findall(r"\(([\d, ]+)\) \|\s*$", row)[0])]
        for n, query in enumerate(queries_in_row):
            expected = counts[n] if len(counts) == len(queries_in_row) else counts[0]
            assert len(_ids(con, query)) == expected, (query, expected)
            checked += 1
    assert checked >= 10
