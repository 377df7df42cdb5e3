"""Read-only queries over a build, as DuckDB SQL: `(con, filters, ...) -> DataFrame`.

Every value that comes from a URL, a widget or the corpus reaches DuckDB as a named parameter (`$name`);
table and column names are constants of this module. Aggregation happens here, so a chart receives one row
per bar, lane or event, never one row per mention.

How the global filters apply (one rule per table, so views agree):

- articles, mentions, outlets: date range on `articles.published` (undated articles drop out once a date is
  set), outlets, story, text (title or body contains it, case-insensitive), actors (the article mentions one).
- quotes: the same article scope without the actor rule; the actors instead pick the *speaker*
  ("quotes by Lloyd Austin").
- events: outlets, story and text through the article; actors through `events.actor_ids`; the date range
  through the event's own dates (an event overlapping the range is kept), not the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import duckdb
import pandas as pd

from newsscope.filters import Filters

Grain = Literal["day", "week", "month", "year"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "year")
UNDATED_GRANULARITIES = ("reference",)  # values like PRESENT_REF have no calendar extent

_PARAM = re.compile(r"\$([a-z_]+)")


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """Execute with only the parameters the SQL names (DuckDB rejects unused ones)."""
    used = set(_PARAM.findall(sql))
    missing = used - set(params)
    if missing:
        raise KeyError(f"query parameters {sorted(missing)} not given")
    return con.execute(sql, {k: v for k, v in params.items() if k in used}).df()


def _params(filters: Filters, **extra: object) -> dict:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "actors": list(filters.actors),
        "outlets": list(filters.outlets),
        "story": filters.story,
        "text": filters.text,
        **extra,
    }


_BASE_SCOPE = """
    ($outlets::VARCHAR[] = [] OR list_contains($outlets::VARCHAR[], a.outlet))
    AND ($story::VARCHAR IS NULL OR a.story_id = $story::VARCHAR)
    AND ($text::VARCHAR IS NULL
         OR contains(lower(coalesce(a.title, '') || ' ' || coalesce(a.body, '')), lower($text::VARCHAR)))
"""
_DATE_SCOPE = """
    AND ($date_from::DATE IS NULL OR a.published >= $date_from::DATE)
    AND ($date_to::DATE IS NULL OR a.published <= $date_to::DATE)
"""
_ACTOR_SCOPE = """
    AND ($actors::VARCHAR[] = []
         OR a.article_id IN (SELECT m.article_id FROM mentions m WHERE list_contains($actors::VARCHAR[], m.actor_id)))
"""
# Articles in view. SCOPE: all global filters. SCOPE_NO_ACTOR: for quotes, where actors pick the speaker.
# Only web links leave the corpus as links: a `javascript:` or `data:` URL in a scraped record becomes no link.
SAFE_URL = "CASE WHEN regexp_matches({t}.url, '^https?://', 'i') THEN {t}.url END AS url"
SCOPE = f"scope AS (SELECT a.* FROM articles a WHERE {_BASE_SCOPE} {_DATE_SCOPE} {_ACTOR_SCOPE})"
SCOPE_NO_ACTOR = f"scope AS (SELECT a.* FROM articles a WHERE {_BASE_SCOPE} {_DATE_SCOPE})"
SCOPE_NO_DATE = f"scope AS (SELECT a.* FROM articles a WHERE {_BASE_SCOPE})"
_SPEAKER = "($actors::VARCHAR[] = [] OR list_contains($actors::VARCHAR[], q.speaker_actor_id))"


# ── lookups for the filter widgets ───────────────────────────────────────────────────────────────────────────────


def actor_options(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every canonical actor: `actor_id, name, kind, n_mentions`, most mentioned first."""
    return _run(con, "SELECT actor_id, name, kind, n_mentions FROM actors ORDER BY n_mentions DESC, name", {})


