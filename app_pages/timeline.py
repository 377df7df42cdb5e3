"""Timeline: reported events on a date axis, one lane per actor or outlet, with the evidence for each date."""

import streamlit as st

from components import data, widgets
from newsscope import charts, queries

filters = st.session_state["filters"]
st.title("Timeline")

with st.container(horizontal=True, vertical_alignment="bottom"):
    lane = st.segmented_control("Lanes", ["actor", "outlet"], default="actor", key="timeline_lane",
                                format_func=lambda v: {"actor": "One lane per actor", "outlet": "One lane per outlet"}[v])
    show_pubs = st.toggle("Publication dates", value=False, key="timeline_publications",
                          help="A separate track: when each outlet published articles in view")
    lanes = st.slider("Lanes shown", 3, 30, 12, key="timeline_lanes", help="The busiest lanes first")
lane = lane or "actor"

events, figure = data.timeline_figure(filters, lane, lanes, show_pubs)
widgets.describe(filters, int(events["event_key"].nunique()) if not events.empty else 0, "events")

if not figure.data:
    widgets.empty_state("No dated event in this view." if not filters.is_empty else "This build has no dated events yet.",
                        how_to_build=filters.is_empty and int(data.frame("kpis", filters)["articles"].iloc[0]) == 0)
else:
    chosen = st.plotly_chart(figure, key="timeline_chart", on_select="rerun", selection_mode="points")
    notes = []
    if figure.layout.xaxis.range:
        notes.append("Zoomed to where most events are; drag the range slider's handles to see the rest.")
    if not events.empty and int(events["lane_events"].max()) > queries.PER_LANE:
        notes.append(f"Lanes with more than {queries.PER_LANE:,} events show their {queries.PER_LANE:,} most widely reported; "
                     "narrow the dates to see the others.")
    long = data.q("long_events", filters)
    if long:
        notes.append(f"{long:,} events spanning more than two years (decades, centuries) are left off the axis.")
    if notes:
        st.caption(" ".join(notes))
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
        event_id = st.selectbox("Event", list(labels), key="timeline_event", format_func=labels.get, index=None,
                                placeholder="Pick an event to see its evidence (or click one in the chart)")
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
            undated[["text", "value", "method", "outlet", "title"]], hide_index=True, width="stretch", height=min(260, 38 + 35 * len(undated)),
            column_config={"text": "Expression", "value": "Value", "method": "Why", "outlet": "Outlet", "title": "Article"},
        )
