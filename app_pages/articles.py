"""Articles: find an article, read it with its actors and quotes highlighted, and see what the ingest rejected."""

import streamlit as st

from components import data, widgets

filters = st.session_state["filters"]
st.title("Articles")

# ?article=<id>&quote=<id> opens the reader (links from quote cards); ?articles_view=log opens the ingest log.
views = {"list": "Articles", "log": "Ingest log"}
widgets.bind_local("articles_view", lambda v: v in views)
view = st.segmented_control("View", list(views), format_func=views.get, default="list", key="articles_view") or "list"
widgets.write_local("articles_view", None if view == "list" else view)

if view == "log":
    problems = int(data.frame("ingest_summary")["files"].sum())
    files = (data.manifest(*data.current().key).get("rows") or {}).get("ingest_log")
    st.caption((f"{files:,} input files; " if isinstance(files, int) else "") + f"{problems:,} not turned into articles. Each keeps its reason.")
    only = st.toggle("Problems only", value=True, key="articles_log_problems")
    shown = data.frame("ingest_log", None, problems_only=only)  # the whole log (a row per input file) only when asked
    if shown.empty:
        st.caption("Nothing to show: every file was read." if only else "The ingest log is empty.")
    else:
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
            "source_path": "File", "source_id": "Record", "status": "Status", "reason": st.column_config.TextColumn("Reason", width="large"), "article_id": "Article id"})
    st.stop()

search = st.text_input("Search titles, outlets and text", key="articles_search", max_chars=200)
listing = data.frame("articles", filters, search=search.strip() or None, limit=500)
widgets.describe(filters, len(listing), "articles")

wanted = st.query_params.get("article")
opened = data.frame("article", None, wanted) if wanted else None
if wanted and opened.empty:
    st.warning("The article in the link is not in this build; it may come from an older build.", icon=":material/link_off:")

if listing.empty and (opened is None or opened.empty):
    widgets.empty_state("No article matches these filters." if not filters.is_empty or search else "This build has no articles.",
                        how_to_build=filters.is_empty and not search)
    st.stop()

chosen = st.dataframe(
    listing, hide_index=True, width="stretch", height=min(400, 35 * (len(listing) + 1) + 3), on_select="rerun", selection_mode="single-row", key="articles_table",
    column_config={
        "article_id": None, "story_id": None, "title": st.column_config.TextColumn("Title", width="large"), "outlet": "Outlet",
        "published": st.column_config.DateColumn("Published", format="D MMM YYYY"),
        "published_source": st.column_config.TextColumn("Date from", help="Where the publication date came from: record, sidecar, html meta, text header, or a duplicate's date"),
        "n_words": st.column_config.NumberColumn("Words"), "quotes": st.column_config.NumberColumn("Quotes"),
        "url": st.column_config.LinkColumn("Link", display_text="open"),
    },
)
rows = chosen.selection.rows if chosen else []
if rows:
    article_id = str(listing.iloc[rows[0]]["article_id"])
    if article_id != wanted:
        st.query_params["article"] = article_id
        if "quote" in st.query_params:
            del st.query_params["quote"]
        wanted, opened = article_id, data.frame("article", None, article_id)

if opened is None or opened.empty:
    st.caption("Select a row to read the article.")
else:
    spans = data.frame("article_spans", None, wanted)
    widgets.article_reader(opened.iloc[0], spans, focus_quote=st.query_params.get("quote"))
