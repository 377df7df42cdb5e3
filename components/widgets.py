"""Widgets used on more than one page: global filters + share link, quote card, article reader, evidence panel,
empty state.

Corpus text is hostile by assumption: it reaches Markdown through `md_escape` and HTML through `html.escape`,
and the only tags ever rendered are the <mark>/<span>/<p> this module writes itself.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from components import data
from newsscope import filters as F
from newsscope.charts import color_for, fmt_date, shown

ARTICLES_PAGE = "app_pages/articles.py"
_URL_STATE = "_filters_url"  # the global params this session last wrote to the URL
_NOTICES = "_filters_notices"
PAGE_PARAMS = {"articles": ("article", "quote")}  # page-local params without the page prefix (links from quote cards)
KEYS = {"from": "filter_from", "to": "filter_to", "actor": "filter_actors", "outlet": "filter_outlets", "story": "filter_story", "q": "filter_q"}
SEARCH_HELP = (
    "Words (all must occur), \"exact phrases\", AND / OR / NOT, parentheses, fields title: outlet: speaker: quote:, "
    "and prefix\\*. Example: austin AND (korea OR dprk) NOT ukraine"
)
ACTOR_OPTIONS = 2000  # the multiselect lists the most mentioned actors (plus any selected)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:<])")


def md_escape(text: object) -> str:
    """Corpus text made inert for st.markdown: every Markdown, LaTeX ($) and directive (:) character escaped."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


# ── global filters ───────────────────────────────────────────────────────────────────────────────────────────────


def _normalise(params: dict) -> dict[str, tuple[str, ...]]:
    return {k: tuple([v] if isinstance(v, str) else v) for k, v in params.items() if v not in ("", [], ())}


def _url_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _seed(parsed: F.Filters) -> None:
    st.session_state[KEYS["from"]] = parsed.date_from
    st.session_state[KEYS["to"]] = parsed.date_to
    st.session_state[KEYS["actor"]] = list(parsed.actors)
    st.session_state[KEYS["outlet"]] = list(parsed.outlets)
    st.session_state[KEYS["story"]] = parsed.story or ""
    st.session_state[KEYS["q"]] = parsed.text or ""


def _page_params(page: str, url: dict[str, list[str]]) -> dict[str, list[str]]:
    """The URL parameters that belong to `page`: its own `<page>_*` ones, plus the reader's `article`/`quote`."""
    own = PAGE_PARAMS.get(page, ())
    return {k: v for k, v in url.items() if k not in F.PARAMS and (k.startswith(f"{page}_") or k in own)}


def bind_local(key: str, valid, convert=str) -> None:
    """Seed the page-local widget `key` from the URL parameter of the same name when a link brings a new value.

    Call before the widget; call `write_local(key, value)` after it. `convert(text)` makes the widget's value
    (a ValueError ignores the parameter); `valid(value) -> bool` guards the seed.
    """
    value = st.query_params.get(key)
    if value is not None and value != st.session_state.get(f"_url_{key}"):
        try:
            seed = convert(value)
        except ValueError:
            seed = None
        if seed is not None and valid(seed):
            st.session_state[key] = seed
    st.session_state[f"_url_{key}"] = value


def write_local(key: str, value: str | None) -> None:
    """Put a page-local value in the URL (or take it out) so a shared link reopens the same view."""
    value = None if value is None else str(value)
    if value in (None, ""):
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value
    st.session_state[f"_url_{key}"] = value or None


