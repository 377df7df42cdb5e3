"""`newsscope build`: raw articles in, analysis tables out.

    ingest ─► clean + metadata ─► exact/near duplicates ─► nlp.pipe (cached per article) ─► corpus stages ─► tables

The spaCy pass is the only expensive stage. Its per-article results (plain rows, never Docs) are cached in the
build folder, keyed by the article body, the pipeline version and the model, so a rebuild of unchanged input
loads no model at all and adding one file processes only that file.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import hashlib
import importlib.metadata
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
import pyarrow as pa

from newsscope import PIPELINE_VERSION, actors, clean, dedupe, events, happenings, ingest, nlp, quotes, search, sources, storage, tables, timexes, warehouse

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

Progress = Callable[[str, int, int], None]
MIN_WORDS = 5
ANALYSED_LANGUAGES = ("en",)  # the spaCy pass (quotes, actors, dates in text) runs on these; others are kept unanalysed
SKIPPED_ANALYSIS = "quotes, actors and dates in the text"
MAX_CHARS = 1_000_000  # spaCy's default nlp.max_length: longer texts need ~1 GB of parser memory per 100k words
CHUNK = 1000  # texts per memory zone: spaCy frees the zone's strings and vocab entries after each chunk
# spaCy's working memory for a batch grows with the batch's tokens (about 3 KB per character of text with
# en_core_web_sm): 64 long articles (440,000 characters) took 1.3 GB, so a batch also stops at this many characters.
BATCH_CHARS = 100_000
ROWS_PER_PART = 64  # articles whose rows are moved from Python dicts into an Arrow table at a time


@dataclass(frozen=True)
class BuildOptions:
    model: str | None = None  # spaCy pipeline name; None: $NEWSSCOPE_MODEL or the installed default
    n_process: int = 1
    batch_size: int = 64
    aliases: Path | None = actors.DEFAULT_ALIASES
    engine: Literal["local", "dask"] = "local"
    scheduler: str | None = None  # dask scheduler address; None starts a LocalCluster with n_process workers
    chunk_size: int = 100  # articles per dask task
    sources: sources.SourceOptions = dataclasses.field(default_factory=sources.SourceOptions)  # fetching, --url-column


@dataclass(frozen=True)
class BuildReport:
    out: Path
    manifest: dict
    ingest_log: pd.DataFrame
    processed: int  # articles that went through spaCy in this build
    reused: int  # articles whose spaCy results came from the cache (articles not in ANALYSED_LANGUAGES are neither)
    seconds: float


def build(
    inputs: Iterable[Path | str],
    out: Path,
    options: BuildOptions = BuildOptions(),
    progress: Progress | None = None,
) -> BuildReport:
    """Build the tables for `inputs` into `out`, replacing the previous build atomically.

    Inputs are files or folders of articles, lists of links, feeds, sitemaps, web archives, or URLs
    (see `newsscope.sources`). What is fetched is kept as WARC beside `out` (`storage.archive_folder`), reused
    by the next build, and linked into the build as `DIR/archive/`.

    Raises:
        storage.BuildLocked: another build is writing `out`.
        RuntimeError: the spaCy model cannot be loaded (only when some article needs processing).
    """
    started = time.perf_counter()
    out = Path(out)
    progress = progress or (lambda stage, done, total: None)
    with storage.lock(out):
        previous = storage.current(out)
        known = _previous_articles(previous)
        archive = storage.archive_folder(out)
        log, drafts = _read(list(inputs), progress, dict(zip(known["article_id"], known["language"])), options.sources, archive)
        minhashes = storage.read_cache(previous, "doc_minhash")
        articles, minhashes = _articles(drafts, minhashes)
        model = nlp.model_name(options.model)
        articles["doc_key"] = [_doc_key(a, model) for a in articles["article_id"]]
        rows, processed = _analyse(articles, previous, model, options, progress)
        reused = int(articles["language"].isin(ANALYSED_LANGUAGES).sum()) - processed
        folder = storage.new_version(out)
        try:
            frames = _corpus_tables(articles, rows, options, storage.read_cache(previous, "timex_resolutions"))
            frames["ingest_log"] = pd.DataFrame([dataclasses.asdict(r) for r in log], columns=tables.SCHEMAS["ingest_log"].names)
            for name in tables.TABLES:
                storage.write_table(folder, name, frames[name])
            for name, frame in rows.items():
                storage.write_cache(folder, name, frame)
            storage.write_cache(folder, "doc_minhash", minhashes)
            storage.write_cache(folder, "timex_resolutions", frames.pop("timex_resolutions"))
            manifest = _manifest(frames, model, processed, reused, options, started)
            storage.write_manifest(folder, manifest)
            warehouse.create(folder)  # the dashboard's database, made once per version before it is published
            storage.keep_archive(folder, archive)
            search.create(folder, previous)  # the full-text index: the previous version's, updated for what changed
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        storage.publish(out, folder)
    return BuildReport(out, manifest, frames["ingest_log"], processed, reused, time.perf_counter() - started)


# ── reading and cleaning ─────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Draft:
    source_path: str
    source_id: str
    article_id: str
    outlet: str | None
    title: str | None
    url: str | None
    published: date | None
    published_source: str | None
    body: str
    language: str
    fetched: str | None = None


def _previous_articles(previous: Path | None) -> pd.DataFrame:
    if previous is None:
        return pd.DataFrame({"article_id": [], "language": []})
    return storage.read_table(previous, "articles", columns=["article_id", "language"])


def read_corpus(inputs: list[Path | str], options: sources.SourceOptions = sources.SourceOptions(), archive: Path | None = None) -> tuple[list[ingest.LogRow], list[_Draft]]:
    """The build's reading stage alone: every input unit read and cleaned, as `build` does, without spaCy.

    Returns the ingest log and the articles (`_Draft`s: body, title, outlet, dates, language) a build would keep.
    """
    return _read(inputs, lambda stage, done, total: None, {}, options, archive)


def _read(inputs: list[Path | str], progress: Progress, languages: dict[str, str], options: sources.SourceOptions,
          archive: Path | None) -> tuple[list[ingest.LogRow], list[_Draft]]:
    """Read and clean every input unit; `languages` holds the language of bodies seen in the previous build."""
    log: list[ingest.LogRow] = []
    drafts: list[_Draft] = []
    seen: dict[str, str] = {}  # article_id -> source_id of the copy kept
    for n, unit in enumerate(sources.read(inputs, options, archive, progress), start=1):
        progress("read", n, 0)
        if isinstance(unit, ingest.LogRow):
            log.append(unit)
            continue
        draft, note = _draft(unit, languages)
        if isinstance(draft, ingest.LogRow):
            log.append(draft)
        elif draft.article_id in seen:
            log.append(ingest.LogRow(unit.source_path, unit.source_id, "duplicate", f"same text as {seen[draft.article_id]}", draft.article_id))
        else:
            seen[draft.article_id] = unit.source_id
            drafts.append(draft)
            log.append(ingest.LogRow(unit.source_path, unit.source_id, "ok", note or "", draft.article_id))
    return log, drafts


def _draft(unit: ingest.RawDocument, languages: dict[str, str]) -> tuple[_Draft | ingest.LogRow, str | None]:
    if unit.kind == "html":
        cleaned = clean.clean_html(unit.content, unit.meta.get("url"))
    elif unit.kind == "record":
        cleaned = clean.clean_record(unit.content, unit.meta.get("title"))
    else:
        cleaned = clean.clean_text(unit.content)
    body = cleaned.body
    n_words = len(body.split())
    if n_words == 0:
        return ingest.LogRow(unit.source_path, unit.source_id, "empty", "no article text left after removing page chrome"), None
    if n_words < MIN_WORDS:
        return ingest.LogRow(unit.source_path, unit.source_id, "empty", f"only {n_words} word(s); too short to be an article"), None
    if len(body) > MAX_CHARS:
        return ingest.LogRow(unit.source_path, unit.source_id, "too_large", f"article text is {len(body):,} characters; the limit is {MAX_CHARS:,}"), None
    article_id = hashlib.sha1(body.encode("utf-8")).hexdigest()[:16]
    language = languages.get(article_id) or detect_language(body)
    # Precedence: record or sidecar metadata > HTML metadata > header/dateline in the text (> a duplicate's date, later).
    given = unit.provenance or ("record" if unit.kind == "record" else "sidecar")
    notes = [unit.meta["note"]] if unit.meta.get("note") else []
    if language != "en":
        # Kept (listed, searchable, counted); only the English analysis is skipped.
        notes.append(f"language detected as {language!r}: {SKIPPED_ANALYSIS} skipped (the pipeline is English)")
    published, published_source = cleaned.published, cleaned.published_source
    if unit.meta.get("published"):
        parsed = clean.parse_date(unit.meta["published"])
        if parsed:
            published, published_source = parsed, given
        else:
            notes.append(f"published date {unit.meta['published']!r} not understood; left empty")
    draft = _Draft(
        source_path=unit.source_path,
        source_id=unit.source_id,
        article_id=article_id,
        outlet=unit.meta.get("outlet") or cleaned.outlet,
        title=unit.meta.get("title") or cleaned.title,
        url=unit.meta.get("url") or cleaned.url,
        published=published,
        published_source=published_source if published else None,
        body=body,
        language=language,
        fetched=unit.meta.get("fetched"),
    )
    return draft, "; ".join(notes) or None


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid, whose model ships in the package, on the first 1,000 characters)."""
    import py3langid

    lang, _ = py3langid.classify(text[:1000])
    return lang


