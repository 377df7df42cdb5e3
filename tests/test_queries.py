"""Queries over a small, hand-made and deliberately hostile build (no spaCy needed).

The hand-made build (`write_fixture_build` in conftest.py) is written through the real storage layer, so the queries
read exactly what a build would leave on disk.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from newsscope import queries, search, storage, tables, warehouse
from newsscope.filters import Filters

from conftest import AUSTIN, D, EVIL, KIM, PUTIN, RUSSIA, write_fixture_build

def connect(folder: Path, kind: str = "plain") -> duckdb.DuckDBPyConnection:
    """The tables of a build: "plain", straight from Parquet into an in-memory DuckDB (the queries then derive what
    they need on the fly), or "warehouse", the dashboard database the app reads (`warehouse.open`)."""
    import pyarrow.parquet as pq

    if kind == "warehouse":
        return warehouse.open(folder)
    con = duckdb.connect(":memory:")
    for name in tables.TABLES:
        path = folder / f"{name}.parquet"
        con.from_arrow(pq.read_table(path) if path.exists() else tables.SCHEMAS[name].empty_table()).create(name)
    return con


# Every test runs on both: the same answers from the Parquet tables and from the dashboard database.
@pytest.fixture(scope="module", params=["plain", "warehouse"])
def con(request, tmp_path_factory) -> duckdb.DuckDBPyConnection:
    out = write_fixture_build(tmp_path_factory.mktemp("fixture") / "processed")
    return connect(storage.current(out), request.param)


@pytest.fixture(scope="module", params=["plain", "warehouse"])
def empty_con(request, tmp_path_factory) -> duckdb.DuckDBPyConnection:
    out = write_fixture_build(tmp_path_factory.mktemp("empty") / "processed", empty=True)
    return connect(storage.current(out), request.param)


def test_kpis_unfiltered(con):
    row = queries.kpis(con, Filters()).iloc[0]
    assert (row["articles"], row["outlets"], row["quotes"], row["undated"]) == (5, 4, 5, 1)
    assert row["first_published"] == pd.Timestamp(2024, 4, 30) and row["last_published"] == pd.Timestamp(2024, 6, 15)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), {"art1", "art2", "art3", "art4", "art5"}),
        (Filters(date_from=D(2024, 5, 1)), {"art2", "art3", "art4"}),
        (Filters(date_to=D(2024, 4, 30)), {"art1"}),
        (Filters(outlets=("RT", "Reuters")), {"art1", "art3"}),
        (Filters(outlets=(EVIL,)), {"art4"}),
        (Filters(story="s1"), {"art1", "art3"}),
        (Filters(text="PYONGYANG"), {"art1", "art2"}),  # title or body, any case
        (Filters(text="ARMING"), {"art2"}),
        (Filters(text="%"), set()),  # a LIKE wildcard is no word: nothing to match
        (Filters(text='"DROP TABLE articles"'), {"art4"}),  # SQL in a phrase is words to look for
        (Filters(text="austin AND (korea OR russia) NOT pentagon"), {"art1", "art2"}),
        (Filters(actors=(RUSSIA,)), {"art2", "art5"}),
        (Filters(actors=("no-such-actor",)), set()),
    ],
)
def test_article_scope(con, filters, expected):
    assert set(queries.articles(con, filters)["article_id"]) == expected
    assert int(queries.kpis(con, filters)["articles"].iloc[0]) == len(expected)


def test_hostile_text_left_tables_intact(con):
    with pytest.raises(search.QueryError):  # not a query: refused with a message (the sidebar shows it), nothing run
        queries.articles(con, Filters(text=EVIL))
    assert set(queries.articles(con, Filters(text='"alert x" AND brien'))["article_id"]) == {"art4"}  # its words, found
    assert len(queries.articles(con, Filters())) == 5


def test_quotes_by_speaker_grouped_across_outlets(con):
    got = queries.quotes(con, Filters(actors=(AUSTIN,)))
    assert set(got["speaker_actor_id"]) == {AUSTIN}
    confident = got[got["quote"] == "more confident"].iloc[0]
    assert list(confident["outlets"]) == ["RT", "Reuters"] and confident["n_articles"] == 2
    assert confident["quote_id"] == "q1"  # the earliest published copy represents the group
    assert len(got) == 2  # q1+q3 grouped, q2


def test_one_speakers_groups_read_made_equal_the_groups_computed(con):
    made = queries.quotes(con, Filters(actors=(AUSTIN,)))  # one speaker, no other rule: `speaker_groups`
    stances = tuple(con.execute("SELECT DISTINCT stance FROM quotes WHERE stance IS NOT NULL").fetchdf()["stance"])
    computed = queries.quotes(con, Filters(actors=(AUSTIN,)), stances=stances)  # a rule that keeps them all: grouped per query
    assert made["quote_id"].tolist() == computed["quote_id"].tolist()
    pd.testing.assert_frame_equal(made.drop(columns="outlets"), computed.drop(columns="outlets"))
    assert [list(o) for o in made["outlets"]] == [list(o) for o in computed["outlets"]]


def test_quotes_unfiltered_are_the_corpus_groups(con):
    got = queries.quotes(con, Filters())  # the dashboard database reads them made (`quote_groups`)
    confident = got[got["quote"] == "more confident"].iloc[0]
    assert list(confident["outlets"]) == ["RT", "Reuters"] and confident["n_articles"] == 2 and confident["quote_id"] == "q1"
    assert confident["outlet_list"] == "RT; Reuters"
    assert sorted(got["quote_id"]) == ["q1", "q2", "q4", "q5"]  # q3 is q1's copy
    dated = got["published"].dropna()
    undated = got["published"].isna().tolist()
    assert dated.is_monotonic_decreasing and undated == sorted(undated)  # newest first, undated last
    assert got.columns.tolist() == queries.quotes(con, Filters(), stances=("denial",)).columns.tolist()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"stances": ("denial",)}, {"q4", "q5"}),
        ({"kinds": ("indirect",)}, {"q5"}),
        ({"text": "ARMING"}, {"q2"}),
        ({"stances": ("neutral",)}, set()),
    ],
)
def test_quote_local_filters(con, kwargs, expected):
    assert set(queries.quotes(con, Filters(), **kwargs)["quote_id"]) == expected


def test_quote_count_counts_rows_not_groups(con):
    assert queries.quote_count(con, Filters(actors=(AUSTIN,))) == 3


def test_top_actors_and_speakers(con):
    top = queries.top_actors(con, Filters(), limit=3)
    assert list(top["name"]) == ["Kim Jong-un", "Lloyd Austin", "Vladimir Putin"]  # 4 mentions each; ties by name
    assert list(top["mentions"]) == [4, 4, 4]
    assert list(queries.top_actors(con, Filters(outlets=("MENAFN",)))["mentions"]) == [1, 1, 1, 1]
    speakers = queries.top_speakers(con, Filters())
    assert speakers.iloc[0]["name"] == "Lloyd Austin" and speakers.iloc[0]["quotes"] == 3


def test_articles_over_time_grain(con):
    monthly = queries.articles_over_time(con, Filters(), grain="month")
    assert monthly["articles"].sum() == 4  # the undated article is not on the axis
    assert set(monthly["period"].dt.month) == {4, 5, 6}
    with pytest.raises(ValueError, match="unknown grain"):
        queries.articles_over_time(con, Filters(), grain="fortnight")


@pytest.mark.parametrize(
    ("first", "last", "grain"),
    [(None, None, "month"), (D(2024, 1, 1), D(2024, 1, 20), "day"), (D(2024, 1, 1), D(2024, 9, 1), "week"), (D(2015, 1, 1), D(2016, 6, 1), "month"), (D(1990, 1, 1), D(2024, 1, 1), "year")],
)
def test_pick_grain(first, last, grain):
    assert queries.pick_grain(first, last) == grain


def test_actor_profile_queries(con):
    about = queries.quotes_about(con, Filters(), PUTIN)
    assert list(about["quote_id"]) == []  # Putin is never inside someone else's quote span here
    about_austin = queries.quotes_about(con, Filters(), AUSTIN)
    assert about_austin.empty  # "Austin" in art4 is outside the quoted words
    by = queries.quotes_by(con, Filters(), PUTIN)
    assert list(by["quote_id"]) == ["q5"]
    co = queries.co_actors(con, Filters(), AUSTIN)
    assert co.iloc[0]["name"] == "Vladimir Putin" and co.iloc[0]["articles"] == 3
    outlets = queries.actor_outlets(con, Filters(), KIM)
    assert set(outlets["outlet"]) == {"RT", "MENAFN", "(no outlet)"}


def test_quotes_about_finds_mentions_inside_quote(con):
    # q2 ("will keep arming Pyongyang", by Austin) contains a Kim/North Korea mention.
    about = queries.quotes_about(con, Filters(), KIM)
    assert list(about["quote_id"]) == ["q2"]


def test_timeline_lanes_and_grouping(con):
    by_actor = queries.timeline(con, Filters())
    meet = by_actor[(by_actor["lane"] == "Kim Jong-un") & (by_actor["event_key"] == "k_meet")].iloc[0]
    assert meet["n_articles"] == 2 and meet["event_id"] == "e1"
    assert (by_actor["date_end"] >= by_actor["date_start"]).all()
    assert meet["headline"] == "Kim Jong-un met Putin" and meet["n_outlets"] == 2
    assert by_actor["event_key"].notna().all()  # publication events are no happening
    by_outlet = queries.timeline(con, Filters(), lane="outlet")
    assert set(by_outlet["lane"]) == {"RT", "MENAFN", "Reuters"}
    one = queries.timeline(con, Filters(actors=(RUSSIA,)))
    assert set(one["lane"]) == {"Russia"} and set(one["event_key"]) == {"k_warn"}
    # The date range applies to the event's own dates: September 2023 events survive a 2023 range.
    old = queries.timeline(con, Filters(date_from=D(2023, 9, 15), date_to=D(2023, 12, 31)))
    assert set(old["event_key"]) == {"k_meet"}


def test_timeline_keeps_the_most_reported_events_per_lane(con):
    full = queries.timeline(con, Filters())
    cut = queries.timeline(con, Filters(), per_lane=1)
    assert (cut.groupby("lane").size() == 1).all() and set(cut["lane"]) == set(full["lane"])
    kim = cut[cut["lane"] == "Kim Jong-un"].iloc[0]
    assert kim["event_key"] == "k_meet" and kim["n_articles"] == 2  # reported twice: kept before the others
    assert dict(zip(cut["lane"], cut["lane_events"])) == full.groupby("lane")["event_key"].nunique().to_dict()


def test_timeline_counts_the_reports_in_view(con):
    """An outlet filter keeps the happenings with a report there and counts only those; an outlet lane shows its own
    outlet's report of a happening."""
    rt = queries.timeline(con, Filters(outlets=("RT",)))
    assert set(rt["event_key"]) == {"k_meet"} and set(rt["n_articles"]) == {1} and set(rt["event_id"]) == {"e1"}
    by_outlet = queries.timeline(con, Filters(), lane="outlet")
    meet = by_outlet[by_outlet["event_key"] == "k_meet"].set_index("lane")
    assert meet.loc["RT", "event_id"] == "e1" and meet.loc["Reuters", "event_id"] == "e4"
    assert queries.long_events(con, Filters()) == 0


