"""Add articles: upload files or give links, and rebuild incrementally (only new articles go through the language model).

Links (pages, RSS/Atom feeds, sitemaps) are saved as a URL list among the uploads and fetched by the build's polite,
guarded fetcher (newsscope.sources). A read-only (hosted) app never reaches this code; the fetcher is offline there
anyway. Private and loopback addresses are refused unless the operator allows a network in NEWSSCOPE_ALLOW_NETWORK.
"""

import hashlib
import os
import re
import threading

import streamlit as st

from components import data
from newsscope import storage
from newsscope.sources import links as source_links

MAX_MB = 5
TYPES = ["txt", "html", "htm", "json", "jsonl", "csv"]

st.title("Add articles")
if data.read_only():  # the page is not in the navigation then; this guards a direct URL
    st.info("This dashboard is read-only.")
    st.stop()

st.markdown(
    f"Upload article files ({', '.join('.' + t for t in TYPES)}; up to {MAX_MB} MB each), or give links: article "
    "pages, RSS/Atom feeds or sitemaps, one a line. They are saved under `data/uploads/` and the build runs over the "
    f"sample corpus plus every upload, into `{data.data_dir()}`; links are fetched politely (robots.txt obeyed, one "
    "request a second per site, private addresses refused) and kept as WARC. Unchanged articles reuse their cached analysis."
)
with st.form("add_form", clear_on_submit=True):
    files = st.file_uploader("Article files", type=TYPES, accept_multiple_files=True, key="add_files", max_upload_size=MAX_MB)
    links_text = st.text_area("Links", key="add_links", placeholder="https://example.org/news/story.html\nhttps://example.org/rss.xml",
                              help="Article pages, RSS/Atom feeds or sitemaps (http or https), one a line.")
    submitted = st.form_submit_button("Add and rebuild", icon=":material/upload:", type="primary")


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "upload"
    return stem[:120]


def _links(text: str) -> tuple[list[str], list[str]]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip() and not line.strip().startswith("#")]
    return [line for line in lines if source_links.is_url(line)], [line for line in lines if not source_links.is_url(line)]


def _fetch_options():
    from newsscope.sources import FetchOptions

    allowed = tuple(n.strip() for n in os.environ.get("NEWSSCOPE_ALLOW_NETWORK", "").split(",") if n.strip())
    return FetchOptions(offline=data.read_only(), allow_networks=allowed)


if submitted:
    urls, not_urls = _links(links_text)
    files = files or []
    if not files and not urls:
        st.warning("Choose at least one file or give at least one link (http:// or https://) first.")
        st.stop()
    if not_urls:
        st.warning(f"Skipped {len(not_urls)} line(s) that are not http(s) links.")
    too_big = [f.name for f in files if f.size > MAX_MB * 1024 * 1024]
    accepted = [f for f in files if f.size <= MAX_MB * 1024 * 1024]
    if too_big:
        st.warning(f"Skipped {len(too_big)} file(s) over {MAX_MB} MB.")
    if not accepted and not urls:
        st.stop()
    data.UPLOADS.mkdir(parents=True, exist_ok=True)
    for f in accepted:
        (data.UPLOADS / _safe_name(f.name)).write_bytes(f.getvalue())
    if urls:  # a URL list among the uploads: every later rebuild reads it again, from the archive, without refetching
        listing = "\n".join(urls) + "\n"
        (data.UPLOADS / f"links-{hashlib.sha256(listing.encode()).hexdigest()[:12]}.txt").write_text(listing, encoding="utf-8")
    from newsscope.build import BuildOptions, build  # the build loads spaCy; import it only when asked to build
    from newsscope.sources import SourceOptions

    added = f"{len(accepted)} new file(s)" + (f" and {len(urls)} link(s)" if urls else "")
    with st.status(f"Building with {added}…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading")

        main = threading.current_thread()

        def progress(stage: str, done: int, total: int) -> None:
            if threading.current_thread() is not main:  # the fetcher's worker threads have no Streamlit session
                return
            bar.progress(min(done / total, 1.0) if total else 0.0, text=f"{stage}: {done}" + (f" of {total}" if total else ""))

        try:
            report = build([data.SAMPLE, data.UPLOADS], data.data_dir(), BuildOptions(sources=SourceOptions(fetch=_fetch_options())),
                           progress=progress)
        except storage.BuildLocked as error:
            status.update(label="Another build is running", state="error")
            st.info(str(error))
            st.stop()
        status.update(label=f"Built: {report.processed} processed, {report.reused} reused, {report.seconds:.0f} s", state="complete")
    log = report.ingest_log
    rejected = log[log["status"] != "ok"]
    if len(rejected):
        st.warning(f"{len(rejected)} file(s) or link(s) were not added; see the ingest log on the Articles page.")
    st.success("Done. The other pages now show the new build.")
    st.page_link("app_pages/overview.py", label="Go to the overview", icon=":material/dashboard:")

uploads = sorted(p.name for p in data.UPLOADS.glob("*")) if data.UPLOADS.exists() else []
st.caption(f"{len(uploads)} file(s) uploaded so far." if uploads else "No uploads yet.")