def sidebar_filters(page: str = "") -> F.Filters:
    """The global filters in the sidebar, kept in step with the URL query string; returns the current Filters.

    The URL seeds the widgets when a session starts and whenever a link arrives carrying different filters;
    otherwise the widgets are the truth and the URL is rewritten from them after every change (the parameters
    of `page`, the url path of the page about to run, are kept; other pages' are dropped). Values the build does
    not know are dropped with a visible notice.
    """
    known = data.lookups()
    names, kinds, story_titles = known.names, known.kinds, known.story_titles
    first, last = data.q("date_bounds")
    url = _url_params()
    global_url = {k: v for k, v in url.items() if k in F.PARAMS}
    written = st.session_state.get(_URL_STATE)
    if written is None or (global_url and _normalise(global_url) != written):
        parsed, notices = F.parse(global_url, names.keys(), set(known.outlets), story_titles.keys())
        _seed(parsed)
        st.session_state[_NOTICES] = notices
        for notice in notices:
            st.toast(notice, icon=":material/link_off:")

    # A new build may lack what the widgets hold (an actor merged away, an outlet removed): drop it quietly.
    for key, present in ((KEYS["actor"], names), (KEYS["outlet"], set(known.outlets))):
        held = st.session_state.get(key) or []
        if any(v not in present for v in held):
            st.session_state[key] = [v for v in held if v in present]
    with st.sidebar:
        st.subheader("Filters")
        with st.container(horizontal=True):
            low = min(d for d in (first, st.session_state.get(KEYS["from"]), st.session_state.get(KEYS["to"])) if d) if first else None
            high = max(d for d in (last, st.session_state.get(KEYS["from"]), st.session_state.get(KEYS["to"])) if d) if last else None
            st.date_input("From", key=KEYS["from"], value=None, min_value=low or dt.date(1900, 1, 1), max_value=high or dt.date(2100, 1, 1), format="YYYY-MM-DD")
            st.date_input("To", key=KEYS["to"], value=None, min_value=low or dt.date(1900, 1, 1), max_value=high or dt.date(2100, 1, 1), format="YYYY-MM-DD")
        selected = [a for a in st.session_state.get(KEYS["actor"], []) if a in names]
        options = list(dict.fromkeys(selected + list(known.actor_ids[:ACTOR_OPTIONS])))
        st.multiselect(
            "Actors", options, key=KEYS["actor"], format_func=lambda a: f"{names.get(a, a)} · {kinds.get(a, '?')}",
            placeholder="Type a name…", help="Canonical actors, most mentioned first. Quotes are filtered by speaker.",
        )
        st.multiselect("Outlets", list(known.outlets), key=KEYS["outlet"], placeholder="All outlets")
        if st.session_state.get(KEYS["story"]) not in story_titles:
            st.session_state[KEYS["story"]] = ""
        st.selectbox("Story", ["", *story_titles], key=KEYS["story"], format_func=lambda s: story_titles.get(s, s) if s else "All stories",
                     help="Articles grouped as versions of one story (near-duplicates).")
        st.text_input("Search", key=KEYS["q"], max_chars=F.MAX_TEXT, placeholder='austin AND (korea OR dprk)',
                      help=SEARCH_HELP)
        typed = (st.session_state.get(KEYS["q"]) or "").strip()
        problem = data.query_problem(typed) if typed else None
        if problem:
            st.warning(f"Search ignored: “{md_escape(typed)}”. {md_escape(problem)}", icon=":material/search_off:")

    date_from, date_to = st.session_state.get(KEYS["from"]), st.session_state.get(KEYS["to"])
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    current = F.Filters(
        date_from=date_from, date_to=date_to, actors=tuple(st.session_state.get(KEYS["actor"]) or ()),
        outlets=tuple(st.session_state.get(KEYS["outlet"]) or ()), story=st.session_state.get(KEYS["story"]) or None,
        text=None if problem else typed or None,
    )
    wanted = _normalise(F.to_params(current))
    st.session_state[_URL_STATE] = wanted
    local = _page_params(page, url)  # another page's parameters do not follow the reader around
    if _normalise(url) != _normalise({**local, **wanted}):
        st.query_params.from_dict({**local, **{k: list(v) for k, v in wanted.items()}})
    st.session_state["_actor_names"] = names
    return current


def filter_notices() -> None:
    """Show the notices of the last URL parse (ignored values), once, above the page."""
    notices = st.session_state.pop(_NOTICES, None)
    if notices:
        st.warning("Some link parameters were ignored:\n\n" + "\n".join(f"- {md_escape(n)}" for n in notices), icon=":material/link_off:")


def actor_names() -> dict[str, str]:
    return st.session_state.get("_actor_names", {})


def share_link(filters: F.Filters, local: dict[str, str | list[str]] | None = None) -> None:
    """The full link to the current view, ready to copy."""
    base = None
    try:
        base = st.context.url
    except AttributeError:  # older Streamlit without st.context.url
        base = None
    base = base or os.environ.get("NEWSSCOPE_PUBLIC_URL") or "http://localhost:8501"
    params = {**(local or {}), **F.to_params(filters)}
    query = urlencode(params, doseq=True)
    with st.sidebar.expander("Share this view", icon=":material/share:"):
        st.code(base.split("?")[0] + (f"?{query}" if query else ""), language=None, wrap_lines=True)
        st.caption("Anyone with the link sees the same filters.")


def describe(filters: F.Filters, count: int | None, noun: str) -> None:
    st.caption(md_escape(F.describe(filters, actor_names(), count, noun)))


# ── empty states ─────────────────────────────────────────────────────────────────────────────────────────────────


