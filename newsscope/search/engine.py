"""The embedded full-text index: tantivy (Lucene-style query parser, BM25, phrases, snippets), one per build version.

    <version folder>/_cache/search-<digest of what it was made from>/
        articles/      one document per article: title, body, outlet, published, speaker (names), quote (text)
        quotes/        one document per quote: quote, speaker
        digests.parquet  article_id, article_key, digest (what each article's documents were made from)

Documents are found by a number, `article_key` (`quote_key` for quotes): the first 8 bytes of the MD5 of the id,
which DuckDB computes as `md5_number_upper(article_id)` (the dashboard database holds it as a column), so a
match set joins the tables without reading one stored document. Nothing else is stored: snippets are cut from
the body the dashboard database already holds.

`create(folder, previous)` writes it before the version is published; given the previous version, it copies that
index and only deletes and adds the documents of articles whose digest changed (added, changed, removed), so a
rebuild that adds one article re-indexes one article. `open(folder)` opens it read-only (making it first when
missing, under a lock, like the dashboard database; a folder that cannot be written gets it in the temporary folder).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import tantivy

from newsscope import storage
from newsscope.search import syntax
from newsscope.search.syntax import QueryError

FORMAT = 3  # 2: 64-bit digests; 3: digests of ids, not texts (an older index is not reused: the next build makes a full one)
STEM = "search"
TEMP_DIR = Path(tempfile.gettempdir()) / "newsscope-search"
HEAP = 200_000_000  # the writer's indexing memory, split between its threads
BATCH = 2_000  # articles per Arrow batch read while indexing (the corpus is never held in memory)
CACHE_SIZE = 64  # match sets kept per process (by index and query)

ARTICLE_FIELDS = ("title", "body", "outlet", "speaker", "quote", "published")
ARTICLE_DEFAULT = ("title", "body")
QUOTE_FIELDS = ("quote", "speaker")
QUOTE_DEFAULT = ("quote",)
SOURCES = ("articles", "quotes", "actors")  # the tables the documents are made from


def key_of(value: str) -> int:
    """A document's number: the first 8 bytes of the MD5 of the id, as DuckDB's `md5_number_upper` reads them."""
    return int.from_bytes(hashlib.md5(value.encode("utf-8")).digest()[:8], "little")


def _article_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("article_key", indexed=True, fast=True)
    for name in ("title", "body", "outlet", "speaker", "quote"):
        sb.add_text_field(name)
    sb.add_date_field("published", indexed=True, fast=True)
    return sb.build()


def _quote_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("quote_key", indexed=True, fast=True)
    sb.add_unsigned_field("article_key", indexed=True)
    for name in QUOTE_FIELDS:
        sb.add_text_field(name)
    return sb.build()


SCHEMAS = {"articles": _article_schema, "quotes": _quote_schema}
_PARSERS: dict[str, tantivy.Index] = {}  # an empty in-memory index per kind: parses queries without a build


def check(text: str, kind: str = "articles") -> None:
    """Raise `QueryError` (a message for the user) when `text` is not a valid query; the schema alone decides."""
    if kind not in _PARSERS:
        _PARSERS[kind] = tantivy.Index(SCHEMAS[kind]())
    _parse(_PARSERS[kind], text, kind)


def _parse(index: tantivy.Index, text: str, kind: str) -> tantivy.Query:
    fields, default = (ARTICLE_FIELDS, ARTICLE_DEFAULT) if kind == "articles" else (QUOTE_FIELDS, QUOTE_DEFAULT)
    rewritten = syntax.rewrite(text, default, fields)
    if not rewritten.strip():
        raise QueryError("The search is empty.")
    try:
        return index.parse_query(rewritten, list(default), conjunction_by_default=True, allow_regexes=True)
    except ValueError as error:
        raise syntax.explain(error, text, fields) from None


# ── the documents ────────────────────────────────────────────────────────────────────────────────────────────────

# Each article's documents from the contract tables (`{articles}` etc.: a table name or a read_parquet call).
# A quote with each name of its speaker (`s.name`: as written, and the canonical actor's name): the article
# documents index these names, and their digests must cover the very same ones.
_QUOTES_NAMED = """
        FROM {quotes} q
        LEFT JOIN {actors} ac ON ac.actor_id = q.speaker_actor_id
        CROSS JOIN LATERAL (SELECT unnest([q.speaker, ac.name]) AS name) s"""
_ARTICLE_DOCS = """
    WITH q AS (
        SELECT q.article_id, list(q.quote ORDER BY q.start, q.quote_id) AS quotes,
               list(DISTINCT s.name) FILTER (WHERE s.name IS NOT NULL) AS speakers""" + _QUOTES_NAMED + """
        WHERE TRUE {only}
        GROUP BY q.article_id
    )
    SELECT a.article_id, md5_number_upper(a.article_id) AS article_key, a.title, a.body, a.outlet, a.published,
           q.quotes, q.speakers
    FROM {articles} a LEFT JOIN q USING (article_id)
    WHERE a.article_id IS NOT NULL {only}
