"""Read-only queries over a build, as DuckDB SQL: `(con, filters, ...) -> DataFrame`.

Every value that comes from a URL, a widget or the corpus reaches DuckDB as a named parameter (`$name`);
table and column names are constants of this module. Aggregation happens here, so a chart receives one row
per bar, lane or event, never one row per mention.

How the global filters apply (one rule per table, so views agree):

- articles, mentions, outlets: date range on `articles.published` (undated articles drop out once a date is
  set), outlets, story, text (the articles the full-text search matches, `newsscope.search`: the match set is
  computed once per query text and joined by key, the same way in every query), actors (the article mentions one).
- quotes: the same article scope without the actor rule; the actors instead pick the *speaker*
  ("quotes by Lloyd Austin").
- events: outlets, story and text through the article; actors through `events.actor_ids`; the date range
  through the event's own dates (an event overlapping the range is kept), not the publication date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from typing import Literal

import duckdb
import pandas as pd

from newsscope import search, tables, warehouse
from newsscope.filters import Filters

Grain = Literal["day", "week", "month", "year"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "year")

_PARAM = re.compile(r"\$([a-z_]+)")
_NOT_DERIVED = (duckdb.BinderException, duckdb.CatalogException)  # a derived column (table) missing: plain contract tables


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """Execute with only the parameters the SQL names (DuckDB rejects unused ones).

    A statement naming `search_hits` (`quote_hits`) gets the match set of `params["text"]` (`params["quote_text"]`)
    as that table for its duration: computed once per query text by the build's search index (`search_index`),
    then joined by key. The query text never reaches the SQL.

    On plain contract tables (a connection loaded straight from Parquet) the warehouse's derived columns are
    missing; the statement is then run with them computed on the fly (`warehouse.on_plain_tables`).

    Raises:
        search.QueryError: the text search cannot be read (the sidebar checks it first: pages never pass one).
    """
    used = set(_PARAM.findall(sql))
    missing = used - set(params)
    if missing:
        raise KeyError(f"query parameters {sorted(missing)} not given")
    args = {k: v for k, v in params.items() if k in used}
    with _match_sets(con, sql, params):
        try:
            return con.execute(sql, args).df()
        except _NOT_DERIVED:
            if warehouse.has_derived(con):
                raise
            return con.execute(warehouse.on_plain_tables(sql), args).df()


@contextlib.contextmanager
def _match_sets(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> Iterator[None]:
    """`search_hits` / `quote_hits` registered on `con` while the statement naming them runs."""
    registered = []
    try:
        for table, param, kind, key in (("search_hits", "text", "articles", "article_key"), ("quote_hits", "quote_text", "quotes", "quote_key")):
            if table in sql:
                scored = "h.score" in sql  # only a ranking reads the BM25 scores (`search_hits h` there)
                con.register(table, search_index(con).match(params[param], kind, scored=scored).arrow(key))
                registered.append(table)
        yield
    finally:
        for table in registered:
            con.unregister(table)


def copy_csv(con: duckdb.DuckDBPyConnection, sql: str, params: dict, target: str) -> int:
    """Stream the rows of `sql` into the CSV file `target` (DuckDB's COPY: never all in memory); the row count."""
    used = set(_PARAM.findall(sql))
    args = {k: v for k, v in params.items() if k in used}
    statement = f"COPY ({sql}) TO '{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT csv, HEADER)"
    with _match_sets(con, sql, params):
        try:
            row = con.execute(statement, args).fetchall()
        except _NOT_DERIVED:
            if warehouse.has_derived(con):
                raise
            row = con.execute(f"COPY ({warehouse.on_plain_tables(sql)}) TO '{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT csv, HEADER)", args).fetchall()
    return int(row[0][0]) if row else 0


_MEMORY_INDEXES: dict[int, tuple[duckdb.DuckDBPyConnection, search.SearchIndex]] = {}


def search_index(con: duckdb.DuckDBPyConnection) -> search.SearchIndex:
    """The search index for `con`: its build version's (a dashboard database), else one made in memory from the
    connection's own tables (plain contract tables, as tests load them; kept for the last few connections)."""
    owner = warehouse.folder_of(con)
    if owner is not None:
        return search.open(*owner)
    held = _MEMORY_INDEXES.get(id(con))
    if held is None or held[0] is not con:
        held = (con, search.SearchIndex.in_memory(con))
        _MEMORY_INDEXES[id(con)] = held
        while len(_MEMORY_INDEXES) > 4:
            _MEMORY_INDEXES.pop(next(iter(_MEMORY_INDEXES)))
    return held[1]


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


_SCOPE_COLUMNS = "a.article_no, a.article_id, a.outlet, a.published, a.story_id, a.title"


def _scope(filters: Filters, *, actor_rule: bool = True, date_rule: bool = True, columns: str = _SCOPE_COLUMNS) -> str:
    """The CTE `scope`: the articles in view (other tables join it by `article_no`, a number, cheaper than the id).

    The SQL holds a clause for each filter that is set and none for the others (the values stay parameters), so an
    unfiltered view reads no more than it needs. `actor_rule=False`: for quotes, where the actors pick the speaker;
    `date_rule=False`: for events, which are dated by their own dates.
    """
    return f"scope AS (SELECT {columns} FROM {_articles_in_view(filters, actor_rule=actor_rule, date_rule=date_rule)})"


# The articles naming a chosen actor (the dashboard database's `actor_articles`: DuckDB reads only their blocks).
_ACTOR_ARTICLES = "(SELECT DISTINCT aa.article_no FROM actor_articles aa WHERE aa.actor_id IN (SELECT unnest($actors::VARCHAR[])))"


def _articles_in_view(filters: Filters, *, actor_rule: bool = True, date_rule: bool = True) -> str:
    """`articles a`, with the rules of the filters: the text after FROM.

    The actor rule is a join: with a set of hundreds of thousands of articles (an actor named in most of them), DuckDB
    runs a join several times faster than the same rule written `IN (…)`.
    """
    where = _scope_rules(filters, actor_rule=False, date_rule=date_rule)
    join = f" JOIN {_ACTOR_ARTICLES} act ON act.article_no = a.article_no" if actor_rule and filters.actors else ""
    return f"articles a{join} WHERE {' AND '.join(where) or 'TRUE'}"


def _scope_rules(filters: Filters, *, actor_rule: bool = True, date_rule: bool = True) -> list[str]:
    where = []
    if filters.outlets:
        where.append("list_contains($outlets::VARCHAR[], a.outlet)")
    if filters.story is not None:
        where.append("a.story_id = $story::VARCHAR")
    if filters.text is not None:  # the articles the search matches (newsscope.search), joined by key
        where.append("a.article_key IN (SELECT article_key FROM search_hits)")
    if date_rule and filters.date_from is not None:
        where.append("a.published >= $date_from::DATE")
    if date_rule and filters.date_to is not None:
        where.append("a.published <= $date_to::DATE")
    if actor_rule and filters.actors:
        # By actor (the dashboard database's `actor_articles`): the join hands DuckDB the ids, which then reads only their blocks.
        where.append(f"a.article_no IN {_ACTOR_ARTICLES}")
    return where


def _within(filters: Filters, alias: str, **rules: bool) -> str:
    """A condition: the article of `alias`'s row (`alias.article_no`) is in view; TRUE when no filter applies. For a
    table already narrowed to one actor's rows; a whole table is narrowed faster by `_join_within`."""
    where = _scope_rules(filters, **rules)
    return f"{alias}.article_no IN (SELECT a.article_no FROM articles a WHERE {' AND '.join(where)})" if where else "TRUE"


def _join_within(filters: Filters, alias: str, **rules: bool) -> str:
    """A join keeping the rows of `alias` whose article (`alias.article_no`) is in view; nothing when no filter applies.

    As a join, not `IN (…)`: over a table of tens of millions of rows and a view of most articles (an actor named in
    most of them), DuckDB 2.0 runs the join about three times faster (`actor_articles` at 1,000,000 articles: 0.55 s
    -> 0.2 s).
    """
    if not _scope_rules(filters, **rules):
        return ""
    return f"JOIN (SELECT DISTINCT a.article_no FROM {_articles_in_view(filters, **rules)}) in_view ON in_view.article_no = {alias}.article_no"


def _speaker(filters: Filters) -> str:
    """The quotes rule for actors (quotes `q`): they pick the speaker ("quotes by Lloyd Austin")."""
    return "q.speaker_actor_id IN (SELECT unnest($actors::VARCHAR[]))" if filters.actors else "TRUE"


def _quotes_of(filters: Filters) -> str:
    """The table the quote queries pick quotes from: with actors (speakers) chosen, the dashboard database's
    `speaker_quotes`, sorted by speaker, so that DuckDB reads only their blocks; else `quotes`."""
    return "speaker_quotes" if filters.actors else "quotes"


# Only web links leave the corpus as links: a `javascript:` or `data:` URL in a scraped record becomes no link.
SAFE_URL = "CASE WHEN regexp_matches({t}.url, '^https?://', 'i') THEN {t}.url END AS url"
ARTICLE_COLUMNS = ", ".join(f'a."{c}"' for c in tables.SCHEMAS["articles"].names)  # the contract's, not the derived ones


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
               arg_min(title, (coalesce(published, DATE '9999-12-31'), article_id)) AS title,
               count(*) AS n_articles,
               count(DISTINCT outlet) AS n_outlets,
               min(published) AS first_published
        FROM articles WHERE story_id IS NOT NULL AND story_shared
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
    # The articles in view are found once (`scope`, then its distinct numbers joined to the actors and quotes).
    narrowed = bool(_scope_rules(filters))
    within = "JOIN in_view iv ON iv.article_no = {t}.article_no" if narrowed else ""
    sql = f"""
        WITH {_scope(filters).replace("scope AS", "scope AS MATERIALIZED", 1)}, in_view AS (SELECT DISTINCT article_no FROM scope),
        counts AS (
            SELECT count(*) AS articles, count(DISTINCT outlet) AS outlets, min(published) AS first_published,
                   max(published) AS last_published, count(*) FILTER (WHERE published IS NULL) AS undated
            FROM scope
        )
        SELECT c.articles, c.outlets,
            (SELECT count(DISTINCT aa.actor_id) FROM actor_articles aa {within.format(t="aa")}) AS actors,
            (SELECT count(*) FROM quotes q {within.format(t="q")}) AS quotes,
            c.first_published, c.last_published, c.undated
        FROM counts c
    """
    return _run(con, sql, _params(filters))


def pick_grain(first: dt.date | None, last: dt.date | None) -> Grain:
    """A bucket size giving a readable number of bars for the span."""
    if first is None or last is None:
        return "month"
    days = (last - first).days
    return "day" if days <= 62 else "week" if days <= 365 else "month" if days <= 365 * 6 else "year"


def _volume(filters: Filters) -> Filters:
    """The filters an outlet's own volume is counted under: its dates, outlets and story, not the search or actors."""
    return Filters(filters.date_from, filters.date_to, (), filters.outlets, filters.story, None)


def articles_over_time(con: duckdb.DuckDBPyConnection, filters: Filters, grain: Grain = "month", normalise: bool = False) -> pd.DataFrame:
    """`period, outlet, articles`: dated articles in view per period and outlet ("(no outlet)" when unknown).

    `normalise`: also `share`, the articles as a share of all the outlet's articles that period (under the date,
    outlet and story filters, without the search and actors), so a big outlet does not look like the story's driver.
    """
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {GRAINS}")
    volume = ""
    share = ""
    if normalise:
        base = _scope(_volume(filters)).replace("scope AS", "base AS", 1)
        volume = f""", {base},
        volume AS (SELECT CAST(date_trunc($grain, published) AS DATE) AS period, coalesce(outlet, '(no outlet)') AS outlet, count(*) AS total
                   FROM base WHERE published IS NOT NULL GROUP BY ALL)"""
        share = ", c.articles / v.total AS share"
    sql = f"""
        WITH {_scope(filters)}{volume},
        counts AS (
            SELECT CAST(date_trunc($grain, published) AS DATE) AS period,
                   coalesce(outlet, '(no outlet)') AS outlet,
                   count(*) AS articles
            FROM scope WHERE published IS NOT NULL
            GROUP BY ALL
        )
        SELECT c.period, c.outlet, c.articles{share}
        FROM counts c {"JOIN volume v USING (period, outlet)" if normalise else ""}
        ORDER BY c.period, c.outlet
    """
    return _run(con, sql, _params(filters, grain=grain))


def outlet_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`outlet, articles, outlet_articles, share`: articles in view per outlet, beside all of the outlet's articles
    (under the date, outlet and story filters only) and the share they make of them."""
    base = _scope(_volume(filters)).replace("scope AS", "base AS", 1)
    sql = f"""
        WITH {_scope(filters)}, {base},
        volume AS (SELECT coalesce(outlet, '(no outlet)') AS outlet, count(*) AS outlet_articles FROM base GROUP BY ALL),
        counts AS (SELECT coalesce(outlet, '(no outlet)') AS outlet, count(*) AS articles FROM scope GROUP BY ALL)
        SELECT c.outlet, c.articles, v.outlet_articles, c.articles / v.outlet_articles AS share
        FROM counts c JOIN volume v USING (outlet)
        ORDER BY c.articles DESC, c.outlet
    """
    return _run(con, sql, _params(filters))


def top_actors(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """`actor_id, name, kind, mentions, articles` for the most mentioned actors in view."""
    sql = f"""
        WITH counts AS (
            SELECT aa.actor_id, sum(aa.mentions)::BIGINT AS mentions, count(*) AS articles
            FROM actor_articles aa {_join_within(filters, "aa")} GROUP BY aa.actor_id
        )
        SELECT c.actor_id, ac.name, ac.kind, c.mentions, c.articles
        FROM counts c JOIN actors ac ON ac.actor_id = c.actor_id
        ORDER BY c.mentions DESC, ac.name LIMIT $limit
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


def top_speakers(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 15) -> pd.DataFrame:
    """`actor_id, name, kind, quotes, articles` for the most quoted actors in view."""
    # A whole article is in view or not (no quote-level rule here), so a speaker's flagged quote stands for the article.
    sql = f"""
        WITH counts AS (
            SELECT q.speaker_actor_id AS actor_id, count(*) AS quotes, count(*) FILTER (WHERE q.speaker_first) AS articles
            FROM speaker_quotes q {_join_within(filters, "q", actor_rule=False)}
            WHERE {_speaker(filters)}
            GROUP BY q.speaker_actor_id
        )
        SELECT c.actor_id, ac.name, ac.kind, c.quotes, c.articles
        FROM counts c JOIN actors ac ON ac.actor_id = c.actor_id
        ORDER BY c.quotes DESC, ac.name LIMIT $limit
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


def ingest_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`status, files` for every ingest status other than "ok"."""
    return _run(con, "SELECT status, count(*) AS files FROM ingest_log WHERE status <> 'ok' GROUP BY status ORDER BY files DESC", {})


def ingest_log(con: duckdb.DuckDBPyConnection, problems_only: bool = False) -> pd.DataFrame:
    """The ingest log: `source_path, source_id, status, reason, article_id`."""
    sql = """
        SELECT source_path, source_id, status, reason, article_id FROM ingest_log
        WHERE NOT $problems OR status <> 'ok' ORDER BY status <> 'ok' DESC, source_path
    """
    return _run(con, sql, {"problems": bool(problems_only)})


# ── quotes ───────────────────────────────────────────────────────────────────────────────────────────────────────


_QUOTE_ROW = """q.quote_id, q.article_id, q.quote, q.speaker, q.speaker_actor_id, ac.name AS speaker_name,
               q.cue, q.kind, q.stance, {a}.published, {a}.outlet, {a}.title"""  # `a`: the alias of the quote's article


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
    rules = [_speaker(filters)] if filters.actors else []  # quote-level rules: the article scope is article-level
    if stances:
        rules.append("list_contains($stances::VARCHAR[], q.stance)")
    if kinds:
        rules.append("list_contains($kinds::VARCHAR[], q.kind)")
    if text:
        rules.append("q.quote_key IN (SELECT quote_key FROM quote_hits)")  # the quotes index, the same syntax
    # Every quote, or one speaker's with no other rule: the groups are made (`quote_groups`, `speaker_groups`).
    made = None
    if not (stances or kinds or text or _scope_rules(filters, actor_rule=False)) and len(filters.actors) <= 1:
        made = "speaker_groups WHERE speaker_actor_id = $speaker" if filters.actors else "quote_groups"
    if made is not None:
        sql = f"""
            WITH shown AS (SELECT * FROM {made} ORDER BY published DESC NULLS LAST, n_articles DESC, pick LIMIT $limit)
            SELECT {_QUOTE_ROW.format(a="a")}, g.outlets, array_to_string(g.outlets, '; ') AS outlet_list, g.n_articles
            FROM shown g JOIN quotes q ON q.pick = g.pick JOIN articles a ON a.article_no = q.article_no
            LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id
            ORDER BY g.published DESC NULLS LAST, g.n_articles DESC, g.pick
        """
        return _run(con, sql, {"limit": int(limit), "speaker": filters.actors[0] if filters.actors else None})
    # Without a quote-level rule, an article's copies of the same words are all in view or none is: one flagged
    # copy per article counts the articles. With one, the articles are counted as distinct numbers.
    n_articles = "count(DISTINCT article_no)" if rules else "count(*) FILTER (WHERE norm_first)"
    # Groups by normalised words (`norm_id`); a quote whose words no other quote has is a group on its own. A group's
    # representative is its smallest `pick` (earliest published, then by id), so its date is the group's first
    # date and ties on date order by representative id. The outlet lists are gathered for the groups shown only.
    sql = f"""
        WITH {_scope(filters, actor_rule=False)},
        picked AS (
            SELECT q.norm_id, q.pick, q.article_no, q.norm_single, q.norm_first, s.published, s.outlet
            FROM {_quotes_of(filters)} q JOIN scope s ON s.article_no = q.article_no
            WHERE {' AND '.join(rules) or 'TRUE'}
        ),
        groups AS (
            SELECT norm_id, pick, published, 1 AS n_articles FROM picked WHERE norm_single
            UNION ALL
            SELECT norm_id, min(pick), min(published), {n_articles} FROM picked WHERE NOT norm_single GROUP BY norm_id
        ),
        shown AS (SELECT * FROM groups ORDER BY published DESC NULLS LAST, n_articles DESC, pick LIMIT $limit),
        outlets AS (
            SELECT norm_id, list_sort(list(outlet)) AS outlets
            FROM (SELECT DISTINCT p.norm_id, coalesce(p.outlet, '(no outlet)') AS outlet FROM picked p SEMI JOIN shown USING (norm_id))
            GROUP BY norm_id
        )
        SELECT {_QUOTE_ROW.format(a="s")}, o.outlets, array_to_string(o.outlets, '; ') AS outlet_list, g.n_articles
        FROM shown g JOIN quotes q ON q.pick = g.pick JOIN scope s ON s.article_no = q.article_no
        JOIN outlets o ON o.norm_id = g.norm_id
        LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id
        ORDER BY g.published DESC NULLS LAST, g.n_articles DESC, g.pick
    """
    params = _params(filters, stances=list(stances), kinds=list(kinds), quote_text=text or None, limit=int(limit))
    return _run(con, sql, params)


def quote_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many quotes (rows, not groups) the global filters leave."""
    sql = f"WITH {_scope(filters, actor_rule=False)} SELECT count(*) AS n FROM {_quotes_of(filters)} q JOIN scope s ON s.article_no = q.article_no WHERE {_speaker(filters)}"
    return int(_run(con, sql, _params(filters))["n"].iloc[0])


# ── actors ───────────────────────────────────────────────────────────────────────────────────────────────────────


def actor(con: duckdb.DuckDBPyConnection, actor_id: str) -> pd.DataFrame:
    """The actor's row of the actors table (empty when unknown)."""
    columns = ", ".join(f'"{c}"' for c in tables.SCHEMAS["actors"].names)
    return _run(con, f"SELECT {columns} FROM actors WHERE actor_id = $actor_id", {"actor_id": actor_id})


def actor_mentions_over_time(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, grain: Grain = "month") -> pd.DataFrame:
    """`period, outlet, mentions` of one actor in the articles in view."""
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {GRAINS}")
    sql = f"""
        SELECT CAST(date_trunc($grain, aa.published) AS DATE) AS period,
               coalesce(aa.outlet, '(no outlet)') AS outlet, sum(aa.mentions)::BIGINT AS mentions
        FROM actor_articles aa
        WHERE aa.actor_id = $actor_id AND aa.published IS NOT NULL AND {_within(filters, "aa", actor_rule=False)}
        GROUP BY ALL ORDER BY period, outlet
    """
    return _run(con, sql, _params(filters, actor_id=actor_id, grain=grain))


def quotes_about(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, limit: int = 200) -> pd.DataFrame:
    """Quotes by someone else that mention the actor inside the quoted words.

    Returns: `quote_id, article_id, quote, speaker, speaker_name, cue, stance, published, outlet, title`.
    """
    # The dashboard database lists them per actor, most recent first (`quote_mentions`): the first `limit` in view.
    sql = f"""
        WITH about AS (
            SELECT qm.quote_id, qm.article_no, qm.published FROM quote_mentions qm
            WHERE qm.actor_id = $actor_id AND {_within(filters, "qm", actor_rule=False)}
            ORDER BY qm.published DESC NULLS LAST, qm.quote_id LIMIT $limit
        )
        SELECT b.quote_id, a.article_id, q.quote, q.speaker, ac.name AS speaker_name, q.cue, q.stance,
               a.published, a.outlet, a.title
        FROM about b JOIN quotes q ON q.article_no = b.article_no AND q.quote_id = b.quote_id
        JOIN articles a ON a.article_no = b.article_no
        LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id
        ORDER BY b.published DESC NULLS LAST, b.quote_id
    """
    return _run(con, sql, _params(filters, actor_id=actor_id, limit=int(limit)))


def quotes_by(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, limit: int = 200) -> pd.DataFrame:
    """Quotes whose speaker is the actor (same columns as `quotes`)."""
    one = Filters(filters.date_from, filters.date_to, (actor_id,), filters.outlets, filters.story, filters.text)
    return quotes(con, one, limit=limit)


def co_actors(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, limit: int = 15) -> pd.DataFrame:
    """`actor_id, name, kind, articles`: actors named in the most articles together with the actor."""
    sql = f"""
        WITH mine AS (SELECT aa.article_no FROM actor_articles aa WHERE aa.actor_id = $actor_id AND {_within(filters, "aa", actor_rule=False)}),
        counts AS (
            SELECT o.actor_id, count(*) AS articles
            FROM actor_articles o JOIN mine USING (article_no)
            WHERE o.actor_id <> $actor_id
            GROUP BY o.actor_id
        )
        SELECT c.actor_id, ac.name, ac.kind, c.articles
        FROM counts c JOIN actors ac ON ac.actor_id = c.actor_id
        ORDER BY c.articles DESC, ac.name LIMIT $limit
    """
    return _run(con, sql, _params(filters, actor_id=actor_id, limit=int(limit)))


def actor_outlets(con: duckdb.DuckDBPyConnection, filters: Filters, actor_id: str, normalise: bool = False) -> pd.DataFrame:
    """`outlet, articles, mentions`: which outlets cover the actor, and how much; `normalise`: also `share`, the
    articles as a share of all the outlet's articles in view (a big outlet then does not look like the main one)."""
    volume, share, join = "", "", ""
    if normalise:
        volume = f"{_scope(filters, actor_rule=False)}, volume AS (SELECT coalesce(outlet, '(no outlet)') AS outlet, count(*) AS total FROM scope GROUP BY ALL),"
        share, join = ", c.articles / v.total AS share", "JOIN volume v USING (outlet)"
    sql = f"""
        WITH {volume}
        counts AS (
            SELECT coalesce(aa.outlet, '(no outlet)') AS outlet, count(*) AS articles, sum(aa.mentions)::BIGINT AS mentions
            FROM actor_articles aa
            WHERE aa.actor_id = $actor_id AND {_within(filters, "aa", actor_rule=False)}
            GROUP BY ALL
        )
        SELECT c.outlet, c.articles, c.mentions{share} FROM counts c {join}
        ORDER BY {"share DESC, " if normalise else ""}c.articles DESC, c.outlet
    """
    return _run(con, sql, _params(filters, actor_id=actor_id))


# ── timeline ─────────────────────────────────────────────────────────────────────────────────────────────────────

Lane = Literal["actor", "outlet"]


MAX_SPAN_DAYS = warehouse.MAX_SPAN_DAYS  # a span longer than this ("the 1990s", "the 21st century") says little on a news timeline
PER_LANE = warehouse.PER_LANE  # happenings drawn per lane: thousands of markers in one lane are neither readable nor quick to draw
MAX_PER_LANE = 10_000  # DuckDB sets aside room for this many per lane, whether used or not


# How the filters apply to happenings (the Timeline's key events and lane chart):
# - dates: the happening's own date overlaps the range (not the publication dates of its reports);
# - actors: one of the happening's core actors (`happenings.actor_ids`) is chosen — an actor's timeline;
# - outlets, story, text: the happening has a report in an article in view; its counts (articles, outlets) then
#   count only those reports.


def _date_rules(filters: Filters, alias: str = "h") -> list[str]:
    where = []
    if filters.date_from is not None:  # a happening overlapping the range is kept
        where.append(f"{alias}.date_end >= $date_from::DATE")
    if filters.date_to is not None:
        where.append(f"{alias}.date_start <= $date_to::DATE")
    return where


def _actors_happenings(filters: Filters) -> str:
    """The `happening_no`s of the chosen actors' happenings in the date range (the dashboard database lists each
    actor's happenings together: `actor_happenings`)."""
    where = ["ah.actor_id IN (SELECT unnest($actors::VARCHAR[]))", *_date_rules(filters, "ah")]
    return f"SELECT ah.happening_no FROM actor_happenings ah WHERE {' AND '.join(where)}"


def _happening_rules(filters: Filters) -> list[str]:
    where = _date_rules(filters)
    if filters.actors:  # one of the happening's core actors is chosen
        where.append(f"h.happening_no IN ({_actors_happenings(filters)})")
    return where


# `reports(happening_no, base, article_no, outlet, pick, single)`: the reports in the articles of `scope` (the CTE
# before it); `single`: the happening has no other report (nor a publication event of its key).
_REPORTS = """reports AS {materialized}(
                SELECT e.happening_no, e.happening_base AS base, e.article_no, s.outlet, e.pick, e.key_single AS single
                FROM events e JOIN scope s ON s.article_no = e.article_no
                WHERE e.kind <> 'publication' AND e.happening_no IS NOT NULL {only}
            )"""
REPORTS_IN_VIEW = _REPORTS.format(materialized="", only="")
# The same for the happenings with more than one report (a tenth of them; Coverage's shared happenings), made once.
SHARED_REPORTS_IN_VIEW = _REPORTS.format(materialized="MATERIALIZED ", only="AND NOT e.key_single")
# `reports(happening_no, pick, outlet)` with no article rule: every report of the happenings `which` picks.
_EVERY_REPORT = """reports AS (
            SELECT e.happening_no, e.pick, a.outlet FROM events e JOIN articles a ON a.article_no = e.article_no  -- an id listed twice: the same outlet twice
            WHERE e.kind <> 'publication' AND e.happening_no {which}
        )"""
_SHORT = "date_diff('day', {h}.date_start, {h}.date_end) <= $max_days"  # not a decade or a century


def timeline(con: duckdb.DuckDBPyConnection, filters: Filters, lane: Lane = "actor", lanes: int = 12, per_lane: int = PER_LANE) -> pd.DataFrame:
    """Happenings on a date axis: one row per (lane, happening), for the `lanes` lanes with the most happenings.

    A lane is one of a happening's core actors (an actor's name: two actors of one name share a lane) or an outlet
    with a report of it in view. The filters apply as on the key events (see above); happenings spanning more than
    `MAX_SPAN_DAYS` are left off (`long_events` counts them).

    Returns:
        `lane, event_key (the happening_id), event_id, sentence, article_id, outlet, title` (its representative
        report: the earliest published in view, in the lane's outlet for outlet lanes), `date_start, date_end,
        granularity, date_value, headline, n_articles, n_outlets` (its reports in view), `lane_events` (how many
        happenings the lane has in view); by lane, then date.

    A lane's marks are ranked by one number packing the happening's rank and its representative's `pick` (both
    < 2^32), so its first `per_lane` come out of one aggregation.

    Note: a lane keeps its `per_lane` most salient happenings (the Timeline's order; at most `MAX_PER_LANE`), so that
    a chart of a large corpus stays readable and quick to draw; a narrower date range shows the others.
    """
    if lane not in ("actor", "outlet"):
        raise ValueError(f"unknown lane {lane!r}; expected 'actor' or 'outlet'")
    article_rules = bool(_scope_rules(filters, actor_rule=False, date_rule=False))
    # `reports`: with article rules, the reports in view; for outlet lanes without them, every report
    if article_rules:
        reports = f"{_scope(filters, actor_rule=False, date_rule=False)}, {REPORTS_IN_VIEW},"
    elif lane == "outlet":
        reports = _EVERY_REPORT.format(which="IS NOT NULL") + ","
    else:
        reports = ""
    # `counted(happening_no, n_articles, n_outlets[, pick])`: the reports in view of each happening
    if article_rules:
        counted = """counted AS (  -- a happening of one report (most) needs no grouping
            SELECT happening_no, 1::BIGINT AS n_articles, (outlet IS NOT NULL)::BIGINT AS n_outlets, pick FROM reports WHERE single
            UNION ALL
            SELECT happening_no, count(DISTINCT article_no), count(DISTINCT outlet), min(pick) FROM reports WHERE NOT single GROUP BY happening_no
        ),"""
    else:  # every article in view: the happenings' own counts
        counted = ""
    # `marks(lane, happening_no, pick)`: one per happening in view and lane, with its representative in the lane
    if lane == "outlet":
        in_view = f"SELECT h.happening_no FROM happenings h WHERE {' AND '.join([*_happening_rules(filters), _SHORT.format(h='h')])}"
        marks = f"SELECT coalesce(outlet, '(no outlet)') AS lane, happening_no, min(pick) AS pick FROM reports WHERE happening_no IN ({in_view}) GROUP BY ALL"
        names = "lane_names AS (SELECT lane, lane AS name FROM busiest)"
    else:
        where = [*_date_rules(filters, "ah"), _SHORT.format(h="ah")]
        # A happening of two actors of one name is one mark of their lane: `lane_first` flags one of them; with chosen
        # actors (few rows) the flag may be another's, so their rows are made distinct instead.
        if filters.actors:
            where.append("ah.actor_id IN (SELECT unnest($actors::VARCHAR[]))")
        else:
            where.append("ah.lane_first")
        distinct = "DISTINCT" if len(filters.actors) > 1 else ""  # one actor: one row per happening already
        if article_rules:
            marks = f"SELECT {distinct} ah.lane, ah.happening_no, c.pick FROM actor_happenings ah JOIN counted c USING (happening_no) WHERE {' AND '.join(where)}"
        else:
            marks = f"SELECT {distinct} ah.lane, ah.happening_no, ah.pick FROM actor_happenings ah WHERE {' AND '.join(where)}"
        names = f"""lane_names AS (  -- from the actors (thousands of rows), numbered as `actor_happenings` numbers them
            SELECT DISTINCT lane, name FROM ({warehouse.LANES}) WHERE lane IN (SELECT lane FROM busiest)
        )"""
    if filters.is_empty and lane == "actor" and lanes <= warehouse.LANE_CHART_LANES and per_lane == PER_LANE:  # as it opens
        picked = """busiest AS (SELECT DISTINCT lane, lane_events FROM lane_chart ORDER BY lane_events DESC, lane LIMIT $lanes),
        shown AS (SELECT lane, lane_events, happening_no, pick FROM lane_chart WHERE lane IN (SELECT lane FROM busiest)),"""
    else:
        picked = f"""marks AS ({marks}),
        busiest AS (
            SELECT lane, count(*) AS lane_events, min(happening_no * 4294967296 + pick, $per_lane) AS top
            FROM marks GROUP BY lane ORDER BY lane_events DESC, lane LIMIT $lanes
        ),
        shown AS (
            SELECT lane, lane_events, rank // 4294967296 AS happening_no, rank % 4294967296 AS pick
            FROM (SELECT lane, lane_events, unnest(top) AS rank FROM busiest)
        ),"""
    sql = f"""
        WITH {reports}
        {counted}
        {picked}
        {names}
        SELECT l.name AS lane, h.happening_id AS event_key, e.event_id, h.date_start, h.date_end, h.granularity, h.date_value,
               h.headline, e.sentence, a.outlet, a.title, e.article_id, {"c" if counted else "h"}.n_articles, {"c" if counted else "h"}.n_outlets,
               s.lane_events
        FROM shown s JOIN (SELECT * FROM happenings WHERE happening_no IN (SELECT happening_no FROM shown)) h USING (happening_no)
        {"JOIN counted c USING (happening_no)" if counted else ""}
        JOIN (SELECT * FROM events WHERE pick IN (SELECT pick FROM shown)) e ON e.pick = s.pick JOIN articles a ON a.article_no = e.article_no
        JOIN lane_names l ON l.lane = s.lane
        ORDER BY l.name, h.date_start, h.happening_no
    """
    return _run(con, sql, _params(filters, lanes=int(lanes), per_lane=min(int(per_lane), MAX_PER_LANE), max_days=MAX_SPAN_DAYS))


def long_events(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many happenings in view span more than `MAX_SPAN_DAYS` (left off the lane chart's axis)."""
    where = [*_happening_rules(filters), f"NOT {_SHORT.format(h='h')}"]
    if _scope_rules(filters, actor_rule=False, date_rule=False):
        where.append(f"h.happening_no IN (WITH {_scope(filters, actor_rule=False, date_rule=False)}, {REPORTS_IN_VIEW} SELECT happening_no FROM reports)")
    sql = f"SELECT count(*) AS n FROM happenings h WHERE {' AND '.join(where)}"
    return int(_run(con, sql, _params(filters, max_days=MAX_SPAN_DAYS))["n"].iloc[0])


def publications(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`date, outlet, articles`: the publication track (articles per day and outlet)."""
    sql = f"""
        WITH {_scope(filters)}
        SELECT published AS date, coalesce(outlet, '(no outlet)') AS outlet, count(*) AS articles
        FROM scope WHERE published IS NOT NULL GROUP BY ALL ORDER BY date, outlet
    """
    return _run(con, sql, _params(filters))


def undated_timexes(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 300) -> pd.DataFrame:
    """Time expressions that could not be put on the axis: `article_id, title, outlet, text, value, method`.

    Read from the dashboard database's `timexes_undated`, stored newest first: with no filter, its first blocks.
    """
    sql = f"""
        WITH shown AS (
            SELECT t.* FROM timexes_undated t {_join_within(filters, "t")}
            ORDER BY t.published DESC NULLS LAST, t.article_id, t.start LIMIT $limit
        )
        SELECT t.article_id, a.title, a.outlet, t.text, t.value, t.granularity, t.method
        FROM shown t JOIN articles a ON a.article_no = t.article_no
        ORDER BY t.published DESC NULLS LAST, t.article_id, t.start
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


def event_evidence(con: duckdb.DuckDBPyConnection, event_id: str) -> pd.DataFrame:
    """One event with its article and the time expression its date came from.

    Returns: `event_id, event_key, sentence, date_value, date_start, date_end, granularity, article_id, title,
    outlet, published, published_source, url, timex_text, timex_method, timex_anchored` (timex columns are
    null when no expression in the sentence carries the event's date).
    """
    # The time expressions of the event's own article only (the first one per value), not of the whole corpus.
    sql = """
        WITH e AS (SELECT * FROM events WHERE id_hash = $id_hash AND event_id = $event_id),
        t AS (
            SELECT t.* FROM timexes t WHERE t.article_id IN (SELECT article_id FROM e)
            QUALIFY row_number() OVER (PARTITION BY t.article_id, t.value ORDER BY t.start) = 1
        )
        SELECT e.event_id, e.event_key, e.sentence, e.date_value, e.date_start, e.date_end, e.granularity, e.kind,
               e.article_id, a.title, a.outlet, a.published, a.published_source,
               CASE WHEN regexp_matches(a.url, '^https?://', 'i') THEN a.url END AS url,  -- as SAFE_URL
               t.text AS timex_text, t.method AS timex_method, t.anchored AS timex_anchored
        FROM e JOIN articles a USING (article_id)
        LEFT JOIN t ON t.article_id = e.article_id AND t.value = e.date_value
        ORDER BY (t.start BETWEEN e.start AND e."end") DESC NULLS LAST
        LIMIT 1
    """
    return _run(con, sql, {"event_id": event_id, "id_hash": search.key_of(event_id)})


def same_event(con: duckdb.DuckDBPyConnection, event_key: str, event_id: str) -> pd.DataFrame:
    """Other reports of the same event: `event_id, article_id, title, outlet, published, sentence`."""
    sql = """
        SELECT e.event_id, e.article_id, a.title, a.outlet, a.published, e.sentence
        FROM events e JOIN articles a USING (article_id)
        WHERE e.key_hash = $key_hash AND e.event_key = $event_key AND e.event_id <> $event_id
        ORDER BY a.published NULLS LAST, a.outlet
    """
    return _run(con, sql, {"event_key": event_key, "event_id": event_id, "key_hash": search.key_of(event_key)})


# ── coverage ─────────────────────────────────────────────────────────────────────────────────────────────────────


def stories(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Stories in view told by more than one article: `story_id, title, n_articles, n_outlets, outlets, first_published`."""
    sql = f"""
        WITH {_scope(filters, columns=_SCOPE_COLUMNS + ", a.story_shared")}
        SELECT story_id, arg_min(title, (coalesce(published, DATE '9999-12-31'), article_id)) AS title,
               count(*) AS n_articles, count(DISTINCT outlet) AS n_outlets,
               list_sort(list_distinct(list(coalesce(outlet, '(no outlet)')))) AS outlets, min(published) AS first_published
        FROM scope WHERE story_id IS NOT NULL AND story_shared
        GROUP BY story_id HAVING count(*) > 1
        ORDER BY n_outlets DESC, n_articles DESC, first_published DESC NULLS LAST, story_id
    """
    return _run(con, sql, _params(filters))


_VERSIONS = "versions AS (SELECT article_id, coalesce(outlet, '(no outlet)') || ' · ' || article_id[1:6] AS {label} FROM articles WHERE story_id = $story_id)"


def story_articles(con: duckdb.DuckDBPyConnection, story_id: str) -> pd.DataFrame:
    """The versions of a story: `article_id, outlet, title, published, n_words, quotes, actors`."""
    sql = """
        WITH v AS (SELECT article_id, outlet, title, published, n_words FROM articles WHERE story_id = $story_id),
        q AS (SELECT article_id, count(*) AS n FROM quotes WHERE article_id IN (SELECT article_id FROM v) GROUP BY article_id),
        m AS (SELECT article_id, count(DISTINCT actor_id) AS n FROM mentions WHERE article_id IN (SELECT article_id FROM v) GROUP BY article_id)
        SELECT v.article_id, coalesce(v.outlet, '(no outlet)') AS outlet, v.title, v.published, v.n_words,
               coalesce(q.n, 0) AS quotes, coalesce(m.n, 0) AS actors
        FROM v LEFT JOIN q USING (article_id) LEFT JOIN m USING (article_id)
        ORDER BY v.published NULLS LAST, outlet, v.article_id
    """
    return _run(con, sql, {"story_id": story_id})


def story_quotes(con: duckdb.DuckDBPyConnection, story_id: str) -> pd.DataFrame:
    """Which version carries which quote: `quote, speaker, stance, outlet, article_id, present` (one row per quote × version)."""
    sql = f"""
        WITH {_VERSIONS.format(label="outlet")},
        said AS (
            SELECT q.norm, arg_min(q.quote, q.pick) AS quote,  -- as written by the earliest copy
                   arg_min(coalesce(ac.name, q.speaker), q.pick) AS speaker, arg_min(q.stance, q.pick) AS stance,
                   list(DISTINCT q.article_id) AS carried_by
            FROM quotes q JOIN versions USING (article_id) LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id
            GROUP BY q.norm
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
    sql = f"""
        WITH {_VERSIONS.format(label="version")}
        SELECT v.version,
               count(*) FILTER (WHERE q.stance = 'claim') AS claim,
               count(*) FILTER (WHERE q.stance = 'denial') AS denial
        FROM versions v LEFT JOIN quotes q USING (article_id)
        GROUP BY v.version ORDER BY v.version
    """
    return _run(con, sql, {"story_id": story_id})


def story_actors(con: duckdb.DuckDBPyConnection, story_id: str, limit: int = 25) -> pd.DataFrame:
    """`name, kind, outlet, mentions` for the story's most mentioned actors, per version (0 where left out)."""
    sql = f"""
        WITH {_VERSIONS.format(label="outlet")},
        counts AS (
            SELECT m.article_id, m.actor_id, count(*) AS n
            FROM mentions m JOIN versions USING (article_id) WHERE m.actor_id IS NOT NULL GROUP BY ALL
        ),
        top AS (SELECT actor_id FROM counts GROUP BY actor_id ORDER BY sum(n) DESC, actor_id LIMIT $limit)
        SELECT ac.name, ac.kind, v.outlet, coalesce(c.n, 0) AS mentions
        FROM top t JOIN actors ac USING (actor_id) CROSS JOIN versions v
        LEFT JOIN counts c ON c.article_id = v.article_id AND c.actor_id = t.actor_id
        ORDER BY ac.name, v.outlet
    """
    return _run(con, sql, {"story_id": story_id, "limit": int(limit)})


def shared_events(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 100) -> pd.DataFrame:
    """Happenings reported by more than one article in view: `event_key` (the happening_id), `date_value,
    date_start, granularity, headline, sentence` (its earliest report in view), `n_articles, outlets`; the most
    widely reported first (then the most salient).

    The filters select articles as on every page (a report counts when its article is in view), not the
    happenings' own dates and actors as on the Timeline.
    """
    if filters.is_empty:  # every report in view: the happenings' own counts
        reports = f"""shown AS (
            SELECT happening_no, n_articles FROM happenings WHERE n_articles > 1 ORDER BY n_articles DESC, happening_no LIMIT $limit
        ),
        {_EVERY_REPORT.format(which="IN (SELECT happening_no FROM shown)")}"""
    else:
        reports = f"""{_scope(filters)}, {SHARED_REPORTS_IN_VIEW},  -- a happening of one report is reported by one article: not shared
        shown AS (
            SELECT happening_no, count(DISTINCT article_no) AS n_articles FROM reports
            GROUP BY happening_no HAVING n_articles > 1 ORDER BY n_articles DESC, happening_no LIMIT $limit
        )"""
    sql = f"""
        WITH {reports},
        gathered AS (
            SELECT r.happening_no, min(r.pick) AS pick, list_sort(list(DISTINCT coalesce(r.outlet, '(no outlet)'))) AS outlets
            FROM reports r SEMI JOIN shown USING (happening_no) GROUP BY r.happening_no
        )
        SELECT h.happening_id AS event_key, h.date_value, h.date_start, h.granularity, h.headline, e.sentence, g.n_articles, o.outlets
        FROM shown g JOIN happenings h USING (happening_no) JOIN gathered o USING (happening_no)
        JOIN (SELECT pick, sentence FROM events WHERE pick IN (SELECT pick FROM gathered)) e ON e.pick = o.pick  -- the 100 sentences only
        ORDER BY g.n_articles DESC, g.happening_no
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


# ── articles ─────────────────────────────────────────────────────────────────────────────────────────────────────


Order = Literal["date", "relevance"]


def articles(con: duckdb.DuckDBPyConnection, filters: Filters, order: Order = "date", limit: int = 500) -> pd.DataFrame:
    """Articles in view: `article_id, title, outlet, published, published_source, n_words, story_id, url, quotes,
    score` (missing titles, outlets and date sources are shown as "(untitled)", "(no outlet)", "—").

    `order`: "date" (newest first) or "relevance" (the text search's BM25 score, best first; by date without a
    search). `score` is that score (null without a text search).
    """
    if order not in ("date", "relevance"):
        raise ValueError(f"unknown order {order!r}; expected 'date' or 'relevance'")
    by_date = "s.published DESC NULLS LAST, s.title, s.article_id"
    ranked = filters.text is not None
    sort = f"s.score DESC, {by_date}" if ranked and order == "relevance" else by_date
    inner_sort = sort.replace("s.score", "h.score")
    score = "h.score" if ranked else "NULL::FLOAT"
    join = "JOIN search_hits h ON h.article_key = s.article_key" if ranked else ""
    columns = _SCOPE_COLUMNS + ", a.published_source, a.n_words, a.url, a.article_key"
    sql = f"""
        WITH {_scope(filters, columns=columns)},
        listed AS (
            SELECT s.article_no, s.article_id, s.title, s.outlet, s.published, s.published_source, s.n_words, s.story_id, s.url, {score} AS score
            FROM scope s {join}
            ORDER BY {inner_sort} LIMIT $limit
        ),
        counts AS (SELECT article_no, count(*) AS n FROM quotes WHERE article_no IN (SELECT article_no FROM listed) GROUP BY article_no)
        SELECT s.article_id, coalesce(s.title, '(untitled)') AS title, coalesce(s.outlet, '(no outlet)') AS outlet, s.published,
               coalesce(s.published_source, '—') AS published_source, s.n_words, s.story_id, {SAFE_URL.format(t='s')},
               coalesce(c.n, 0) AS quotes, s.score
        FROM listed s LEFT JOIN counts c USING (article_no)
        ORDER BY {sort}
    """
    return _run(con, sql, _params(filters, limit=int(limit)))


def article_bodies(con: duckdb.DuckDBPyConnection, article_ids: tuple[str, ...]) -> pd.DataFrame:
    """`article_id, title, body` of the given articles (for search snippets)."""
    sql = "SELECT article_id, title, body FROM articles WHERE list_contains($ids::VARCHAR[], article_id)"
    return _run(con, sql, {"ids": list(article_ids)})


def article(con: duckdb.DuckDBPyConnection, article_id: str) -> pd.DataFrame:
    """One article with its body (empty frame when the id is unknown)."""
    return _run(con, f"SELECT {ARTICLE_COLUMNS} FROM articles a WHERE a.article_id = $article_id", {"article_id": article_id})


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