def test_timeline_as_it_opens_is_the_computed_chart(con):
    """With no filter the chart is read from the database's precomputed `lane_chart`; more lanes than it holds are
    computed: both agree."""
    opened = queries.timeline(con, Filters())
    computed = queries.timeline(con, Filters(), lanes=warehouse.LANE_CHART_LANES + 1)
    pd.testing.assert_frame_equal(opened, computed)


def test_articles_ranked_by_relevance_or_date(con):
    """With a search the list can be ranked by BM25 score (best first) or by date; the score comes along."""
    f = Filters(text="north korea confident")
    ranked = queries.articles(con, f, order="relevance")
    assert set(ranked["article_id"]) == {"art1", "art3"} and ranked["score"].is_monotonic_decreasing
    by_date = queries.articles(con, f, order="date")
    assert list(by_date["article_id"]) == ["art3", "art1"]  # 1 May before 30 Apr, newest first
    assert queries.articles(con, Filters())["score"].isna().all()


def test_event_evidence_and_same_event(con):
    ev = queries.event_evidence(con, "e1").iloc[0]
    assert ev["timex_text"] == "last September" and bool(ev["timex_anchored"]) and ev["published_source"] == "text:header"
    others = queries.same_event(con, "k_meet", "e1")
    assert list(others["article_id"]) == ["art3"]
    assert queries.event_evidence(con, "nope").empty