def outlet_options(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`outlet, n_articles`, largest first (articles without an outlet are left out)."""
    sql = "SELECT outlet, count(*) AS n_articles FROM articles WHERE outlet IS NOT NULL GROUP BY outlet ORDER BY n_articles DESC, outlet"
    return _run(con, sql, {})


def story_options(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Stories told by more than one article: `story_id, title, n_articles, n_outlets, first_published`."""
    sql = """
        SELECT story_id,
               arg_min(title, coalesce(published, DATE '9999-12-31')) AS title,
               count(*) AS n_articles,
               count(DISTINCT outlet) AS n_outlets,
               min(published) AS first_published
        FROM articles WHERE story_id IS NOT NULL
        GROUP BY story_id HAVING count(*) > 1
        ORDER BY n_articles DESC, first_published, story_id
    """
    return _run(con, sql, {})


def date_bounds(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """The first and last publication date in the build (None when no article is dated)."""
    row = con.execute("SELECT min(published), max(published) FROM articles").fetchone()
    return (row[0], row[1]) if row else (None, None)


# ── overview ─────────────────────────────────────────────────────────────────────────────────────────────────────


def kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row: `articles, outlets, actors, quotes, first_published, last_published, undated`."""
    sql = f"""
        WITH {SCOPE}
        SELECT
            (SELECT count(*) FROM scope) AS articles,
            (SELECT count(DISTINCT outlet) FROM scope) AS outlets,
            (SELECT count(DISTINCT m.actor_id) FROM mentions m JOIN scope USING (article_id)) AS actors,
            (SELECT count(*) FROM quotes q JOIN scope USING (article_id)) AS quotes,
            (SELECT min(published) FROM scope) AS first_published,
            (SELECT max(published) FROM scope) AS last_published,
            (SELECT count(*) FROM scope WHERE published IS NULL) AS undated
    """
    return _run(con, sql, _params(filters))


def pick_grain(first: dt.date | None, last: dt.date | None) -> Grain:
    """A bucket size giving a readable number of bars for the span."""
    if first is None or last is None:
        return "month"
    days = (last - first).days
    return "day" if days <= 62 else "week" if days <= 365 else "month" if days <= 365 * 6 else "year"


def articles_over_time(con: duckdb.DuckDBPyConnection, filters: Filters, grain: Grain = "month") -> pd.DataFrame:
    """`period, outlet, articles`: dated articles in view per period and outlet ("(no outlet)" when unknown)."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {GRAINS}")
    sql = f"""
        WITH {SCOPE}
        SELECT CAST(date_trunc($grain, published) AS DATE) AS period,
               coalesce(outlet, '(no outlet)') AS outlet,
               count(*) AS articles
        FROM scope WHERE published IS NOT NULL
        GROUP BY ALL ORDER BY period, outlet
    """
    return _run(con, sql, _params(filters, grain=grain))


def top_actors(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """`actor_id, name, kind, mentions, articles` for the most mentioned actors in view."""
    sql = f"""
        WITH {SCOPE}
        SELECT m.actor_id, any_value(ac.name) AS name, any_value(ac.kind) AS kind,
               count(*) AS mentions, count(DISTINCT m.article_id) AS articles
        FROM mentions m JOIN scope USING (article_id) JOIN actors ac ON ac.actor_id = m.actor_id
        GROUP BY m.actor_id ORDER BY mentions DESC, name LIMIT $limit
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


def top_speakers(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """`actor_id, name, kind, quotes, articles` for the most quoted actors in view."""
    sql = f"""
        WITH {SCOPE_NO_ACTOR}
        SELECT q.speaker_actor_id AS actor_id, any_value(ac.name) AS name, any_value(ac.kind) AS kind,
               count(*) AS quotes, count(DISTINCT q.article_id) AS articles
        FROM quotes q JOIN scope USING (article_id) JOIN actors ac ON ac.actor_id = q.speaker_actor_id
        WHERE {_SPEAKER}
        GROUP BY q.speaker_actor_id ORDER BY quotes DESC, name LIMIT $limit
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


def ingest_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`status, files` for every ingest status other than "ok"."""
    return _run(con, "SELECT status, count(*) AS files FROM ingest_log WHERE status <> 'ok' GROUP BY status ORDER BY files DESC", {})


def ingest_log(con: duckdb.DuckDBPyConnection, problems_only: bool = False) -> pd.DataFrame:
    """The ingest log: `source_path, source_id, status, reason, article_id`."""
    sql = "SELECT * FROM ingest_log WHERE NOT $problems OR status <> 'ok' ORDER BY status <> 'ok' DESC, source_path"
    return _run(con, sql, {"problems": bool(problems_only)})


# ── quotes ───────────────────────────────────────────────────────────────────────────────────────────────────────


def quotes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    stances: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
    text: str | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Quotes in view, the same words carried by several articles grouped into one row.

    Returns:
        `quote_id, article_id, quote, speaker, speaker_actor_id, speaker_name, cue, kind, stance, published,
        outlet, title, outlets (list), outlet_list ("; "-joined), n_articles`, newest first. The representative row of a group is its
        earliest published copy; `outlets` lists every outlet carrying the quote.
    """
    sql = f"""
        WITH {SCOPE_NO_ACTOR},
        picked AS (
            SELECT q.*, s.published, s.outlet, s.title,
                   lower(regexp_replace(trim(q.quote), '\\s+', ' ', 'g')) AS norm
            FROM quotes q JOIN scope s USING (article_id)
            WHERE {_SPEAKER}
              AND ($stances::VARCHAR[] = [] OR list_contains($stances::VARCHAR[], q.stance))
              AND ($kinds::VARCHAR[] = [] OR list_contains($kinds::VARCHAR[], q.kind))
              AND ($quote_text::VARCHAR IS NULL OR contains(lower(q.quote), lower($quote_text::VARCHAR)))
        ),
        grouped AS (
            SELECT norm,
                   arg_min(quote_id, (coalesce(published, DATE '9999-12-31'), quote_id)) AS quote_id,
                   list_sort(list_distinct(list(coalesce(outlet, '(no outlet)')))) AS outlets,
                   count(DISTINCT article_id) AS n_articles
            FROM picked GROUP BY norm
        )
        SELECT p.quote_id, p.article_id, p.quote, p.speaker, p.speaker_actor_id, ac.name AS speaker_name,
               p.cue, p.kind, p.stance, p.published, p.outlet, p.title, g.outlets,
               array_to_string(g.outlets, '; ') AS outlet_list, g.n_articles
        FROM grouped g JOIN picked p USING (quote_id)
        LEFT JOIN actors ac ON ac.actor_id = p.speaker_actor_id
        ORDER BY p.published DESC NULLS LAST, g.n_articles DESC, p.quote_id
        LIMIT $limit
    """
    params = _params(filters, stances=list(stances), kinds=list(kinds), quote_text=text or None, limit=int(limit))
    return _run(con, sql, params)


def quote_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many quotes (rows, not groups) the global filters leave."""
    sql = f"WITH {SCOPE_NO_ACTOR} SELECT count(*) AS n FROM quotes q JOIN scope USING (article_id) WHERE {_SPEAKER}"
    return int(_run(con, sql, _params(filters))["n"].iloc[0])


# ── actors ───────────────────────────────────────────────────────────────────────────────────────────────────────


def actor(con: duckdb.DuckDBPyConnection, actor_id: str) -> pd.DataFrame:
    """The actor's row of the actors table (empty when unknown)."""
    return _run(con, "SELECT * FROM actors WHERE actor_id = $actor_id", {"actor_id": actor_id})


def actor_mentions_over_time(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, grain: Grain = "month") -> pd.DataFrame:
    """`period, outlet, mentions` of one actor in the articles in view."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {GRAINS}")
    sql = f"""
        WITH {SCOPE_NO_ACTOR}
        SELECT CAST(date_trunc($grain, s.published) AS DATE) AS period,
               coalesce(s.outlet, '(no outlet)') AS outlet, count(*) AS mentions
        FROM mentions m JOIN scope s USING (article_id)
        WHERE m.actor_id = $actor_id AND s.published IS NOT NULL
        GROUP BY ALL ORDER BY period, outlet
    """
    return _run(con, sql, _params(filters, actor_id=actor_id, grain=grain))


def quotes_about(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, limit: int = 200) -> pd.DataFrame:
    """Quotes by someone else that mention the actor inside the quoted words.

    Returns: `quote_id, article_id, quote, speaker, speaker_name, cue, stance, published, outlet, title`.
    """
    sql = f"""
        WITH {SCOPE_NO_ACTOR}
        SELECT DISTINCT q.quote_id, q.article_id, q.quote, q.speaker, ac.name AS speaker_name, q.cue, q.stance,
               s.published, s.outlet, s.title
        FROM quotes q JOIN scope s USING (article_id)
        JOIN mentions m ON m.article_id = q.article_id AND m.start >= q.start AND m."end" <= q."end"
        LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id
        WHERE m.actor_id = $actor_id AND q.speaker_actor_id IS DISTINCT FROM $actor_id
        ORDER BY s.published DESC NULLS LAST, q.quote_id LIMIT $limit
    """
    return _run(con, sql, _params(filters, actor_id=actor_id, limit=int(limit)))


def quotes_by(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, limit: int = 200) -> pd.DataFrame:
    """Quotes whose speaker is the actor (same columns as `quotes`)."""
    one = Filters(filters.date_from, filters.date_to, (actor_id,), filters.outlets, filters.story, filters.text)
    return quotes(con, one, limit=limit)


def co_actors(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, limit: int = 15) -> pd.DataFrame:
    """`actor_id, name, kind, articles`: actors named in the most articles together with the actor."""
    sql = f"""
        WITH {SCOPE_NO_ACTOR},
        mine AS (SELECT DISTINCT m.article_id FROM mentions m JOIN scope USING (article_id) WHERE m.actor_id = $actor_id)
        SELECT m.actor_id, any_value(ac.name) AS name, any_value(ac.kind) AS kind, count(DISTINCT m.article_id) AS articles
        FROM mentions m JOIN mine USING (article_id) JOIN actors ac ON ac.actor_id = m.actor_id
        WHERE m.actor_id <> $actor_id
        GROUP BY m.actor_id ORDER BY articles DESC, name LIMIT $limit
    """
    return _run(con, sql, _params(filters, actor_id=actor_id, limit=int(limit)))


def actor_outlets(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str) -> pd.DataFrame:
    """`outlet, articles, mentions`: which outlets cover the actor, and how much."""
    sql = f"""
        WITH {SCOPE_NO_ACTOR}
        SELECT coalesce(s.outlet, '(no outlet)') AS outlet, count(DISTINCT m.article_id) AS articles, count(*) AS mentions
        FROM mentions m JOIN scope s USING (article_id)
        WHERE m.actor_id = $actor_id
        GROUP BY ALL ORDER BY articles DESC, outlet
    """
    return _run(con, sql, _params(filters, actor_id=actor_id))


# ── timeline ─────────────────────────────────────────────────────────────────────────────────────────────────────

Lane = Literal["actor", "outlet"]


MAX_SPAN_DAYS = 2 * 366  # a span longer than this ("the 1990s", "the 21st century") says little on a news timeline


def timeline(
    con: duckdb.DuckDBPyConnection, filters: Filters, lane: Lane = "actor", kind: str = "reported", lanes: int = 12
) -> pd.DataFrame:
    """Events on a date axis: one row per (lane, event_key), for the `lanes` busiest lanes.

    Events spanning more than `MAX_SPAN_DAYS` (decades, centuries) are left off; `long_events` counts them.

    Returns:
        `lane, event_key, event_id, date_start, date_end, granularity, date_value, sentence, outlet, title,
        article_id, n_articles, outlets (list)`. The representative event of a key is its earliest-published
        report; day-level events have `date_start == date_end`.
    """
    if lane not in ("actor", "outlet"):
        raise ValueError(f"unknown lane {lane!r}; expected 'actor' or 'outlet'")
    lane_sql = "ac.name" if lane == "actor" else "coalesce(s.outlet, '(no outlet)')"
    unnest = (
        "CROSS JOIN unnest(e.actor_ids) AS u(lane_actor) JOIN actors ac ON ac.actor_id = u.lane_actor" if lane == "actor" else ""
    )
    actor_pick = "list_contains($actors::VARCHAR[], u.lane_actor)" if lane == "actor" else "list_has_any($actors::VARCHAR[], e.actor_ids)"
    sql = f"""
        WITH {SCOPE_NO_DATE},
        picked AS (
            SELECT {lane_sql} AS lane, e.*, s.outlet, s.title, s.published
            FROM events e JOIN scope s USING (article_id) {unnest}
            WHERE e.kind = $kind AND e.date_start IS NOT NULL
              AND date_diff('day', e.date_start, coalesce(e.date_end, e.date_start)) <= $max_days
              AND ($actors::VARCHAR[] = [] OR {actor_pick})
              AND ($date_from::DATE IS NULL OR coalesce(e.date_end, e.date_start) >= $date_from::DATE)
              AND ($date_to::DATE IS NULL OR e.date_start <= $date_to::DATE)
        ),
        keyed AS (
            SELECT lane, coalesce(event_key, event_id) AS event_key,
                   arg_min(event_id, (coalesce(published, DATE '9999-12-31'), event_id)) AS event_id,
                   count(DISTINCT article_id) AS n_articles,
                   list_sort(list_distinct(list(coalesce(outlet, '(no outlet)')))) AS outlets
            FROM picked GROUP BY ALL
        ),
        busiest AS (SELECT lane FROM keyed GROUP BY lane ORDER BY count(*) DESC, lane LIMIT $lanes)
        SELECT k.lane, k.event_key, k.event_id, p.date_start, coalesce(p.date_end, p.date_start) AS date_end,
               p.granularity, p.date_value, p.sentence, p.outlet, p.title, p.article_id, k.n_articles, k.outlets
        FROM keyed k JOIN busiest USING (lane)
        JOIN (SELECT DISTINCT ON (event_id, lane) * FROM picked) p ON p.event_id = k.event_id AND p.lane = k.lane
        ORDER BY k.lane, p.date_start, k.event_key
    """
    return _run(con, sql, _params(filters, kind=kind, lanes=int(lanes), max_days=MAX_SPAN_DAYS))


def long_events(con: duckdb.DuckDBPyConnection, filters: Filters, kind: str = "reported") -> int:
    """How many events in view span more than `MAX_SPAN_DAYS` (left off the timeline's axis)."""
    sql = f"""
        WITH {SCOPE_NO_DATE}
        SELECT count(*) AS n FROM events e JOIN scope s USING (article_id)
        WHERE e.kind = $kind AND date_diff('day', e.date_start, coalesce(e.date_end, e.date_start)) > $max_days
          AND ($actors::VARCHAR[] = [] OR list_has_any($actors::VARCHAR[], e.actor_ids))
    """
    return int(_run(con, sql, _params(filters, kind=kind, max_days=MAX_SPAN_DAYS))["n"].iloc[0])


def publications(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`date, outlet, articles`: the publication track (articles per day and outlet)."""
    sql = f"""
        WITH {SCOPE}
        SELECT published AS date, coalesce(outlet, '(no outlet)') AS outlet, count(*) AS articles,
               list(title ORDER BY title)[1:3] AS titles
        FROM scope WHERE published IS NOT NULL GROUP BY ALL ORDER BY date, outlet
    """
    return _run(con, sql, _params(filters))


def undated_timexes(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 300) -> pd.DataFrame:
    """Time expressions that could not be put on the axis: `article_id, title, outlet, text, value, method`."""
    sql = f"""
        WITH {SCOPE}
        SELECT t.article_id, s.title, s.outlet, t.text, t.value, t.granularity, t.method
        FROM timexes t JOIN scope s USING (article_id)
        WHERE t.value IS NULL OR t.granularity IS NULL OR list_contains($undated::VARCHAR[], t.granularity)
        ORDER BY s.published DESC NULLS LAST, t.article_id, t.start LIMIT $limit
    """
    return _run(con, sql, _params(filters, undated=list(UNDATED_GRANULARITIES), limit=int(limit)))


def event_evidence(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """One event with its article and the time expression its date came from.

    Returns: `event_id, event_key, sentence, date_value, date_start, date_end, granularity, article_id, title,
    outlet, published, published_source, url, timex_text, timex_method, timex_anchored` (timex columns are
    null when no expression in the sentence carries the event's date).
    """
    sql = """
        SELECT e.event_id, e.event_key, e.sentence, e.date_value, e.date_start, e.date_end, e.granularity, e.kind,
               e.article_id, a.title, a.outlet, a.published, a.published_source,
               CASE WHEN regexp_matches(a.url, '^https?://', 'i') THEN a.url END AS url,  -- as SAFE_URL
               t.text AS timex_text, t.method AS timex_method, t.anchored AS timex_anchored
        FROM events e JOIN articles a USING (article_id)
        LEFT JOIN (
            SELECT * FROM timexes QUALIFY row_number() OVER (PARTITION BY article_id, value ORDER BY start) = 1
        ) t ON t.article_id = e.article_id AND t.value = e.date_value
        WHERE e.event_id = $event_id
        ORDER BY (t.start BETWEEN e.start AND e."end") DESC NULLS LAST
        LIMIT 1
    """
    return _run(con, sql, {"event_id": event_id})


def same_event(con: duckdb.DuckDBPyConnection, event_key: str, event_id: str) -> pd.DataFrame:
    """Other reports of the same event: `event_id, article_id, title, outlet, published, sentence`."""
    sql = """
        SELECT e.event_id, e.article_id, a.title, a.outlet, a.published, e.sentence
        FROM events e JOIN articles a USING (article_id)
        WHERE e.event_key = $event_key AND e.event_id <> $event_id
        ORDER BY a.published NULLS LAST, a.outlet
    """
    return _run(con, sql, {"event_key": event_key, "event_id": event_id})


# ── coverage ─────────────────────────────────────────────────────────────────────────────────────────────────────


def stories(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Stories in view told by more than one article: `story_id, title, n_articles, n_outlets, outlets, first_published`."""
    sql = f"""
        WITH {SCOPE}
        SELECT story_id, arg_min(title, coalesce(published, DATE '9999-12-31')) AS title,
               count(*) AS n_articles, count(DISTINCT outlet) AS n_outlets,
               list_sort(list_distinct(list(coalesce(outlet, '(no outlet)')))) AS outlets, min(published) AS first_published
        FROM scope WHERE story_id IS NOT NULL
        GROUP BY story_id HAVING count(*) > 1
        ORDER BY n_outlets DESC, n_articles DESC, first_published DESC NULLS LAST, story_id
    """
    return _run(con, sql, _params(filters))


def story_articles(con: duckdb.DuckDBPyConnection, story_id: str) -> pd.DataFrame:
    """The versions of a story: `article_id, outlet, title, published, n_words, quotes, actors`."""
    sql = """
        SELECT a.article_id, coalesce(a.outlet, '(no outlet)') AS outlet, a.title, a.published, a.n_words,
               (SELECT count(*) FROM quotes q WHERE q.article_id = a.article_id) AS quotes,
               (SELECT count(DISTINCT m.actor_id) FROM mentions m WHERE m.article_id = a.article_id) AS actors
        FROM articles a WHERE a.story_id = $story_id
        ORDER BY a.published NULLS LAST, outlet, a.article_id
    """
    return _run(con, sql, {"story_id": story_id})


def story_quotes(con: duckdb.DuckDBPyConnection, story_id: str) -> pd.DataFrame:
    """Which version carries which quote: `quote, speaker, stance, outlet, article_id, present` (one row per quote × version)."""
    sql = """
        WITH versions AS (SELECT article_id, coalesce(outlet, '(no outlet)') || ' · ' || article_id[1:6] AS outlet
                          FROM articles WHERE story_id = $story_id),
        said AS (
            SELECT lower(regexp_replace(trim(q.quote), '\\s+', ' ', 'g')) AS norm, any_value(q.quote) AS quote,
                   any_value(coalesce(ac.name, q.speaker)) AS speaker, any_value(q.stance) AS stance,
                   list(DISTINCT q.article_id) AS carried_by
            FROM quotes q JOIN versions USING (article_id) LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id
            GROUP BY norm
        )
        SELECT s.quote, s.speaker, s.stance, v.outlet, v.article_id, list_contains(s.carried_by, v.article_id) AS present
        FROM said s CROSS JOIN versions v
        ORDER BY len(s.carried_by) DESC, s.quote, v.outlet
    """
    return _run(con, sql, {"story_id": story_id})


def story_quote_grid(con: duckdb.DuckDBPyConnection, story_id: str) -> pd.DataFrame:
    """`quote, speaker, stance` and one boolean column per version: does that version carry the quote?"""
    long = story_quotes(con, story_id)
    if long.empty:
        return pd.DataFrame(columns=["quote", "speaker", "stance"])
    grid = long.pivot_table(index=["quote", "speaker", "stance"], columns="outlet", values="present", aggfunc="max", dropna=False)
    order = grid.sum(axis=1).sort_values(ascending=False, kind="stable").index  # most widely carried first
    return grid.loc[order].reset_index().rename_axis(columns=None)


def story_claims(con: duckdb.DuckDBPyConnection, story_id: str) -> pd.DataFrame:
    """`version, claim, denial`: how many of the story's claims and denials each version carries."""
    sql = """
        WITH versions AS (SELECT article_id, coalesce(outlet, '(no outlet)') || ' · ' || article_id[1:6] AS version
                          FROM articles WHERE story_id = $story_id)
        SELECT v.version,
               count(*) FILTER (WHERE q.stance = 'claim') AS claim,
               count(*) FILTER (WHERE q.stance = 'denial') AS denial
        FROM versions v LEFT JOIN quotes q USING (article_id)
        GROUP BY v.version ORDER BY v.version
    """
    return _run(con, sql, {"story_id": story_id})


def story_actors(con: duckdb.DuckDBPyConnection, story_id: str, limit: int = 25) -> pd.DataFrame:
    """`name, kind, outlet, mentions` for the story's most mentioned actors, per version (0 where left out)."""
    sql = """
        WITH versions AS (SELECT article_id, coalesce(outlet, '(no outlet)') || ' · ' || article_id[1:6] AS outlet
                          FROM articles WHERE story_id = $story_id),
        top AS (SELECT m.actor_id FROM mentions m JOIN versions USING (article_id) WHERE m.actor_id IS NOT NULL
                GROUP BY m.actor_id ORDER BY count(*) DESC, m.actor_id LIMIT $limit)
        SELECT ac.name, ac.kind, v.outlet,
               (SELECT count(*) FROM mentions m WHERE m.article_id = v.article_id AND m.actor_id = t.actor_id) AS mentions
        FROM top t JOIN actors ac USING (actor_id) CROSS JOIN versions v
        ORDER BY ac.name, v.outlet
    """
    return _run(con, sql, {"story_id": story_id, "limit": int(limit)})


def shared_events(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 100) -> pd.DataFrame:
    """Events (by `event_key`) reported by more than one article: `event_key, date_value, sentence, n_articles, outlets`."""
    sql = f"""
        WITH {SCOPE}
        SELECT e.event_key, any_value(e.date_value) AS date_value, min(e.date_start) AS date_start,
               arg_min(e.sentence, coalesce(s.published, DATE '9999-12-31')) AS sentence,
               count(DISTINCT e.article_id) AS n_articles,
               list_sort(list_distinct(list(coalesce(s.outlet, '(no outlet)')))) AS outlets
        FROM events e JOIN scope s USING (article_id)
        WHERE e.event_key IS NOT NULL AND e.kind = 'reported'
        GROUP BY e.event_key HAVING count(DISTINCT e.article_id) > 1
        ORDER BY n_articles DESC, date_start DESC NULLS LAST, e.event_key LIMIT $limit
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


# ── articles ─────────────────────────────────────────────────────────────────────────────────────────────────────


def articles(con: duckdb.DuckDBPyConnection, filters: Filters, search: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Articles in view: `article_id, title, outlet, published, published_source, n_words, story_id, url, quotes`
    (missing titles, outlets and date sources are shown as "(untitled)", "(no outlet)", "—")."""
    sql = f"""
        WITH {SCOPE}
        SELECT s.article_id, coalesce(s.title, '(untitled)') AS title, coalesce(s.outlet, '(no outlet)') AS outlet, s.published,
               coalesce(s.published_source, '—') AS published_source, s.n_words, s.story_id, {SAFE_URL.format(t='s')},
               (SELECT count(*) FROM quotes q WHERE q.article_id = s.article_id) AS quotes
        FROM scope s
        WHERE $search::VARCHAR IS NULL
           OR contains(lower(coalesce(s.title, '') || ' ' || coalesce(s.outlet, '') || ' ' || s.body), lower($search::VARCHAR))
        ORDER BY s.published DESC NULLS LAST, s.title, s.article_id LIMIT $limit
    """
    return _run(con, sql, _params(filters, search=search or None, limit=int(limit)))


def article(con: duckdb.DuckDBPyConnection, article_id: str) -> pd.DataFrame:
    """One article with its body (empty frame when the id is unknown)."""
    return _run(con, "SELECT * FROM articles WHERE article_id = $article_id", {"article_id": article_id})


def article_spans(con: duckdb.DuckDBPyConnection, article_id: str) -> pd.DataFrame:
    """Spans to highlight in the reader: `start, end, kind ('quote'|'actor'), ref_id, label`, by start."""
    sql = """
        SELECT q.start, q."end", 'quote' AS kind, q.quote_id AS ref_id,
               coalesce(ac.name, q.speaker, 'unknown speaker') || ' · ' || coalesce(q.stance, '') AS label
        FROM quotes q LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id WHERE q.article_id = $article_id
        UNION ALL
        SELECT m.start, m."end", 'actor' AS kind, m.actor_id AS ref_id, ac.name || ' (' || ac.kind || ')' AS label
        FROM mentions m JOIN actors ac ON ac.actor_id = m.actor_id WHERE m.article_id = $article_id
        ORDER BY start, kind DESC
    """
    return _run(con, sql, {"article_id": article_id})
