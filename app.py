"""NewsScope dashboard: the frame.

Resolves the build once per run, builds the bundled sample corpus when there is none (unless pointed at a corpus of its own and read-only), draws the global
filters in the sidebar (bound to the URL), then runs the page the navigation picked. Pages read the filters from
`st.session_state["filters"]`.

    streamlit run app.py      # NEWSSCOPE_DATA=<build dir> (default data/processed), NEWSSCOPE_READ_ONLY=1
"""

from __future__ import annotations

import os

import streamlit as st

from components import data, widgets
from newsscope import storage

st.set_page_config(page_title="NewsScope", page_icon=":material/newspaper:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/timeline.py", title="Timeline", icon=":material/timeline:"),
    st.Page("app_pages/actors.py", title="Actors", icon=":material/groups:"),
    st.Page("app_pages/quotes.py", title="Quotes", icon=":material/format_quote:"),
    st.Page("app_pages/coverage.py", title="Coverage", icon=":material/compare:"),
    st.Page("app_pages/articles.py", title="Articles", icon=":material/article:"),
]
if not data.read_only():
    PAGES.append(st.Page("app_pages/add_articles.py", title="Add articles", icon=":material/upload_file:"))


def build_sample() -> None:
    """First run without a build: build the bundled sample corpus, showing progress."""
    from newsscope.build import BuildOptions, build  # imported here: the build loads spaCy, the app otherwise never does

    with st.status("No build yet: building the sample corpus…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading articles")

        def progress(stage: str, done: int, total: int) -> None:
            fraction = done / total if total else 0.0
            bar.progress(min(fraction, 1.0), text=f"{stage}: {done}" + (f" of {total}" if total else ""))

        try:
            report = build([data.SAMPLE], data.data_dir(), BuildOptions(), progress=progress)
        except storage.BuildLocked as error:
            status.update(label="Another build is running", state="error")
            st.info(f"{error}. Reload the page when it has finished.")
            st.stop()
        status.update(label=f"Built {report.manifest['rows']['articles']} sample articles in {report.seconds:.0f} s", state="complete", expanded=False)


nav = st.navigation(PAGES, position="sidebar")
build = data.resolve()
# The bundled sample is built on first start even when read-only (the hosted default: a fresh Streamlit Cloud
# deployment has no build yet); a read-only app pointed at a corpus of its own never builds anything.
may_build_sample = not data.read_only() or not os.environ.get("NEWSSCOPE_DATA")
if build is None and may_build_sample and st.session_state.get("_sample_build_failed") is None:
    try:
        build_sample()
    except (ImportError, RuntimeError, OSError, ValueError) as error:  # a missing model or a broken module: say so, keep the app up
        st.session_state["_sample_build_failed"] = f"{type(error).__name__}: {error}"
    build = data.resolve()

if build is None:
    st.title("NewsScope")
    widgets.empty_state(f"No build found in {data.data_dir()}.", how_to_build=True)
    if st.session_state.get("_sample_build_failed"):
        st.error(f"Building the sample corpus failed: {st.session_state['_sample_build_failed']}")
    st.stop()

filters = widgets.sidebar_filters(nav.url_path)
st.session_state["filters"] = filters
widgets.filter_notices()
nav.run()
# After the page: it may have added its own (namespaced) parameters to the URL.
widgets.share_link(filters, {k: st.query_params.get_all(k) for k in st.query_params if k not in widgets.F.PARAMS})
