"""Timeline: what happened — the most salient happenings in view as dated headline cards, each opening its evidence
(every report's sentence, article, outlet and how its date was worked out); the lane chart as a second view."""

import streamlit as st

from components import data, widgets
from newsscope import charts, queries, timeline_queries

filters = st.session_state["filters"]
names = widgets.actor_names()
chosen_actors = [names.get(a, a) for a in filters.actors]
st.title("Timeline" + (f" of {chosen_actors[0]}" if len(chosen_actors) == 1 else ""))

MONTHS = "January February March April May June July August September October November December".split()
OPEN = "timeline_happening"  # the card whose evidence is open (also a URL parameter)
VIEW = "timeline_view"  # "lanes" when the lane chart is the open view (a URL parameter)


def when(row) -> str:
    """The happening's date as a reader says it: 13 Sep 2023, September 2023, 2023."""
    start, gran = row["date_start"], row["granularity"]
    if gran == "day":
        return charts.fmt_date(start)
    if gran == "month" and start is not None:
        return f"{MONTHS[start.month - 1]} {start.year}"
    if gran == "year" and start is not None:
        return str(start.year)
    return widgets.md_escape(row["date_value"])


def how_dated(report) -> str:
    published = charts.fmt_date(report.get("published"))
    if report.get("kind") == "article_dated":
        source = report.get("published_source")
        day, pub = report.get("date_start"), report.get("published")
        if day is not None and pub is not None and charts.fmt_date(day) != published:
            return f"no date in the sentence: the day's news, dated by the day the article's lead names ({charts.fmt_date(day)}; published {published})"
        return (f"no date in the sentence: the day's news, dated by the article's publication date ({published}"
                + (f", from {widgets.md_escape(source)})" if isinstance(source, str) and source else ")"))
    text = report.get("timex_text")
    if isinstance(text, str) and text:
        how = f"from “{widgets.md_escape(text)}”"
        how += f", read against the article's date ({published})" if bool(report.get("timex_anchored")) else " (a date written in full)"
        return how + f"; rule `{widgets.md_escape(report.get('timex_method') or '?')}`"
    return f"from a time expression in the sentence ({widgets.md_escape(report.get('date_value'))})"


def toggle(happening_id: str) -> None:
    st.session_state[OPEN] = None if st.session_state.get(OPEN) == happening_id else happening_id


def evidence(happening_id: str, limit: int = 30) -> None:
    reports = data.frame("happening_reports", None, happening_id)
    if reports.empty:
        st.info("That happening is not in this build (the link may be from an older build).")
        return
    st.markdown(f"**Evidence: {len(reports)} report(s)**" + (f" (first {limit})" if len(reports) > limit else ""))
    for n, report in enumerate(reports.head(limit).to_dict("records")):
        with st.container(border=True, key=f"report_{happening_id}_{n}"):
            st.markdown(f"> {widgets.md_escape(report['sentence'])}")
            st.caption(
                f"**{widgets.md_escape(charts.shown(report.get('outlet'), 'outlet'))}** · {widgets.md_escape(charts.shown(report.get('title'), 'title'))} · "
                f"published {charts.fmt_date(report.get('published'))}"
            )
            st.caption(f"Dated {widgets.md_escape(report['date_value'])} ({widgets.md_escape(report['granularity'])}) {how_dated(report)}")
            st.page_link(widgets.ARTICLES_PAGE, label="Open the article", icon=":material/article:", query_params={"article": str(report["article_id"])})


# Only the open view runs its queries (the lane chart is the page's costliest query at scale); the open view is in
# the URL (`timeline_view=lanes`), and a link to an event of the lane chart opens that view.
lanes_linked = st.query_params.get(VIEW) == "lanes" or bool(st.query_params.get("timeline_event"))
key_tab, lane_tab = st.tabs(["Key events", "Lanes"], key="timeline_tab", default="Lanes" if lanes_linked else "Key events", on_change="rerun")
widgets.write_local(VIEW, "lanes" if lane_tab.open else None)

