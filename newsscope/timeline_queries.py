"""The Timeline's queries over the happenings table: key events in view, a happening's evidence, the CSV export.

Same conventions as :mod:`newsscope.queries` (its scope and parameter helpers are reused): every value is a
named parameter, aggregation happens in DuckDB, a page receives one row per happening or report.

The global filters apply to happenings as on the lane chart (:func:`newsscope.queries.timeline`, whose rules these
reuse); with an outlet, story or text filter the ranking, too, counts only the reports in view.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from newsscope import search, tables
from newsscope.filters import Filters
from newsscope.queries import REPORTS_IN_VIEW, SAFE_URL, _actors_happenings, _happening_rules, _params, _run, _scope, _scope_rules

KEY_EVENTS = 60  # headline cards the Timeline opens with
MAX_KEY_EVENTS = 500


HAPPENING_COLUMNS = ", ".join(f'h."{c}"' for c in tables.SCHEMAS["happenings"].names)  # the contract's, not the derived ones


def key_events(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = KEY_EVENTS) -> pd.DataFrame:
    """The most salient happenings in view: `happening_id, date_value, date_start, date_end, granularity, headline,
    trigger, actor_ids, n_events, n_articles, n_outlets, salience`, most salient first (then earliest).

    With an outlet, story or text filter, `n_events, n_articles, n_outlets` count the reports in view and the
    salience is recomputed from them (its date-reference part kept); equal ones come in the Timeline's order (the
    more salient overall first, then earliest).
    """
    limit = max(1, min(int(limit), MAX_KEY_EVENTS))
    where = _happening_rules(filters)
    article_rules = _scope_rules(filters, actor_rule=False, date_rule=False)
    if not article_rules:
        sql = f"""
            SELECT {HAPPENING_COLUMNS} FROM happenings h WHERE {' AND '.join(where) or 'TRUE'}
            ORDER BY h.happening_no LIMIT $limit
        """
    else:
        sql = f"""
            WITH {_scope(filters, actor_rule=False, date_rule=False)},
            {REPORTS_IN_VIEW},
            counted AS (  -- a happening of one report (most) needs no grouping
                SELECT happening_no, base, 1::BIGINT AS n_events, 1::BIGINT AS n_articles, (outlet IS NOT NULL)::BIGINT AS n_outlets
                FROM reports WHERE single
                UNION ALL
                SELECT happening_no, any_value(base), count(*), count(DISTINCT article_no), count(DISTINCT outlet)
                FROM reports WHERE NOT single GROUP BY happening_no
            ),
            ranked AS (  -- read from the reports alone; the happenings' own rows only for the first `limit`
                SELECT c.happening_no, c.n_events, c.n_articles, c.n_outlets, round(c.base + c.n_articles + c.n_outlets, 3) AS salience
                FROM counted c {f"WHERE c.happening_no IN (SELECT h.happening_no FROM happenings h WHERE {' AND '.join(where)})" if where else ""}
                ORDER BY salience DESC, c.happening_no LIMIT $limit
            )
            SELECT h.happening_id, h.date_value, h.date_start, h.date_end, h.granularity, h.headline, h.trigger, h.actor_ids,
                   r.n_events, r.n_articles, r.n_outlets, r.salience
            FROM ranked r JOIN happenings h ON h.happening_no = r.happening_no
            ORDER BY r.salience DESC, r.happening_no
        """
    return _run(con, sql, _params(filters, limit=limit))


def count_happenings(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many happenings are in view (the key events are the most salient of these)."""
    where = _happening_rules(filters)
    article_rules = _scope_rules(filters, actor_rule=False, date_rule=False)
    if filters.actors and not article_rules:
        return int(_run(con, f"SELECT count(DISTINCT happening_no) AS n FROM ({_actors_happenings(filters)})", _params(filters))["n"].iloc[0])
    reports = f"WITH {_scope(filters, actor_rule=False, date_rule=False)}, {REPORTS_IN_VIEW}"
    if article_rules and not where:  # the happenings of the reports in view: one report (most) is one happening
        sql = f"{reports} SELECT count(*) FILTER (WHERE single) + count(DISTINCT happening_no) FILTER (WHERE NOT single) AS n FROM reports"
        return int(_run(con, sql, _params(filters))["n"].iloc[0])
    if article_rules:
        where.append(f"h.happening_no IN ({reports} SELECT happening_no FROM reports)")
    frame = _run(con, f"SELECT count(*) AS n FROM happenings h WHERE {' AND '.join(where) or 'TRUE'}", _params(filters))
    return int(frame["n"].iloc[0])