def test_undated_timexes(con):
    got = queries.undated_timexes(con, Filters())
    assert set(got["text"]) == {"now", "some point"}


def test_coverage(con):
    st = queries.stories(con, Filters())
    assert list(st["story_id"]) == ["s1"] and st.iloc[0]["n_outlets"] == 2
    matrix = queries.story_quotes(con, "s1")
    assert len(matrix) == 2 and matrix["present"].all()  # one quote, two versions, carried by both
    actors = queries.story_actors(con, "s1")
    assert set(actors["name"]) == {"Lloyd Austin", "Vladimir Putin", "Kim Jong-un"}
    kim = actors[actors["name"] == "Kim Jong-un"].set_index("outlet")["mentions"]
    assert sorted(kim.tolist()) == [0, 2]  # the Reuters version leaves Kim out
    shared = queries.shared_events(con, Filters())
    assert list(shared["event_key"]) == ["k_meet"] and shared["headline"].iloc[0] == "Kim Jong-un met Putin"
    assert list(shared["outlets"].iloc[0]) == ["RT", "Reuters"] and shared["sentence"].iloc[0] == "Kim Jong-un met Putin last September."
    both = queries.shared_events(con, Filters(outlets=("RT", "Reuters")))  # counted from the reports in view
    assert list(both["event_key"]) == ["k_meet"] and int(both["n_articles"].iloc[0]) == 2
    assert queries.shared_events(con, Filters(outlets=("RT",))).empty  # one article there: not shared


