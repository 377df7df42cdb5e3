"""CSV exports of what the dashboard shows, for any size: `newsscope export BUILD --table T [filters] [--out FILE]`.

The filters are the dashboard's (the same URL parameters, parsed and checked by `newsscope.filters.parse`, or a
"Share this view" link given whole with `--link`), so a file holds exactly what the page showed. The row-level
tables (`articles`, `search`, `quotes`) are written by DuckDB's COPY straight from the dashboard database, streamed:
a million rows never sit in Python's memory. The others are the page's own aggregates (one row per actor, outlet,
period or story).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb

from newsscope import queries, search, storage, warehouse
from newsscope import filters as F
from newsscope.filters import Filters

STREAMED = ("articles", "search", "quotes")
ACTOR_TABLES = ("actor_mentions", "co_actors", "actor_outlets", "quotes_by", "quotes_about")
TABLES = (*STREAMED, *ACTOR_TABLES, "outlets", "coverage", "story")
BIG = 1_000_000_000  # "no limit" for the page queries' row limits


class ExportError(ValueError):
    """An export that cannot be made as asked (a message for the shell)."""


def link_params(link: str) -> dict[str, list[str]]:
    """The query parameters of a "Share this view" link (or of a bare `?a=b&c=d` string)."""
    return parse_qs(urlsplit(link).query if "?" in link else link)


def filters_for(con: duckdb.DuckDBPyConnection, params: Mapping[str, str | list[str]]) -> tuple[Filters, list[str]]:
    """The dashboard's filters from URL-style parameters, checked against the build (unknown values dropped, with
    the reason); an unreadable search raises `ExportError`, where the sidebar would ignore it."""
    actors = queries.actor_options(con)["actor_id"].tolist()
    outlets = queries.outlet_options(con)["outlet"].tolist()
    stories = queries.story_options(con)["story_id"].tolist()
    parsed, notices = F.parse(dict(params), set(actors), set(outlets), set(stories))
    if parsed.text:
        try:
            search.check(parsed.text)
        except search.QueryError as error:
            raise ExportError(f"search {parsed.text!r}: {error}") from None
    return parsed, notices


def _articles_sql(filters: Filters, ranked: bool) -> str:
    columns = queries._SCOPE_COLUMNS + ", a.published_source, a.n_words, a.url, a.article_key"
    url = queries.SAFE_URL.format(t="s")
    if ranked:
        return f"""
            WITH {queries._scope(filters, columns=columns)}
            SELECT row_number() OVER (ORDER BY h.score DESC, s.published DESC NULLS LAST, s.article_id) AS rank, $text::VARCHAR AS query,
                   round(h.score, 4) AS score, s.article_id, s.title, s.outlet, s.published, s.n_words, s.story_id, {url}
            FROM scope s JOIN search_hits h ON h.article_key = s.article_key
            ORDER BY rank"""
    return f"""
        WITH {queries._scope(filters, columns=columns)}
        SELECT s.article_id, s.title, s.outlet, s.published, s.published_source, s.n_words, s.story_id, {url}
        FROM scope s ORDER BY s.published DESC NULLS LAST, s.title, s.article_id"""


def _quotes_sql(filters: Filters, quote_text: str | None) -> str:
    rules = [queries._speaker(filters)]
    if quote_text:
        rules.append("q.quote_key IN (SELECT quote_key FROM quote_hits)")
    return f"""
        WITH {queries._scope(filters, actor_rule=False)}
        SELECT q.quote_id, q.article_id, s.published, s.outlet, s.title, q.speaker, ac.name AS speaker_name, q.speaker_actor_id,
               q.cue, q.quote, q.stance, q.kind
        FROM quotes q JOIN scope s ON s.article_no = q.article_no LEFT JOIN actors ac ON ac.actor_id = q.speaker_actor_id
        WHERE {' AND '.join(rules)}
        ORDER BY s.published DESC NULLS LAST, q.article_id, q.start"""


def export(
    con: duckdb.DuckDBPyConnection, table: str, filters: Filters, target: Path, *, actor: str | None = None,
    quote_text: str | None = None, normalise: bool = False,
) -> int:
    """Write `table` under `filters` to the CSV file `target`; the number of rows written.

    Raises:
        ExportError: an unknown table, or one that needs `--actor` / `--story` / `--query` without it.
    """
    if table not in TABLES:
        raise ExportError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
    target = Path(target)
    if table == "search" and not filters.text:
        raise ExportError("the search table needs --query (the ranked results of a search)")
    if table in ACTOR_TABLES and not actor:
        raise ExportError(f"the {table} table needs --actor (an actor id, as in the Actors page's link)")
    if table == "story" and not filters.story:
        raise ExportError("the story table needs --story (the story id, as in the Coverage page's link)")
    if quote_text:
        try:
            search.check(quote_text, "quotes")
        except search.QueryError as error:
            raise ExportError(f"quote search {quote_text!r}: {error}") from None
    if table in ("articles", "search"):
        return queries.copy_csv(con, _articles_sql(filters, table == "search"), queries._params(filters), str(target))
    if table == "quotes":
        return queries.copy_csv(con, _quotes_sql(filters, quote_text), queries._params(filters, quote_text=quote_text), str(target))
    local = Filters(filters.date_from, filters.date_to, (), filters.outlets, filters.story, filters.text)  # as the Actors page
    if table == "actor_mentions":
        kpi = queries.kpis(con, local).iloc[0]
        frame = queries.actor_mentions_over_time(con, local, actor, queries.pick_grain(kpi["first_published"], kpi["last_published"]))
    elif table == "co_actors":
        frame = queries.co_actors(con, local, actor, limit=BIG)
    elif table == "actor_outlets":
        frame = queries.actor_outlets(con, local, actor, normalise=normalise)
    elif table == "quotes_by":
        frame = queries.quotes_by(con, local, actor, limit=BIG).drop(columns=["outlets"])
    elif table == "quotes_about":
        frame = queries.quotes_about(con, local, actor, limit=BIG)
    elif table == "outlets":
        frame = queries.outlet_counts(con, filters)
    elif table == "coverage":
        frame = queries.stories(con, filters)
        frame["outlets"] = frame["outlets"].map(lambda v: "; ".join(v))
    else:
        frame = queries.story_quote_grid(con, filters.story)
    frame.to_csv(target, index=False)
    return len(frame)


def open_build(build: Path) -> duckdb.DuckDBPyConnection:
    """The dashboard database of the build's current version (read-only; made first when missing)."""
    folder = storage.current(Path(build))
    if folder is None:
        raise ExportError(f"no build in {build}")
    return warehouse.open(folder)