def empty_state(message: str, *, how_to_build: bool = False) -> None:
    """Explain why nothing is shown and what to do about it."""
    with st.container(border=True):
        st.markdown(f"**{message}**")
        if how_to_build:
            st.markdown("Build the tables from a folder of articles (.txt, .html, .json, .jsonl, .csv), then reload this page:")
            st.code(f"newsscope build FOLDER --out {data.data_dir()}", language="bash")
        else:
            st.caption("Widen the filters in the sidebar, or clear them to see everything.")


# ── quotes ───────────────────────────────────────────────────────────────────────────────────────────────────────


# Double quotation marks a quote span may start or end with (a mixed quote's span carries its own marks).
_QUOTE_MARKS = "\"“”„«»"


def quoted(text: object) -> str:
    """`text` between one pair of curly quotation marks, whether or not its span already had marks."""
    return f"“{str(text).strip().strip(_QUOTE_MARKS).strip()}”"


def quote_card(row: pd.Series, key: str) -> None:
    """One quote: who, how (cue, stance), when, where, and a link to read it in its article."""
    with st.container(border=True):
        speaker = row.get("speaker_name") or row.get("speaker") or "Unknown speaker"
        stance = row.get("stance") or "—"
        st.markdown(f"**{md_escape(speaker)}** · {md_escape(row.get('cue') or 'said')} · :small[{md_escape(stance)}]")
        st.markdown(md_escape(quoted(row["quote"])))
        outlets = row.get("outlets")
        outlets = list(outlets) if outlets is not None and len(outlets) else [shown(row.get('outlet'), 'outlet')]
        carried = f"{len(outlets)} outlets: " if len(outlets) > 1 else ""
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"{fmt_date(row.get('published'))} · {carried}{md_escape(', '.join(map(str, outlets)))} · {md_escape(row.get('kind') or '')}")
            st.page_link(
                ARTICLES_PAGE, label="Read in article", icon=":material/article:",
                query_params={"article": str(row["article_id"]), "quote": str(row["quote_id"])},
            )


# ── article reader ───────────────────────────────────────────────────────────────────────────────────────────────

_READER_CSS = """
<style>
.ns-reader{font-family:Georgia,serif;font-size:1.05rem;line-height:1.7;white-space:pre-wrap;max-width:48rem}
.ns-reader mark.ns-q{background:#fff3bf;padding:0 .1em;border-radius:2px}
.ns-reader mark.ns-q.ns-focus{background:#ffc078}
.ns-reader span.ns-a{border-bottom:2px solid var(--ns-c);font-weight:600}
</style>
"""


def reader_html(body: str, spans: pd.DataFrame, focus_quote: str | None = None, colors: dict[str, str] | None = None) -> str:
    """The article body as HTML with quotes in <mark> and actor mentions underlined.

    Every piece of corpus text is escaped; overlapping spans are handled by cutting the body at every span
    boundary and opening/closing our own tags per piece, so tags never interleave. Offsets are character offsets
    into `body`; `end` is exclusive.
    """
    n = len(body)
    cuts = {0, n}
    marks = []
    for start, end, kind, ref, label in spans[["start", "end", "kind", "ref_id", "label"]].itertuples(index=False):
        if pd.isna(start) or pd.isna(end):
            continue
        s, e = max(0, int(start)), min(n, int(end))
        if s < e:
            cuts.update((s, e))
            marks.append((s, e, kind, "" if pd.isna(ref) else str(ref), "" if pd.isna(label) else str(label)))
    bounds = sorted(cuts)
    pieces = []
    for s, e in zip(bounds, bounds[1:]):
        text = html.escape(body[s:e])
        quote = next((m for m in marks if m[2] == "quote" and m[0] <= s and e <= m[1]), None)
        actor = next((m for m in marks if m[2] == "actor" and m[0] <= s and e <= m[1]), None)
        if actor:
            color = color_for(actor[4].rsplit(" (", 1)[0], colors)
            text = f'<span class="ns-a" style="--ns-c:{color}" title="{html.escape(actor[4], quote=True)}">{text}</span>'
        if quote:
            focus = " ns-focus" if focus_quote and quote[3] == focus_quote else ""
            anchor = f' id="q-{html.escape(quote[3], quote=True)}"' if s == quote[0] else ""
            text = f'<mark class="ns-q{focus}"{anchor} title="{html.escape(quote[4], quote=True)}">{text}</mark>'
        pieces.append(text)
    return f'{_READER_CSS}<div class="ns-reader">{"".join(pieces)}</div>'