def test_article_spans_and_ingest(con):
    spans = queries.article_spans(con, "art2")
    assert {"quote", "actor"} == set(spans["kind"])
    assert (spans["start"].diff().dropna() >= 0).all()
    problems = queries.ingest_log(con, problems_only=True)
    assert set(problems["status"]) == {"empty", "unreadable"}
    assert set(queries.ingest_summary(con)["status"]) == {"empty", "unreadable"}


def test_lookups(con):
    assert queries.actor_options(con).iloc[0]["name"] == "Kim Jong-un"
    assert list(queries.story_options(con)["story_id"]) == ["s1"]
    assert queries.date_bounds(con) == (D(2024, 4, 30), D(2024, 6, 15))


@pytest.mark.parametrize(
    "call",
    [
        lambda c: queries.kpis(c, Filters()),
        lambda c: queries.articles_over_time(c, Filters()),
        lambda c: queries.top_actors(c, Filters()),
        lambda c: queries.top_speakers(c, Filters()),
        lambda c: queries.quotes(c, Filters(actors=(AUSTIN,))),
        lambda c: queries.timeline(c, Filters()),
        lambda c: queries.timeline(c, Filters(), lane="outlet"),
        lambda c: queries.publications(c, Filters()),
        lambda c: queries.undated_timexes(c, Filters()),
        lambda c: queries.stories(c, Filters()),
        lambda c: queries.shared_events(c, Filters()),
        lambda c: queries.articles(c, Filters(text="x"), order="relevance"),
        lambda c: queries.article_spans(c, "art1"),
        lambda c: queries.co_actors(c, Filters(), AUSTIN),
        lambda c: queries.quotes_about(c, Filters(), AUSTIN),
        lambda c: queries.actor_mentions_over_time(c, Filters(), AUSTIN),
        lambda c: queries.story_quotes(c, "s1"),
        lambda c: queries.story_actors(c, "s1"),
        lambda c: queries.ingest_log(c),
    ],
)
def test_every_query_runs_on_an_empty_build(empty_con, call):
    frame = call(empty_con)
    assert isinstance(frame, pd.DataFrame)
    if "articles" in frame.columns and len(frame) == 1:  # the KPI row
        assert frame["articles"].iloc[0] == 0
    else:
        assert frame.empty


def test_date_bounds_empty(empty_con):
    assert queries.date_bounds(empty_con) == (None, None)


def test_only_web_links_leave_the_corpus_as_links(tmp_path):
    """A scraped record's `javascript:` URL must not reach a link column; http(s) URLs do."""
    out = write_fixture_build(tmp_path / "processed")
    folder = storage.current(out)
    frame = storage.read_table(folder, "articles")
    frame.loc[frame["article_id"] == "art1", "url"] = "javascript:alert(document.cookie)"
    frame.loc[frame["article_id"] == "art2", "url"] = "HTTPS://example.org/ok"
    storage.write_table(folder, "articles", frame)
    con = connect(folder)
    urls = dict(zip(*queries.articles(con, Filters())[["article_id", "url"]].T.values))
    assert urls["art1"] is None or pd.isna(urls["art1"])
    assert urls["art2"] == "HTTPS://example.org/ok"
    assert urls["art3"] == "https://example.org/art3"
