"""Figure builders: aggregated DataFrame in, Plotly figure out (pure: no Streamlit, no queries).

Every figure has axis titles, readable date ticks and a legend where colour carries meaning. Colours are a
function of the name (`color_for`), so "RT" or "Lloyd Austin" has the same colour on every page and every run:
a build's most prominent names get distinct palette colours in rank order (`color_map`, passed in as
`colors=`), every other name a colour hashed from it.
Corpus strings reach Plotly's hover text escaped (`html.escape`), because Plotly renders a subset of HTML there.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

# A qualitative palette that stays distinguishable for common colour-vision deficiencies (Okabe–Ito + Tableau).
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C564B", "#B8A000",
    "#6A3D9A", "#E15759", "#1B9E77", "#F28E2B", "#17BECF", "#9C755F", "#A6761D", "#E7298A",
    "#4E79A7", "#66A61E", "#7F7F7F", "#B07AA1",
)  # fmt: skip
NEUTRAL = "#9AA0A6"
PUBLICATION_LANE = "Published: "
DATE_TICKS = [
    # Plotly picks the stop by zoom level; each stop names the unit a reader expects at that scale.
    dict(dtickrange=[None, 86_400_000 * 6], value="%-d %b\n%Y"),
    dict(dtickrange=[86_400_000 * 6, 86_400_000 * 27], value="%-d %b\n%Y"),
    dict(dtickrange=[86_400_000 * 27, "M11"], value="%b\n%Y"),
    dict(dtickrange=["M11", None], value="%Y"),
]
_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), hoverlabel=dict(align="left"), legend=dict(title_text=""))


def color_for(name: str | None, colors: Mapping[str, str] | None = None) -> str:
    """A stable colour for an actor or outlet name: from `colors` when it has one, else hashed from the name."""
    if not name or name.startswith("("):
        return NEUTRAL
    if colors and name in colors:
        return colors[name]
    digest = hashlib.sha1(name.strip().lower().encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def color_map(ranked_names: Iterable[str]) -> dict[str, str]:
    """Distinct palette colours for the first `len(PALETTE)` names (most prominent first); others fall back to a hash.

    Note: a hash alone gives two of twelve lanes the same colour more often than not (the birthday problem), so
    the names a reader sees most get colours in rank order. The ranking comes from the build, not the view, so a
    name keeps its colour when the filters change.
    """
    names = [n for n in dict.fromkeys(ranked_names) if n and not str(n).startswith("(")]
    return {str(n): PALETTE[i] for i, n in enumerate(names[: len(PALETTE)])}


def _escape(value: object, width: int = 70, limit: int = 320) -> str:
    """Corpus text for a hover label: escaped, wrapped at `width`, cut at `limit` characters.

    A plain greedy wrap (textwrap is ~20x slower, and a timeline has thousands of labels).
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(html.escape(part) for part in lines)


