"""Overview: the corpus at a glance under the current filters."""

import html

import pandas as pd
import streamlit as st

from components import data, widgets
from newsscope import charts, queries
from newsscope.filters import date_span

filters = st.session_state["filters"]
st.title("Overview")

k = data.frame("kpis", filters).iloc[0]
widgets.describe(filters, int(k["articles"]), "articles")
if int(k["articles"]) == 0:
    if filters.is_empty:
        widgets.empty_state("This build holds no articles.", how_to_build=True)
    else:
        widgets.empty_state("No article matches these filters.")
    st.stop()

grain = queries.pick_grain(k["first_published"], k["last_published"])
over_time = data.frame("articles_over_time", filters, grain=grain)
trend = charts.sparkline(over_time, "articles")
normalise = filters.text is not None or bool(filters.actors)

with st.container(horizontal=True):
    st.metric("Articles", f"{int(k['articles']):,}", border=True, chart_data=trend if len(trend) >= 3 else None, chart_type="bar",
              help=f"Dated articles per {grain} in the sparkline", width=220)
    st.metric("Outlets", f"{int(k['outlets']):,}", border=True, width="content")
    st.metric("Actors", f"{int(k['actors']):,}", border=True, help="Distinct canonical actors mentioned", width="content")
    st.metric("Quotes", f"{int(k['quotes']):,}", border=True, width="content")
    dated = pd.notna(k["first_published"])
    span = date_span(k["first_published"].date(), k["last_published"].date()) if dated else "—"
    st.metric("Date span", span, border=True,
              help=f"{charts.fmt_date(k['first_published'])} to {charts.fmt_date(k['last_published'])}" if dated else "No dated article", width="content")
    st.metric("Undated", f"{int(k['undated']):,}", border=True, help="Articles with no publication date in metadata or text", width="content")

with st.container(border=True):
    # With a search (or actors), the chart is the query's matches over time; each outlet's bars can be read as a
    # share of its own articles, so a big outlet does not look like the story's driver.
    shared = st.toggle("Share of each outlet's articles", key="overview_share", disabled=not normalise,
                       help="Each bar as a share of all the outlet's articles that period (needs a search or actors)") and normalise
    if shared:
        shares = data.frame("articles_over_time", filters, grain=grain, normalise=True)
        title = f"Share of each outlet's articles per {grain}" + (f" matching “{html.escape(filters.text)}”" if filters.text else "")
        st.plotly_chart(charts.articles_over_time(shares, grain, value="share", title=title, colors=data.colors()), key="overview_share_chart")
    else:
        title = f"Articles matching “{html.escape(filters.text)}” per {grain}" if filters.text else None  # plotly reads tags
        st.plotly_chart(charts.articles_over_time(over_time, grain, title=title, colors=data.colors()), key="overview_over_time")

left, right = st.columns(2)
with left.container(border=True, height="stretch"):
    top = data.frame("top_actors", filters, limit=15)
    st.plotly_chart(charts.ranked_bars(top, "mentions", title="Most mentioned actors", axis_title="Mentions", colors=data.colors()), key="overview_top_actors")
with right.container(border=True, height="stretch"):
    speakers = data.frame("top_speakers", filters, limit=15)
    st.plotly_chart(charts.ranked_bars(speakers, "quotes", title="Most quoted speakers", axis_title="Quotes", colors=data.colors()), key="overview_top_speakers")

left, right = st.columns(2)
with left.container(border=True, height="stretch"):
    st.markdown("**Build**")
    build = data.current()
    manifest = data.manifest(*build.key)
    model = manifest.get("model") or {}
    st.markdown(
        f"Model {widgets.md_escape(model.get('name', '?'))} {widgets.md_escape(model.get('version', ''))} · "
        f"pipeline {widgets.md_escape(manifest.get('pipeline_version', '?'))} · built {widgets.md_escape(manifest.get('built_at', '?'))}"
    )
    rows = manifest.get("rows") or {}
    st.caption(" · ".join(f"{widgets.md_escape(name)}: {n:,}" for name, n in rows.items() if isinstance(n, int)))
with right.container(border=True, height="stretch"):
    st.markdown("**Ingest problems**")
    problems = data.frame("ingest_summary")
    if problems.empty:
        st.caption("Every input file was read.")
    else:
        st.markdown(", ".join(f"{int(n)} {widgets.md_escape(s)}" for s, n in zip(problems["status"], problems["files"])))
    st.page_link(widgets.ARTICLES_PAGE, label="See the ingest log", icon=":material/receipt_long:", query_params={"articles_view": "log"})
