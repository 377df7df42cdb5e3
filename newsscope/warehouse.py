"""The dashboard's database: one DuckDB file per build version, made once from its Parquet tables.

The Parquet files stay the contract; this file is a cache of them laid out for the dashboard's queries:

    <version folder>/_cache/dashboard-<digest of what it was made from>.duckdb

- The contract tables, row for row, each sorted by `article_id` (DuckDB's per-block min/max then skips
  most of a table when a query asks for one article), plus derived columns (`DERIVED`) for what the queries would
  otherwise recompute from millions of rows on every call: a lower-cased search text, numbers for ids, a quote's
  normalised words, the order in which a group's representative is picked, flags that
  turn distinct counts into counts.
- Tables of its own (`EXTRA`), contract rows regrouped: the contract tables are sorted by article, so "everything
  about one actor" would read every block of them; sorted by actor, DuckDB reads only that actor's (and the
  Quotes page without a filter reads the corpus's quote groups already made, in its order). Nothing else: a
  connection to it lists exactly the contract's tables and these (the security tests check that).
- The app opens it read-only. DuckDB reads its pages on demand, so opening is instant and memory stays small
  (bounded by `MEMORY_LIMIT`), where loading every Parquet file into memory took seconds and gigabytes.

`create(folder)` writes it; the build calls that right before publishing the version, and `benchmarks/synth.py`
for its synthetic build. `open(folder)` opens it for reading and makes it first when it is missing (a build from
before this module; the name changes with what the file is made from, so a folder changed in place, or a newer
format of this module, gets a new file): under a lock, into a temporary file renamed into place, so concurrent
sessions and processes wait for one writer and never see half a file. A version folder that cannot
be written (a read-only deployment) gets its file in the system temporary folder instead, and if that fails too,
the tables go into an in-memory database.

Note: the queries also run on plain contract tables (a connection loaded straight from Parquet, as some tests
do): `on_plain_tables` computes the derived columns there on the fly, with the very definitions used here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import uuid
from pathlib import Path

import duckdb

from newsscope import storage, tables

STEM = "dashboard"
FORMAT = 4  # bump when the layout changes (a change of DERIVED or _SORT is noticed without it): older files are remade
THREADS = max(1, min(4, os.cpu_count() or 1))
MEMORY_LIMIT = "1GB"  # DuckDB's cache and working memory per process; beyond it, DuckDB spills to disk
TEMP_DIR = Path(tempfile.gettempdir()) / "newsscope-dashboard"
try:  # writing the file: half the machine's memory (beyond it DuckDB spills to TEMP_DIR)
    WRITE_MEMORY_LIMIT = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2 // 2**20}MB"
except (AttributeError, ValueError, OSError):  # no sysconf (Windows)
    WRITE_MEMORY_LIMIT = "4GB"

# Columns the queries use beyond the table contract, as one SELECT per table over its contract columns (`{t}` is the
# contract table; `articles` in the other SELECTs is the articles table with its derived columns).
# - article_key, quote_key: the number the search index knows a document by (`newsscope.search.key_of`): a match
#   set joins the tables by it.
# - story_shared: the article's story has other articles (only those stories are listed).
# - article_no: a number per article id, the same in every table: joins and distinct counts by a number are much
#   cheaper than by a 16-character id.
# - norm: a quote's words with case and spacing normalised (the same words carried by several articles);
#   norm_id: a number per distinct `norm`, in the order of `norm`.
# - key_no: a number per event key (an event without one is its own key), in the order of the key.
# - norm_single, key_single: no other quote has these words (no other event this key), so the quote (event) is a
#   group on its own whatever the filters: most groups need no grouping at all.
# - norm_first: one quote per (article, words) is flagged: where every copy in an article is in view or none is
#   (no quote-level filter), counting flags counts articles.
# - happening_no: a happening's rank in the Timeline's order (most salient first, then earliest, then by id); the
#   table is stored in that order, so "the 60 most salient" reads its first blocks only. An event carries the number
#   of the happening it reports (its `event_key`) and `happening_base`, the part of its salience that is not the
#   count of articles and outlets (the Timeline recounts those for the reports in view).
# - id_hash, key_hash: an event's id and event key as numbers (`search.key_of`): a lookup by id compares a number
#   first (15.8 M events at 1,000,000 articles: ~15 ms where comparing the strings takes ~150 ms).
# - pick: the order in which a group's representative is chosen: earliest published first (undated last), then
#   by id. The representative of any set of quotes (events) is the one with the smallest `pick`.
def _article(alias: str, key: str = "article_id") -> str:
    """`a`: one row per article (an id listed twice counts once) with its number, published date and outlet, joined
    to `alias` by `key` (`article_id`, or `article_no` for a table that has it)."""
    return (
        "(SELECT article_id, min(article_no) AS article_no, min(published) AS published, min(outlet) AS outlet FROM articles GROUP BY article_id) a"
        f" ON a.{key} = {alias}.{key}"
    )


_ARTICLE = _article("t")
DERIVED: dict[str, str] = {
    "articles": """
        SELECT t.*, md5_number_upper(t.article_id) AS article_key,
               dense_rank() OVER (ORDER BY t.article_id) AS article_no,
               count(*) OVER (PARTITION BY t.story_id) > 1 AS story_shared
        FROM {t} t
    """,
    "mentions": f"SELECT t.*, a.article_no FROM {{t}} t LEFT JOIN {_ARTICLE}",
    "quotes": f"""
        SELECT t.*, a.article_no, md5_number_upper(t.quote_id) AS quote_key, dense_rank() OVER (ORDER BY t.norm) AS norm_id,
               count(*) OVER (PARTITION BY t.norm) = 1 AS norm_single,
               row_number() OVER (PARTITION BY t.article_id, t.norm ORDER BY t.start, t.quote_id) = 1 AS norm_first,
               row_number() OVER (ORDER BY coalesce(a.published, DATE '9999-12-31'), t.quote_id, t.article_id, t.start) AS pick
        FROM (SELECT *, lower(regexp_replace(trim(quote), '\\s+', ' ', 'g')) AS norm FROM {{t}}) t
        LEFT JOIN {_ARTICLE}
    """,
    "timexes": f"SELECT t.*, a.article_no FROM {{t}} t LEFT JOIN {_ARTICLE}",
    "happenings": "SELECT t.*, row_number() OVER (ORDER BY t.salience DESC, t.date_start, t.happening_id) AS happening_no FROM {t} t",
    "events": f"""
        SELECT t.*, a.article_no, hp.happening_no, hp.happening_base, dense_rank() OVER (ORDER BY coalesce(t.event_key, t.event_id)) AS key_no,
               md5_number_upper(t.event_id) AS id_hash, md5_number_upper(t.event_key) AS key_hash,
               count(*) OVER (PARTITION BY coalesce(t.event_key, t.event_id)) = 1 AS key_single,
               row_number() OVER (ORDER BY coalesce(a.published, DATE '9999-12-31'), t.event_id, t.article_id, t.start) AS pick
        FROM {{t}} t
        LEFT JOIN {_ARTICLE}
        LEFT JOIN (
            SELECT happening_id, min(happening_no) AS happening_no, min(salience - n_articles - n_outlets) AS happening_base
            FROM happenings GROUP BY happening_id
        ) hp ON hp.happening_id = t.event_key
    """,
}
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_key", "article_no", "story_shared"),
    "mentions": ("article_no",),
    "quotes": ("norm", "article_no", "quote_key", "norm_id", "norm_single", "norm_first", "pick"),
    "timexes": ("article_no",),
    "happenings": ("happening_no",),
    "events": ("article_no", "happening_no", "happening_base", "key_no", "id_hash", "key_hash", "key_single", "pick"),
}
# Tables of its own (not part of the contract; made from the tables above, derived columns included):
# - actor_articles: one row per (actor, article naming it): `mentions` (how often it names the actor), the
#   article's `published` and `outlet`. The actor filter, the Actors page and the actor counts read it.
# - quote_mentions: one row per (actor, quote whose quoted words name the actor) where the speaker is someone else,
#   with the article's `published`, most recent first: "quotes about" an actor.
# - quote_groups: one row per group of quotes with the same words (`norm_id`) over the whole corpus: its
#   representative (`pick`), first date, articles and outlets, in the Quotes page's order (newest first): the page
#   without a filter reads its first rows instead of grouping every quote.
# - speaker_quotes: the quotes with a known speaker, by speaker: the columns the quote queries pick and filter by,
#   and `speaker_first`, one quote per (article, speaker) flagged (counting flags counts a speaker's articles).
# - speaker_groups: one speaker's quotes grouped by their words, as `quote_groups` is for all quotes (articles and
#   outlets counted over that speaker's copies), newest first per speaker: the Quotes page filtered to one speaker,
#   and an actor's quotes on the Actors page.
# - actor_happenings: one row per (core actor, happening): `happening_no` and the happening's dates; an actor's
#   timeline. `lane`: the actor's lane on the lane chart, one per actor name (a number, in name order: `LANES`);
#   `pick`: the happening's representative report (its earliest published); `lane_first`: one row per (lane,
#   happening) is flagged (two actors of one name share a lane).
# - lane_chart: the lane chart with no filter (the Lanes tab as it opens): the `LANE_CHART_LANES` lanes with the most
#   happenings (`lane_events`), each with its `PER_LANE` most salient (`happening_no`, representative `pick`).
# - timexes_undated: the time expressions that could not be put on a date axis (no value, or a value with no calendar
#   extent: `UNDATED_GRANULARITIES`), with their article's `published`, newest first (the Timeline's list of them).
UNDATED_GRANULARITIES = ("reference", "set")  # values like PRESENT_REF and P1D ("daily") have no calendar extent
MAX_SPAN_DAYS = 2 * 366  # a span longer than this ("the 1990s", "the 21st century") says little on a news timeline
PER_LANE = 300  # happenings drawn per lane: thousands of markers in one lane are neither readable nor quick to draw
LANE_CHART_LANES = 30  # the most lanes the Timeline offers
LANES = "SELECT actor_id, name, dense_rank() OVER (ORDER BY name) AS lane FROM actors"  # an actor's lane: one per name
EXTRA: dict[str, str] = {
    "actor_articles": f"""
        SELECT m.actor_id, m.article_no, count(*) AS mentions, min(a.published) AS published, min(a.outlet) AS outlet
        FROM mentions m JOIN {_article("m", "article_no")}
        WHERE m.actor_id IS NOT NULL
        GROUP BY m.actor_id, m.article_no
    """,
    "quote_mentions": f"""
        SELECT DISTINCT m.actor_id, q.quote_id, q.article_no, a.published
        FROM mentions m JOIN quotes q ON q.article_no = m.article_no AND m.start >= q.start AND m."end" <= q."end"
        JOIN {_article("q", "article_no")}
        WHERE m.actor_id IS NOT NULL AND q.speaker_actor_id IS DISTINCT FROM m.actor_id
    """,
    "quote_groups": f"""
        SELECT q.norm_id, min(q.pick) AS pick, min(a.published) AS published, count(*) FILTER (WHERE q.norm_first) AS n_articles,
               list_sort(list(DISTINCT coalesce(a.outlet, '(no outlet)'))) AS outlets
        FROM quotes q JOIN {_article("q", "article_no")}
        GROUP BY q.norm_id
    """,
    "speaker_quotes": """
        SELECT speaker_actor_id, article_no, norm_id, pick, norm_single, norm_first, stance, kind, quote_key,
               row_number() OVER (PARTITION BY article_no, speaker_actor_id ORDER BY pick) = 1 AS speaker_first
        FROM quotes WHERE speaker_actor_id IS NOT NULL
    """,
    "speaker_groups": f"""
        SELECT q.speaker_actor_id, q.norm_id, min(q.pick) AS pick, min(a.published) AS published, count(DISTINCT q.article_no) AS n_articles,
               list_sort(list(DISTINCT coalesce(a.outlet, '(no outlet)'))) AS outlets
        FROM speaker_quotes q JOIN {_article("q", "article_no")}
        GROUP BY q.speaker_actor_id, q.norm_id
    """,
    "actor_happenings": f"""
        SELECT h.actor_id, h.happening_no, h.date_start, h.date_end, l.lane, r.pick,
               row_number() OVER (PARTITION BY l.lane, h.happening_no ORDER BY h.actor_id) = 1 AS lane_first
        FROM (SELECT DISTINCT actor_id, happening_no, date_start, date_end
              FROM (SELECT unnest(actor_ids) AS actor_id, happening_no, date_start, date_end FROM happenings)) h
        LEFT JOIN ({LANES}) l USING (actor_id)
        LEFT JOIN (
            SELECT happening_no, min(pick) AS pick FROM events WHERE kind <> 'publication' AND happening_no IS NOT NULL GROUP BY happening_no
        ) r USING (happening_no)
    """,
    "timexes_undated": f"""
        SELECT t.article_id, t.article_no, t.start, t.text, t.value, t.granularity, t.method, a.published
        FROM timexes t JOIN {_article("t", "article_no")}
        WHERE t.value IS NULL OR t.granularity IS NULL OR list_contains({list(UNDATED_GRANULARITIES)}, t.granularity)
    """,
    "lane_chart": f"""
        WITH marks AS (
            SELECT lane, happening_no, pick FROM actor_happenings
            WHERE lane_first AND date_diff('day', date_start, date_end) <= {MAX_SPAN_DAYS}
        ),
        busiest AS (SELECT lane, count(*) AS lane_events FROM marks GROUP BY lane ORDER BY lane_events DESC, lane LIMIT {LANE_CHART_LANES})
        SELECT m.lane, b.lane_events, m.happening_no, m.pick FROM marks m JOIN busiest b USING (lane)
        QUALIFY row_number() OVER (PARTITION BY m.lane ORDER BY m.happening_no) <= {PER_LANE}
    """,
}
_NEEDS = {  # the tables (with their derived columns) a SELECT above reads besides its own
    "events": ("articles", "happenings"), "actor_articles": ("articles", "mentions"), "quote_mentions": ("articles", "mentions", "quotes"),
    "quote_groups": ("articles", "quotes"), "speaker_quotes": ("articles", "quotes"),
    "speaker_groups": ("articles", "quotes", "speaker_quotes"), "actor_happenings": ("happenings", "events"), "lane_chart": ("actor_happenings",),
    "timexes_undated": ("articles", "timexes"),
}  # fmt: skip
_SORT = {"articles": "article_id", "mentions": 'article_id, start, "end"', "quotes": "article_id, start", "timexes": "article_id, start",
         "events": "article_id, start", "actors": "actor_id", "ingest_log": "source_path",
         "happenings": "happening_no",
         "actor_articles": "actor_id, published, article_no", "quote_mentions": "actor_id, published DESC NULLS LAST, quote_id",
         "quote_groups": "published DESC NULLS LAST, n_articles DESC, pick", "speaker_quotes": "speaker_actor_id, pick",
         "speaker_groups": "speaker_actor_id, published DESC NULLS LAST, n_articles DESC, pick", "actor_happenings": "actor_id, happening_no",
         "lane_chart": "lane_events DESC, lane, happening_no", "timexes_undated": "published DESC NULLS LAST, article_id, start"}  # fmt: skip


def source(folder: Path) -> dict:
    """What a database file is made from: this module's format and definitions, the manifest's `built_at`, each
    Parquet file's size and modification time. Its digest names the file, so a file made from anything else (an
    older definition, a table rewritten in place) is never mistaken for it."""
    folder = Path(folder)
    files = {}
    for name in tables.TABLES:
        parquet = folder / f"{name}.parquet"
        if parquet.exists():
            stat = parquet.stat()
            files[name] = [stat.st_size, stat.st_mtime_ns]
    try:
        built_at = str(storage.read_manifest(folder).get("built_at", ""))
    except (OSError, ValueError):
        built_at = ""
    return {"format": FORMAT, "derived": [DERIVED, EXTRA, _SORT], "built_at": built_at, "files": files}


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def path(folder: Path) -> Path:
    """Where the dashboard database of the build version `folder` lives (its name carries the source's digest)."""
    return Path(folder) / storage.CACHE / f"{STEM}-{_digest(source(folder))}.duckdb"


def fallback_path(folder: Path) -> Path:
    """The file for a version folder that cannot be written: in the system temporary folder, one per folder and source."""
    return TEMP_DIR / f"{STEM}-{_digest(str(Path(folder).resolve()), source(folder))}.duckdb"


# ── writing ──────────────────────────────────────────────────────────────────────────────────────────────────────


ORDER = tuple(dict.fromkeys(("articles", "actors", "happenings", *tables.TABLES)))  # what the derived SELECTs read, first


def populate(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Create the contract tables of `folder`, with their derived columns, and the `EXTRA` tables in `con` (a
    database without them)."""
    folder = Path(folder)
    for name in ORDER:
        parquet = folder / f"{name}.parquet"
        if parquet.exists():
            raw = f"read_parquet('{_sql_string(parquet)}')"
        else:  # a missing table is an empty one with the contract's columns (as storage.read_table has it)
            raw = f"_empty_{name}"
            con.register(raw, tables.SCHEMAS[name].empty_table())
        select = DERIVED.get(name, "SELECT t.* FROM {t} t").format(t=raw)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM ({select}) ORDER BY {_SORT[name]}")
        if not parquet.exists():
            con.unregister(raw)
    for name, select in EXTRA.items():
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM ({select}) ORDER BY {_SORT[name]}")


def _sql_string(value: object) -> str:
    return str(value).replace("'", "''")


def create(folder: Path, target: Path | None = None) -> Path:
    """Write the dashboard database of the build version `folder` to `target` (default: `path(folder)`); the path.

    Written to a temporary file beside `target`, then renamed over it, so a file under the final name is always
    whole; other dashboard databases in the same folder (made from an earlier state of it) are removed.

    Raises:
        OSError: `target`'s folder cannot be written.
    """
    target = Path(target) if target is not None else path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        # Not the reading limit: sorting 100,000 bodies needs more than 1 GB. Half the RAM, not DuckDB's default 80 %:
        # at a million articles the sorts take all they are given, and the build's own process needs the rest.
        config = {**_config(limited=False), "memory_limit": WRITE_MEMORY_LIMIT, "preserve_insertion_order": False}  # each table is sorted anyway
        con = duckdb.connect(str(partial), config=config)
        try:
            con.execute("SET enable_progress_bar = false")
            populate(con, folder)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(partial, target)
    finally:
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
    for stale in target.parent.glob(f"{STEM}-*.duckdb"):
        if stale != target and target.parent != TEMP_DIR:  # the shared temporary folder holds other builds' files
            stale.unlink(missing_ok=True)
    return target


# ── reading ──────────────────────────────────────────────────────────────────────────────────────────────────────


def _config(limited: bool = True) -> dict:
    """DuckDB settings; `limited`: with the reading limit `MEMORY_LIMIT` (else DuckDB's default, for writing)."""
    # An internal error in one query (DuckDB 2.0 has a few) must not invalidate the database for every session.
    config = {"threads": THREADS, "disable_database_invalidation": True}
    if limited:
        config["memory_limit"] = MEMORY_LIMIT
    try:
        TEMP_DIR.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(TEMP_DIR / f"spill-{os.getpid()}")  # DuckDB makes it when it spills, removes it on close
    except OSError:
        pass  # nowhere to spill: a query over the memory limit fails instead
    return config




def _ensure(file: Path, folder: Path) -> Path:
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        with storage.waiting_lock(file.with_name(f".{STEM}.lock")):  # waits while another session or process makes it
            if not file.exists():  # another session may have made it while we waited
                for partial in file.parent.glob(f".{STEM}-*.partial*"):  # left by a writer that was killed
                    partial.unlink(missing_ok=True)
                create(folder, file)
    return file


def open(folder: Path, write: bool = True) -> duckdb.DuckDBPyConnection:  # noqa: A001 - reads as warehouse.open(folder)
    """A read-only connection to the dashboard database of `folder`, made first when missing.

    Args:
        folder: a build version folder (`storage.current(out)`).
        write: whether a missing database may be made in the version folder; False (a read-only deployment)
            makes it in the system temporary folder instead. A database already there is read either way.

    Note: when neither place can be written, the tables are loaded into an in-memory database instead (slower to
    open, and it holds every table in memory).
    """
    folder = Path(folder)
    own = path(folder)
    for file in ([own] if write or own.exists() else []) + [fallback_path(folder)]:
        try:
            con = duckdb.connect(str(_ensure(file, folder)), read_only=True, config=_config())
        except (OSError, duckdb.IOException, duckdb.PermissionException):
            continue
        _FOLDERS[str(file)] = (folder, write)
        return con
    # Every table held in memory: DuckDB's default limit (most of the RAM), not the reading limit.
    con = duckdb.connect(":memory:", config=_config(limited=False))
    populate(con, folder)
    return con


_FOLDERS: dict[str, tuple[Path, bool]] = {}  # database file -> (its version folder, whether that may be written)


def folder_of(con: duckdb.DuckDBPyConnection) -> tuple[Path, bool] | None:
    """`(version folder, writable)` of a dashboard database connection (or a cursor of one) opened by `open`; None
    for any other connection (plain contract tables, in memory)."""
    rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return _FOLDERS.get(str(rows[0][0])) if rows and rows[0][0] else None


# ── plain contract tables ────────────────────────────────────────────────────────────────────────────────────────

_TABLE_NAME = {name: re.compile(rf"\b{name}\b") for name in (*DERIVED, *EXTRA)}


def on_plain_tables(sql: str) -> str:
    """`sql` for a connection holding only the contract tables: the derived columns and the `EXTRA` tables computed
    by CTEs named after the tables (a CTE hides the table of the same name; inside its own definition the name
    still means the table)."""
    used = {name for name in _TABLE_NAME if _TABLE_NAME[name].search(sql)}
    used |= {need for name in set(used) for need in _NEEDS.get(name, ())}
    if used - {"articles", "happenings"}:
        used.add("articles")  # the other SELECTs read the articles' derived columns
    if not used:
        return sql
    # Materialised: computed once per statement (inlined copies of these windowed SELECTs trip a DuckDB binder error).
    definitions = {**{name: select.format(t=name) for name, select in DERIVED.items()}, **EXTRA}
    ctes = ", ".join(f"{name} AS MATERIALIZED ({select})" for name, select in definitions.items() if name in used)
    body = sql.lstrip()
    if body[:4].upper() == "WITH":
        return f"WITH {ctes}, {body[4:]}"
    return f"WITH {ctes} {body}"


def has_derived(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con`'s tables carry the derived columns (a dashboard database) or are plain contract tables."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'articles' AND column_name = 'article_key'"
    ).fetchall()
    return bool(row and row[0][0])