def _articles(drafts: list[_Draft], minhashes: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The articles frame with story ids and duplicate-inferred dates, and the MinHash cache of its bodies."""
    frame = pd.DataFrame([dataclasses.asdict(d) for d in drafts], columns=[f.name for f in dataclasses.fields(_Draft)])
    frame["n_words"] = frame["body"].str.split().str.len().astype("int64")
    cached = {} if minhashes is None else dict(zip(minhashes["article_id"], minhashes["signature"]))
    signatures = {a: cached.get(a) for a in frame["article_id"]}
    pairs = dedupe.near_duplicates(dict(zip(frame["article_id"], frame["body"])), signatures)
    minhashes = pd.DataFrame({"article_id": list(signatures), "signature": list(signatures.values())})
    frame["story_id"] = frame["article_id"].map(dedupe.stories(frame["article_id"], pairs))
    # An undated article takes the date of its most similar dated near-duplicate.
    dated = dict(zip(frame["article_id"], frame["published"]))
    for a, b, _ in sorted(pairs, key=lambda p: -p[2]):
        for undated, other in ((a, b), (b, a)):
            if dated.get(undated) is None and dated.get(other) is not None:
                row = frame["article_id"] == undated
                frame.loc[row, "published"] = dated[other]
                frame.loc[row, "published_source"] = f"duplicate:{other}"
    for name in ("published_source", "outlet", "title", "url", "fetched"):
        frame[name] = frame[name].astype("object").where(frame[name].notna(), None)
    return frame, minhashes


# ── the spaCy pass ───────────────────────────────────────────────────────────────────────────────────────────────

CACHE_TABLES = ("doc_mentions", "doc_quotes", "doc_timexes", "doc_sentences", "doc_predicates")


@functools.lru_cache(maxsize=8)
def _model_version(model: str) -> str:
    try:
        return importlib.metadata.version(model)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _doc_key(article_id: str, model: str) -> str:
    return hashlib.sha1(f"{PIPELINE_VERSION}|{model}|{_model_version(model)}|{article_id}".encode()).hexdigest()[:20]


def _analyse(articles: pd.DataFrame, previous: Path | None, model: str, options: BuildOptions, progress: Progress) -> tuple[dict[str, pd.DataFrame], int]:
    """Per-article rows for every article: from the previous build's cache where the key matches, else from spaCy."""
    keys = set(articles["doc_key"])
    cached = {name: storage.read_cache(previous, name) for name in CACHE_TABLES}
    done: set[str] = set()
    if all(frame is not None for frame in cached.values()):
        done = set(cached["doc_sentences"]["doc_key"]) & keys
    todo = articles[~articles["doc_key"].isin(done) & articles["language"].isin(ANALYSED_LANGUAGES)]
    items = list(zip(todo["doc_key"], todo["body"]))
    if not items:
        fresh = {}
    elif options.engine == "dask":
        fresh = _analyse_on_dask(items, model, options, progress)
    else:
        fresh = analyse_texts(items, model, options.n_process, options.batch_size, progress)
    rows = {}
    for name in CACHE_TABLES:
        parts = [f[f["doc_key"].isin(done)] for f in (cached[name],) if f is not None and done]
        parts += [fresh[name]] if name in fresh else []
        rows[name] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["doc_key"])
    return rows, len(todo)