"""
# What each article's documents are made from, as one 64-bit fingerprint: the indexed article fields, and its quotes
# and speaker names folded in (xor of their hashes: the order of the rows does not matter). Comparing it with the
# previous version's finds the articles to re-index without gathering any text (a fingerprint that changes with a
# DuckDB upgrade only re-indexes everything once). The texts are not read: a build names an article by the SHA-1 of
# its body and a quote by its article and offsets (`newsscope.build`), so the ids already stand for them (hashing the
# bodies and quotes again took 29 of the 34 s an update took at 1,000,000 articles).
_DIGESTS = """
    WITH q AS (
        SELECT q.article_id, bit_xor(hash(q.quote_id)) AS quotes,
               bit_xor(DISTINCT hash(s.name)) FILTER (WHERE s.name IS NOT NULL) AS speakers""" + _QUOTES_NAMED + """
        GROUP BY q.article_id
    )
    SELECT a.article_id, md5_number_upper(a.article_id) AS article_key,
           hash(a.article_id, a.title, a.outlet, a.published, q.quotes, q.speakers) AS digest
    FROM {articles} a LEFT JOIN q USING (article_id)
    WHERE a.article_id IS NOT NULL
"""
_QUOTE_DOCS = """
    SELECT md5_number_upper(q.quote_id) AS quote_key, md5_number_upper(q.article_id) AS article_key, q.quote,
           concat_ws(' ', q.speaker, ac.name) AS speaker
    FROM {quotes} q LEFT JOIN {actors} ac ON ac.actor_id = q.speaker_actor_id
    WHERE q.quote_id IS NOT NULL {only}
