"""Security: hostile URLs, SQL fragments, script payloads in the corpus, read-only mode and the upload limit.

One build serves the whole module: the hand-made hostile build of conftest plus an article, two actors and two
quotes whose text is made of payloads (`write_payload_build`). An actor's id *and* name are an SQL fragment
(`SQLI`), so `?actor=<its id>` selects it for real.

- Hostile URLs: a few hundred generated query strings (bad dates, unknown ids, SQL, unicode, 100k-character
  values, repeated keys, junk page-local parameters) go through AppTest, one session per page reused for that
  page's share (a link arriving in an open session takes the same parsing path as a first visit). Each run: no
  exception, the page still renders, an ignored value is named in the notice, and afterwards every table in the
  app's own DuckDB connection holds the rows the manifest says, with no table added.
- The browser test (Chromium, slow) opens every page on payload text and checks nothing executed and no element
  of a payload made it into the DOM, while the payload text itself is readable.

Note: a lone surrogate cannot reach the app: a URL or a widget value arrives as protobuf (valid UTF-8) and
`parse_qs` decodes bad percent-escapes to U+FFFD. Called directly, DuckDB refuses such a string with an
`InvalidInputException` (tested below, so a change of behaviour is noticed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from pathlib import Path
from urllib.parse import quote as urlquote

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import AUSTIN, EVIL, serve, write_fixture_build
from streamlit.testing.v1 import AppTest

from newsscope import queries, search, storage, tables, warehouse
from newsscope import filters as F

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `components` is imported below, as the app imports it
    sys.path.insert(0, str(ROOT))
APP = str(ROOT / "app.py")

# ── the payloads ─────────────────────────────────────────────────────────────────────────────────────────────────

SQLI = "x'); DROP TABLE quotes; --"
XSS_ID = "a_xss"
XSS = {
    "script": "<script>window.__xss=1</script>",
    "img": '<img src=x onerror="window.__xss=1">',
    "svg": '<svg onload="window.__xss=1">',
    "md_link": "[click](javascript:window.__xss=1)",
    "a": '<a href="javascript:window.__xss=1">tap</a>',
    "details": '<details open ontoggle="window.__xss=1">',
    "iframe": '<iframe src="javascript:window.__xss=1"></iframe>',
    "md_img": "![x](javascript:window.__xss=1)",
    "autolink": "<javascript:window.__xss=1>",
    "latex": "$\\href{javascript:window.__xss=1}{tex}$",
    "directive": ":red[directive] :material/warning:",
    "html_entity": "&lt;b&gt;entity&lt;/b&gt;",
}
XSS_TITLE = f"{XSS['script']} {XSS['md_link']}"
XSS_OUTLET = f"{XSS['svg']} Daily"
XSS_NAME = XSS["img"]  # the hostile actor's name
QUOTE6 = f"{XSS['script']} no comment"
QUOTE7 = f"{XSS['a']} {XSS['md_img']}"
BODY6 = (
    f"{SQLI} said \"{QUOTE6}\". {XSS_NAME} warned \"{QUOTE7}\" on 20 June 2024. "
    + " ".join(v for k, v in XSS.items() if k not in ("script", "img", "a", "md_img"))
    + " Lloyd Austin declined to comment."
)


def _span(body: str, text: str) -> tuple[int, int]:
    start = body.index(text)
    return start, start + len(text)


def write_payload_build(out: Path) -> Path:
    """The conftest hostile build plus article `art6` (title, outlet, body, speakers, aliases: payloads), published at `out`."""
    write_fixture_build(out)
    base = storage.current(out)
    frames = {name: storage.read_table(base, name) for name in tables.TABLES}
    art6 = {
        "article_id": "art6", "source_id": "src_art6", "source_path": "raw/art6.txt", "outlet": XSS_OUTLET, "title": XSS_TITLE,
        "url": "javascript:window.__xss=1", "published": dt.date(2024, 6, 20), "published_source": XSS["svg"], "body": BODY6,
        "n_words": len(BODY6.split()), "story_id": "s1", "language": "en", "fetched": None,
    }
    mentions = [(SQLI, "PERSON", SQLI), (XSS_NAME, "PERSON", XSS_ID), ("Lloyd Austin", "PERSON", AUSTIN)]
    actors = [
        {"actor_id": SQLI, "name": SQLI, "kind": "person", "aliases": [SQLI, "1 OR 1=1", "Robert'); DROP TABLE students;--"]},
        {"actor_id": XSS_ID, "name": XSS_NAME, "kind": "person", "aliases": [XSS_NAME, XSS["script"], XSS["svg"], XSS["md_link"], XSS["a"]]},
    ]
    quotes = [("q6", QUOTE6, SQLI, SQLI, "claim"), ("q7", QUOTE7, XSS_ID, XSS_NAME, "denial")]
    frames["articles"] = pd.concat([frames["articles"], pd.DataFrame([art6])], ignore_index=True)
    frames["mentions"] = pd.concat(
        [frames["mentions"], pd.DataFrame([{"article_id": "art6", **dict(zip(("start", "end"), _span(BODY6, t))), "text": t, "label": lab, "actor_id": a}
                                           for t, lab, a in mentions])],
        ignore_index=True,
    )
    extra_actors = pd.DataFrame(
        [{**a, "n_mentions": 1, "n_articles": 1, "first_seen": dt.date(2024, 6, 20), "last_seen": dt.date(2024, 6, 20)} for a in actors]
    )
    frames["actors"] = pd.concat([frames["actors"], extra_actors], ignore_index=True)
    frames["quotes"] = pd.concat(
        [frames["quotes"], pd.DataFrame([
            {"quote_id": qid, "article_id": "art6", **dict(zip(("start", "end"), _span(BODY6, text))), "quote": text, "kind": "direct",
             "speaker": speaker, **dict(zip(("speaker_start", "speaker_end"), _span(BODY6, speaker))), "speaker_actor_id": who,
             "cue": XSS["md_link"], "stance": stance}
            for qid, text, who, speaker, stance in quotes
        ])],
        ignore_index=True,
    )
    sentence = f"{XSS_NAME} warned \"{QUOTE7}\" on 20 June 2024."
    frames["events"] = pd.concat(
        [frames["events"], pd.DataFrame([{
            "event_id": "e6", "article_id": "art6", "sentence": sentence, **dict(zip(("start", "end"), _span(BODY6, sentence))),
            "date_value": "2024-06-20", "date_start": dt.date(2024, 6, 20), "date_end": dt.date(2024, 6, 20), "granularity": "day",
            "actor_ids": [SQLI, XSS_ID], "event_key": "k_xss", "kind": "reported",
        }])],
        ignore_index=True,
    )
    frames["happenings"] = pd.concat(
        [frames["happenings"], pd.DataFrame([{
            "happening_id": "k_xss", "date_value": "2024-06-20", "date_start": dt.date(2024, 6, 20), "date_end": dt.date(2024, 6, 20),
            "granularity": "day", "headline": f"{XSS_NAME} warned {XSS['md_link']}", "trigger": XSS["script"], "actor_ids": [SQLI, XSS_ID],
            "n_events": 1, "n_articles": 1, "n_outlets": 1, "salience": 9.0,
        }])],
        ignore_index=True,
    )
    frames["timexes"] = pd.concat(
        [frames["timexes"], pd.DataFrame([{"article_id": "art6", **dict(zip(("start", "end"), _span(BODY6, "20 June 2024"))), "text": "20 June 2024",
                                           "value": "2024-06-20", "granularity": "day", "anchored": False, "method": XSS["script"]}])],
        ignore_index=True,
    )
    frames["ingest_log"] = pd.concat(
        [frames["ingest_log"], pd.DataFrame([{"source_path": "raw/art6.txt", "source_id": "src_art6", "status": "ok", "reason": "", "article_id": "art6"},
                                             {"source_path": XSS["script"], "source_id": SQLI, "status": "unreadable", "reason": XSS_NAME, "article_id": None}])],
        ignore_index=True,
    )
    folder = storage.new_version(out)
    for name in tables.TABLES:
        storage.write_table(folder, name, frames[name])
    manifest = {**storage.read_manifest(base), "built_at": dt.datetime.now(dt.timezone.utc).isoformat(),
                "rows": {name: len(frames[name]) for name in tables.TABLES}}
    storage.write_manifest(folder, manifest)
    storage.publish(out, folder)
    return out


@pytest.fixture(scope="module")
def payload_build(tmp_path_factory) -> Path:
    return write_payload_build(tmp_path_factory.mktemp("payload") / "processed")


def _fingerprint(build: Path) -> dict[str, str]:
    folder = storage.current(build)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def _connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """A connection like the app's (components.data.database) without Streamlit's cache."""
    con = duckdb.connect(":memory:")
    for name in tables.TABLES:
        con.from_arrow(pq.read_table(folder / f"{name}.parquet")).create(name)
    return con


def assert_tables_intact(con: duckdb.DuckDBPyConnection, build: Path) -> None:
    """Every table still there with the manifest's row count, and no table added (a dashboard database also has
    its own tables, `warehouse.EXTRA`)."""
    rows = storage.read_manifest(storage.current(build))["rows"]
    present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert present == set(tables.TABLES) | (set(warehouse.EXTRA) if warehouse.has_derived(con) else set()), present
    counts = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in tables.TABLES}  # names: module constants
    assert counts == rows


def assert_app_tables_intact(build: Path) -> None:
    """The check above on the very DuckDB connection the app's sessions used (st.cache_resource is process-wide)."""
    from components import data

    folder = storage.current(build)
    con = data.database(str(folder), storage.read_manifest(folder)["built_at"])
    assert_tables_intact(con, build)


