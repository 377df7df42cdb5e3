"""Tests for newsscope.timeline_queries on the hand-made build: key events in view, evidence, CSV export."""

from __future__ import annotations

import pytest
from conftest import AUSTIN, D, PUTIN, write_fixture_build
from test_queries import connect

from newsscope import storage, timeline_queries as tq
from newsscope.filters import Filters


@pytest.fixture(scope="module", params=["plain", "warehouse"])
def con(request, tmp_path_factory):
    out = write_fixture_build(tmp_path_factory.mktemp("fixture") / "processed")
    return connect(storage.current(out), request.param)


def test_key_events_most_salient_first(con):
    key = tq.key_events(con, Filters())
    assert key["happening_id"].tolist() == ["k_meet", "k_warn", "k_deny"]
    assert tq.count_happenings(con, Filters()) == 3
    assert tq.key_events(con, Filters(), limit=1)["happening_id"].tolist() == ["k_meet"]


def test_key_events_follow_the_filters(con):
    # Dates: the happening's own date overlaps the range.
    assert tq.key_events(con, Filters(date_from=D(2024, 5, 10)))["happening_id"].tolist() == ["k_deny"]
    assert set(tq.key_events(con, Filters(date_to=D(2024, 4, 30)))["happening_id"]) == {"k_meet", "k_warn"}
    # Actors: a core actor of the happening (that actor's timeline).
    assert set(tq.key_events(con, Filters(actors=(PUTIN,)))["happening_id"]) == {"k_meet", "k_deny"}
    assert tq.key_events(con, Filters(actors=(AUSTIN,)))["happening_id"].tolist() == ["k_warn"]
    # Outlets: only reports in view count, and the ranking uses those counts.
    rt = tq.key_events(con, Filters(outlets=("RT",)))
    assert rt["happening_id"].tolist() == ["k_meet"] and rt[["n_articles", "n_outlets"]].values.tolist() == [[1, 1]]
    assert rt["salience"].iloc[0] == pytest.approx(6.0 - 2 - 2 + 1 + 1)
    assert tq.count_happenings(con, Filters(outlets=("no such outlet",))) == 0


def test_happening_reports_carry_their_date_provenance(con):
    reports = tq.happening_reports(con, "k_meet")
    assert set(reports["event_id"]) == {"e1", "e4"}
    e1 = reports.set_index("event_id").loc["e1"]
    assert e1["timex_text"] == "last September" and e1["title"] and e1["outlet"] is not None
    assert tq.happening_reports(con, "nope").empty
    assert tq.happening_reports(con, "' OR 1=1 --").empty  # a parameter, never SQL


def test_export_has_one_row_per_key_event_with_links_back(con):
    key = tq.key_events(con, Filters())
    reports = tq.key_event_reports(con, Filters(), tuple(key["happening_id"]))
    rows = tq.export_rows(key, reports, {PUTIN: "Vladimir Putin"}, lambda a, u: u or f"articles?article={a}")
    assert list(rows.columns) == ["date", "granularity", "headline", "actors", "outlets", "n_articles", "reports"]
    meet = rows.iloc[0]
    assert meet["headline"] == "Kim Jong-un met Putin" and "Vladimir Putin" in meet["actors"]
    assert len(meet["reports"].split()) == 2  # art1 and art3
