"""Events: dated happenings with actors, and the linking of one happening reported by several articles.

An *event* is one report of a happening, or an article's own publication:

- ``"reported"``: a sentence of an article holding a resolved temporal expression and at least one actor mention
  (one event per sentence + timex) — except a reporting verb dated only by "today" (", Carson continued"): a
  quote, not a happening;
- ``"article_dated"``: the day's news — a past-tense main clause about the article's actors (a statement in
  reported speech, "Jobs said that Apple has 109 stores", included; a reporting verb around a direct quote not)
  in its lead (:data:`LEAD_SENTENCES`) or beyond it, with no date of its own, dated by the article's news day:
  the day its lead names when that is within a week before publication ("on Monday", "yesterday"), else its
  publication date;
- ``"publication"``: the article's own reporting, dated by its publication date.

Reports (the first two kinds) that tell the same happening share an ``event_key``, the ``happening_id`` of
:mod:`newsscope.happenings` (which makes the linking); a publication event's key is its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Literal, get_args

import pandas as pd

from newsscope.tables import SCHEMAS

EventKind = Literal["reported", "article_dated", "publication"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)

# A publication event lists the article's most-mentioned actors, up to this many.
PUBLICATION_ACTORS = 5
# The lead: the first sentences of an article (its headline, when the body starts with it), which tell what just
# happened whatever their tense. Beyond the lead, a past-tense main clause with no date of its own is the day's news
# too (on the SemEval TimeLine trial, dating such clauses by the article beat every narrower choice).
LEAD_SENTENCES = 1
# The news day: an article published on Tuesday about Monday's keynote tells the keynote's story throughout, so its
# day's news is dated by the day its lead names ("on Monday", "yesterday", "June 7") when that day is at most
# NEWS_DAY_WINDOW days before publication and named in the first NEWS_DAY_SENTENCES sentences; else by publication.
NEWS_DAY_SENTENCES = 2
NEWS_DAY_WINDOW = 7

COLUMNS: list[str] = SCHEMAS["events"].names
_QUOTE_MARKS = re.compile(r'["“”«»]')


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _empty() -> pd.DataFrame:
    frame = SCHEMAS["events"].empty_table().to_pandas()
    return frame.astype({"start": "Int64", "end": "Int64"})


def _to_datetime(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce")


def _as_dates(values: pd.Series) -> list[dt.date | None]:
    return [v.date() if pd.notna(v) else None for v in _to_datetime(values)]


def _in_sentence(rows: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Rows (article_id, start, ...) with the span of the sentence that contains their start: s_start, s_end."""
    if rows.empty or sentences.empty:
        return rows.iloc[0:0].assign(s_start=pd.Series(dtype="int64"), s_end=pd.Series(dtype="int64"))
    left = rows.assign(start=rows["start"].astype("int64")).sort_values("start", kind="stable")
    right = sentences.rename(columns={"start": "s_start", "end": "s_end"})
    right = right.assign(s_start=right["s_start"].astype("int64"), s_end=right["s_end"].astype("int64"))
    right = right.sort_values("s_start", kind="stable")
    merged = pd.merge_asof(left, right, left_on="start", right_on="s_start", by="article_id", direction="backward")
    merged = merged[merged["s_start"].notna() & (merged["start"] < merged["s_end"])]
    return merged.astype({"s_start": "int64", "s_end": "int64"})