"""


def _sources(folder: Path | None) -> dict[str, str]:
    if folder is None:
        return {name: name for name in SOURCES}
    return {name: f"read_parquet('{str(Path(folder) / (name + '.parquet')).replace(chr(39), chr(39) * 2)}')" for name in SOURCES}


def _batches(con: duckdb.DuckDBPyConnection, sql: str, streamed: bool = True) -> Iterator[list[dict]]:
    """The rows of `sql` in batches; `streamed`: read batch by batch (else fetched whole: a connection in use elsewhere)."""
    if not streamed:
        yield from (batch.to_pylist() for batch in con.sql(sql).to_arrow_table().to_batches(BATCH))
        return
    for batch in con.sql(sql).to_arrow_reader(BATCH):
        yield batch.to_pylist()


def _published(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc) if day is not None else None


def _add_articles(writer: tantivy.IndexWriter, schema: tantivy.Schema, rows: list[dict]) -> None:
    for r in rows:
        doc = {"article_key": r["article_key"], "title": r["title"] or "", "body": r["body"] or "", "outlet": r["outlet"] or "",
               "speaker": r["speakers"] or [], "quote": r["quotes"] or []}
        if r["published"] is not None:
            doc["published"] = _published(r["published"])
        writer.add_document(tantivy.Document.from_dict(doc, schema))


def _add_quotes(writer: tantivy.IndexWriter, schema: tantivy.Schema, rows: list[dict]) -> None:
    for r in rows:
        writer.add_document(tantivy.Document.from_dict(
            {"quote_key": r["quote_key"], "article_key": r["article_key"], "quote": r["quote"] or "", "speaker": r["speaker"] or ""}, schema))


# ── writing ──────────────────────────────────────────────────────────────────────────────────────────────────────


def source(folder: Path) -> dict:
    """What an index is made from (its digest names the folder): the format, `built_at`, the source files' stats."""
    files = {}
    for name in SOURCES:
        parquet = Path(folder) / f"{name}.parquet"
        if parquet.exists():
            stat = parquet.stat()
            files[name] = [stat.st_size, stat.st_mtime_ns]
    try:
        built_at = str(storage.read_manifest(Path(folder)).get("built_at", ""))
    except (OSError, ValueError):
        built_at = ""
    return {"format": FORMAT, "built_at": built_at, "files": files}


def path(folder: Path) -> Path:
    digest = hashlib.sha256(json.dumps(source(folder), sort_keys=True).encode()).hexdigest()[:16]
    return Path(folder) / storage.CACHE / f"{STEM}-{digest}"


def fallback_path(folder: Path) -> Path:
    digest = hashlib.sha256(json.dumps([str(Path(folder).resolve()), source(folder)], sort_keys=True).encode()).hexdigest()[:16]
    return TEMP_DIR / f"{STEM}-{digest}"


@dataclass(frozen=True)
class BuildStats:
    seconds: float
    added: int  # articles (re)indexed
    removed: int  # articles whose documents were deleted (changed or gone)
    incremental: bool


def _writer(index: tantivy.Index) -> tantivy.IndexWriter:
    return index.writer(HEAP, 2)


def _complete(folder: Path) -> bool:
    return (folder / "digests.parquet").exists() and (folder / "articles" / "meta.json").exists() and (folder / "quotes" / "meta.json").exists()


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(src, dst)


def create(folder: Path, previous: Path | None = None, target: Path | None = None) -> BuildStats:
    """Write the search index of the version `folder` (default target `path(folder)`), reusing `previous`'s index.

    Written into a temporary folder beside the target and renamed into place; older indexes there are removed.
    """
    import time

    started = time.perf_counter()
    folder = Path(folder)
    target = Path(target) if target is not None else path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    old = _find(previous) if previous is not None else None
    con = duckdb.connect(":memory:", config={"threads": 2})
    try:
        src = _sources(folder)
        con.execute(f"CREATE TEMP TABLE digests AS {_DIGESTS.format(**src)}")
        if old is not None:
            # tantivy never rewrites a segment file (meta.json is replaced by a rename), so link rather than copy them
            shutil.copytree(old, partial, copy_function=_link_or_copy, ignore=shutil.ignore_patterns(".tantivy-*", "digests.parquet", "state.json"))
            con.execute(f"CREATE TEMP TABLE old AS SELECT * FROM read_parquet('{_sql(old / 'digests.parquet')}')")
            gone = [r[0] for r in con.execute(
                "SELECT o.article_key FROM old o LEFT JOIN digests d USING (article_id) WHERE d.digest IS DISTINCT FROM o.digest").fetchall()]
            con.execute("CREATE TEMP TABLE todo AS SELECT d.article_id FROM digests d LEFT JOIN old o USING (article_id) WHERE o.digest IS DISTINCT FROM d.digest")
            only = "AND article_id IN (SELECT article_id FROM todo)"  # the quotes too: only those articles' are gathered
        else:
            partial.mkdir()
            (partial / "articles").mkdir()
            (partial / "quotes").mkdir()
            gone = []
            only = ""
        added = 0
        for kind, docs, add in (("articles", _ARTICLE_DOCS, _add_articles), ("quotes", _QUOTE_DOCS, _add_quotes)):
            schema = SCHEMAS[kind]()
            index = tantivy.Index(schema, path=str(partial / kind), reuse=old is not None)
            writer = _writer(index)
            for at in range(0, len(gone), 10_000):  # by query: delete_documents_by_term misses u64 terms (tantivy-py 0.27)
                writer.delete_documents_by_query(tantivy.Query.term_set_query(schema, "article_key", gone[at : at + 10_000]))
            sql = docs.format(only=only, **src)
            for rows in _batches(con, sql):
                add(writer, schema, rows)
                if kind == "articles":
                    added += len(rows)
            writer.commit()
            writer.wait_merging_threads()
        con.execute(f"COPY digests TO '{_sql(partial / 'digests.parquet')}' (FORMAT parquet)")
        stats = {"seconds": round(time.perf_counter() - started, 3), "added": added, "removed": len(gone), "incremental": old is not None}
        (partial / "state.json").write_text(json.dumps({**source(folder), "made": stats}))
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
    finally:
        con.close()
        shutil.rmtree(partial, ignore_errors=True)
    if target.parent != TEMP_DIR:
        for stale in target.parent.glob(f"{STEM}-*"):
            if stale != target and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
    return BuildStats(time.perf_counter() - started, added, len(gone), old is not None)