if key_tab.open:
    with key_tab:
        widgets.bind_local("timeline_key_n", lambda n: 10 <= n <= 200 and n % 10 == 0, convert=int)
        widgets.bind_local("timeline_order", lambda v: v in ("date", "salience"))
        with st.container(horizontal=True, vertical_alignment="bottom"):
            shown_n = st.slider("Key events shown", 10, 200, timeline_queries.KEY_EVENTS, step=10, key="timeline_key_n",
                                help="The most salient happenings in view: reported by the most articles and outlets, on the most referred-to dates")
            order = st.segmented_control("Order", ["date", "salience"], default="date", key="timeline_order",
                                         format_func=lambda v: {"date": "In time order", "salience": "Most reported first"}[v])
        widgets.write_local("timeline_key_n", shown_n if shown_n != timeline_queries.KEY_EVENTS else None)  # a shared link keeps them
        widgets.write_local("timeline_order", order if order not in (None, "date") else None)
        key = data.frame("key_events", filters, limit=shown_n)
        total = data.q("count_happenings", filters)
        widgets.describe(filters, total, "happenings")
        if key.empty:
            widgets.empty_state("No happening in this view." if not filters.is_empty else "This build has no happenings yet.",
                                how_to_build=filters.is_empty and int(data.frame("kpis", filters)["articles"].iloc[0]) == 0)
        else:
            ids = set(key["happening_id"])
            widgets.bind_local(OPEN, lambda h: h in ids)  # ?timeline_happening=<id> opens its evidence
            if st.session_state.get(OPEN) not in ids:
                st.session_state[OPEN] = None
            def rows(reports, key=key):  # the CSV, made when it is asked for (the reports' lookup reads every event)
                return timeline_queries.export_rows(key, reports, names, lambda a, u: u if isinstance(u, str) and u else f"articles?article={a}")

            with st.container(horizontal=True, vertical_alignment="center"):
                st.caption(f"The {len(key):,} most salient of {total:,} happenings in view"
                           + (", in time order." if order != "salience" else ", most reported first.") + " Open a card for its evidence.")
                st.download_button("Download CSV", data.csv("key_event_reports", filters, tuple(key["happening_id"]), shape=rows),
                                   file_name="newsscope-key-events.csv", mime="text/csv", icon=":material/download:", key="timeline_download",
                                   on_click="ignore")
            cards = key.sort_values(["date_start", "salience"], ascending=[True, False], kind="stable") if order != "salience" else key
            for row in cards.to_dict("records"):
                hid = row["happening_id"]
                is_open = st.session_state.get(OPEN) == hid
                with st.container(border=True, key=f"card_{hid}"):
                    with st.container(horizontal=True, vertical_alignment="center"):
                        st.markdown(f"**{when(row)}** · {widgets.md_escape(row['headline'])}")
                        st.button("Hide evidence" if is_open else "Evidence", key=f"open_{hid}", on_click=toggle, args=(hid,),
                                  icon=":material/expand_less:" if is_open else ":material/expand_more:", type="tertiary")
                    actors = ", ".join(names.get(a, a) for a in list(row["actor_ids"])[:5])
                    st.caption(f"{widgets.md_escape(actors)} · {int(row['n_articles'])} article{'s' if int(row['n_articles']) != 1 else ''} · "
                               f"{int(row['n_outlets'])} outlet{'s' if int(row['n_outlets']) != 1 else ''}")
                    if is_open:
                        evidence(hid)
            widgets.write_local(OPEN, st.session_state.get(OPEN))

if lane_tab.open:
    with lane_tab:
        widgets.bind_local("timeline_lane", lambda v: v in ("actor", "outlet"))  # a shared link reopens the same chart
        widgets.bind_local("timeline_lanes", lambda n: 3 <= n <= 30, convert=int)
        widgets.bind_local("timeline_publications", lambda v: isinstance(v, bool), convert=lambda v: {"1": True}.get(v, False))
        with st.container(horizontal=True, vertical_alignment="bottom"):
            lane = st.segmented_control("Lanes", ["actor", "outlet"], default="actor", key="timeline_lane",
                                        format_func=lambda v: {"actor": "One lane per actor", "outlet": "One lane per outlet"}[v])
            show_pubs = st.toggle("Publication dates", value=False, key="timeline_publications",
                                  help="A separate track: when each outlet published articles in view")
            lanes = st.slider("Lanes shown", 3, 30, 12, key="timeline_lanes", help="The lanes with the most happenings first")
        lane = lane or "actor"
        widgets.write_local("timeline_lane", lane if lane != "actor" else None)
        widgets.write_local("timeline_lanes", lanes if lanes != 12 else None)
        widgets.write_local("timeline_publications", "1" if show_pubs else None)

        events, figure = data.timeline_figure(filters, lane, lanes, show_pubs)
        if not figure.data:
            widgets.empty_state("No dated event in this view." if not filters.is_empty else "This build has no dated events yet.")
        else:
            chosen = st.plotly_chart(figure, key="timeline_chart", on_select="rerun", selection_mode="points")
            notes = []
            if figure.layout.xaxis.range and filters.date_from is None and filters.date_to is None:
                notes.append("Zoomed to where most happenings are; drag the range slider's handles to see the rest.")
            if not events.empty and int(events["lane_events"].max()) > queries.PER_LANE:
                notes.append(f"Lanes with more than {queries.PER_LANE:,} happenings show their {queries.PER_LANE:,} most salient; "
                             "narrow the dates to see the others.")
            long = data.q("long_events", filters)
            if long:
                notes.append(f"{long:,} happenings spanning more than two years (decades, centuries) are left off the axis.")
            if notes:
                st.caption(" ".join(notes))
            picked = [p.get("customdata", [None])[0] for p in (chosen.selection.points if chosen else []) if p.get("customdata")]
            picked = [p for p in picked if p]

            if not events.empty:
                options = events.drop_duplicates("event_id").sort_values(["date_start", "event_id"])
                heads = options["headline"] if "headline" in options.columns else options["sentence"]
                labels = {e: f"{charts.fmt_date(d)} · {str(h if isinstance(h, str) else s)[:90]}"
                          for e, d, h, s in zip(options["event_id"], options["date_start"], heads, options["sentence"])}
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
