"""The load test's websocket client (benchmarks/load.py): what it counts as an error, and a short run in CI.

The short run serves the sample build to 4 Streamlit websocket sessions for 8 s and asserts what the 60-s
benchmark asserts, except the time target (a shared CI machine makes p95 a poor pass/fail figure).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of scripts beside the package, not installed with it
    sys.path.insert(0, str(ROOT))

from benchmarks import load  # noqa: E402

TITLES = {"": "Overview", "timeline": "Timeline", "actors": "Actors", "quotes": "Quotes", "coverage": "Coverage", "articles": "Articles"}


def _run_messages(page: str, *, ran: str | None = None, title: str | None = None, exception: str | None = None, warning: bool = False,
                  not_found: bool = False, status: int = ForwardMsg.FINISHED_SUCCESSFULLY, run_id: str = "run1") -> list[ForwardMsg]:
    """The messages of one script run as the server sends them: new_session, navigation, [page_not_found], title, … finished."""
    msgs = []
    start = ForwardMsg()
    start.new_session.page_script_hash = f"hash_{page}"
    start.metadata.run.script_run_id = "run1"
    msgs.append(start)
    if not_found:
        msg = ForwardMsg()
        msg.page_not_found.page_name = ""
        msgs.append(msg)
    nav = ForwardMsg()
    for path, name in TITLES.items():
        listed = nav.navigation.app_pages.add()
        listed.url_pathname, listed.page_name, listed.page_script_hash = path, name, f"hash_{path}"
    nav.navigation.page_script_hash = f"hash_{page if ran is None else ran}"
    msgs.append(nav)
    if title is not None:
        msg = ForwardMsg()
        msg.delta.new_element.heading.tag, msg.delta.new_element.heading.body = "h1", title
        msgs.append(msg)
    if exception is not None:
        msg = ForwardMsg()
        msg.delta.new_element.exception.type, msg.delta.new_element.exception.is_warning = exception, warning
        msgs.append(msg)
    end = ForwardMsg()
    end.script_finished = status
    if run_id:
        end.metadata.run.script_run_id = run_id
    msgs.append(end)
    return msgs


def _read(run: load.Run, msgs: list[ForwardMsg]) -> bool:
    over = False
    for msg in msgs:
        assert not over, "messages after the run was over"
        over = run.read(msg)
    return over


@pytest.mark.parametrize(
    "page,knobs,expected",
    [
        ("quotes", {"title": "Quotes"}, []),
        ("", {"title": "Overview"}, []),
        ("quotes", {"title": "Quotes", "exception": "KeyError"}, ["exception"]),
        ("quotes", {"title": "Quotes", "exception": "FutureWarning", "warning": True}, ["warning"]),
        ("coverage", {"title": "Overview", "ran": ""}, ["wrong page", "no title"]),  # an unknown hash: st.navigation runs the default page
        ("nope", {"title": "Overview", "ran": "", "not_found": True}, ["page not found", "wrong page", "no title"]),
        ("actors", {}, ["no title"]),
        ("actors", {"title": "Quotes"}, ["no title"]),
        ("actors", {"title": "Actors", "status": ForwardMsg.FINISHED_WITH_COMPILE_ERROR}, ["compile error"]),
        ("actors", {"title": "Actors", "run_id": ""}, ["server error"]),  # AppSession.handle_backmsg_exception's finish
    ],
)
def test_run_counts_errors(page, knobs, expected):
    run = load.Run(page)
    assert _read(run, _run_messages(page, **knobs))
    assert [kind for kind, _ in run.errors] == expected


def test_run_waits_for_the_last_run_after_st_rerun():
    run = load.Run("timeline")
    first = _run_messages("timeline", status=ForwardMsg.FINISHED_EARLY_FOR_RERUN)
    assert not _read(run, first)
    second = _run_messages("timeline", title="Timeline")
    second[0].metadata.run.script_run_id = second[-1].metadata.run.script_run_id = "run2"
    assert _read(run, second)
    assert run.errors == [] and run.titles == ["Timeline"]


def test_message_cache_resolves_references_and_forgets_old_ones():
    cache = load.MessageCache()
    big = ForwardMsg()
    big.delta.new_element.markdown.body = "x" * 100
    big.hash, big.metadata.cacheable = "h1", True
    assert cache.take(big) is big and cache.hashes() == ["h1"]
    ref = ForwardMsg()
    ref.ref_hash = "h1"
    assert cache.take(ref) is big
    unknown = ForwardMsg()
    unknown.ref_hash = "h2"
    assert cache.take(unknown) is None
    for _ in range(cache.max_age + 1):
        cache.run_finished()
    assert cache.hashes() == []


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_load_ws_sessions_on_sample(sample_build, tmp_path):
    args = load.parse_args(["--client", "ws", "--build", str(sample_build), "--sessions", "4", "--seconds", "8", "--think", "0.2",
                            "--new-session-every", "3", "--timeout", "20", "--out", str(tmp_path)])
    result = load.measure(args)
    assert result["navigations"] > 0 and result["new_sessions"] > args.sessions
    assert result["errors"] == 0, result["error_examples"]
    assert result["rendered"] == result["navigations"]
    # Every page ran and sent its own title (each session visits every page once per round of six).
    assert {page: p["title"] for page, p in result["per_page"].items()} == {load.page_name(path): title for path, title in TITLES.items()}
    assert all(p["elements_median"] > 3 for p in result["per_page"].values()), result["per_page"]
    assert result["rss_peak_mb"] is not None and result["rss_peak_mb"] < load.RSS_MB