def happening_reports(con: duckdb.DuckDBPyConnection, happening_id: str) -> pd.DataFrame:
    """Every report of one happening with its article and how its date was worked out.

    Returns: `event_id, kind, sentence, date_value, granularity, date_start, date_end, article_id, title, outlet,
    published, published_source, url, timex_text, timex_method, timex_anchored` (the expression in the sentence
    that carries the report's date; null for a report dated by its article), earliest published first.
    """
    sql = f"""
        WITH e AS (SELECT * FROM events WHERE key_hash = $key_hash AND event_key = $happening_id AND kind <> 'publication'),
        t AS (
            SELECT t.article_id, t.start, t.value, t.text, t.method, t.anchored FROM timexes t
            WHERE t.article_id IN (SELECT article_id FROM e)
        ),
        carried AS (
            SELECT e.event_id, arg_min(t.text, t.start) AS timex_text, arg_min(t.method, t.start) AS timex_method,
                   arg_min(t.anchored, t.start) AS timex_anchored
            FROM e JOIN t ON t.article_id = e.article_id AND t.start >= e.start AND t.start < e."end" AND t.value = e.date_value
            WHERE e.kind = 'reported'
            GROUP BY e.event_id
        )
        SELECT e.event_id, e.kind, e.sentence, e.date_value, e.granularity, e.date_start, e.date_end, e.article_id,
               a.title, a.outlet, a.published, a.published_source, {SAFE_URL.format(t='a')},
               c.timex_text, c.timex_method, c.timex_anchored
        FROM e JOIN articles a ON a.article_id = e.article_id
        LEFT JOIN carried c ON c.event_id = e.event_id
        ORDER BY a.published NULLS LAST, a.outlet, e.article_id, e.start
    """
    return _run(con, sql, {"happening_id": happening_id, "key_hash": search.key_of(happening_id)})


def key_event_reports(con: duckdb.DuckDBPyConnection, filters: Filters, happening_ids: tuple[str, ...]) -> pd.DataFrame:
    """The reports in view of the given happenings, for the CSV export: `happening_id, article_id, outlet, title,
    published, url` (one row per happening and article)."""
    article_rules = _scope_rules(filters, actor_rule=False, date_rule=False)
    scope = f"WITH {_scope(filters, actor_rule=False, date_rule=False)} " if article_rules else ""
    source = "events e JOIN scope s ON s.article_no = e.article_no" if article_rules else "events e"
    sql = f"""
        {scope}
        SELECT DISTINCT e.event_key AS happening_id, a.article_id, a.outlet, a.title, a.published, {SAFE_URL.format(t='a')}
        FROM {source} JOIN articles a ON a.article_id = e.article_id
        WHERE e.kind <> 'publication' AND list_contains($ids::VARCHAR[], e.event_key)
        ORDER BY happening_id, a.published NULLS LAST, a.article_id
    """
    return _run(con, sql, _params(filters, ids=list(happening_ids)))


def export_rows(key: pd.DataFrame, reports: pd.DataFrame, names: dict[str, str], link) -> pd.DataFrame:
    """The CSV of the key events shown: `date, granularity, headline, actors, outlets, n_articles, reports`
    (`reports`: each report's link, `link(article_id, url)`, separated by spaces)."""
    by = {h: g for h, g in reports.groupby("happening_id", sort=False)} if not reports.empty else {}
    rows = []
    for h in key.itertuples(index=False):
        group = by.get(h.happening_id, reports.iloc[0:0])
        outlets = sorted({o for o in group["outlet"] if isinstance(o, str)})
        rows.append(
            {
                "date": h.date_value,
                "granularity": h.granularity,
                "headline": h.headline,
                "actors": "; ".join(names.get(a, a) for a in list(h.actor_ids)),
                "outlets": "; ".join(outlets),
                "n_articles": int(h.n_articles),
                "reports": " ".join(link(a, u) for a, u in zip(group["article_id"], group["url"])),
            }
        )
    return pd.DataFrame(rows, columns=["date", "granularity", "headline", "actors", "outlets", "n_articles", "reports"])