def _date_axis(fig: go.Figure, title: str = "Date") -> None:
    fig.update_xaxes(title_text=title, type="date", tickformatstops=DATE_TICKS, hoverformat="%-d %b %Y")


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying a message (for a chart slot whose data is empty)."""
    fig = go.Figure()
    fig.add_annotation(text=html.escape(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=200, **_LAYOUT)
    return fig


def articles_over_time(
    frame: pd.DataFrame, grain: str = "month", value: str = "articles", title: str | None = None, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """Stacked bars of `value` per `period`, one colour per `outlet` (columns: period, outlet, <value>)."""
    if frame.empty:
        return empty_figure("No dated articles in this view")
    fig = go.Figure()
    for outlet, rows in frame.groupby("outlet", sort=True):
        fig.add_bar(
            x=rows["period"], y=rows[value], name=str(outlet), marker_color=color_for(str(outlet), colors),
            customdata=[html.escape(str(outlet))] * len(rows),
            hovertemplate=f"%{{customdata}}<br>%{{x|%-d %b %Y}} ({grain}): %{{y}} {value}<extra></extra>",
        )
    fig.update_layout(barmode="stack", title=title or f"{value.capitalize()} per {grain}, by outlet", height=360, **_LAYOUT)
    _date_axis(fig, f"Publication date ({grain})")
    fig.update_yaxes(title_text=value.capitalize(), rangemode="tozero", tickformat=".1%" if value == "share" else ",d")
    if value != "share" and frame.groupby("period")[value].sum().max() <= 10:
        fig.update_yaxes(dtick=1)  # counts: no half articles on a short axis
    fig.update_layout(legend=dict(title_text="Outlet"))
    return fig


def ranked_bars(
    frame: pd.DataFrame, value: str, label: str = "name", title: str = "", axis_title: str | None = None,
    color_by: str | None = None, colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars, largest on top; each bar coloured by its `color_by` (default: `label`) name."""
    if frame.empty:
        return empty_figure("Nothing to rank in this view")
    rows = frame.sort_values([value, label], ascending=[True, False])
    names = [str(n) for n in rows[label]]
    color_names = [str(n) for n in rows[color_by or label]]
    hover = [html.escape(n) for n in names]
    extra = [html.escape(str(k)) for k in rows["kind"]] if "kind" in rows else [""] * len(rows)
    fig = go.Figure(
        go.Bar(
            x=rows[value], y=[html.escape(n) for n in names], orientation="h", marker_color=[color_for(n, colors) for n in color_names],
            customdata=list(zip(hover, extra)), hovertemplate=f"%{{customdata[0]}} %{{customdata[1]}}<br>%{{x}} {value}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(title=title, height=max(220, 28 * len(rows) + 80), **_LAYOUT)
    fig.update_xaxes(title_text=axis_title or value.capitalize(), rangemode="tozero")
    fig.update_yaxes(title_text=None, automargin=True)
    return fig


def _duration_ms(start: pd.Series, end: pd.Series) -> pd.Series:
    # An event dated "May 2024" covers May 1 through May 31 inclusive: it ends at the start of June 1.
    return (pd.to_datetime(end) + pd.Timedelta(days=1) - pd.to_datetime(start)).dt.total_seconds() * 1000


SPAN_BAND = "Known only to the month or year"


def timeline(
    events: pd.DataFrame, publications: pd.DataFrame | None = None, lane_title: str = "Actor", colors: Mapping[str, str] | None = None,
    bounds: tuple[object, object] | None = None,
) -> go.Figure:
    """Happenings on a date axis, one lane per actor or outlet.

    Day-dated happenings are markers in their lane; happenings known only to a month or year (date_start <
    date_end) are markers in a band of their own at the top (:data:`SPAN_BAND`), at the middle of their period
    with a thin whisker over it — never a bar across a lane. Hover shows the headline (a `headline` column; else
    the sentence), the report's source and how many articles tell it. `publications` (date, outlet, articles)
    adds one "Published: <outlet>" lane per outlet. `bounds` (from, to; either may be None): the date filter,
    which bounds the axis. Each mark carries the event_id as `customdata[0]` for selection.
    """
    has_pubs = publications is not None and not publications.empty
    if events.empty and not has_pubs:
        return empty_figure("No dated events in this view")
    fig = go.Figure()
    frame = events.copy()
    if not frame.empty:
        frame["date_start"] = pd.to_datetime(frame["date_start"])
        frame["date_end"] = pd.to_datetime(frame["date_end"])
        frame["is_span"] = frame["date_end"] > frame["date_start"]
        frame["lane_label"] = [html.escape(str(x)) for x in frame["lane"]]
        heads = frame["headline"] if "headline" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        frame["hover"] = [
            (f"<b>{_escape(h)}</b><br><i>{_escape(s, limit=200)}</i><br>" if isinstance(h, str) and h else f"<b>{_escape(s)}</b><br>")
            + f"{html.escape(str(o or '(no outlet)'))} · {_escape(t, 60)}<br>"
            f"date: {html.escape(str(v))} ({html.escape(str(g))}) · {n} article(s) · lane: {html.escape(str(lane))}"
            for h, s, o, t, v, g, n, lane in zip(heads, frame["sentence"], frame["outlet"], frame["title"], frame["date_value"],
                                                 frame["granularity"], frame["n_articles"], frame["lane"])
        ]
    lanes = list(dict.fromkeys(frame["lane"])) if not frame.empty else []
    band = html.escape(SPAN_BAND)
    for lane in lanes:
        rows = frame[frame["lane"] == lane]
        color = color_for(str(lane), colors)
        spans, points = rows[rows["is_span"]], rows[~rows["is_span"]]
        if len(points):
            fig.add_scatter(
                y=points["lane_label"], x=points["date_start"] + pd.Timedelta(hours=12), mode="markers",
                marker=dict(color=color, size=[8 + 2 * min(int(n), 6) for n in points["n_articles"]], line=dict(color="white", width=1)),
                name=html.escape(str(lane)), legendgroup=str(lane),
                customdata=list(zip(points["event_id"], points["hover"])), hovertemplate="%{customdata[1]}<extra>day</extra>",
            )
        if len(spans):
            half = _duration_ms(spans["date_start"], spans["date_end"]) / 2
            fig.add_scatter(
                y=[band] * len(spans), x=spans["date_start"] + pd.to_timedelta(half, unit="ms"), mode="markers",
                marker=dict(color=color, symbol="diamond", size=9, line=dict(color="white", width=1)),
                error_x=dict(type="data", array=half.tolist(), color=color, thickness=1.5, width=0),
                name=html.escape(str(lane)), legendgroup=str(lane), showlegend=not len(points),
                customdata=list(zip(spans["event_id"], spans["hover"])), hovertemplate="%{customdata[1]}<extra>month/year</extra>",
            )
    if has_pubs:
        pubs = publications.copy()
        pubs["date"] = pd.to_datetime(pubs["date"])
        for outlet, rows in pubs.groupby("outlet", sort=True):
            fig.add_scatter(
                y=[html.escape(PUBLICATION_LANE + str(outlet))] * len(rows), x=rows["date"] + pd.Timedelta(hours=12), mode="markers",
                marker=dict(symbol="square", color=color_for(str(outlet), colors), size=9),
                name=html.escape(PUBLICATION_LANE + str(outlet)), legendgroup="publications",
                customdata=[("", f"{html.escape(str(outlet))}: {int(n)} article(s) published") for n in rows["articles"]],
                hovertemplate="%{customdata[1]}<extra>publication</extra>",
            )
    has_band = not frame.empty and bool(frame["is_span"].any())
    n_lanes = len(lanes) + int(has_band) + (publications["outlet"].nunique() if has_pubs else 0)
    fig.update_layout(
        height=max(320, 40 * n_lanes + 190), title="Happenings by date", clickmode="event+select",
        legend=dict(title_text=lane_title), **{k: v for k, v in _LAYOUT.items() if k != "legend"},
    )
    _date_axis(fig, "Date (dots: a day; diamonds in the top band: known only to the month or year)")
    fig.update_xaxes(rangeslider=dict(visible=True, thickness=0.07))
    dates = [frame["date_start"], frame["date_end"]] if not frame.empty else []
    anchor = [frame.loc[~frame["is_span"], "date_start"]] if not frame.empty else []
    if has_pubs:
        dates.append(pd.to_datetime(publications["date"]))
        anchor.append(pd.to_datetime(publications["date"]))
    low, high = (bounds or (None, None))
    if low is not None or high is not None:  # the date filter bounds the axis
        every = pd.concat(dates) if dates else pd.Series([], dtype="datetime64[ns]")
        first = pd.Timestamp(low) if low is not None else every.min()
        last = pd.Timestamp(high) + pd.Timedelta(days=1) if high is not None else every.max() + pd.Timedelta(days=1)
        if pd.notna(first) and pd.notna(last):
            pad = max(pd.Timedelta(days=1), (last - first) * 0.02)
            fig.update_xaxes(range=[first - pad, last + pad])
    else:
        window = focus_window(pd.concat(dates), pd.concat(anchor) if anchor else None) if dates else None
        if window:
            fig.update_xaxes(range=list(window))
    order = ([band] if has_band else []) + [html.escape(str(x)) for x in lanes]
    fig.update_yaxes(title_text=lane_title, type="category", autorange="reversed", automargin=True,
                     categoryorder="array", categoryarray=order + [y for t in fig.data for y in t.y if y not in order])
    return fig


def focus_window(dates: pd.Series, anchor: pd.Series | None = None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The initial x range when far-off dates (a war in 1950, "by 2050") would squeeze the news into a sliver.

    Args:
        dates: every date on the axis.
        anchor: dates that mark where the news is (day-level events, publication dates); used when there are
            at least five of them, else `dates` themselves.

    Returns:
        None when the full range reads fine; otherwise the 5th to 95th percentile of the anchor dates, widened to
        the dates up to two years before (and one after) them, padded.
        The range slider still shows everything.
    """
    dates = pd.to_datetime(dates).dropna()
    if len(dates) < 5:
        return None
    core = pd.to_datetime(anchor).dropna() if anchor is not None else dates
    core = core if len(core) >= 5 else dates
    first, last = dates.min(), dates.max()
    low, high = core.quantile(0.05), core.quantile(0.95)
    # Background a reader needs ("last September", "last year") sits just before the news: keep what is within
    # two years of it on the axis, so month- and year-level events of the story are not zoomed away.
    near = dates[(dates >= low - pd.Timedelta(days=730)) & (dates <= high + pd.Timedelta(days=365))]
    low, high = min(low, near.min()), max(high, near.max())
    if (last - first).days <= 3 * 365 or ((low - first).days <= 365 and (last - high).days <= 365):
        return None
    # Padded past the outermost dates too, so a marker on the first or last day is drawn whole, not cut in half.
    pad = max(pd.Timedelta(days=15), (high - low) * 0.05)
    return (low - pad, high + pad + pd.Timedelta(days=1))


def presence_heatmap(frame: pd.DataFrame, row: str, column: str, value: str, title: str, value_title: str) -> go.Figure:
    """A row × column grid of `value` (e.g. actor mentions per version of a story); 0 cells show what was left out."""
    if frame.empty:
        return empty_figure("Nothing to compare")
    grid = frame.pivot_table(index=row, columns=column, values=value, aggfunc="sum", fill_value=0)
    grid = grid.loc[grid.sum(axis=1).sort_values(ascending=False, kind="stable").index]  # most present first
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(), x=[html.escape(str(c)) for c in grid.columns], y=[html.escape(str(r)) for r in grid.index],
            colorscale="Blues", colorbar=dict(title=dict(text=value_title)), hovertemplate="%{y} in %{x}: %{z}<extra></extra>",
            texttemplate="%{z}", xgap=2, ygap=2,
        )
    )
    fig.update_layout(title=title, height=max(260, 26 * len(grid) + 140), **_LAYOUT)
    fig.update_xaxes(title_text="Version (outlet · article)", side="top")
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return fig


def sparkline(frame: pd.DataFrame, value: str) -> list[float]:
    """The values of a per-period frame as a plain list for `st.metric(chart_data=...)` (summed over outlets)."""
    if frame.empty:
        return []
    return [float(v) for v in frame.groupby("period")[value].sum().sort_index()]


# What a page shows for a missing title or outlet: one placeholder each, never "None" or "nan".
PLACEHOLDERS = {"title": "(untitled)", "outlet": "(no outlet)"}


def shown(value: object, column: str) -> str:
    """One title or outlet as a page shows it: the value, or its placeholder when missing, empty or NaN."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip():
        return PLACEHOLDERS[column]
    return str(value)


def with_placeholders(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its missing or empty `title`/`outlet` values shown as their placeholders (in place; returned)."""
    for column, placeholder in PLACEHOLDERS.items():
        if column in frame.columns:
            values = frame[column]
            frame[column] = values.where(values.notna() & (values.astype(str).str.strip() != ""), placeholder)
    return frame


def fmt_date(value: object) -> str:
    """A date for people: "1 May 2024"; "undated" for a missing one."""
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return "undated"
    try:
        return pd.Timestamp(value).strftime("%-d %b %Y")
    except ValueError:  # an unparseable string: show it as it is
        return str(value)
