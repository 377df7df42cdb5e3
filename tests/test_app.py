"""Every page of the dashboard through Streamlit's AppTest: on the sample build, an empty build and a hostile one.

The app reads the build at $NEWSSCOPE_DATA; each test points it at a build made once per session.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest
from conftest import AUSTIN, write_fixture_build

from newsscope import storage, warehouse
from newsscope.filters import PARAMS

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = ["overview", "timeline", "actors", "quotes", "coverage", "articles", "add_articles"]


def _actor_id(build: Path, name: str) -> str:
    actors = pq.read_table(storage.current(build) / "actors.parquet").to_pandas()
    return str(actors.loc[actors["name"] == name, "actor_id"].iloc[0])


def open_page(monkeypatch, build: Path, page: str, params: dict | None = None, read_only: bool = False) -> AppTest:
    monkeypatch.setenv("NEWSSCOPE_DATA", str(build))
    if read_only:
        monkeypatch.setenv("NEWSSCOPE_READ_ONLY", "1")
    else:
        monkeypatch.delenv("NEWSSCOPE_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    # AppTest opens the default page first; a page's own parameters are added when switching to it, as a link
    # to that page would carry them (the frame drops other pages' parameters).
    local = {k: v for k, v in (params or {}).items() if k not in PARAMS}
    for key, value in (params or {}).items():
        if key not in local:
            at.query_params[key] = value
    at.run()
    if page != "overview":
        at.query_params.update(local)
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def _text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "title", "warning", "info", "code") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_sample(monkeypatch, sample_build, page):
    at = open_page(monkeypatch, sample_build, page)
    _no_exception(at)
    assert at.title[0].value in {"Overview", "Timeline", "Actors", "Quotes", "Coverage", "Articles", "Add articles"}


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_empty_build(monkeypatch, empty_build, page):
    at = open_page(monkeypatch, empty_build, page)
    _no_exception(at)
    if page in ("overview", "actors", "quotes"):
        assert "newsscope build" in _text(at)  # the empty state says how to build


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_hostile_build(monkeypatch, hostile_build, page):
    at = open_page(monkeypatch, hostile_build, page, {"actor": AUSTIN})
    _no_exception(at)


def test_overview_kpis(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Articles"] == "5" and metrics["Quotes"] == "5" and metrics["Undated"] == "1"
    assert any(link.proto.page.endswith("articles") or "articles" in link.proto.page for link in at.get("page_link"))


@pytest.mark.slow
def test_actor_param_narrows_quotes(monkeypatch, sample_build):
    everything = open_page(monkeypatch, sample_build, "quotes")
    austin = _actor_id(sample_build, "Lloyd Austin")
    narrowed = open_page(monkeypatch, sample_build, "quotes", {"actor": austin})
    _no_exception(narrowed)
    assert narrowed.session_state["filters"].actors == (austin,)
    all_count = int(_first_number(everything, "quotes"))
    austin_count = int(_first_number(narrowed, "quotes by Lloyd Austin"))
    assert 0 < austin_count < all_count
    speakers = [m.value for m in narrowed.markdown if m.value.startswith("**")]
    assert speakers and all("Austin" in s for s in speakers[:10])


def _first_number(at: AppTest, phrase: str) -> str:
    for caption in at.caption:
        if phrase in caption.value:
            return caption.value.split(" ", 1)[0].replace(",", "")
    raise AssertionError(f"no caption with {phrase!r}: {[c.value for c in at.caption]}")


def test_actor_param_narrows_quotes_hostile(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "quotes", {"actor": AUSTIN})
    assert _first_number(at, "quotes by Lloyd Austin") == "3"
    everything = open_page(monkeypatch, hostile_build, "quotes")
    assert _first_number(everything, "quotes") == "5"


@pytest.mark.parametrize("page", ["overview", "quotes", "timeline", "articles", "coverage"])
def test_filter_matching_nothing_shows_empty_state(monkeypatch, hostile_build, page):
    at = open_page(monkeypatch, hostile_build, page, {"q": "no article says this"})
    _no_exception(at)
    text = _text(at)
    assert "No " in text and ("matches these filters" in text or "in this view" in text)


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"from": "not-a-date"}, "not a date"),
        ({"actor": ["nobody", AUSTIN]}, "unknown actor"),
        ({"outlet": "<b>Fake</b>"}, "unknown outlet"),
        ({"story": "s-missing"}, "unknown story"),
        ({"q": "x" * 500}, "cut to its first 200"),
        ({"actor": [f"id{i}" for i in range(60)]}, "beyond the first 50"),
    ],
)
def test_invalid_params_give_a_notice(monkeypatch, hostile_build, params, needle):
    at = open_page(monkeypatch, hostile_build, "overview", params)
    _no_exception(at)
    assert any(needle in w.value for w in at.warning), [w.value for w in at.warning]


def test_valid_params_survive_and_seed_widgets(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "overview", {"actor": ["nobody", AUSTIN], "from": "2024-05-01", "outlet": "RT"})
    assert at.multiselect(key="filter_actors").value == [AUSTIN]
    assert at.multiselect(key="filter_outlets").value == ["RT"]
    assert str(at.date_input(key="filter_from").value) == "2024-05-01"
    assert at.query_params["actor"] == AUSTIN and at.query_params["from"] == "2024-05-01"  # the bad id is gone from the URL


def test_changing_a_filter_rewrites_the_url(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "overview")
    assert "outlet" not in at.query_params
    at.multiselect(key="filter_outlets").select("MENAFN").run()
    assert at.query_params["outlet"] == "MENAFN"
    assert at.session_state["filters"].outlets == ("MENAFN",)
    assert at.metric[0].value == "1"  # the KPI row follows the filter
    at.text_input(key="filter_q").input("arming").run()
    assert at.query_params["q"] == "arming"
    # Switching pages keeps the filters (the URL is rewritten from the widgets).
    at.switch_page("app_pages/articles.py").run()
    assert at.session_state["filters"].outlets == ("MENAFN",) and at.query_params.get("q") == "arming"


def test_share_link_holds_the_filters(monkeypatch, hostile_build):
    monkeypatch.setenv("NEWSSCOPE_PUBLIC_URL", "https://news.example.org/app")
    at = open_page(monkeypatch, hostile_build, "overview", {"actor": AUSTIN, "to": "2024-05-31"})
    links = [c.value for c in at.code if "actor=" in c.value]
    assert links and "to=2024-05-31" in links[0] and f"actor={AUSTIN}" in links[0]


def test_reader_escapes_corpus_html(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "articles", {"article": "art4", "quote": "q4"})
    _no_exception(at)
    body = "".join(str(h.proto.body) for h in at.get("html"))
    assert "&lt;script&gt;" in body and "<script>" not in body
    assert "&lt;/mark&gt;&lt;b&gt;bold&lt;/b&gt;" in body and "<b>" not in body
    assert 'class="ns-q ns-focus"' in body  # the linked quote is the highlighted one
    assert "ns-a" in body  # actor mentions are marked


def test_quote_cards_link_to_the_reader(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "quotes", {"actor": AUSTIN})
    links = [link for link in at.get("page_link") if "Read in article" in link.proto.label]
    assert len(links) == 2  # q1 and q3 (same words, two outlets) are one card
    assert any("quote=q1" in link.proto.query_string or "q1" in str(link.proto) for link in links)
    grouped = [c.value for c in at.caption if "2 outlets" in c.value]
    assert grouped and "RT" in grouped[0] and "Reuters" in grouped[0]


def test_ingest_log_view(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "articles", {"articles_view": "log"})
    _no_exception(at)
    frame = at.dataframe[0].value
    assert set(frame["status"]) == {"empty", "unreadable"}


def test_read_only_without_a_build_explains_how_to_build(monkeypatch, tmp_path):
    at = open_page(monkeypatch, tmp_path / "nothing-here", "overview", read_only=True)
    _no_exception(at)
    assert any("newsscope build" in c.value for c in at.code)
    assert not (tmp_path / "nothing-here").exists()  # read-only: nothing was built


def test_read_only_hides_add_articles(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "overview", read_only=True)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("app_pages/add_articles.py")  # not registered at all in read-only mode
    assert at.session_state["filters"] is not None


def test_timeline_runs_only_the_open_view_and_the_link_names_it(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "timeline")
    _no_exception(at)
    assert not [s for s in at.selectbox if s.key == "timeline_event"]  # the lane chart's view has not run
    assert "timeline_view" not in at.query_params
    at = open_page(monkeypatch, hostile_build, "timeline", {"timeline_view": "lanes"})
    _no_exception(at)
    assert [s for s in at.selectbox if s.key == "timeline_event"] and not [b for b in at.button if b.key == "open_k_meet"]
    assert at.query_params["timeline_view"] == "lanes"


def test_timeline_key_events_choices_are_in_the_link(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "timeline", {"timeline_order": "salience", "timeline_key_n": "20"})
    _no_exception(at)
    assert at.slider(key="timeline_key_n").value == 20 and at.query_params["timeline_key_n"] == "20"
    assert at.query_params["timeline_order"] == "salience" and "most reported first" in _text(at)
    at.slider(key="timeline_key_n").set_value(40).run()
    assert at.query_params["timeline_key_n"] == "40"
    at = open_page(monkeypatch, hostile_build, "timeline", {"timeline_order": "<b>", "timeline_key_n": "15x"})
    _no_exception(at)  # a value no control takes is ignored
    assert at.slider(key="timeline_key_n").value == 60 and "timeline_key_n" not in at.query_params
    assert "timeline_order" not in at.query_params


def test_timeline_lane_chart_choices_are_in_the_link(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "timeline", {"timeline_view": "lanes", "timeline_lane": "outlet", "timeline_lanes": "5",
                                                            "timeline_publications": "1"})
    _no_exception(at)
    assert at.segmented_control(key="timeline_lane").value == "outlet" and at.slider(key="timeline_lanes").value == 5
    assert at.toggle(key="timeline_publications").value is True
    assert (at.query_params["timeline_lane"], at.query_params["timeline_lanes"], at.query_params["timeline_publications"]) == ("outlet", "5", "1")
    at = open_page(monkeypatch, hostile_build, "timeline", {"timeline_view": "lanes", "timeline_lane": "<b>", "timeline_lanes": "99"})
    _no_exception(at)  # a value no control takes is ignored
    assert at.segmented_control(key="timeline_lane").value == "actor" and at.slider(key="timeline_lanes").value == 12
    assert "timeline_lane" not in at.query_params and "timeline_lanes" not in at.query_params


def test_timeline_evidence_panel(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "timeline", {"timeline_view": "lanes"})
    at.selectbox(key="timeline_event").select("e1").run()
    _no_exception(at)
    text = _text(at)
    assert "last September" in text and "in an article published 30 Apr 2024" in text
    assert "Also reported by 1 other article" in text


def test_timeline_opens_on_headline_cards_and_a_card_opens_its_evidence(monkeypatch, hostile_build):
    from conftest import EVIL, PUTIN

    at = open_page(monkeypatch, hostile_build, "timeline")
    _no_exception(at)
    text = _text(at)
    plain = text.replace("\\", "")  # md_escape's backslashes off, to read it as a reader does
    assert "Kim Jong-un met Putin" in plain and "September 2023" in plain and "2 articles · 2 outlets" in plain
    assert EVIL not in text and "\\<script\\>" in text  # the hostile headline is escaped, never markup
    assert "Kim Jong-un met Putin last September." not in plain  # evidence stays closed until asked for
    at.button(key="open_k_meet").click().run()
    _no_exception(at)
    plain = _text(at).replace("\\", "")
    assert "Kim Jong-un met Putin last September." in plain and "Evidence: 2 report(s)" in plain
    assert "from “last September”, read against the article's date" in plain
    assert at.query_params["timeline_happening"] == "k_meet"
    # An actor's timeline: only that actor's happenings.
    at = open_page(monkeypatch, hostile_build, "timeline", {"actor": PUTIN})
    plain = _text(at).replace("\\", "")
    assert "Putin denied it" in plain and "<script>" not in plain  # k_warn (Austin, Russia) is not on it


def test_actors_page_defaults_to_global_actor(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "actors", {"actor": AUSTIN})
    assert at.selectbox(key="actors_actor").value == AUSTIN
    assert any("Lloyd Austin" in c.value or "Austin" in c.value for c in at.caption)


def test_page_params_follow_their_page(monkeypatch, hostile_build):
    from conftest import KIM

    at = open_page(monkeypatch, hostile_build, "actors", {"actors_actor": KIM, "actor": AUSTIN})
    assert at.selectbox(key="actors_actor").value == KIM  # the link's choice beats the global default
    assert at.query_params["actors_actor"] == KIM and at.query_params["actor"] == AUSTIN
    at.switch_page("app_pages/quotes.py").run()
    assert "actors_actor" not in at.query_params and at.query_params["actor"] == AUSTIN


def test_timeline_event_link_opens_evidence(monkeypatch, hostile_build):
    at = open_page(monkeypatch, hostile_build, "timeline", {"timeline_event": "e2"})
    _no_exception(at)
    assert at.selectbox(key="timeline_event").value == "e2"
    assert "from “Tuesday” in an article published 2 May 2024" in _text(at)


@pytest.mark.slow
def test_first_run_builds_the_sample_when_writable(monkeypatch, tmp_path):
    out = tmp_path / "processed"
    at = open_page(monkeypatch, out, "overview")
    _no_exception(at)
    assert storage.current(out) is not None  # the sample corpus was built into NEWSSCOPE_DATA
    assert {m.label: m.value for m in at.metric}["Articles"] == "5"
    assert any("Built 5 sample articles" in s.label for s in at.status)


def test_a_new_build_drops_stale_widget_values(monkeypatch, tmp_path, hostile_build):
    out = write_fixture_build(tmp_path / "processed")
    at = open_page(monkeypatch, out, "quotes", {"actor": AUSTIN, "outlet": "RT"})
    assert at.session_state["filters"].actors == (AUSTIN,)
    write_fixture_build(out, empty=True)  # published while the session is open
    at.run()
    _no_exception(at)
    assert at.session_state["filters"].actors == () and at.session_state["filters"].outlets == ()


@pytest.mark.parametrize("read_only", [False, True])
def test_an_older_build_gets_its_dashboard_database(monkeypatch, tmp_path, read_only):
    """A build without a dashboard database is given one on first open: in the build when writable, else in the
    temporary folder (a read-only app writes nothing into the build)."""
    monkeypatch.setattr(warehouse, "TEMP_DIR", tmp_path / "tmp")
    out = write_fixture_build(tmp_path / "processed")
    folder = storage.current(out)
    at = open_page(monkeypatch, out, "overview", read_only=read_only)
    _no_exception(at)
    assert {m.label: m.value for m in at.metric}["Articles"] == "5"
    assert warehouse.path(folder).exists() is not read_only
    assert warehouse.fallback_path(folder).exists() is read_only



# ── what a newcomer sees (issue 11) ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.slow
def test_quote_cards_never_double_the_quotation_marks(monkeypatch, sample_build):
    """A mixed quote's span carries its own marks; the card must not add a second pair around them."""
    spans = pq.read_table(storage.current(sample_build) / "quotes.parquet").to_pandas()["quote"]
    assert spans.str.contains(r"(?:^\s*[\"“])|(?:[\"”]\s*$)").any(), "the sample has a quote span that starts or ends with its own mark"
    at = open_page(monkeypatch, sample_build, "quotes")
    _no_exception(at)
    cards = [m.value for m in at.markdown if m.value.startswith("“")]
    assert cards, "quote cards are shown"
    doubled = [c for c in cards if c.startswith(("““", '“"')) or c.endswith(("””", '"”'))]
    assert not doubled, doubled[:3]


@pytest.mark.slow
@pytest.mark.parametrize("page", ["coverage", "articles", "quotes", "overview"])
def test_missing_titles_and_outlets_read_as_placeholders(monkeypatch, sample_build, page):
    """No table shows "None" or "nan" for an article without a title or outlet."""
    at = open_page(monkeypatch, sample_build, page)
    _no_exception(at)
    for table in at.dataframe:
        frame = table.value
        for column in ("title", "outlet"):
            if column in frame.columns:
                assert frame[column].notna().all() and not frame[column].astype(str).isin(["None", "nan", ""]).any(), (page, column)
    assert "None ·" not in _text(at) and "· None" not in _text(at)


@pytest.mark.parametrize("text, shown", [
    ("“It was an order.”", "“It was an order.”"), ('"an order"', "“an order”"), ("more confident", "“more confident”"),
    ("  “half-marked", "“half-marked”"), ("the voters'", "“the voters'”"),
])
def test_quoted_wraps_a_span_in_one_pair_of_marks(text, shown):
    from components.widgets import quoted

    assert quoted(text) == shown
