"""Timeline: reported events on a date axis, one lane per actor or outlet, with the evidence for each date."""

import streamlit as st

from components import data, widgets
from newsscope import charts

filters = st.session_state["filters"]
st.title("Timeline")

with st.container(horizontal=True, vertical_alignment="bottom"):
    lane = st.segmented_control("Lanes", ["actor", "outlet"], default="actor", key="timeline_lane",
                                format_func=lambda v: {"actor": "One lane per actor", "outlet": "One lane per outlet"}[v])
    show_pubs = st.toggle("Publication dates", value=False, key="timeline_publications",
                          help="A separate track: when each outlet published articles in view")
    lanes = st.slider("Lanes shown", 3, 30, 12, key="timeline_lanes", help="The busiest lanes first")
lane = lane or "actor"

events = data.frame("timeline", filters, lane=lane, kind="reported", lanes=lanes)
pubs = data.frame("publications", filters) if show_pubs else None
widgets.describe(filters, int(events["event_key"].nunique()) if not events.empty else 0, "events")

if events.empty and (pubs is None or pubs.empty):
    widgets.empty_state("No dated event in this view." if not filters.is_empty else "This build has no dated events yet.",
                        how_to_build=filters.is_empty and int(data.frame("kpis", filters)["articles"].iloc[0]) == 0)
else:
    figure = charts.timeline(events, pubs, lane_title=lane.capitalize())
    chosen = st.plotly_chart(figure, key="timeline_chart", on_select="rerun", selection_mode="points")
    if figure.layout.xaxis.range:
        st.caption("Zoomed to where most events are; drag the handles of the range slider under the chart to see older ones.")
    picked = [p.get("customdata", [None])[0] for p in (chosen.selection.points if chosen else []) if p.get("customdata")]
    picked = [p for p in picked if p]

    if not events.empty:
        options = events.drop_duplicates("event_id").sort_values(["date_start", "event_id"])
        labels = {e: f"{charts.fmt_date(d)} · {s[:90]}" for e, d, s in zip(options["event_id"], options["date_start"], options["sentence"])}
        widgets.bind_local("timeline_event", lambda e: e in labels)  # ?timeline_event=<id> opens its evidence
        if picked and picked[0] in labels and picked[0] != st.session_state.get("_timeline_picked"):
            st.session_state["timeline_event"] = picked[0]  # a click in the chart
        st.session_state["_timeline_picked"] = picked[0] if picked else None
        if st.session_state.get("timeline_event") not in labels:
            st.session_state["timeline_event"] = None  # an event of an earlier view
        event_id = st.selectbox("Event", [None, *labels], key="timeline_event", format_func=lambda e: "Pick an event (or click one in the chart)" if e is None else labels[e])
        widgets.write_local("timeline_event", event_id)
        if event_id:
            widgets.evidence_panel(event_id)

with st.container(border=True):
    st.markdown("**Time expressions not on the axis**")
    st.caption("Relative or vague expressions the build could not turn into dates (“now”, “that day”) are listed, not dropped.")
    undated = data.frame("undated_timexes", filters)
    if undated.empty:
        st.caption("None in this view.")
    else:
        st.dataframe(
            undated[["text", "value", "method", "outlet", "title"]], hide_index=True, width="stretch", height=260,
            column_config={"text": "Expression", "value": "Value", "method": "Why", "outlet": "Outlet", "title": "Article"},
        )
