"""Events: dated happenings with actors, and the linking of one happening reported by several articles.

An *event* is either

- ``"reported"``: a sentence of an article holding a resolved temporal expression and at least one actor mention
  (one event per sentence + timex), or
- ``"publication"``: the article's own reporting, dated by its publication date.

Events of different articles that describe the same happening share an ``event_key``; see :func:`link`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Literal, get_args

import numpy as np
import pandas as pd

from newsscope.dedupe import components
from newsscope.tables import SCHEMAS

EventKind = Literal["reported", "publication"]
EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)

# Two events are the same happening only if they share at least this many actors.
MIN_SHARED_ACTORS = 2
# Timexes spanning more years than this (decades, centuries) are too vague to link on.
MAX_LINK_YEARS = 12
# A (year, actor pair) block with more events than this is linked on identical date ranges only, so that a
# pair like (2016, United States, Russia) in a large corpus cannot make the candidate join quadratic.
MAX_BLOCK = 2_000
# A publication event lists the article's most-mentioned actors, up to this many.
PUBLICATION_ACTORS = 5

COLUMNS: list[str] = SCHEMAS["events"].names


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
    resolved = resolved[["article_id", "start", "end", "value", "granularity", "date_start", "date_end"]]
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
        }
    )


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


def _identical_range_pairs(keys: pd.DataFrame) -> pd.DataFrame:
    """Linear stand-in for the self-join of an oversized block: links events with identical date ranges.

    Within a group of identical ranges every two events of different articles are linked, so the group is one
    component as soon as it holds two articles; linking each event to the group's first event of another article
    gives the same components in linear time.
    """
    ordered = keys.sort_values(["block", "d0", "d1", "i"]).reset_index(drop=True)
    by_range = ordered.groupby(["block", "d0", "d1"], sort=False)
    first = by_range["i"].transform("first")
    other = ordered["article"] != by_range["article"].transform("first")
    # For events of the first event's article: the group's first event from another article (if any).
    alt = ordered[other].groupby(["block", "d0", "d1"], sort=False)["i"].first().rename("alt")
    alt = ordered[["block", "d0", "d1"]].join(alt, on=["block", "d0", "d1"])["alt"]
    partner = first.where(other, alt)
    keep = partner.notna()
    lo = np.minimum(ordered.loc[keep, "i"], partner[keep]).astype("int64")
    hi = np.maximum(ordered.loc[keep, "i"], partner[keep]).astype("int64")
    d0, d1 = ordered.loc[keep, "d0"], ordered.loc[keep, "d1"]
    return pd.DataFrame({"i": lo, "i_j": hi, "article": "", "article_j": "_", "d0": d0, "d1": d1, "d0_j": d0, "d1_j": d1})


def _candidate_pairs(events: pd.DataFrame) -> pd.DataFrame:
    """Pairs (i, j) of events from different articles, sharing >= 2 actors, one date range containing the other."""
    day0 = _to_datetime(events["date_start"])
    day1 = _to_datetime(events["date_end"])
    base = pd.DataFrame(
        {
            "i": np.arange(len(events)),
            "article": events["article_id"].to_numpy(),
            "d0": day0.to_numpy(),
            "d1": day1.to_numpy(),
            "y0": day0.dt.year.to_numpy(),
            "y1": day1.dt.year.to_numpy(),
            "actors": events["actor_ids"].to_numpy(),
        }
    )
    base = base[(base["y1"] - base["y0"] < MAX_LINK_YEARS) & (base["actors"].map(len) >= MIN_SHARED_ACTORS)]
    if base.empty:
        return pd.DataFrame(columns=["i", "j"], dtype="int64")
    # Blocking keys: every year the range touches x every pair of the event's actors. Two events can only be linked
    # if they share a block, and the join stays within blocks, so the work grows with block sizes, not corpus size.
    base["year"] = [list(range(int(a), int(b) + 1)) for a, b in zip(base["y0"], base["y1"])]
    base["pair"] = [list(itertools.combinations(sorted(set(a)), 2)) for a in base["actors"]]
    keys = base.explode("year").explode("pair")[["i", "article", "d0", "d1", "year", "pair"]].reset_index(drop=True)
    keys["block"] = keys["year"].astype(str) + "|" + keys["pair"].map("|".join)
    sizes = keys["block"].map(keys["block"].value_counts())
    small, big = keys[sizes <= MAX_BLOCK], keys[sizes > MAX_BLOCK]
    joined = [small.merge(small, on="block", suffixes=("", "_j"))]
    if not big.empty:
        joined.append(_identical_range_pairs(big))
    pairs = pd.concat(joined, ignore_index=True)
    pairs = pairs[(pairs["i"] < pairs["i_j"]) & (pairs["article"] != pairs["article_j"])]
    contains = (pairs["d0"] <= pairs["d0_j"]) & (pairs["d1_j"] <= pairs["d1"])
    contained = (pairs["d0_j"] <= pairs["d0"]) & (pairs["d1"] <= pairs["d1_j"])
    pairs = pairs[contains | contained]
    return pairs[["i", "i_j"]].rename(columns={"i_j": "j"}).drop_duplicates().reset_index(drop=True)


def link(events: pd.DataFrame) -> pd.Series:
    """The ``event_key`` of each event: events of different articles reporting the same happening share one.

    Two events are linked when they come from different articles, one's date range contains the other's
    (equal ranges, or the coarser containing the finer: "last year" = 2023 contains "last September" = 2023-09),
    and they share at least :data:`MIN_SHARED_ACTORS` actors. When the ranges differ, the coarser event links only
    to its best-matching finer events (most shared actors), so a vague "last year" sentence does not glue together
    two distinct happenings of that year. Linked events form components (union-find); the key is a short hash of
    the component's smallest ``event_id``. Candidates are found by blocking on (year, actor pair), which keeps the
    work near-linear in the corpus size.

    Args:
        events: ``event_id, article_id, date_start, date_end, actor_ids``.

    Returns:
        A Series of keys aligned with ``events.index``.

    Note:
        Shared actors and overlapping dates are weak evidence: two different meetings of the same two leaders in
        the same month get one key. Ranges longer than :data:`MAX_LINK_YEARS` years are never linked.
    """
    if events.empty:
        return pd.Series([], index=events.index, dtype="object")
    pairs = _candidate_pairs(events)
    ids = events["event_id"].tolist()
    links: list[tuple[str, str]] = []
    if not pairs.empty:
        actor_sets = [set(a) for a in events["actor_ids"]]
        day0 = _to_datetime(events["date_start"]).to_numpy()
        day1 = _to_datetime(events["date_end"]).to_numpy()
        i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
        pairs["shared"] = [len(actor_sets[a] & actor_sets[b]) for a, b in zip(i, j)]
        pairs = pairs[pairs["shared"] >= MIN_SHARED_ACTORS]
        i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
        width_i = day1[i] - day0[i]
        width_j = day1[j] - day0[j]
        equal = (day0[i] == day0[j]) & (day1[i] == day1[j])
        pairs = pairs.assign(
            coarse=np.where(width_i >= width_j, i, j), fine=np.where(width_i >= width_j, j, i), equal=equal
        )
        nested = pairs[~pairs["equal"]]
        best = nested["shared"] == nested.groupby("coarse")["shared"].transform("max")
        kept = pd.concat([pairs[pairs["equal"]], nested[best]])
        links = [(ids[int(a)], ids[int(b)]) for a, b in zip(kept["coarse"], kept["fine"])]
    smallest = components(ids, links)
    return pd.Series([_short_hash(smallest[e]) for e in ids], index=events.index, dtype="object")


def extract(
    articles: pd.DataFrame, sentences: pd.DataFrame, timexes: pd.DataFrame, mentions: pd.DataFrame
) -> pd.DataFrame:
    """The events table: dated sentences with actors, plus each article's own publication.

    Args:
        articles: ``article_id, published`` (date or None), ``outlet, title, body``.
        sentences: ``article_id, start, end``: the character spans of each article's sentences in ``body``.
        timexes: ``article_id, start, end, text, value, granularity, ..., date_start, date_end`` (resolved; an
            unresolved expression has no ``date_start`` and is ignored).
        mentions: canonicalised mentions ``article_id, start, end, actor_id`` (``actor_id`` may be None).

    Returns:
        A frame with exactly the columns of ``SCHEMAS["events"]``: one ``"reported"`` event per sentence and
        resolved timex in a sentence with at least one actor, and one ``"publication"`` event per dated article
        (sentence = title or first sentence; actor_ids = its most-mentioned actors, up to
        :data:`PUBLICATION_ACTORS`). Reported events share ``event_key`` across articles as :func:`link` decides;
        a publication event's key is its own.

    Note:
        The date of a sentence is its timex's date, not necessarily the date of what the sentence's main verb
        describes ("Austin, who visited Kyiv last week, said on Tuesday ..." yields two events for one sentence).
    """
    ids = articles["article_id"].astype(str)
    articles = articles.assign(article_id=ids)
    bodies = dict(zip(ids, articles["body"].fillna("")))
    sentences = sentences.assign(article_id=sentences["article_id"].astype(str))
    timexes = timexes.assign(article_id=timexes["article_id"].astype(str))
    mentions = mentions.assign(article_id=mentions["article_id"].astype(str))

    reported = _sentence_events(bodies, sentences, timexes, mentions)
    reported = reported.assign(event_key=link(reported)) if not reported.empty else reported.assign(event_key=None)
    published = _publication_events(articles, sentences, mentions)
    published = published.assign(event_key=published["event_id"].map(_short_hash)) if not published.empty else published
    parts = [p for p in (reported, published) if not p.empty]
    if not parts:
        return _empty()[COLUMNS]
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["article_id", "kind", "start", "event_id"], na_position="first", kind="stable")
    return out.reset_index(drop=True)[COLUMNS].astype({"start": "Int64", "end": "Int64"})