# ── AppTest helpers ──────────────────────────────────────────────────────────────────────────────────────────────

TITLES = {"overview": "Overview", "timeline": "Timeline", "actors": "Actors", "quotes": "Quotes", "coverage": "Coverage",
          "articles": "Articles", "add_articles": "Add articles"}
PAGES = list(TITLES)


def _env(monkeypatch, build: Path, read_only: bool = False) -> None:
    monkeypatch.setenv("NEWSSCOPE_DATA", str(build))
    if read_only:
        monkeypatch.setenv("NEWSSCOPE_READ_ONLY", "1")
    else:
        monkeypatch.delenv("NEWSSCOPE_READ_ONLY", raising=False)


def start_session(monkeypatch, build: Path, page: str, params: dict | None = None) -> AppTest:
    """A session on `page`: global params on the first run, page-local ones with the switch (as test_app.open_page)."""
    _env(monkeypatch, build)
    at = AppTest.from_file(APP, default_timeout=120)
    params = params or {}
    at.query_params.update({k: v for k, v in params.items() if k in F.PARAMS})
    at.run()
    if page != "overview":
        at.query_params.update({k: v for k, v in params.items() if k not in F.PARAMS})
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def _warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def _no_exception(at: AppTest, label: str = "") -> None:
    assert not at.exception, (label, [e.value for e in at.exception])