def analyse_texts(items: list[tuple[str, str]], model: str, n_process: int, batch_size: int, progress: Progress | None = None) -> dict[str, pd.DataFrame]:
    """Run spaCy once over (key, text) pairs and return the per-article rows of each cache table.

    This is the unit of work of both engines: the local one calls it once, a distributed one once per chunk.
    """
    pipeline = nlp.load_pipeline(model)
    rows: dict[str, list[dict]] = {name: [] for name in CACHE_TABLES}
    parts: dict[str, list[pa.Table]] = {name: [] for name in CACHE_TABLES}
    done = 0
    for begin in range(0, len(items), CHUNK):
        chunk = items[begin : begin + CHUNK]
        with pipeline.memory_zone():
            for doc, key in _parse(pipeline, chunk, n_process, batch_size):
                for name, found in doc_rows(doc).items():
                    rows[name].extend({"doc_key": key, **r} for r in found)
                nlp.release(doc)
                done += 1
                if done % ROWS_PER_PART == 0:
                    _set_aside(rows, parts)
                if progress:
                    progress("analyse", done, len(items))
    _set_aside(rows, parts)
    _free_unused_memory()
    return {name: _frame(found) for name, found in parts.items()}


def _set_aside(rows: dict[str, list[dict]], parts: dict[str, list[pa.Table]]) -> None:
    """Move the rows gathered so far into Arrow tables: as dicts, the 840-article corpus's rows took 49 MB; as Arrow, 8 MB."""
    for name, found in rows.items():
        if found:
            parts[name].append(pa.Table.from_pylist(found))
            found.clear()


