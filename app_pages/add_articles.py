"""Add articles: upload files and rebuild incrementally (only new articles go through the language model)."""

import re

import streamlit as st

from components import data
from newsscope import storage

MAX_MB = 5
TYPES = ["txt", "html", "htm", "json", "jsonl", "csv"]

st.title("Add articles")
if data.read_only():  # the page is not in the navigation then; this guards a direct URL
    st.info("This dashboard is read-only.")
    st.stop()

st.markdown(
    f"Upload article files ({', '.join('.' + t for t in TYPES)}; up to {MAX_MB} MB each). They are saved under "
    f"`data/uploads/` and the build runs over the sample corpus plus every upload, into `{data.data_dir()}`. "
    "Unchanged articles reuse their cached analysis."
)
with st.form("add_form", clear_on_submit=True):
    files = st.file_uploader("Article files", type=TYPES, accept_multiple_files=True, key="add_files", max_upload_size=MAX_MB)
    submitted = st.form_submit_button("Add and rebuild", icon=":material/upload:", type="primary")


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "upload"
    return stem[:120]


if submitted:
    if not files:
        st.warning("Choose at least one file first.")
        st.stop()
    too_big = [f.name for f in files if f.size > MAX_MB * 1024 * 1024]
    accepted = [f for f in files if f.size <= MAX_MB * 1024 * 1024]
    if too_big:
        st.warning(f"Skipped {len(too_big)} file(s) over {MAX_MB} MB.")
    if not accepted:
        st.stop()
    data.UPLOADS.mkdir(parents=True, exist_ok=True)
    for f in accepted:
        (data.UPLOADS / _safe_name(f.name)).write_bytes(f.getvalue())
    from newsscope.build import BuildOptions, build  # the build loads spaCy; import it only when asked to build

    with st.status(f"Building with {len(accepted)} new file(s)…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading")

        def progress(stage: str, done: int, total: int) -> None:
            bar.progress(min(done / total, 1.0) if total else 0.0, text=f"{stage}: {done}" + (f" of {total}" if total else ""))

        try:
            report = build([data.SAMPLE, data.UPLOADS], data.data_dir(), BuildOptions(), progress=progress)
        except storage.BuildLocked as error:
            status.update(label="Another build is running", state="error")
            st.info(str(error))
            st.stop()
        status.update(label=f"Built: {report.processed} processed, {report.reused} reused, {report.seconds:.0f} s", state="complete")
    log = report.ingest_log
    rejected = log[log["status"] != "ok"]
    if len(rejected):
        st.warning(f"{len(rejected)} file(s) were not added; see the ingest log on the Articles page.")
    st.success("Done. The other pages now show the new build.")
    st.page_link("app_pages/overview.py", label="Go to the overview", icon=":material/dashboard:")

uploads = sorted(p.name for p in data.UPLOADS.glob("*")) if data.UPLOADS.exists() else []
st.caption(f"{len(uploads)} file(s) uploaded so far." if uploads else "No uploads yet.")
