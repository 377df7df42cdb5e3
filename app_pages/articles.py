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

orders = {"relevance": "Relevance", "date": "Newest first"}
widgets.bind_local("articles_order", lambda v: v in orders)
if filters.text:
    st.caption("Search: " + widgets.md_escape(filters.text) + " (the sidebar's search box; every page is narrowed by it)")
    order = st.segmented_control("Sort by", list(orders), format_func=orders.get, default="relevance", key="articles_order") or "relevance"
    widgets.write_local("articles_order", None if order == "relevance" else order)
else:
    order = "date"
listing = data.frame("articles", filters, order=order, limit=500)
widgets.describe(filters, len(listing), "articles")
if filters.text and not listing.empty:
    HITS = 10
    pages = max(1, -(-len(listing) // HITS))
    hit_page = st.number_input(f"Results page (of {pages})", 1, pages, 1, key="articles_hits_page", width=200) if pages > 1 else 1
    shown_hits = listing.iloc[(hit_page - 1) * HITS : hit_page * HITS]
    with st.container(border=True):
        widgets.search_hits(shown_hits, data.snippets(filters.text, tuple(shown_hits["article_id"])))
    export = listing.assign(query=filters.text, rank=range(1, len(listing) + 1))[
        ["rank", "query", "score", "article_id", "title", "outlet", "published", "n_words", "quotes", "url"]]
    st.download_button("Download results (CSV)", export.to_csv(index=False).encode("utf-8"), file_name="newsscope-search.csv",
                       mime="text/csv", icon=":material/download:", key="articles_search_download")
elif not listing.empty:
    st.download_button("Download list (CSV)", listing.drop(columns=["score"]).to_csv(index=False).encode("utf-8"), file_name="newsscope-articles.csv",
                       mime="text/csv", icon=":material/download:", key="articles_download")

wanted = st.query_params.get("article")
opened = data.frame("article", None, wanted) if wanted else None
if wanted and opened.empty:
    st.warning("The article in the link is not in this build; it may come from an older build.", icon=":material/link_off:")

if listing.empty and (opened is None or opened.empty):
    widgets.empty_state("No article matches these filters." if not filters.is_empty else "This build has no articles.",
                        how_to_build=filters.is_empty)
    st.stop()

chosen = st.dataframe(
    listing, hide_index=True, width="stretch", height=min(400, 35 * (len(listing) + 1) + 3), on_select="rerun", selection_mode="single-row", key="articles_table",
    column_config={
        "article_id": None, "story_id": None, "score": st.column_config.NumberColumn("Score", format="%.2f") if filters.text else None, "title": st.column_config.TextColumn("Title", width="large"), "outlet": "Outlet",
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