# ── hostile query strings ────────────────────────────────────────────────────────────────────────────────────────

SQL = [
    SQLI, "1 OR 1=1", "' OR '1'='1", "\"; DROP TABLE articles; --", "1; SELECT * FROM ingest_log", "$actors", "$text::VARCHAR",
    "?", "%", "\\", "'; ATTACH '/tmp/newsscope-leak.db' AS x; --", "') UNION SELECT 1,2,3 --", "read_parquet('/etc/passwd')",
    "'; COPY quotes TO '/tmp/newsscope-leak.csv'; --", "x' AND sleep(5) --",
]
SCRIPT = ["<script>alert(1)</script>", "javascript:alert(1)", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "{{7*7}}", "${7*7}"]
UNICODE = [
    "\u202eevil\u202c", "\u200f", "😀🔥", "👩‍👩‍👧", "%00", "\x00", "a\x00b", "\ufeff", "\ufffd", "Z\u0337\u0322\u0353",
    "\x01\x1f\x7f", "日本語", "%ED%A0%80", "%2e%2e%2f", " ", "\r\n", "\u2028",
]
PATHS = ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "C:\\Windows\\win.ini", "~root", "/dev/zero"]
LONG = ["x" * 100_000, "'" * 20_000, "<" * 10_000 + "script>"]
BAD_DATES = [
    "2024-13-45", "0000-00-00", "2024-02-30", "2024-00-10", "99999-01-01", "-2024-01-01", "2024/01/01", "31.12.2024",
    "yesterday", "NaN", "1e309", "2024-01-01' OR '1'='1", "2024-01-01\x00",
]
HOSTILE = SQL + SCRIPT + UNICODE + PATHS + LONG
JUNK = [SQLI, "1 OR 1=1", "<script>alert(1)</script>", "javascript:alert(1)", "../../etc/passwd", "x" * 100_000, "\x00", "-1", "1e9", "NaN", "😀"]
# The page-local parameters of every page (those a link may carry, and others a hand-edited link might try).
LOCAL = {
    "overview": ["overview_grain", "filter_q"],
    "timeline": ["timeline_event", "timeline_lane", "timeline_lanes"],
    "actors": ["actors_actor", "actors_quotes"],
    "quotes": ["quotes_stance", "quotes_page"],
    "coverage": ["coverage_story"],
    "articles": ["article", "quote", "articles_view", "articles_search"],
    "add_articles": ["add_articles_files"],
}
KNOWN = {"actor": {AUSTIN, SQLI, XSS_ID}, "outlet": {"RT", "MENAFN", "Reuters", EVIL, XSS_OUTLET}, "story": {"s1"}}
NEEDLE = {"actor": "unknown actor", "outlet": "unknown outlet", "story": "unknown story"}