def _frame(parts: list[pa.Table]) -> pd.DataFrame:
    """The parts as one frame, with the dtypes `pd.DataFrame(rows)` would give (a column that is None in one part
    and int in another becomes float with NaN, as it would in pandas)."""
    if not parts:
        return pd.DataFrame(columns=["doc_key"])
    return pa.concat_tables(parts, promote_options="default").to_pandas()


def _free_unused_memory() -> None:
    """Give the C heap's free pages back to the system (glibc only; elsewhere a no-op).

    Note: after the spaCy pass of the 840-article corpus glibc held 340 MB that the batches had freed (RSS 748 MB,
    409 MB after this). The corpus stages that follow allocate much of theirs through Arrow's own allocator
    (pandas' string columns), which cannot reuse it: without this, they added their memory on top of it.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _parse(pipeline: Language, items: list[tuple[str, str]], n_process: int, batch_size: int) -> Iterator[tuple[Doc, str]]:
    """(Doc, key) for each (key, text), in order; in one process, batches stop at `BATCH_CHARS` characters.

    Note: spaCy batches by number of texts only, and worker processes start anew on every `pipe` call, so with
    several processes the batches are not bounded by characters (each worker's peak grows with `batch_size`).
    """
    if n_process > 1:
        yield from pipeline.pipe(((text, key) for key, text in items), as_tuples=True, n_process=n_process, batch_size=batch_size)
        return
    for batch in _batches(items, batch_size, BATCH_CHARS):
        yield from pipeline.pipe(((text, key) for key, text in batch), as_tuples=True, batch_size=len(batch))


def _batches(items: list[tuple[str, str]], size: int, max_chars: int) -> Iterator[list[tuple[str, str]]]:
    """Consecutive runs of at most `size` (key, text) pairs and `max_chars` characters; a longer text goes alone."""
    batch: list[tuple[str, str]] = []
    chars = 0
    for key, text in items:
        if batch and (len(batch) >= size or chars + len(text) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append((key, text))
        chars += len(text)
    if batch:
        yield batch


def _analyse_on_dask(items: list[tuple[str, str]], model: str, options: BuildOptions, progress: Progress) -> dict[str, pd.DataFrame]:
    """`analyse_texts` once per chunk of articles on a Dask cluster; each worker loads the model once.

    Results are merged in chunk order, so the tables are identical to the local engine's.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    chunks = [items[i : i + options.chunk_size] for i in range(0, len(items), options.chunk_size)]
    cluster = None
    if options.scheduler:
        client = Client(options.scheduler)
    else:
        cluster = LocalCluster(n_workers=options.n_process, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        # A partial, because Client.map has a `batch_size` keyword of its own.
        task = functools.partial(analyse_texts, model=model, n_process=1, batch_size=options.batch_size)
        futures = client.map(task, chunks, pure=False)
        order = {f.key: n for n, f in enumerate(futures)}
        parts: dict[int, dict[str, pd.DataFrame]] = {}
        done = 0
        for future, result in as_completed(futures, with_results=True):
            parts[order[future.key]] = result
            done += len(chunks[order[future.key]])
            progress("analyse", done, len(items))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {name: pd.concat([parts[n][name] for n in sorted(parts)], ignore_index=True) for name in CACHE_TABLES}


def doc_rows(doc) -> dict[str, list[dict]]:
    """A parsed Doc as plain rows (no spaCy objects survive this function)."""
    return {
        "doc_mentions": [dataclasses.asdict(m) for m in actors.mentions(doc)],
        "doc_quotes": [dataclasses.asdict(q) for q in quotes.extract(doc)],
        "doc_timexes": [dataclasses.asdict(t) for t in timexes.extract(doc)],
        "doc_sentences": [{"start": s.start_char, "end": s.end_char} for s in doc.sents],
        "doc_predicates": happenings.predicates(doc),
    }


# ── corpus-level stages ──────────────────────────────────────────────────────────────────────────────────────────


def _by_article(rows: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    keyed = articles[["doc_key", "article_id"]].astype({"doc_key": "object"})
    return rows.astype({"doc_key": "object"}).merge(keyed, on="doc_key", how="inner").drop(columns="doc_key")


RESOLUTION_FIELDS = ("value", "granularity", "anchored", "method", "date_start", "date_end")


def _resolve_all(found: pd.DataFrame, published: dict, cache: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve every timex against its article's date; resolutions of (text, anchor, tense) are kept between builds."""
    keys = pd.DataFrame(
        {
            "text": found["text"].astype(str),
            "anchor": [str(published.get(a)) if published.get(a) is not None and pd.notna(published.get(a)) else "" for a in found["article_id"]],
            "tense": [t if isinstance(t, str) else "" for t in found["tense"]],
        },
        dtype=str,  # also when there is no timex at all (an empty frame would default to float64)
    )
    known = cache if cache is not None and set(RESOLUTION_FIELDS) <= set(cache.columns) else pd.DataFrame(columns=["text", "anchor", "tense", *RESOLUTION_FIELDS])
    known = known.astype({"text": str, "anchor": str, "tense": str})
    unique = keys.drop_duplicates()
    new = unique.merge(known[["text", "anchor", "tense"]], how="left", indicator=True)
    new = new[new["_merge"] == "left_only"].drop(columns="_merge")
    fresh = []
    for text, anchor, tense in zip(new["text"], new["anchor"], new["tense"]):
        r = timexes.resolve(text, date.fromisoformat(anchor) if anchor else None, tense or None)
        fresh.append({"text": text, "anchor": anchor, "tense": tense, "value": r.value, "granularity": r.granularity,
                      "anchored": bool(r.anchored), "method": r.method, "date_start": r.start, "date_end": r.end})
    table = pd.concat([known, pd.DataFrame(fresh, columns=known.columns)], ignore_index=True) if fresh else known
    table = table.merge(unique, on=["text", "anchor", "tense"], how="inner")  # keep only what this corpus uses
    resolved = keys.merge(table, on=["text", "anchor", "tense"], how="left")
    for column in ("date_start", "date_end"):
        resolved[column] = [d.date() if isinstance(d, pd.Timestamp) else (d if isinstance(d, date) else None) for d in resolved[column]]
    out = found.reset_index(drop=True).assign(**{c: resolved[c].to_numpy() for c in RESOLUTION_FIELDS})
    out["anchored"] = out["anchored"].astype(bool)
    return out, table


def _corpus_tables(articles: pd.DataFrame, rows: dict[str, pd.DataFrame], options: BuildOptions, resolutions: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    published = dict(zip(articles["article_id"], articles["published"]))

    mentions = _by_article(rows["doc_mentions"], articles)
    mentions, actor_table = actors.canonicalise(
        mentions.reindex(columns=["article_id", "start", "end", "text", "label"]),
        articles[["article_id", "published"]],
        actors.load_aliases(options.aliases),
    )

    found = _by_article(rows["doc_timexes"], articles).reindex(columns=["article_id", "start", "end", "text", "tense"])
    timex, resolution_cache = _resolve_all(found, published, resolutions)

    quote_rows = _by_article(rows["doc_quotes"], articles).reindex(
        columns=["article_id", "start", "end", "quote", "kind", "cue", "stance", "speaker", "speaker_start", "speaker_end", "speaker_ref_start", "speaker_ref_end"]
    )
    bodies = dict(zip(articles["article_id"], articles["body"]))
    refs = pd.DataFrame(
        {
            "article_id": quote_rows["article_id"],
            "start": quote_rows["speaker_ref_start"],
            "end": quote_rows["speaker_ref_end"],
            "text": [
                bodies[a][int(s) : int(e)] if pd.notna(s) and pd.notna(e) else (sp if isinstance(sp, str) else None)
                for a, s, e, sp in zip(quote_rows["article_id"], quote_rows["speaker_ref_start"], quote_rows["speaker_ref_end"], quote_rows["speaker"])
            ],
        }
    )
    quote_rows["speaker_actor_id"] = actors.resolve_spans(refs, mentions, actor_table).to_numpy() if len(refs) else []
    quote_rows["quote_id"] = [_short_id(a, s, e) for a, s, e in zip(*(quote_rows[c].tolist() for c in ("article_id", "start", "end")))]

    sentences = _by_article(rows["doc_sentences"], articles).reindex(columns=["article_id", "start", "end"])
    predicates = _by_article(rows["doc_predicates"], articles) if "doc_predicates" in rows and len(rows["doc_predicates"]) else None
    names = dict(zip(actor_table["actor_id"], actor_table["name"]))
    event_table, happening_table = events.extract_all(
        articles[["article_id", "published", "outlet", "title", "body"]], sentences, timex, mentions, predicates, names
    )

    return {
        "articles": articles,
        "mentions": mentions,
        "actors": actor_table,
        "quotes": _nullable_ints(quote_rows, ["speaker_start", "speaker_end"]),
        "timexes": timex,
        "events": event_table,
        "happenings": happening_table,
        "timex_resolutions": resolution_cache,
    }


def _short_id(*parts: object) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:16]


def _nullable_ints(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for c in columns:
        frame[c] = frame[c].astype("Int64")
    return frame


def _manifest(frames: dict[str, pd.DataFrame], model: str, processed: int, reused: int, options: BuildOptions, started: float) -> dict:
    info = {"name": model, "version": _model_version(model)}
    articles = frames["articles"]
    return {
        "pipeline_version": PIPELINE_VERSION,
        "model": info,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "input_hash": hashlib.sha1("".join(sorted(articles["doc_key"])).encode()).hexdigest(),
        "rows": {name: int(len(frames[name])) for name in tables.TABLES},
        "articles_processed": processed,
        "articles_reused": reused,
        "articles_not_analysed": int((~articles["language"].isin(ANALYSED_LANGUAGES)).sum()),
        "options": {"n_process": options.n_process, "batch_size": options.batch_size, "aliases": str(options.aliases) if options.aliases else None},
        "seconds": round(time.perf_counter() - started, 3),
    }