def _sentence_events(
    bodies: dict[str, str], sentences: pd.DataFrame, timexes: pd.DataFrame, mentions: pd.DataFrame
) -> pd.DataFrame:
    resolved = timexes[timexes["date_start"].notna() & timexes["date_end"].notna()]
    resolved = resolved.reindex(columns=["article_id", "start", "end", "text", "value", "granularity", "date_start", "date_end"])
    with_actor = mentions[mentions["actor_id"].notna()][["article_id", "start", "actor_id"]]
    if resolved.empty or with_actor.empty:
        return _empty()
    dated = _in_sentence(resolved, sentences)
    placed = _in_sentence(with_actor, sentences)
    # The actors of each dated sentence, gathered in plain Python (a pandas `agg` with a Python function costs a
    # Series per sentence).
    placed = placed.merge(dated[["article_id", "s_start"]].drop_duplicates(), on=["article_id", "s_start"], how="inner")
    in_sentence: dict[tuple[str, int], set[str]] = {}
    for article_id, s_start, actor_id in zip(placed["article_id"].tolist(), placed["s_start"].tolist(), placed["actor_id"].tolist()):
        in_sentence.setdefault((article_id, s_start), set()).add(actor_id)
    actor_sets = pd.DataFrame(
        {
            "article_id": pd.Series([a for a, _ in in_sentence], dtype=placed["article_id"].dtype),
            "s_start": pd.Series([s for _, s in in_sentence], dtype="int64"),
            "actor_ids": [sorted(found) for found in in_sentence.values()],
        }
    )
    events = dated.merge(actor_sets, on=["article_id", "s_start"], how="inner")
    if events.empty:
        return _empty()
    events["event_id"] = [
        _short_hash(f"{a}|{s}|{ts}|{te}")
        for a, s, ts, te in zip(events["article_id"], events["s_start"], events["start"], events["end"])
    ]
    return pd.DataFrame(
        {
            "event_id": events["event_id"],
            "article_id": events["article_id"],
            "sentence": [bodies.get(a, "")[s:e].strip() for a, s, e in zip(events["article_id"], events["s_start"], events["s_end"])],
            "start": events["s_start"].astype("Int64"),
            "end": events["s_end"].astype("Int64"),
            "date_value": events["value"],
            "date_start": _as_dates(events["date_start"]),
            "date_end": _as_dates(events["date_end"]),
            "granularity": events["granularity"],
            "actor_ids": events["actor_ids"],
            "kind": "reported",
            "t_start": events["start"].astype("int64").to_numpy(),
            "t_text": events["text"].astype("object").to_numpy(),
        }
    )


def _article_dated_events(articles: pd.DataFrame, sentences: pd.DataFrame, timexes: pd.DataFrame, mentions: pd.DataFrame,
                          preds: pd.DataFrame, bodies: dict[str, str]) -> pd.DataFrame:
    """The day's news, dated by the article's news day (:func:`_news_days`, else its publication date): sentences
    with no resolved date expression whose main clause is past tense or present perfect (not negated, not modal; a
    reporting verb only for reported speech, not around a direct quote) with an actor in that clause, and the lead
    (:data:`LEAD_SENTENCES`: with an actor anywhere in it, unless its main clause is modal or a reporting verb)."""
    if preds is None or preds.empty or sentences.empty:
        return _empty()
    published = dict(zip(articles["article_id"], _as_dates(articles["published"])))
    lead = sentences.sort_values(["article_id", "start"], kind="stable")
    lead = lead[lead["article_id"].map(lambda a: published.get(a) is not None)]
    lead = lead.assign(n=lead.groupby("article_id").cumcount())
    has_date = _in_sentence(timexes[timexes["date_start"].notna()][["article_id", "start"]], sentences)
    dated = set(zip(has_date["article_id"], has_date["s_start"]))
    roots = preds[preds["main"]].drop_duplicates(["article_id", "s_start"])
    # A statement in reported speech ("Jobs said that Apple has 109 stores") is news of its day; a reporting verb
    # around a direct quote (", Carson continued") is a quote, not a happening.
    quoted = pd.Series([_QUOTE_MARKS.search(bodies.get(a, "")[int(s):int(e)]) is not None
                        for a, s, e in zip(roots["article_id"], roots["start"], roots["end"])], index=roots.index, dtype=bool)
    statement = roots["report"] & (roots["content"] >= 0) & ~quoted
    news = roots["tense"].isin(["past", "perfect"]) & (~roots["report"] | statement) & ~roots["negated"]
    clause = {(a, int(s)): (int(p0), int(p1)) for a, s, p0, p1 in zip(roots.loc[news, "article_id"], roots.loc[news, "s_start"], roots.loc[news, "start"], roots.loc[news, "end"])}
    not_news = {(a, int(s)) for a, s in zip(roots.loc[roots["report"] | (roots["tense"] == "modal"), "article_id"], roots.loc[roots["report"] | (roots["tense"] == "modal"), "s_start"])}
    actors: dict[str, list[tuple[int, int, str]]] = {}
    for a, s, e, actor in zip(mentions["article_id"], mentions["start"], mentions["end"], mentions["actor_id"]):
        if isinstance(actor, str):
            actors.setdefault(a, []).append((int(s), int(e), actor))
    news_day = _news_days(lead, timexes, published)
    rows = []
    for article_id, s_start, s_end, n in zip(lead["article_id"], lead["start"], lead["end"], lead["n"]):
        key = (article_id, int(s_start))
        if key in dated:
            continue
        if key in clause:
            p0, p1 = clause[key]
        elif n < LEAD_SENTENCES and key not in not_news:
            p0, p1 = int(s_start), int(s_end)
        else:
            continue
        found = sorted({actor for s, e, actor in actors.get(article_id, []) if s_start <= s and e <= s_end})
        if not found:
            continue
        day = news_day.get(article_id) or published[article_id]
        rows.append(
            {
                "event_id": _short_hash(f"{article_id}|{int(s_start)}|article_dated"),
                "article_id": article_id,
                "sentence": bodies.get(article_id, "")[int(s_start):int(s_end)].strip(),
                "start": int(s_start),
                "end": int(s_end),
                "date_value": day.isoformat(),
                "date_start": day,
                "date_end": day,
                "granularity": "day",
                "actor_ids": found,
                "kind": "article_dated",
            }
        )
    if not rows:
        return _empty()
    return pd.DataFrame(rows).astype({"start": "Int64", "end": "Int64"})