def _id(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 30 else f"{text[:20]}…({len(text)})"


def hostile_cases() -> list[tuple[str, dict, str | None]]:
    """`(label, params, needle)`: the query string and the phrase its notice must contain (None: no notice expected)."""
    cases: list[tuple[str, dict, str | None]] = []
    for name in ("from", "to"):
        cases += [(f"{name}={_id(v)}", {name: v}, "not a date") for v in BAD_DATES]
    cases += [(f"from={_id(v)}", {"from": v}, "not a date" if v.strip() else None) for v in HOSTILE]
    for name in ("actor", "outlet"):
        cases += [(f"{name}={_id(v)}", {name: v}, None if v in KNOWN[name] else NEEDLE[name]) for v in HOSTILE]
    cases += [(f"story={_id(v)}", {"story": v}, NEEDLE["story"]) for v in SQL + SCRIPT + PATHS]
    cases += [(f"q={_id(v)}", {"q": v}, "cut to its first 200" if len(v.strip()) > F.MAX_TEXT else None) for v in HOSTILE]
    cases += [
        ("1000 unknown actors", {"actor": [f"id{i}" for i in range(1000)]}, "beyond the first 50"),
        ("1000 x Austin", {"actor": [AUSTIN] * 1000}, "beyond the first 50"),
        ("1000 outlets", {"outlet": [f"<b>o{i}</b>" for i in range(1000)]}, "beyond the first 50"),
        ("3 from", {"from": ["2024-05-01", "2024-13-45", SQLI]}, "extra 'from'"),
        ("5 q", {"q": [SQLI, "a", "b", "c", "d"]}, None),
        ("3 stories", {"story": ["s1", SQLI, "s1"]}, NEEDLE["story"]),
        ("script everywhere", {p: "<script>alert(1)</script>" for p in F.PARAMS}, "not a date"),
        ("sql everywhere", {p: SQLI for p in F.PARAMS}, "not a date"),
        ("hostile actor by id", {"actor": SQLI}, None),
        ("reversed range", {"from": "2024-06-30", "to": "2024-04-01"}, "Swapped"),
    ]
    return cases


def local_cases(page: str) -> list[tuple[str, dict, str | None]]:
    needle = {"article": "not in this build"}
    return [(f"{key}={_id(v)}", {key: v}, needle.get(key) if v.strip() else None) for key in LOCAL[page] for v in JUNK]


def _expected_filters(params: dict) -> dict:
    """What the parsed filters must hold for a single-parameter case (only where the case decides it)."""
    if set(params) != {"q"}:
        if set(params) == {"actor"}:
            values = [params["actor"]] if isinstance(params["actor"], str) else params["actor"]
            return {"actors": tuple(dict.fromkeys(v for v in values[: F.MAX_VALUES] if v in KNOWN["actor"]))}
        return {}
    value = params["q"] if isinstance(params["q"], str) else next((v for v in params["q"] if v.strip()), "")
    text = value.strip()[: F.MAX_TEXT] or None
    if text:  # a query that cannot be read is ignored (the sidebar says why), never run
        try:
            search.check(text)
        except search.QueryError:
            text = None
    return {"text": text}


def _by_page() -> dict[str, list[tuple[str, dict, str | None]]]:
    shares = {page: [] for page in PAGES}
    for i, case in enumerate(hostile_cases()):
        shares[PAGES[i % len(PAGES)]].append(case)
    for page in PAGES:
        shares[page] += local_cases(page)
    return shares


CASES = _by_page()


def test_there_are_at_least_200_cases():
    assert sum(map(len, CASES.values())) >= 200
    assert all(len(cases) >= 20 for cases in CASES.values())


@pytest.mark.parametrize("page", PAGES)
def test_hostile_query_strings(monkeypatch, payload_build, page):
    """Each page's share of the hostile query strings, one run each in one session: no exception, notices, intact tables."""
    before = _fingerprint(payload_build)
    at = start_session(monkeypatch, payload_build, page)
    _no_exception(at, "first run")
    for label, params, needle in CASES[page]:
        at.query_params.clear()
        at.query_params.update(params)
        at.run()
        _no_exception(at, label)
        assert at.title and at.title[0].value == TITLES[page], (label, [t.value for t in at.title])
        if needle:
            assert needle in _warnings(at), (label, _warnings(at))
        for field, value in _expected_filters(params).items():
            assert getattr(at.session_state["filters"], field) == value, (label, at.session_state["filters"])
    assert_app_tables_intact(payload_build)
    assert _fingerprint(payload_build) == before
    assert not Path("/tmp/newsscope-leak.csv").exists() and not Path("/tmp/newsscope-leak.db").exists()


@pytest.mark.parametrize(("page", "params", "needle", "expected"), [
    ("overview", {"from": "2024-13-45", "actor": ["nobody", SQLI]}, "not a date", {"actors": (SQLI,), "date_from": None}),
    ("quotes", {"outlet": ["<script>alert(1)</script>"] * 3, "actor": AUSTIN}, "unknown outlet", {"outlets": (), "actors": (AUSTIN,)}),
    ("articles", {"article": "../../etc/passwd", "quote": SQLI}, "not in this build", {}),
    ("timeline", {"timeline_event": "x" * 100_000, "q": "x" * 100_000}, "cut to its first 200", {"text": "x" * F.MAX_TEXT}),
])
def test_hostile_first_visit(monkeypatch, payload_build, page, params, needle, expected):
    """The first-visit path (a fresh session opening a link): the same filters and notices as a link in an open session."""
    at = start_session(monkeypatch, payload_build, page, params)
    _no_exception(at)
    assert at.title[0].value == TITLES[page]
    if page == "overview" or needle == "not in this build":  # the frame's notice shows on the session's first page only
        assert needle in _warnings(at), _warnings(at)
    for field, value in expected.items():
        assert getattr(at.session_state["filters"], field) == value


# ── SQL fragments as data ────────────────────────────────────────────────────────────────────────────────────────


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_sql_named_actor_by_id(monkeypatch, payload_build):
    """?actor=<the id x'); DROP TABLE quotes; --> selects that actor: its article, its one quote, its profile."""
    overview = start_session(monkeypatch, payload_build, "overview", {"actor": SQLI})
    _no_exception(overview)
    assert overview.session_state["filters"].actors == (SQLI,)
    assert "ignored" not in _warnings(overview)
    assert _metrics(overview)["Articles"] == "1"

    said = start_session(monkeypatch, payload_build, "quotes", {"actor": SQLI})
    _no_exception(said)
    captions = [c.value for c in said.caption]
    assert any(c.startswith("1 quote by") for c in captions), captions
    assert any("no comment" in m.value for m in said.markdown)

    profile = start_session(monkeypatch, payload_build, "actors", {"actors_actor": SQLI})
    _no_exception(profile)
    assert profile.selectbox(key="actors_actor").value == SQLI
    assert _metrics(profile)["Mentions"] == "1"
    assert any("Robert" in c.value for c in profile.caption)  # the aliases, escaped, as text
    assert_app_tables_intact(payload_build)


@pytest.mark.parametrize(("text", "articles"), [
    (SQLI, None),  # not a query (an unmatched parenthesis): ignored, with the reason in the sidebar
    ('"DROP TABLE quotes"', 1),  # as a phrase: art6 says it
    ("DROP TABLE", 2),  # art4 (EVIL) and art6
    ("1 OR 1=1", 1),  # the words "1" or "1 1": art6, whose payloads (window.__xss=1) hold the word 1
    ("' OR '1'='1", None),
    ("%", 0),  # no word in it
    ("'; --", None),
])
def test_search_with_sql_fragments(monkeypatch, payload_build, text, articles):
    at = start_session(monkeypatch, payload_build, "overview", {"q": text})
    _no_exception(at)
    if articles is None:
        assert at.session_state["filters"].text is None
        assert any("Search ignored" in w.value for w in at.sidebar.warning)
        assert _metrics(at)["Articles"] == "6"
    elif articles:
        assert at.session_state["filters"].text == text
        assert _metrics(at)["Articles"] == str(articles)
    else:
        assert any("No article matches these filters" in m.value for m in at.markdown)
    assert_app_tables_intact(payload_build)


HOSTILE_FILTERS = [
    F.Filters(actors=(SQLI,)),
    F.Filters(actors=(SQLI, "' OR '1'='1"), outlets=(SQLI,), story=SQLI, text=SQLI),
    F.Filters(date_from=dt.date(1, 1, 1), date_to=dt.date(9999, 12, 31), text="%' OR 1=1 --"),
    F.Filters(outlets=(XSS_OUTLET,), text="\x00"),
]


@pytest.mark.parametrize("filters", HOSTILE_FILTERS, ids=range(len(HOSTILE_FILTERS)))
def test_queries_take_sql_fragments_as_values(payload_build, filters):
    """Every query function the app runs, called directly with SQL fragments: frames (or scalars), tables intact."""
    folder = storage.current(payload_build)
    con = _connect(folder)
    with_filters = {
        "kpis": (), "articles_over_time": (), "top_actors": (), "top_speakers": (), "quote_count": (),
        "actor_mentions_over_time": (SQLI,), "quotes_about": (SQLI,), "quotes_by": (SQLI,), "co_actors": (SQLI,),
        "actor_outlets": (SQLI,), "timeline": (), "long_events": (), "publications": (), "undated_timexes": (),
        "stories": (), "shared_events": (), "articles": (),
    }
    with pytest.raises(ValueError, match="unknown order"):  # a value of a fixed set, never SQL
        queries.articles(con, F.Filters(), SQLI)
    readable = True
    try:
        search.check(filters.text or "x")
    except search.QueryError:
        readable = False  # an unreadable search is refused before any SQL runs (the sidebar never passes one)
    for name, args in with_filters.items():
        if not readable:
            with pytest.raises(search.QueryError):
                getattr(queries, name)(con, filters, *args)
            continue
        result = getattr(queries, name)(con, filters, *args)
        assert isinstance(result, (pd.DataFrame, int)), name
    with pytest.raises(search.QueryError):
        queries.quotes(con, F.Filters(), stances=(SQLI,), kinds=("' OR 1=1",), text=SQLI)
    queries.quotes(con, F.Filters(), stances=(SQLI,), kinds=("' OR 1=1",), text='"DROP TABLE"')
    without = {
        "actor": (SQLI,), "event_evidence": (SQLI,), "same_event": (SQLI, SQLI), "story_articles": (SQLI,), "story_quotes": (SQLI,),
        "story_quote_grid": (SQLI,), "story_claims": (SQLI,), "story_actors": (SQLI,), "article": (SQLI,), "article_spans": (SQLI,),
    }
    for name, args in without.items():
        assert isinstance(getattr(queries, name)(con, *args), pd.DataFrame), name
    assert_tables_intact(con, payload_build)


def test_queries_return_the_right_rows_for_sql_values(payload_build):
    con = _connect(storage.current(payload_build))
    assert queries.actor(con, SQLI)["name"].tolist() == [SQLI]
    assert queries.actor(con, "' OR '1'='1").empty
    assert queries.quotes(con, F.Filters(actors=(SQLI,)))["quote_id"].tolist() == ["q6"]
    assert queries.articles(con, F.Filters(text='"DROP TABLE quotes"'))["article_id"].tolist() == ["art6"]
    assert queries.articles(con, F.Filters(text='"1 OR 1=1"')).empty
    assert queries.article(con, "art6' OR '1'='1").empty
    assert set(queries.co_actors(con, F.Filters(), SQLI)["actor_id"]) == {XSS_ID, AUSTIN}
    assert_tables_intact(con, payload_build)


@pytest.mark.parametrize("value", ["\ud800", "a\udcffb"])
def test_lone_surrogates(payload_build, value):
    """Parsing keeps the value (it cannot come from a URL, see the module note); the search and DuckDB refuse it, and nothing breaks."""
    parsed, notices = F.parse({"q": value, "actor": value, "from": value}, KNOWN["actor"], KNOWN["outlet"], KNOWN["story"])
    assert parsed.text == value and parsed.actors == () and parsed.date_from is None and len(notices) == 2
    con = _connect(storage.current(payload_build))
    with pytest.raises(search.QueryError, match="not valid text"):  # the search refuses it before DuckDB sees it
        queries.articles(con, parsed)
    with pytest.raises(duckdb.InvalidInputException, match="surrogate"):
        queries.articles(con, F.Filters(story=value))
    assert queries.kpis(con, F.Filters())["articles"].iloc[0] == 6  # the connection still works
    assert_tables_intact(con, payload_build)


# ── read-only mode and uploads ───────────────────────────────────────────────────────────────────────────────────


def test_read_only_has_no_add_articles(monkeypatch, payload_build):
    writable = start_session(monkeypatch, payload_build, "overview")
    writable.switch_page("app_pages/add_articles.py").run()  # registered when writable
    assert writable.title[0].value == "Add articles"
    _env(monkeypatch, payload_build, read_only=True)
    ro = AppTest.from_file(APP, default_timeout=120).run()
    _no_exception(ro)
    with pytest.raises(ValueError, match="navigation page"):
        ro.switch_page("app_pages/add_articles.py")  # not registered: no URL reaches it


def test_add_articles_page_guards_a_direct_run_when_read_only(monkeypatch, payload_build):
    """The page itself refuses to work when read-only (a defence behind the navigation's)."""
    _env(monkeypatch, payload_build, read_only=True)
    at = AppTest.from_file(str(ROOT / "app_pages" / "add_articles.py"), default_timeout=60).run()
    _no_exception(at)
    assert any("read-only" in i.value for i in at.info)
    assert not at.get("file_uploader") and not at.button


@pytest.fixture()
def stub_build(monkeypatch, tmp_path):
    """Uploads go to a temporary folder and the rebuild is recorded, not run (it would load spaCy)."""
    import newsscope.build
    from components import data

    calls: list[tuple] = []

    def fake_build(inputs, out, *args, **kwargs):
        calls.append((tuple(inputs), out))
        raise storage.BuildLocked("stub: no build in this test")

    monkeypatch.setattr(newsscope.build, "build", fake_build)
    monkeypatch.setattr(data, "UPLOADS", tmp_path / "uploads")
    return calls, tmp_path / "uploads"


def _upload(monkeypatch, build: Path, files: list[tuple[str, bytes]]) -> AppTest:
    at = start_session(monkeypatch, build, "add_articles")
    uploader = at.file_uploader(key="add_files")
    for name, content in files:
        uploader.upload(name, content, "text/plain")
    at.button[0].click().run()
    return at


LIMIT = 5 * 1024 * 1024  # app_pages/add_articles.py MAX_MB, and server.maxUploadSize in .streamlit/config.toml


def test_upload_over_the_size_limit_is_refused(monkeypatch, payload_build, stub_build):
    calls, uploads = stub_build
    small = b"Officials said the talks would continue next week in Geneva.\n"
    at = _upload(monkeypatch, payload_build, [("big.txt", b"x" * (LIMIT + 1)), ("../../escape.txt", small)])
    _no_exception(at)
    assert "Skipped 1 file(s) over 5 MB" in _warnings(at)
    saved = sorted(p.name for p in uploads.iterdir())
    assert saved == ["escape.txt"]  # the big one is not written; the other one's path is flattened into the folder
    assert (uploads / "escape.txt").read_bytes() == small
    assert len(calls) == 1


def test_exactly_the_limit_is_accepted(monkeypatch, payload_build, stub_build):
    calls, uploads = stub_build
    at = _upload(monkeypatch, payload_build, [("edge.txt", b"y" * LIMIT)])
    _no_exception(at)
    assert "over 5 MB" not in _warnings(at)
    assert (uploads / "edge.txt").stat().st_size == LIMIT and len(calls) == 1


def test_only_refused_files_do_not_rebuild(monkeypatch, payload_build, stub_build):
    calls, uploads = stub_build
    at = _upload(monkeypatch, payload_build, [("big.txt", b"x" * (LIMIT + 1))])
    _no_exception(at)
    assert calls == []


# ── the browser ──────────────────────────────────────────────────────────────────────────────────────────────────

DOM_CHECK = """() => ({
    xss: typeof window.__xss,
    scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('__xss')).length,
    img: document.querySelectorAll('img[src="x"], img[onerror]').length,
    svg: document.querySelectorAll('svg[onload], [onload]').length,
    js_links: document.querySelectorAll('a[href^="javascript" i], iframe[src^="javascript" i]').length,
    handlers: document.querySelectorAll('[onerror], [ontoggle], [onclick]').length,
    details: document.querySelectorAll('details[ontoggle]').length,
})"""


PAYLOAD_VIEWS = [
    ("overview", ""),
    ("timeline", "timeline?timeline_happening=k_xss"),  # the hostile happening's card with its evidence open
    ("timeline (lanes)", "timeline?timeline_event=e6"),
    ("actors (hostile name)", f"actors?actors_actor={XSS_ID}"),
    ("actors (SQL name)", f"actors?actors_actor={urlquote(SQLI, safe='')}"),
    ("quotes", "quotes"),
    ("quotes (hostile speaker)", f"quotes?actor={XSS_ID}"),
    ("coverage", "coverage?story=s1"),
    ("articles", "articles"),
    ("reader", "articles?article=art6&quote=q6"),
    ("ingest log", "articles?articles_view=log"),
    ("add articles", "add_articles"),
]
# What each view must show as plain text (the payload is readable, not executed and not dropped).
VISIBLE = {
    "reader": [XSS_TITLE, *XSS.values(), SQLI],
    "actors (hostile name)": [XSS["script"], XSS["svg"], XSS["md_link"]],
    "actors (SQL name)": ["Robert'); DROP TABLE students;--"],
    "quotes": [QUOTE6, QUOTE7, XSS_OUTLET],
    "timeline": [QUOTE7],
}


@pytest.mark.browser
@pytest.mark.slow
def test_payloads_do_not_run_in_the_browser(chromium, payload_build, tmp_path):
    from test_browser import no_exception, wait_idle

    context = chromium.new_context(viewport={"width": 1400, "height": 1600})
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        with serve(payload_build, tmp_path / "streamlit.log") as base:
            for label, path in PAYLOAD_VIEWS:
                tab.goto(f"{base}/{path}")
                wait_idle(tab)
                tab.wait_for_timeout(500)  # onerror/onload handlers fire after the elements land
                no_exception(tab)
                found = tab.evaluate(DOM_CHECK)
                assert found == {"xss": "undefined", "scripts": 0, "img": 0, "svg": 0, "js_links": 0, "handlers": 0, "details": 0}, (label, found)
                text = tab.locator('[data-testid="stApp"]').inner_text()
                missing = [p for p in VISIBLE.get(label, []) if p not in text]
                assert not missing, (label, missing)
            assert dialogs == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_read_only_add_articles_cannot_be_reached_by_url(chromium, payload_build, tmp_path):
    from test_browser import wait_idle

    context = chromium.new_context(viewport={"width": 1400, "height": 1200})
    tab = context.new_page()
    try:
        with serve(payload_build, tmp_path / "streamlit.log", read_only=True) as base:
            tab.goto(f"{base}/add_articles")
            wait_idle(tab)
            headings = [h.strip() for h in tab.locator("h1").all_inner_texts()]
            assert "Add articles" not in headings and "Overview" in headings, headings
            assert tab.locator('[data-testid="stFileUploader"]').count() == 0
            nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Add articles" not in nav and "Quotes" in nav
    finally:
        context.close()