def _sql(value: object) -> str:
    return str(value).replace("'", "''")


def _find(folder: Path | None) -> Path | None:
    """The complete index of `folder` (its own or the temporary fallback), if any."""
    if folder is None:
        return None
    for candidate in (path(folder), fallback_path(folder)):
        if _complete(candidate):
            return candidate
    return None




# ── reading ──────────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Matches:
    """The documents a query matches: their keys (sorted) and BM25 scores, aligned (None: not scored)."""

    keys: np.ndarray  # uint64
    scores: np.ndarray | None  # float32

    def __len__(self) -> int:
        return len(self.keys)

    def arrow(self, name: str = "key"):
        import pyarrow as pa

        columns = {name: pa.array(self.keys, pa.uint64())}
        if self.scores is not None:
            columns["score"] = pa.array(self.scores, pa.float32())
        return pa.table(columns)


@dataclass(frozen=True)
class Snippet:
    """A passage of a text and the character ranges in it that match the query (`end` exclusive)."""

    text: str
    ranges: tuple[tuple[int, int], ...]


class SearchIndex:
    """A build version's search index, read-only: `match(query, kind)`, `ranked(query, limit)`, `snippet(...)`.

    The one interface the dashboard searches through (docs/scaling.md: another engine would implement these).
    """

    def __init__(self, indexes: dict[str, tantivy.Index], where: str):
        self._indexes = indexes
        self.where = where  # the folder (or "memory:<id>"), for the match cache's key
        self._cache: OrderedDict[tuple[str, str], Matches] = OrderedDict()
        self._guard = threading.Lock()

    @classmethod
    def open(cls, index_dir: Path) -> SearchIndex:  # noqa: A003
        indexes = {}
        for kind in SCHEMAS:
            index = tantivy.Index.open(str(Path(index_dir) / kind))
            index.config_reader("Manual")
            indexes[kind] = index
        return cls(indexes, str(index_dir))

    @classmethod
    def in_memory(cls, con: duckdb.DuckDBPyConnection) -> SearchIndex:
        """An index of the tables of `con` held in memory (for connections without a build folder, as tests use)."""
        indexes = {}
        for kind, docs, add in (("articles", _ARTICLE_DOCS, _add_articles), ("quotes", _QUOTE_DOCS, _add_quotes)):
            schema = SCHEMAS[kind]()
            index = tantivy.Index(schema)
            writer = index.writer(50_000_000, 1)
            for rows in _batches(con, docs.format(only="", **_sources(None)), streamed=False):
                add(writer, schema, rows)
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
            indexes[kind] = index
        return cls(indexes, f"memory:{id(con)}")

    def num_docs(self, kind: str = "articles") -> int:
        return self._indexes[kind].searcher().num_docs

    def parse(self, text: str, kind: str = "articles") -> tantivy.Query:
        return _parse(self._indexes[kind], text, kind)

    def match(self, text: str, kind: str = "articles", scored: bool = True) -> Matches:
        """Every document matching `text` (raises `QueryError`), computed once per (index, kind, query).

        `scored=False`: the keys only (`scores` None), which is what a filter needs: the hits are then collected
        in the order of their key field, which hands over the keys themselves, about twice as fast for large sets.
        """
        with self._guard:
            for cached in ((kind, text, True), (kind, text, False))[: 1 if scored else 2]:
                hit = self._cache.get(cached)
                if hit is not None:
                    self._cache.move_to_end(cached)
                    return hit
        query = self.parse(text, kind)
        searcher = self._indexes[kind].searcher()
        n = searcher.num_docs
        key = "article_key" if kind == "articles" else "quote_key"
        if n == 0:
            found = Matches(np.empty(0, np.uint64), np.empty(0, np.float32) if scored else None)
        elif scored:
            hits = searcher.search(query, limit=n, count=False).hits
            keys = np.fromiter(searcher.fast_field_values(key, [a for _, a in hits]), dtype=np.uint64, count=len(hits))
            scores = np.fromiter((s for s, _ in hits), dtype=np.float32, count=len(hits))
            order = np.argsort(keys, kind="stable")
            found = Matches(keys[order], scores[order])
        else:
            hits = searcher.search(query, limit=n, count=False, order_by_field=key).hits
            found = Matches(np.sort(np.fromiter((k for k, _ in hits), dtype=np.uint64, count=len(hits))), None)
        with self._guard:
            self._cache[(kind, text, scored)] = found
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def snippet(self, text: str, fields: dict[str, str], max_chars: int = 240) -> Snippet | None:
        """The best passage of the first of `fields` (name -> text, e.g. body) that matches `text`, or None."""
        query = self.parse(text, "articles")
        index = self._indexes["articles"]
        searcher, schema = index.searcher(), index.schema
        for name, value in fields.items():
            if not value:
                continue
            generator = tantivy.SnippetGenerator.create(searcher, query, schema, name)
            generator.set_max_num_chars(max_chars)
            found = generator.snippet_from_doc(tantivy.Document(**{name: value}))
            fragment = found.fragment()
            raw = fragment.encode("utf-8")  # tantivy's ranges are byte offsets: turned into character offsets
            ranges = tuple((len(raw[: r.start].decode("utf-8", "ignore")), len(raw[: r.end].decode("utf-8", "ignore"))) for r in found.highlighted())
            if ranges:
                return Snippet(fragment, ranges)
        return None


_OPEN: dict[str, SearchIndex] = {}
_OPEN_GUARD = threading.Lock()


def open(folder: Path, write: bool = True) -> SearchIndex:  # noqa: A001 - reads as search.open(folder)
    """The search index of the version `folder`, read-only; made first when missing (in the temporary folder when
    `write` is False or the version folder cannot be written). One object per index per process."""
    folder = Path(folder)
    found = _find(folder)
    if found is None:
        for target in ([path(folder)] if write else []) + [fallback_path(folder)]:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with storage.waiting_lock(target.with_name(f".{STEM}.lock")):  # waits while another session or process makes it
                    if not _complete(target):
                        create(folder, None, target)
                found = target
                break
            except OSError:
                continue
        if found is None:
            raise OSError(f"no place to write the search index of {folder}")
    key = str(found)
    with _OPEN_GUARD:
        if key not in _OPEN:
            _OPEN[key] = SearchIndex.open(found)
        return _OPEN[key]