def _news_days(lead: pd.DataFrame, timexes: pd.DataFrame, published: dict[str, dt.date | None]) -> dict[str, dt.date]:
    """article_id -> the day its lead reports (:data:`NEWS_DAY_SENTENCES`, :data:`NEWS_DAY_WINDOW`), where it names one."""
    first = lead[lead["n"] < NEWS_DAY_SENTENCES]
    days = timexes[(timexes["granularity"] == "day") & timexes["date_start"].notna()][["article_id", "start", "date_start"]]
    if first.empty or days.empty:
        return {}
    placed = _in_sentence(days, first[["article_id", "start", "end"]]).sort_values(["article_id", "start"], kind="stable")
    out: dict[str, dt.date] = {}
    for article_id, day in zip(placed["article_id"], _as_dates(placed["date_start"])):
        pub = published.get(article_id)
        if article_id in out or pub is None or day is None:
            continue
        if 0 <= (pub - day).days <= NEWS_DAY_WINDOW:
            out[article_id] = day
    return out


def _publication_events(articles: pd.DataFrame, sentences: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    dated = articles[_to_datetime(articles["published"]).notna()]
    if dated.empty:
        return _empty()
    counts = (
        mentions[mentions["actor_id"].notna()]
        .groupby(["article_id", "actor_id"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["article_id", "n", "actor_id"], ascending=[True, False, True])
    )
    top = counts.groupby("article_id").head(PUBLICATION_ACTORS).groupby("article_id")["actor_id"].agg(sorted)
    first = sentences.sort_values("start").drop_duplicates("article_id").set_index("article_id")

    rows = []
    for article_id, published, title, body in zip(dated["article_id"], dated["published"], dated["title"], dated["body"]):
        body = body if isinstance(body, str) else ""
        title = title.strip() if isinstance(title, str) else ""
        start: int | None = None
        end: int | None = None
        if title:
            sentence = title
            at = body.find(title)
            if at >= 0:
                start, end = at, at + len(title)
        elif article_id in first.index:
            start, end = int(first.at[article_id, "start"]), int(first.at[article_id, "end"])
            sentence = body[start:end].strip()
        else:
            sentence = body.strip().split("\n", 1)[0]
        day = pd.Timestamp(published).date()
        rows.append(
            {
                "event_id": _short_hash(f"{article_id}|publication"),
                "article_id": article_id,
                "sentence": sentence,
                "start": start,
                "end": end,
                "date_value": day.isoformat(),
                "date_start": day,
                "date_end": day,
                "granularity": "day",
                "actor_ids": list(top.get(article_id, [])),
                "kind": "publication",
            }
        )
    frame = pd.DataFrame(rows)
    return frame.astype({"start": "Int64", "end": "Int64"})


def extract(
    articles: pd.DataFrame, sentences: pd.DataFrame, timexes: pd.DataFrame, mentions: pd.DataFrame,
    predicates: pd.DataFrame | None = None, names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The events table (see :func:`extract_all`)."""
    return extract_all(articles, sentences, timexes, mentions, predicates, names)[0]


def extract_all(
    articles: pd.DataFrame, sentences: pd.DataFrame, timexes: pd.DataFrame, mentions: pd.DataFrame,
    predicates: pd.DataFrame | None = None, names: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events table and the happenings table.

    Args:
        articles: ``article_id, published`` (date or None), ``outlet, title, body``.
        sentences: ``article_id, start, end``: the character spans of each article's sentences in ``body``.
        timexes: ``article_id, start, end, text, value, granularity, ..., date_start, date_end`` (resolved; an
            unresolved expression has no ``date_start`` and is ignored).
        mentions: canonicalised mentions ``article_id, start, end, actor_id`` (``actor_id`` may be None).
        predicates: :func:`newsscope.happenings.predicates` rows with ``article_id`` (None: no parse, so no
            headlines from it, no day's news, and every report's trigger is unknown).
        names: actor id -> canonical name, for headlines.

    Returns:
        ``(events, happenings)``: events with exactly the columns of ``SCHEMAS["events"]`` — one ``"reported"``
        event per sentence and resolved timex in a sentence with at least one actor (a reporting verb dated only by
        "today" excluded), one ``"article_dated"`` event per lead sentence telling the day's news, one
        ``"publication"`` event per dated article (sentence = title or first sentence; actor_ids = its
        most-mentioned actors, up to :data:`PUBLICATION_ACTORS`). Reports carry their happening's id as
        ``event_key``; a publication event's key is its own.

    Note:
        A report's date is its timex's date; its headline and trigger come from the predicate governing that
        timex ("Austin, who visited Kyiv last week, said on Tuesday ..." yields a "visit" and a "say" report).
    """
    from newsscope import happenings

    ids = articles["article_id"].astype(str)
    articles = articles.assign(article_id=ids)
    bodies = dict(zip(ids, articles["body"].fillna("")))
    sentences = sentences.assign(article_id=sentences["article_id"].astype(str))
    timexes = timexes.assign(article_id=timexes["article_id"].astype(str))
    mentions = mentions.assign(article_id=mentions["article_id"].astype(str))
    preds = predicates if predicates is not None else pd.DataFrame(columns=["article_id", "s_start", "start", "end", "main"])
    preds = preds.assign(article_id=preds["article_id"].astype(str))
    names = names or {}

    reported = _sentence_events(bodies, sentences, timexes, mentions)
    timex_at = dict(zip(reported["event_id"], reported["t_start"])) if "t_start" in reported else {}
    timex_text = dict(zip(reported["event_id"], reported["t_text"])) if "t_text" in reported else {}
    lead = _article_dated_events(articles, sentences, timexes, mentions, preds, bodies) if predicates is not None else _empty()
    reports = pd.concat([p for p in (reported.drop(columns=["t_start", "t_text"], errors="ignore"), lead) if not p.empty] or [_empty()], ignore_index=True)
    table = happenings.table(reports.iloc[0:0].assign(happening=[]), timexes, {}) if reports.empty else None
    if not reports.empty:
        feats = happenings.features(reports, preds, mentions, names, timex_at)
        # A reporting verb dated only by "today" is a quote, not a happening.
        today = reports["event_id"].map(lambda e: str(timex_text.get(e) or "").strip().lower() in happenings.TODAY)
        keep = ~(today & (feats["report"] | feats["main_report"]))
        reports, feats = reports[keep], feats[keep]
        reports = pd.concat([reports, feats], axis=1)
        reports["happening"] = happenings.link(reports)
        outlets = dict(zip(articles["article_id"], articles["outlet"].where(articles["outlet"].notna(), None)))
        table = happenings.table(reports, timexes, outlets)
        ids_of = dict(zip(reports["happening"], reports["happening"].map(happenings._short_hash)))
        reports["event_key"] = reports["happening"].map(ids_of)
        reports = reports[COLUMNS]
    else:
        reports = reports.assign(event_key=None)
    published = _publication_events(articles, sentences, mentions)
    published = published.assign(event_key=published["event_id"].map(_short_hash)) if not published.empty else published
    parts = [p for p in (reports, published) if not p.empty]
    if not parts:
        return _empty()[COLUMNS], table
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["article_id", "kind", "start", "event_id"], na_position="first", kind="stable")
    return out.reset_index(drop=True)[COLUMNS].astype({"start": "Int64", "end": "Int64"}), table
