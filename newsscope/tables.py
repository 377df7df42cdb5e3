"""The table contract: every table the build writes, its columns and their types.

Disk is the contract between the build and the dashboard (and outside checks): each table is
``DIR/<name>.parquet`` with exactly these columns, plus ``DIR/manifest.json``. Offsets are character
offsets into ``articles.body``; ``end`` is exclusive, like Python slices.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
import pyarrow as pa

_str = pa.string()
_int = pa.int64()
_date = pa.date32()
_strs = pa.list_(pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            ("article_id", _str),
            ("source_id", _str),
            ("source_path", _str),
            ("outlet", _str),
            ("title", _str),
            ("url", _str),
            ("published", _date),
            ("published_source", _str),
            ("body", _str),
            ("n_words", _int),
            ("story_id", _str),
            ("language", _str),  # ISO 639-1; only ANALYSED_LANGUAGES (build.py) have quotes, mentions, timexes
            ("fetched", _str),  # when the page was fetched (ISO timestamp, UTC; from the WARC record); null for files
        ]
    ),
    "mentions": pa.schema(
        [
            ("article_id", _str),
            ("start", _int),
            ("end", _int),
            ("text", _str),
            ("label", _str),
            ("actor_id", _str),
        ]
    ),
    "actors": pa.schema(
        [
            ("actor_id", _str),
            ("name", _str),
            ("kind", _str),
            ("aliases", _strs),
            ("n_mentions", _int),
            ("n_articles", _int),
            ("first_seen", _date),
            ("last_seen", _date),
        ]
    ),
    "quotes": pa.schema(
        [
            ("quote_id", _str),
            ("article_id", _str),
            ("start", _int),
            ("end", _int),
            ("quote", _str),
            ("kind", _str),
            ("speaker", _str),
            ("speaker_start", _int),
            ("speaker_end", _int),
            ("speaker_actor_id", _str),
            ("cue", _str),
            ("stance", _str),
        ]
    ),
    "timexes": pa.schema(
        [
            ("article_id", _str),
            ("start", _int),
            ("end", _int),
            ("text", _str),
            ("value", _str),
            ("granularity", _str),
            ("anchored", pa.bool_()),
            ("method", _str),
        ]
    ),
    "events": pa.schema(
        [
            ("event_id", _str),
            ("article_id", _str),
            ("sentence", _str),
            ("start", _int),
            ("end", _int),
            ("date_value", _str),
            ("date_start", _date),
            ("date_end", _date),
            ("granularity", _str),
            ("actor_ids", _strs),
            ("event_key", _str),
            ("kind", _str),
        ]
    ),
    # One row per happening: a cluster of reports (events) that tell the same thing (newsscope.happenings).
    # date_*/granularity: the happening's own date (its finest member's); headline: subject - predicate - object of
    # the best report with canonical actor names; trigger: that predicate's lemma; actor_ids: the core actors,
    # most reported first; n_events/n_articles/n_outlets: its reports; salience: articles + outlets +
    # log2(1 + articles referring to its date, weighted by granularity), the Timeline's ranking. events.event_key = happening_id.
    "happenings": pa.schema(
        [
            ("happening_id", _str),
            ("date_value", _str),
            ("date_start", _date),
            ("date_end", _date),
            ("granularity", _str),
            ("headline", _str),
            ("trigger", _str),
            ("actor_ids", _strs),
            ("n_events", _int),
            ("n_articles", _int),
            ("n_outlets", _int),
            ("salience", pa.float64()),
        ]
    ),
    "ingest_log": pa.schema(
        [
            ("source_path", _str),
            ("source_id", _str),
            ("status", _str),
            ("reason", _str),
            ("article_id", _str),
        ]
    ),
}

TABLES = tuple(SCHEMAS)

# ingest_log.status: each is explained in docs/guarantees.md (tests/test_crash checks). Besides these, a URL whose
# server answered with an HTTP error gets `http_<code>` ("http_404", "http_503"), see `is_status`.
Status = Literal[
    "ok", "duplicate", "empty", "unreadable", "not_text", "too_large",
    # fetching (newsscope/sources)
    "bad_url", "not_fetched", "timeout", "connect_error", "robots_disallowed", "not_html", "redirect_loop", "private_address", "bad_charset",
]
STATUSES: tuple[Status, ...] = (
    "ok", "duplicate", "empty", "unreadable", "not_text", "too_large",
    "bad_url", "not_fetched", "timeout", "connect_error", "robots_disallowed", "not_html", "redirect_loop", "private_address", "bad_charset",
)
HTTP_STATUS = "http_<code>"


def is_status(status: str) -> bool:
    """Whether `status` is an ingest status: one of STATUSES, or http_ and a three-digit HTTP code."""
    return status in STATUSES or (status.startswith("http_") and status[5:].isdigit() and len(status) == 8)
ActorKind = Literal["person", "organization", "country", "place", "group"]
QuoteKind = Literal["direct", "indirect", "mixed"]
Stance = Literal["claim", "denial", "warning", "confirmation", "neutral"]
STANCES: tuple[Stance, ...] = ("claim", "denial", "warning", "confirmation", "neutral")


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the table's columns (and Arrow-backed dtypes where pandas has them)."""
    return SCHEMAS[name].empty_table().to_pandas()


def to_arrow(name: str, frame: pd.DataFrame) -> pa.Table:
    """Cast a frame to the table's schema: missing columns are an error, extra ones are dropped."""
    schema = SCHEMAS[name]
    missing = [f for f in schema.names if f not in frame.columns]
    if missing:
        raise ValueError(f"table {name!r} is missing columns {missing}; expected {schema.names}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
