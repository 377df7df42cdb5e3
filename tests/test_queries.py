"""Queries over a small, hand-made and deliberately hostile build (no spaCy needed).

`write_fixture_build` is imported by test_app.py and test_charts.py too: it writes the tables through the real
storage layer, so the app reads exactly what a build would leave on disk.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from newsscope import queries, storage, tables
from newsscope.filters import Filters

D = dt.date
AUSTIN, KIM, RUSSIA, PUTIN, HOSTILE = "a_austin", "a_kim", "a_russia", "a_putin", "a_hostile"
EVIL = "<script>alert('x')</script> O'Brien \"News\"; DROP TABLE articles; --"

BODIES = {
    "art1": "Lloyd Austin said North Korea is \"more confident\" because of Putin. Kim Jong-un met Putin last September.",
    "art2": "Austin warned on Tuesday that Russia \"will keep arming Pyongyang\". Putin denied it in May 2024.",
    "art3": "Lloyd Austin said North Korea is \"more confident\" because of Putin. Analysts were unsure.",
    "art4": f"{EVIL} said \"</mark><b>bold</b>\" about Austin, now.",
    "art5": "An undated note: Russia and Kim Jong-un met at some point, officials said.",
}


def _span(article: str, text: str, nth: int = 0) -> tuple[int, int]:
    body = BODIES[article]
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    return start, start + len(text)


def _articles() -> pd.DataFrame:
    rows = [
        ("art1", "RT", "Austin: Pyongyang 'more confident'", D(2024, 4, 30), "text:header", "s1"),
        ("art2", "MENAFN", "Austin warns on Russia", D(2024, 5, 2), "record", None),
        ("art3", "Reuters", "Pentagon chief on North Korea", D(2024, 5, 1), "duplicate:art1", "s1"),
        ("art4", EVIL, EVIL, D(2024, 6, 15), "sidecar", None),
        ("art5", None, None, None, None, None),
    ]
    return pd.DataFrame(
        [
            {
                "article_id": a, "source_id": f"src_{a}", "source_path": f"raw/{a}.txt", "outlet": o, "title": t,
                "url": f"https://example.org/{a}" if a != "art5" else None, "published": p, "published_source": ps,
                "body": BODIES[a], "n_words": len(BODIES[a].split()), "story_id": s, "language": "en",
            }
            for a, o, t, p, ps, s in rows
        ]
    )


def _mentions() -> pd.DataFrame:
    spec = [
        ("art1", "Lloyd Austin", 0, AUSTIN, "PERSON"), ("art1", "North Korea", 0, KIM, "GPE"),
        ("art1", "Putin", 0, PUTIN, "PERSON"), ("art1", "Kim Jong-un", 0, KIM, "PERSON"), ("art1", "Putin", 1, PUTIN, "PERSON"),
        ("art2", "Austin", 0, AUSTIN, "PERSON"), ("art2", "Russia", 0, RUSSIA, "GPE"), ("art2", "Pyongyang", 0, KIM, "GPE"),
        ("art2", "Putin", 0, PUTIN, "PERSON"),
        ("art3", "Lloyd Austin", 0, AUSTIN, "PERSON"), ("art3", "Putin", 0, PUTIN, "PERSON"),
        ("art4", EVIL, 0, HOSTILE, "ORG"), ("art4", "Austin", 0, AUSTIN, "PERSON"),
        ("art5", "Russia", 0, RUSSIA, "GPE"), ("art5", "Kim Jong-un", 0, KIM, "PERSON"),
    ]
    rows = []
    for article, text, nth, actor, label in spec:
        start, end = _span(article, text, nth)
        rows.append({"article_id": article, "start": start, "end": end, "text": text, "label": label, "actor_id": actor})
    return pd.DataFrame(rows)


def _actors() -> pd.DataFrame:
    rows = [
        (AUSTIN, "Lloyd Austin", "person", ["Austin", "Lloyd Austin"]), (KIM, "Kim Jong-un", "person", ["Kim Jong-un", "Pyongyang"]),
        (RUSSIA, "Russia", "country", ["Russia"]), (PUTIN, "Vladimir Putin", "person", ["Putin"]), (HOSTILE, EVIL, "organization", [EVIL]),
    ]
    m = _mentions()
    return pd.DataFrame(
        [
            {
                "actor_id": a, "name": n, "kind": k, "aliases": al,
                "n_mentions": int((m["actor_id"] == a).sum()), "n_articles": int(m.loc[m["actor_id"] == a, "article_id"].nunique()),
                "first_seen": D(2024, 4, 30), "last_seen": D(2024, 6, 15),
            }
            for a, n, k, al in rows
        ]
    )


def _quotes() -> pd.DataFrame:
    spec = [
        ("q1", "art1", "more confident", AUSTIN, "Lloyd Austin", "said", "claim", "direct"),
        ("q2", "art2", "will keep arming Pyongyang", AUSTIN, "Austin", "warned", "warning", "direct"),
        ("q3", "art3", "more confident", AUSTIN, "Lloyd Austin", "said", "claim", "direct"),
        ("q4", "art4", "</mark><b>bold</b>", HOSTILE, EVIL, "said", "denial", "direct"),
        ("q5", "art2", "Putin denied it", PUTIN, "Putin", "denied", "denial", "indirect"),
    ]
    rows = []
    for qid, article, text, speaker_id, speaker, cue, stance, kind in spec:
        start, end = _span(article, text)
        s_start, s_end = _span(article, speaker)
        rows.append(
            {
                "quote_id": qid, "article_id": article, "start": start, "end": end, "quote": text, "kind": kind,
                "speaker": speaker, "speaker_start": s_start, "speaker_end": s_end, "speaker_actor_id": speaker_id,
                "cue": cue, "stance": stance,
            }
        )
    return pd.DataFrame(rows)


def _timexes() -> pd.DataFrame:
    spec = [
        ("art1", "last September", "2023-09", "month", True, "relative:last-month"),
        ("art2", "Tuesday", "2024-04-30", "day", True, "weekday:past"),
        ("art2", "May 2024", "2024-05", "month", False, "absolute:month-year"),
        ("art4", "now", "PRESENT_REF", "reference", True, "reference"),
        ("art5", "some point", None, None, False, "unresolved"),
    ]
    rows = []
    for article, text, value, gran, anchored, method in spec:
        start, end = _span(article, text)
        rows.append({"article_id": article, "start": start, "end": end, "text": text, "value": value, "granularity": gran, "anchored": anchored, "method": method})
    return pd.DataFrame(rows)


def _events() -> pd.DataFrame:
    spec = [
        ("e1", "art1", "Kim Jong-un met Putin last September.", "2023-09", D(2023, 9, 1), D(2023, 9, 30), "month", [KIM, PUTIN], "k_meet", "reported"),
        ("e2", "art2", "Austin warned on Tuesday that Russia \"will keep arming Pyongyang\".", "2024-04-30", D(2024, 4, 30), D(2024, 4, 30), "day", [AUSTIN, RUSSIA], "k_warn", "reported"),
        ("e3", "art2", "Putin denied it in May 2024.", "2024-05", D(2024, 5, 1), D(2024, 5, 31), "month", [PUTIN], "k_deny", "reported"),
        ("e4", "art3", "Lloyd Austin said North Korea is \"more confident\" because of Putin.", "2023-09", D(2023, 9, 1), D(2023, 9, 30), "month", [KIM, PUTIN], "k_meet", "reported"),
        ("p1", "art1", "Austin: Pyongyang 'more confident'", "2024-04-30", D(2024, 4, 30), D(2024, 4, 30), "day", [AUSTIN], None, "publication"),
        ("p4", "art4", EVIL, "2024-06-15", D(2024, 6, 15), D(2024, 6, 15), "day", [HOSTILE], None, "publication"),
    ]
    rows = []
    for eid, article, sentence, value, start_d, end_d, gran, actor_ids, key, kind in spec:
        body = BODIES[article]
        start = body.find(sentence)
        rows.append(
            {
                "event_id": eid, "article_id": article, "sentence": sentence, "start": max(start, 0), "end": max(start, 0) + len(sentence),
                "date_value": value, "date_start": start_d, "date_end": end_d, "granularity": gran, "actor_ids": actor_ids,
                "event_key": key, "kind": kind,
            }
        )
    return pd.DataFrame(rows)


def _ingest_log() -> pd.DataFrame:
    rows = [{"source_path": f"raw/{a}.txt", "source_id": f"src_{a}", "status": "ok", "reason": "", "article_id": a} for a in BODIES]
    rows.append({"source_path": "raw/blank.txt", "source_id": "src_blank", "status": "empty", "reason": "no article text left after removing page chrome", "article_id": None})
    rows.append({"source_path": "raw/<img src=x onerror=alert(1)>.html", "source_id": "src_x", "status": "unreadable", "reason": EVIL, "article_id": None})
    return pd.DataFrame(rows)


def write_fixture_build(out: Path, empty: bool = False) -> Path:
    """Publish a hand-made build at `out` (a link, like a real build); `empty=True` writes zero-row tables."""
    frames = {
        "articles": _articles(), "mentions": _mentions(), "actors": _actors(), "quotes": _quotes(),
        "timexes": _timexes(), "events": _events(), "ingest_log": _ingest_log(),
    }
    folder = storage.new_version(out)
    for name in tables.TABLES:
        storage.write_table(folder, name, tables.empty(name) if empty else frames[name])
    storage.write_manifest(
        folder,
        {
            "pipeline_version": "test", "model": {"name": "hand-made", "version": "0"}, "built_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            "rows": {name: 0 if empty else len(frames[name]) for name in tables.TABLES},
        },
    )
    storage.publish(out, folder)
    return out


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """The tables of a build in an in-memory DuckDB (as components.data does, without Streamlit)."""
    import pyarrow.parquet as pq

    con = duckdb.connect(":memory:")
    for name in tables.TABLES:
        path = folder / f"{name}.parquet"
        con.from_arrow(pq.read_table(path) if path.exists() else tables.SCHEMAS[name].empty_table()).create(name)
    return con


@pytest.fixture(scope="module")
def con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    out = write_fixture_build(tmp_path_factory.mktemp("fixture") / "processed")
    return connect(storage.current(out))


@pytest.fixture(scope="module")
def empty_con(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    out = write_fixture_build(tmp_path_factory.mktemp("empty") / "processed", empty=True)
    return connect(storage.current(out))


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
        (Filters(text="%"), set()),  # a LIKE wildcard is an ordinary character here
        (Filters(text="; DROP TABLE articles; --"), {"art4"}),
        (Filters(actors=(RUSSIA,)), {"art2", "art5"}),
        (Filters(actors=("no-such-actor",)), set()),
    ],
)
def test_article_scope(con, filters, expected):
    assert set(queries.articles(con, filters)["article_id"]) == expected
    assert int(queries.kpis(con, filters)["articles"].iloc[0]) == len(expected)


def test_hostile_text_left_tables_intact(con):
    queries.articles(con, Filters(text=EVIL))
    assert len(queries.articles(con, Filters())) == 5


def test_quotes_by_speaker_grouped_across_outlets(con):
    got = queries.quotes(con, Filters(actors=(AUSTIN,)))
    assert set(got["speaker_actor_id"]) == {AUSTIN}
    confident = got[got["quote"] == "more confident"].iloc[0]
    assert list(confident["outlets"]) == ["RT", "Reuters"] and confident["n_articles"] == 2
    assert confident["quote_id"] == "q1"  # the earliest published copy represents the group
    assert len(got) == 2  # q1+q3 grouped, q2


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
    assert meet["n_articles"] == 2 and list(meet["outlets"]) == ["RT", "Reuters"] and meet["event_id"] == "e1"
    assert (by_actor["date_end"] >= by_actor["date_start"]).all()
    assert "publication" not in set(queries.timeline(con, Filters(), kind="reported")["event_key"])
    by_outlet = queries.timeline(con, Filters(), lane="outlet")
    assert set(by_outlet["lane"]) == {"RT", "MENAFN", "Reuters"}
    one = queries.timeline(con, Filters(actors=(RUSSIA,)))
    assert set(one["lane"]) == {"Russia"} and set(one["event_key"]) == {"k_warn"}
    # The date range applies to the event's own dates: September 2023 events survive a 2023 range.
    old = queries.timeline(con, Filters(date_from=D(2023, 9, 15), date_to=D(2023, 12, 31)))
    assert set(old["event_key"]) == {"k_meet"}


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
    assert list(shared["event_key"]) == ["k_meet"]


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
        lambda c: queries.articles(c, Filters(), search="x"),
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
