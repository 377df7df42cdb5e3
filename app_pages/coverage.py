"""Coverage: one story told by several outlets, side by side — what each version includes or leaves out."""

import streamlit as st

from components import data, widgets
from newsscope import charts

filters = st.session_state["filters"]
st.title("Coverage")

stories = data.frame("stories", filters)
widgets.describe(filters, len(stories), "stories")
if stories.empty:
    widgets.empty_state("No story in this view is told by more than one article.", how_to_build=filters.is_empty)
else:
    labels = {s: f"{charts.shown(t, 'title')} · {n} versions, {o} outlets" for s, t, n, o in zip(stories["story_id"], stories["title"], stories["n_articles"], stories["n_outlets"])}
    if st.session_state.get("coverage_story") not in labels:
        st.session_state["coverage_story"] = filters.story if filters.story in labels else next(iter(labels))
    story = st.selectbox("Story", list(labels), key="coverage_story", format_func=labels.get)

    versions = data.frame("story_articles", None, story)
    st.dataframe(
        versions[["outlet", "published", "title", "n_words", "quotes", "actors"]], hide_index=True, width="stretch",
        column_config={"outlet": "Outlet", "published": st.column_config.DateColumn("Published", format="D MMM YYYY"), "title": "Title",
                       "n_words": st.column_config.NumberColumn("Words"), "quotes": st.column_config.NumberColumn("Quotes"),
                       "actors": st.column_config.NumberColumn("Actors")},
    )

    grid = data.frame("story_quote_grid", None, story)
    with st.container(horizontal=True):
        st.download_button("Versions (CSV)", versions.to_csv(index=False).encode("utf-8"), file_name=f"newsscope-{story}-versions.csv",
                           mime="text/csv", icon=":material/download:", key="coverage_download_versions")
        st.download_button("Quote comparison (CSV)", grid.to_csv(index=False).encode("utf-8"), file_name=f"newsscope-{story}-quotes.csv",
                           mime="text/csv", icon=":material/download:", key="coverage_download_grid")
        st.download_button("Stories in view (CSV)", stories.assign(outlets=stories["outlets"].map("; ".join)).to_csv(index=False).encode("utf-8"),
                           file_name="newsscope-stories.csv", mime="text/csv", icon=":material/download:", key="coverage_download_stories")
    with st.container(border=True):
        st.markdown("**Quotes: which version carries which** (ticked: carried; unticked: left out)")
        if grid.empty:
            st.caption("No quote in any version.")
        else:
            st.dataframe(grid, hide_index=True, width="stretch", column_config={
                "quote": st.column_config.TextColumn("Quote", width="medium"), "speaker": "Speaker", "stance": "Stance",
                **{c: st.column_config.CheckboxColumn(c) for c in grid.columns if c not in ("quote", "speaker", "stance")}})
        st.markdown("**Claims and denials carried by each version**")
        st.dataframe(data.frame("story_claims", None, story), hide_index=True, width="content",
                     column_config={"version": "Version", "claim": st.column_config.NumberColumn("Claims"), "denial": st.column_config.NumberColumn("Denials")})

    with st.container(border=True):
        people = data.figure("presence_heatmap", "story_actors", None, story,
                             chart_kwargs=dict(row="name", column="outlet", value="mentions", title="Actors per version (0: left out)", value_title="Mentions"))
        st.plotly_chart(people, key="coverage_actors")

with st.container(border=True):
    st.markdown("**Happenings reported by several articles**")
    shared = data.frame("shared_events", filters)
    if shared.empty:
        st.caption("No happening in this view is reported by more than one article.")
    else:
        st.caption("The same happening carried by several articles (the build links their reports); the most widely reported first.")
        st.dataframe(shared[["date_value", "headline", "n_articles", "outlets", "sentence"]], hide_index=True, width="stretch",
                     column_config={"date_value": "Date", "headline": st.column_config.TextColumn("Happening", width="large"),
                                    "n_articles": st.column_config.NumberColumn("Articles"), "outlets": st.column_config.ListColumn("Outlets"),
                                    "sentence": st.column_config.TextColumn("Earliest report", width="medium")})