def article_reader(article: pd.Series, spans: pd.DataFrame, focus_quote: str | None = None) -> None:
    with st.container(border=True):
        st.markdown(f"### {md_escape(shown(article.get('title'), 'title'))}")
        source = article.get("published_source")
        provenance = f"date from {md_escape(source)}" if isinstance(source, str) and source else "no publication date found"
        st.caption(f"{md_escape(shown(article.get('outlet'), 'outlet'))} · {fmt_date(article.get('published'))} ({provenance}) · {int(article.get('n_words') or 0):,} words")
        with st.container(horizontal=True):
            st.markdown(":small[<mark style='background:#fff3bf'>quoted words</mark>]", unsafe_allow_html=True)
            st.markdown(":small[<u>**actor mention**</u> (hover for the actor)]", unsafe_allow_html=True)
        st.html(reader_html(str(article["body"]), spans, focus_quote, data.colors()))


# ── evidence ─────────────────────────────────────────────────────────────────────────────────────────────────────


def _derivation(ev: pd.Series) -> str:
    published = fmt_date(ev.get("published"))
    if isinstance(ev.get("timex_text"), str):
        how = f"from “{md_escape(ev['timex_text'])}”"
        if bool(ev.get("timex_anchored")):
            how += f" in an article published {published}"
        else:
            how += " (an absolute date in the text)"
        return f"{how}; rule: `{md_escape(ev.get('timex_method') or '?')}`"
    if ev.get("kind") == "publication":
        return f"the article's publication date ({md_escape(ev.get('published_source') or 'unknown source')})"
    return "no time expression in the sentence carries this date"


def evidence_panel(event_id: str) -> None:
    """Why an event sits where it does: its sentence, article, outlet, how its date was derived, and other reports."""
    found = data.frame("event_evidence", None, event_id)
    if found.empty:
        st.info("That event is not in this build (the link may be from an older build).")
        return
    ev = found.iloc[0]
    with st.container(border=True):
        st.markdown("**Evidence**")
        st.markdown(f"> {md_escape(ev['sentence'])}")
        st.markdown(
            f"**Date:** {md_escape(ev['date_value'])} ({md_escape(ev['granularity'])}: {fmt_date(ev['date_start'])} – {fmt_date(ev['date_end'])}), "
            f"derived {_derivation(ev)}."
        )
        source = ev.get("published_source")
        st.markdown(
            f"**Source:** {md_escape(shown(ev.get('outlet'), 'outlet'))} · {md_escape(shown(ev.get('title'), 'title'))} · "
            f"published {fmt_date(ev.get('published'))}" + (f" (date from {md_escape(source)})" if isinstance(source, str) and source else "")
        )
        st.page_link(ARTICLES_PAGE, label="Open the article", icon=":material/article:", query_params={"article": str(ev["article_id"])})
        if isinstance(ev.get("event_key"), str):
            others = data.frame("same_event", None, ev["event_key"], event_id)
            if others.empty:
                st.caption("No other article reports this event.")
            else:
                st.markdown(f"**Also reported by {len(others)} other article(s):**")
                st.dataframe(
                    others[["published", "outlet", "title", "sentence"]], hide_index=True, width="stretch",
                    column_config={"published": st.column_config.DateColumn("Published", format="D MMM YYYY"),
                                   "outlet": "Outlet", "title": "Title", "sentence": st.column_config.TextColumn("Sentence", width="large")},
                )


# ── search results ───────────────────────────────────────────────────────────────────────────────────────────────


def highlighted(snippet) -> str:
    """A search snippet as HTML: the corpus text escaped piece by piece, each matching range in our own <mark>."""
    text, pieces, last = snippet.text, [], 0
    for start, end in sorted(snippet.ranges):
        if start < last or start >= end:
            continue
        pieces.append(html.escape(text[last:start]))
        pieces.append(f'<mark class="ns-hit">{html.escape(text[start:end])}</mark>')
        last = end
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)


_HITS_CSS = "<style>.ns-hits mark.ns-hit{background:#ffe066;padding:0 .1em;border-radius:2px}.ns-hits p{margin:.2rem 0 .8rem}</style>"


def search_hits(rows: pd.DataFrame, snippets: dict) -> None:
    """Ranked search results: title, outlet and date, and the highlighted snippet of each (all escaped)."""
    parts = []
    for row in rows.itertuples(index=False):
        found = snippets.get(row.article_id)
        passage = f"…{highlighted(found)}…" if found is not None else "<i>(matches outside the body text)</i>"
        score = f" · score {row.score:.2f}" if pd.notna(row.score) else ""
        parts.append(
            f'<div class="ns-hit-row"><b>{html.escape(shown(row.title, "title"))}</b> '
            f'<small>{html.escape(shown(row.outlet, "outlet"))} · {html.escape(fmt_date(row.published))}{score}</small>'
            f"<p>{passage}</p></div>"
        )
    st.html(f'{_HITS_CSS}<div class="ns-hits">{"".join(parts)}</div>')
