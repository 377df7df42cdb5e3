"""Figure builders: titles, legends, stable colours, spans vs points, escaped corpus text."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from newsscope import charts

D = dt.date
EVIL = "<script>alert(1)</script>"


def test_color_is_stable_and_discriminating():
    assert charts.color_for("RT") == charts.color_for("RT") == charts.color_for(" rt ")
    assert charts.color_for("RT") in charts.PALETTE
    assert charts.color_for(None) == charts.color_for("(no outlet)") == charts.NEUTRAL
    names = ["RT", "Reuters", "MENAFN", "Lloyd Austin", "Kim Jong-un", "Vladimir Putin", "Breitbart", "CNN"]
    assert len({charts.color_for(n) for n in names}) >= 5  # a hash, not one colour for all


def _over_time():
    return pd.DataFrame(
        {"period": pd.to_datetime(["2024-04-01", "2024-04-01", "2024-05-01"]), "outlet": ["RT", "Reuters", "RT"], "articles": [2, 1, 3]}
    )


def test_articles_over_time_has_titles_legend_and_outlet_colours():
    fig = charts.articles_over_time(_over_time(), "month")
    assert fig.layout.xaxis.title.text == "Publication date (month)" and fig.layout.yaxis.title.text == "Articles"
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.tickformatstops
    assert [t.name for t in fig.data] == ["RT", "Reuters"] or [t.name for t in fig.data] == ["Reuters", "RT"]
    assert {t.name: t.marker.color for t in fig.data} == {"RT": charts.color_for("RT"), "Reuters": charts.color_for("Reuters")}
    assert fig.layout.legend.title.text == "Outlet" and fig.layout.barmode == "stack"
    assert sum(sum(t.y) for t in fig.data) == 6


def test_ranked_bars_largest_on_top_and_escaped():
    frame = pd.DataFrame({"name": ["Small", EVIL, "Big"], "kind": ["person"] * 3, "mentions": [1, 5, 9]})
    fig = charts.ranked_bars(frame, "mentions", title="Top", axis_title="Mentions")
    bar = fig.data[0]
    assert list(bar.y)[-1] == "Big"  # plotly draws the last category at the top
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bar.y and EVIL not in bar.y
    assert fig.layout.xaxis.title.text == "Mentions"
    assert list(bar.marker.color) == [charts.color_for(n) for n in ["Small", EVIL, "Big"]]


def _events():
    return pd.DataFrame(
        {
            "lane": ["Kim Jong-un", "Kim Jong-un", "Russia"],
            "event_key": ["k1", "k2", "k3"],
            "event_id": ["e1", "e2", "e3"],
            "date_start": [D(2023, 9, 1), D(2024, 4, 30), D(2024, 5, 1)],
            "date_end": [D(2023, 9, 30), D(2024, 4, 30), D(2024, 5, 31)],
            "granularity": ["month", "day", "month"],
            "date_value": ["2023-09", "2024-04-30", "2024-05"],
            "sentence": ["Kim met Putin last September.", f"{EVIL} said on Tuesday", "In May 2024 Russia…"],
            "outlet": ["RT", None, "MENAFN"],
            "title": ["t1", "t2", "t3"],
            "article_id": ["a1", "a2", "a3"],
            "n_articles": [2, 1, 1],
            "outlets": [["RT", "Reuters"], ["(no outlet)"], ["MENAFN"]],
        }
    )


def test_timeline_points_and_the_month_year_band():
    fig = charts.timeline(_events())
    assert all(t.type == "scatter" for t in fig.data)  # no bar across a lane
    band = [t for t in fig.data if set(t.y) == {charts.SPAN_BAND}]
    points = [t for t in fig.data if charts.SPAN_BAND not in set(t.y)]
    assert {t.name for t in band} == {"Kim Jong-un", "Russia"}  # month-level events sit in their own band
    assert [t.name for t in points] == ["Kim Jong-un"]  # the day-level one is a point in its lane
    kim_span = next(t for t in band if t.name == "Kim Jong-un")
    assert kim_span.error_x.array[0] == pytest.approx(15 * 86_400_000)  # 1–30 Sep inclusive, half each side
    assert kim_span.customdata[0][0] == "e1"  # selection returns the event id
    assert fig.layout.xaxis.rangeslider.visible and fig.layout.xaxis.title.text.startswith("Date")
    assert fig.layout.yaxis.title.text == "Actor" and fig.layout.legend.title.text == "Actor"
    assert list(fig.layout.yaxis.categoryarray)[0] == charts.SPAN_BAND
    hover = points[0].customdata[0][1]
    assert "&lt;script&gt;" in hover and "<script>" not in hover
    assert kim_span.marker.color == charts.color_for("Kim Jong-un")


def test_timeline_hover_shows_the_headline_and_the_axis_follows_the_date_filter():
    events = _events().assign(headline=["Kim met <b>Putin</b>", "Austin warned", "Russia denied"])
    fig = charts.timeline(events, bounds=(D(2024, 1, 1), D(2024, 3, 31)))
    hover = " ".join(c[1] for t in fig.data for c in t.customdata)
    assert "Kim met &lt;b&gt;Putin&lt;/b&gt;" in hover
    low, high = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert pd.Timestamp(2023, 12, 25) < low <= pd.Timestamp(2024, 1, 1) and pd.Timestamp(2024, 4, 1) <= high < pd.Timestamp(2024, 4, 10)


def test_timeline_publication_track():
    pubs = pd.DataFrame({"date": [D(2024, 5, 1)], "outlet": ["RT"], "articles": [2]})
    fig = charts.timeline(_events(), pubs)
    lanes = {y for t in fig.data for y in t.y}
    assert "Published: RT" in lanes
    only_pubs = charts.timeline(_events().iloc[0:0], pubs)
    assert len(only_pubs.data) == 1


def test_empty_inputs_give_a_message_not_an_error():
    for fig in (
        charts.timeline(_events().iloc[0:0]),
        charts.articles_over_time(_over_time().iloc[0:0]),
        charts.ranked_bars(pd.DataFrame(columns=["name", "mentions"]), "mentions"),
        charts.presence_heatmap(pd.DataFrame(columns=["name", "outlet", "mentions"]), "name", "outlet", "mentions", "t", "v"),
    ):
        assert fig.layout.annotations and not fig.data


def test_presence_heatmap_fills_left_out_cells_with_zero():
    frame = pd.DataFrame({"name": ["Kim", "Kim", "Putin"], "outlet": ["RT", "Reuters", "RT"], "mentions": [2, 0, 1]})
    fig = charts.presence_heatmap(frame, "name", "outlet", "mentions", "Actors per version", "Mentions")
    z = fig.data[0].z
    assert list(fig.data[0].x) == ["RT", "Reuters"] and list(fig.data[0].y) == ["Kim", "Putin"]  # most present first
    assert z.tolist() == [[2, 0], [1, 0]]  # Kim is left out of the Reuters version (0), Putin too
    assert fig.layout.xaxis.title.text.startswith("Version")


@pytest.mark.parametrize(("value", "text"), [(None, "undated"), (pd.NaT, "undated"), (D(2024, 5, 1), "1 May 2024"), ("2024-04-30", "30 Apr 2024")])
def test_fmt_date(value, text):
    assert charts.fmt_date(value) == text


def test_sparkline_sums_outlets_per_period():
    assert charts.sparkline(_over_time(), "articles") == [3.0, 3.0]
    assert charts.sparkline(_over_time().iloc[0:0], "articles") == []


def test_focus_window_zooms_past_a_few_old_dates():
    news = pd.Series(pd.date_range("2024-01-01", periods=40, freq="W"))
    old = pd.Series(pd.to_datetime(["1950-06-25", "1953-07-27"]))
    start, end = charts.focus_window(pd.concat([old, news]))
    assert old.max() + pd.Timedelta(days=365 * 60) < start < news.quantile(0.1) and end >= news.max() + pd.Timedelta(days=15)
    future = pd.Series(pd.to_datetime(["2099-12-31", "2090-01-01"]))
    start, end = charts.focus_window(pd.concat([news, future]))
    assert end < pd.Timestamp("2030-01-01") and start <= news.quantile(0.05)
    assert charts.focus_window(news) is None  # already readable
    assert charts.focus_window(old) is None  # too few dates to judge
    # Many year-level mentions of the past: the day-level dates say where the news is.
    years = pd.Series(pd.date_range("1980-01-01", periods=30, freq="YS"))
    start, end = charts.focus_window(pd.concat([years, news]), anchor=news)
    assert start > pd.Timestamp("2023-06-01") and end >= news.max() + pd.Timedelta(days=15)  # the last marker whole


def test_color_map_gives_top_names_distinct_colours():
    names = ["Donald Trump", "Hillary Clinton", "Barack Obama", "Bernie Sanders", "Ted Cruz", "Marco Rubio"]
    colors = charts.color_map(names + ["(no outlet)"])
    assert len(set(colors.values())) == len(names) and "(no outlet)" not in colors
    assert charts.color_for("Ted Cruz", colors) == colors["Ted Cruz"]
    assert charts.color_for("Somebody Else", colors) == charts.color_for("Somebody Else")  # hashed fallback
    fig = charts.ranked_bars(pd.DataFrame({"name": names[:2], "mentions": [3, 5]}), "mentions", colors=colors)
    assert list(fig.data[0].marker.color) == [colors["Donald Trump"], colors["Hillary Clinton"]]


def test_focus_window_keeps_the_stories_recent_background():
    """The sample's case: day-level news in April 2024, its background in 2023, and one mention of 1950."""
    news = pd.Series(pd.to_datetime(["2024-04-22", "2024-04-23", "2024-04-30", "2024-05-01", "2024-05-01"]))
    background = pd.Series(pd.to_datetime(["2023-07-01", "2023-09-01", "2023-01-01", "2024-03-01"]))
    old = pd.Series(pd.to_datetime(["1950-01-01"]))
    start, end = charts.focus_window(pd.concat([news, background, old]), anchor=news)
    assert pd.Timestamp("1951-01-01") < start <= pd.Timestamp("2023-01-01") and end >= pd.Timestamp("2024-05-01")


def test_small_counts_get_whole_number_ticks():
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-04-23", "2024-05-01", "2024-05-01"]), "outlet": ["RT", "MENAFN", "(no outlet)"], "articles": [1, 1, 1]})
    fig = charts.articles_over_time(frame, grain="day")
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == ",d"
