"""Quotes: who said what — filter, read as cards or a table, follow a quote into its article, export CSV."""

import streamlit as st

from components import data, widgets
from newsscope import tables

filters = st.session_state["filters"]
st.title("Quotes")

widgets.bind_local("quotes_text", lambda v: len(v) <= 200)
with st.container(horizontal=True, vertical_alignment="bottom"):
    stances = st.multiselect("Stance", list(tables.STANCES), key="quotes_stance", placeholder="Any stance")
    kinds = st.multiselect("Kind", ["direct", "indirect", "mixed"], key="quotes_kind", placeholder="Any kind")
    text = st.text_input("Search the quotes", key="quotes_text", max_chars=200, placeholder='"nuclear trigger" OR speaker:austin',
                         help="The sidebar's search syntax, over the quoted words (quote:) and the speaker (speaker:).")
    view = st.segmented_control("Show as", ["cards", "table"], default="cards", key="quotes_view")
st.caption("Speaker, outlet and dates come from the sidebar filters (actors there pick the speaker).")

quote_query = text.strip() or None
widgets.write_local("quotes_text", quote_query)
problem = data.query_problem(quote_query, "quotes") if quote_query else None
if problem:
    st.warning(f"Quote search ignored: “{widgets.md_escape(quote_query)}”. {widgets.md_escape(problem)}", icon=":material/search_off:")
    quote_query = None
shown = data.frame("quotes", filters, stances=tuple(stances), kinds=tuple(kinds), text=quote_query, limit=500)
total = data.q("quote_count", filters)
widgets.describe(filters, total, "quotes")

if shown.empty:
    if total == 0 and filters.is_empty:
        widgets.empty_state("This build has no quotes yet.", how_to_build=True)
    else:
        widgets.empty_state("No quote matches these filters.")
    st.stop()

COLUMNS = ["published", "speaker_name", "speaker", "cue", "quote", "stance", "kind", "outlet_list", "n_articles", "title", "article_id", "quote_id"]
st.download_button(
    "Download CSV", shown[COLUMNS].to_csv(index=False).encode("utf-8"), file_name="newsscope-quotes.csv",
    mime="text/csv", icon=":material/download:", key="quotes_download",
)
st.caption(f"{len(shown):,} distinct quotes shown" + (" (first 500)" if len(shown) == 500 else "") + "; the same words carried by several articles appear once, with their outlets.")

if view == "table":
    st.dataframe(
        shown[COLUMNS],
        hide_index=True, width="stretch", height=600,
        column_config={
            "published": st.column_config.DateColumn("Date", format="D MMM YYYY"), "speaker_name": "Speaker (actor)",
            "speaker": "Speaker (as written)", "cue": "Cue", "quote": st.column_config.TextColumn("Quote", width="large"),
            "stance": "Stance", "kind": "Kind", "outlet_list": "Outlets", "n_articles": st.column_config.NumberColumn("Articles"), "title": "Article",
            "article_id": None, "quote_id": None,
        },
    )
else:
    page_size = 25
    pages = max(1, -(-len(shown) // page_size))
    page = st.number_input(f"Page (of {pages})", 1, pages, 1, key="quotes_page", width=180) if pages > 1 else 1
    for i, row in shown.iloc[(page - 1) * page_size : page * page_size].iterrows():
        widgets.quote_card(row, key=f"quotes_card_{i}")
