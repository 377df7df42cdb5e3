"""Actors: one actor's profile — who they are, when they appear, what they said, what was said about them."""

import streamlit as st

from components import data, widgets
from newsscope import charts, queries
from newsscope.filters import to_params as filters_to_params

filters = st.session_state["filters"]
st.title("Actors")

options = data.frame("actor_options")
if options.empty:
    widgets.empty_state("This build has no actors yet.", how_to_build=True)
    st.stop()

names = dict(zip(options["actor_id"], options["name"]))
kinds = dict(zip(options["actor_id"], options["kind"]))
# Default: the first actor of the global filter, else the most mentioned one; ?actors_actor=<id> selects one.
widgets.bind_local("actors_actor", lambda a: a in names)
if st.session_state.get("actors_actor") not in names:
    st.session_state["actors_actor"] = filters.actors[0] if filters.actors else options["actor_id"].iloc[0]
ids = list(dict.fromkeys([st.session_state["actors_actor"], *filters.actors, *options["actor_id"][:2000]]))
actor_id = st.selectbox("Actor", ids, key="actors_actor", format_func=lambda a: f"{names.get(a, a)} · {kinds.get(a, '?')}")
widgets.write_local("actors_actor", actor_id)

profile = data.frame("actor", None, actor_id).iloc[0]
aliases = [a for a in (profile["aliases"] if profile["aliases"] is not None else []) if a != profile["name"]]
with st.container(horizontal=True):
    st.metric("Kind", str(profile["kind"] or "?").capitalize(), border=True)
    st.metric("Mentions", f"{int(profile['n_mentions']):,}", border=True, help="In the whole build")
    st.metric("Articles", f"{int(profile['n_articles']):,}", border=True, help="In the whole build")
    st.metric("First / last seen", f"{charts.fmt_date(profile['first_seen'])} – {charts.fmt_date(profile['last_seen'])}", border=True)
st.caption("Also written as: " + (", ".join(widgets.md_escape(a) for a in aliases[:30]) if aliases else "no other names"))
local = filters if not filters.actors else type(filters)(filters.date_from, filters.date_to, (), filters.outlets, filters.story, filters.text)
widgets.describe(local, None, "articles")

kpi = data.frame("kpis", local).iloc[0]
grain = queries.pick_grain(kpi["first_published"], kpi["last_published"])
with st.container(border=True):
    over_time = data.frame("actor_mentions_over_time", local, actor_id, grain=grain)
    st.plotly_chart(charts.articles_over_time(over_time, grain, value="mentions", title=f"Mentions per {grain}, by outlet", colors=data.colors()), key="actors_over_time")

left, right = st.columns(2)
with left.container(border=True, height="stretch"):
    co = data.frame("co_actors", local, actor_id, limit=15)
    st.plotly_chart(charts.ranked_bars(co, "articles", title="Appears most with", axis_title="Articles together", colors=data.colors()), key="actors_co")
with right.container(border=True, height="stretch"):
    shared = st.toggle("Share of each outlet's articles", key="actors_share", help="Articles naming the actor as a share of all the outlet's articles in view")
    outlets = data.frame("actor_outlets", local, actor_id, normalise=shared)
    value, axis = ("share", "Share of the outlet's articles") if shared else ("articles", "Articles")
    st.plotly_chart(charts.ranked_bars(outlets, value, label="outlet", title="Outlets covering this actor", axis_title=axis, colors=data.colors()), key="actors_outlets")

with st.expander("Download this profile's tables (CSV)", icon=":material/download:"):
    st.caption("Under the filters in the link; the actor filter is this page's actor.")
    with st.container(horizontal=True):
        for label, name, table in (("Mentions over time", "mentions", over_time), ("Appears most with", "co-actors", co), ("Outlets", "outlets", outlets)):
            st.download_button(label, table.to_csv(index=False).encode("utf-8"), file_name=f"newsscope-{actor_id}-{name}.csv", mime="text/csv", key=f"actors_download_{name}")
        for label, name in (("Quotes by", "quotes_by"), ("Quotes about", "quotes_about")):  # up to 5,000 each, made on the click
            st.download_button(label, data.csv(name, local, actor_id, limit=5000), file_name=f"newsscope-{actor_id}-{name}.csv", mime="text/csv",
                               key=f"actors_download_{name}", on_click="ignore")

SHOWN = 8  # cards per list; the Quotes page has them all
which = st.segmented_control("Quotes", ["by", "about"], default="by", key="actors_quotes",
                             format_func={"by": "Quotes by this actor", "about": "Quotes about this actor"}.get) or "by"
if which == "by":
    said = data.frame("quotes_by", local, actor_id, limit=SHOWN)
    if said.empty:
        st.caption("No quote is attributed to this actor in this view.")
    for i, row in said.iterrows():
        widgets.quote_card(row, key=f"actors_by_{i}")
    st.page_link("app_pages/quotes.py", label="All quotes by this actor", icon=":material/format_quote:",
                 query_params={**filters_to_params(local), "actor": actor_id})
else:
    about = data.frame("quotes_about", local, actor_id, limit=SHOWN)
    if about.empty:
        st.caption("Nobody else's quoted words mention this actor in this view.")
    for i, row in about.iterrows():
        widgets.quote_card(row, key=f"actors_about_{i}")
    if len(about) == SHOWN:
        st.caption(f"The {SHOWN} most recent; search the Quotes page for more.")
