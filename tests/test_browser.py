"""The dashboard in a real Chromium: `streamlit run` on a free port, every page, shared links, URL sync.

Screenshots land in tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from conftest import serve
from newsscope import storage

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = {"overview": "", "timeline": "timeline", "actors": "actors", "quotes": "quotes", "coverage": "coverage", "articles": "articles", "add_articles": "add_articles"}


@pytest.fixture(scope="module")
def server(sample_build, tmp_path_factory):
    with serve(sample_build, tmp_path_factory.mktemp("server") / "streamlit.log") as base:
        yield base


def wait_idle(tab, timeout: float = 60_000) -> None:
    """Wait until the app has rendered and no script run is in progress."""
    tab.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    tab.wait_for_selector("h1", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    quiet = 0
    while time.monotonic() < deadline:
        # stApp carries the script state (initial, running, rerunRequested, notRunning); the status widget shows a run too.
        done = tab.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').count() == 1
        running = tab.locator('[data-testid="stStatusWidget"]').count() > 0
        quiet = quiet + 1 if done and not running else 0
        if quiet >= 3:  # idle for three checks in a row: the run is over, not just between two deltas
            # Plotly draws after the run: wait until every chart has its SVG, so screenshots show the charts.
            tab.wait_for_function(
                """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                          .every(c => c.querySelector('.main-svg'))""",
                timeout=timeout,
            )
            return
        tab.wait_for_timeout(250)
    raise AssertionError("the app kept running")


def shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_exception(tab) -> None:
    errors = tab.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders(server, page, name):
    page.goto(f"{server}/{PAGES[name]}")
    wait_idle(page)
    no_exception(page)
    shot(page, f"page-{name}")
    assert page.locator("h1").first.inner_text().strip().lower().replace(" ", "_") == name


def test_shared_link_is_filtered(server, page, sample_build):
    actors = pq.read_table(storage.current(sample_build) / "actors.parquet").to_pandas()
    austin = actors.loc[actors["name"] == "Lloyd Austin", "actor_id"].iloc[0]
    page.goto(f"{server}/quotes?actor={austin}&from=2024-04-01&to=2024-05-31")
    wait_idle(page)
    no_exception(page)
    shot(page, "shared-link-quotes")
    caption = page.get_by_text("quotes by Lloyd Austin").first
    assert "Apr–May 2024" in caption.inner_text()
    # The sidebar's widgets may still be drawing after the run ends (seen on a loaded machine): wait for them.
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Lloyd Austin", timeout=30_000)
    params = parse_qs(urlparse(page.url).query)
    assert params.get("actor") == [austin] and params.get("from") == ["2024-04-01"]


def test_bad_link_shows_a_notice(server, page):
    page.goto(f"{server}/?from=someday&actor=nobody")
    wait_idle(page)
    no_exception(page)
    assert page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="not a date").count() == 1
    assert "from=" not in page.url and "actor=" not in page.url


def test_changing_a_filter_changes_the_url_and_survives_navigation(server, page):
    page.goto(f"{server}/")
    wait_idle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stTextInput"] input').first
    box.fill("Pyongyang")
    box.press("Enter")
    page.wait_for_function("() => window.location.search.includes('q=Pyongyang')", timeout=30_000)
    wait_idle(page)
    shot(page, "filter-changed-overview")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Quotes").click()
    page.wait_for_function("() => window.location.pathname.endsWith('/quotes')", timeout=30_000)
    wait_idle(page)
    page.wait_for_function("() => window.location.search.includes('q=Pyongyang')", timeout=30_000)
    no_exception(page)
    assert "“Pyongyang”" in page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "filter-kept-quotes")


def test_quote_link_opens_the_reader(server, page):
    page.goto(f"{server}/quotes")
    wait_idle(page)
    page.locator('[data-testid="stPageLink"] a').filter(has_text="Read in article").first.click()
    page.wait_for_function("() => window.location.pathname.endsWith('/articles')", timeout=30_000)
    wait_idle(page)
    no_exception(page)
    assert "article=" in page.url and "quote=" in page.url
    assert page.locator("mark.ns-focus").count() >= 1
    shot(page, "reader-focused-quote")


def test_actor_profile_downloads_are_made_on_the_click(server, page, sample_build, tmp_path):
    actors = pq.read_table(storage.current(sample_build) / "actors.parquet").to_pandas()
    austin = actors.loc[actors["name"] == "Lloyd Austin", "actor_id"].iloc[0]
    page.goto(f"{server}/actors?actors_actor={austin}")
    wait_idle(page)
    page.get_by_text("Download this profile's tables (CSV)").click()
    with page.expect_download(timeout=30_000) as download:
        page.get_by_role("button", name="Quotes by").click()
    target = tmp_path / "quotes_by.csv"
    download.value.save_as(target)
    rows = pd.read_csv(target)
    assert {"quote_id", "quote", "speaker_actor_id", "outlet_list"} <= set(rows.columns) and "outlets" not in rows.columns
    assert len(rows) >= 1 and set(rows["speaker_actor_id"]) == {austin}
    no_exception(page)


def test_timeline_card_opens_its_evidence(server, page, sample_build, tmp_path):
    page.goto(f"{server}/timeline")
    wait_idle(page)
    no_exception(page)
    happenings = pq.read_table(storage.current(sample_build) / "happenings.parquet").to_pandas()
    top = happenings.sort_values(["salience", "date_start"], ascending=[False, True]).iloc[0]
    card = page.locator(f".st-key-card_{top['happening_id']}")
    assert card.count() == 1 and "Kim Jong-un" in card.inner_text() and "3 articles" in card.inner_text()
    shot(page, "timeline-key-events")
    with page.expect_download(timeout=30_000) as download:  # the key events' CSV, made on the click
        page.get_by_role("button", name="Download CSV").click()
    download.value.save_as(tmp_path / "key-events.csv")
    rows = pd.read_csv(tmp_path / "key-events.csv")
    assert list(rows.columns) == ["date", "granularity", "headline", "actors", "outlets", "n_articles", "reports"]
    first = rows[rows["headline"] == top["headline"]].iloc[0]
    assert "Kim Jong-un" in first["actors"] and first["n_articles"] == 3 and len(first["reports"].split()) == 3
    card.get_by_role("button").first.click()
    wait_idle(page)
    no_exception(page)
    text = card.inner_text()
    assert "Evidence: 3 report(s)" in text and "Dated 2023-09" in text and "read against the article" in text
    assert "Open the article" in text
    assert f"timeline_happening={top['happening_id']}" in page.url
    shot(page, "timeline-evidence")
    page.get_by_role("tab", name="Lanes").click()
    wait_idle(page)
    no_exception(page)
    assert "timeline_view=lanes" in page.url and page.locator(".st-key-timeline_chart").count() == 1  # run when opened
    shot(page, "timeline-lanes")


def test_boolean_search_shows_highlighted_snippets(hostile_build, tmp_path, page):
    """Type a boolean query in the sidebar: the Articles page ranks the hits with <mark>ed, escaped snippets."""
    with serve(hostile_build, tmp_path / "streamlit.log") as base:
        page.goto(f"{base}/articles")
        wait_idle(page)
        box = page.locator('[data-testid="stSidebar"] input[aria-label="Search"]')
        box.fill("pyongyang OR (analysts AND NOT pentagon) OR alert")
        box.press("Enter")
        page.wait_for_selector("mark.ns-hit", timeout=60_000)
        wait_idle(page)
        marks = [m.inner_text() for m in page.locator("mark.ns-hit").all()]
        assert {"Pyongyang", "alert"} <= set(marks), marks
        assert page.evaluate("window.__xss") is None  # art4's <script> body is text, not markup
        assert page.locator(".ns-hits script").count() == 0
        assert "q=pyongyang" in page.url
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "search-articles.png"), full_page=True)


# ── Add articles: a link, fetched from a loopback site ──────────────────────────────────────────────────────────


from test_sources import PAGE as STORY  # the loopback article of the sources tests


@pytest.fixture
def story_site():
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            hits.append(self.path)
            found = self.path == "/news/ferry.html"
            body = STORY if found else b"no such page"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8" if found else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_port}", hits
    site.shutdown()
    site.server_close()


def test_add_articles_takes_a_link_and_fetches_it(page, sample_build, story_site, tmp_path, monkeypatch):
    import shutil

    base_site, hits = story_site
    build = tmp_path / "processed"
    shutil.copytree(sample_build, build, symlinks=True)  # the page rebuilds in place: never the shared sample build
    monkeypatch.setenv("NEWSSCOPE_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.setenv("NEWSSCOPE_ALLOW_NETWORK", "127.0.0.1/32")  # loopback is refused unless the operator allows it
    before = len(pq.read_table(storage.current(build) / "articles.parquet"))
    url = f"{base_site}/news/ferry.html"
    with serve(build, tmp_path / "streamlit.log") as base:
        page.goto(f"{base}/add_articles")
        wait_idle(page)
        page.locator('[data-testid="stTextArea"] textarea').fill(f"{url}\nnot a link\n")
        page.get_by_role("button", name="Add and rebuild").click()
        page.get_by_text("Done. The other pages now show the new build.").wait_for(timeout=180_000)
        wait_idle(page)
        no_exception(page)
        shot(page, "add_articles_link")
        assert "Skipped 1 line(s) that are not http(s) links." in page.inner_text("body")
    articles = pq.read_table(storage.current(build) / "articles.parquet").to_pandas()
    assert len(articles) == before + 1
    [story] = articles[articles["url"] == url].to_dict("records")
    assert story["title"] == "Harbour council votes to keep the ferry" and "Mayor Ines Duarte" in story["body"]
    assert "/news/ferry.html" in hits
    assert [p.name for p in (tmp_path / "uploads").glob("links-*.txt")], "the link is kept among the uploads"
