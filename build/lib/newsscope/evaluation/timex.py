"""Score temporal-expression normalisation against gold TIMEX3 values, beside a dateparser baseline.

Two gold formats are read:

- ``tempeval_aquaint_dev.jsonl`` (TempEval-3, AQUAINT part): one document a line with ``published``
  (the anchor) and ``timex[{start, end, text, type, value}]``;
- ``seeds_gold.json``: the hand-annotated sample articles; each ``temporal`` item is located in the
  article text (``data/sample/raw/<name>`` of this repository) and the anchor is ``published``, or for an
  undated copy the ISO date named in its ``published_note`` (the date of its duplicate).

Scoring (:func:`score`, a pure function over plain rows): for each gold expression of the scored type,
the prediction overlapping it most is correct when its value equals the gold value. Value accuracy =
correct / gold expressions of that type. ``spurious`` counts valued predictions that overlap no gold
expression of any type. Values are compared after one formatting equivalence: ISO week numbers are
zero-padded (the TempEval gold writes ``2000-W7`` for ISO ``2000-W07``); nothing else is relaxed.

The baseline is ``dateparser.search.search_dates`` with ``RELATIVE_BASE`` = anchor and
``PREFER_DATES_FROM="past"``, every hit mapped to a day value, scored the same way.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample" / "raw"


@dataclass(frozen=True)
class GoldTimex:
    """One gold expression: character offsets into its document (end exclusive), TIMEX3 type and value."""

    doc_id: str
    start: int
    end: int
    text: str
    type: str
    value: str | None


@dataclass(frozen=True)
class PredictedTimex:
    """One predicted expression with its resolved value (None when unresolved)."""

    doc_id: str
    start: int
    end: int
    text: str
    value: str | None
    method: str = ""


@dataclass(frozen=True)
class Document:
    """A document to run on: its text and anchor (publication date, or None)."""

    doc_id: str
    text: str
    anchor: datetime.date | None


def canonical(value: str | None) -> str | None:
    """A value in the form compared: ISO week numbers zero-padded ("2000-W7" -> "2000-W07")."""
    if value is None:
        return None
    return re.sub(r"-W(\d)(?!\d)", r"-W0\1", value.strip())


def score(gold: Sequence[GoldTimex], predicted: Sequence[PredictedTimex], *, type: str = "DATE") -> dict:
    """Value accuracy of ``predicted`` over the gold expressions of one TIMEX3 type.

    Returns:
        ``{"gold", "correct", "accuracy", "predicted", "spurious", "missed", "errors"}`` where ``missed``
        counts gold with no overlapping prediction and ``errors`` lists every incorrect gold item with the
        prediction found (dicts, for printing).

    Note: one prediction may be credited to several gold expressions it overlaps (it is rare that a
    prediction spans two gold dates, and then at most one value can be right).
    """
    by_doc: dict[str, list[PredictedTimex]] = {}
    for p in predicted:
        by_doc.setdefault(p.doc_id, []).append(p)
    scored = [g for g in gold if g.type == type]
    correct, missed, errors = 0, 0, []
    for g in scored:
        overlapping = [p for p in by_doc.get(g.doc_id, []) if p.start < g.end and g.start < p.end]
        best = max(overlapping, key=lambda p: (min(p.end, g.end) - max(p.start, g.start), p.value is not None), default=None)
        if best is not None and best.value is not None and canonical(best.value) == canonical(g.value):
            correct += 1
            continue
        missed += best is None
        errors.append(
            {
                "doc_id": g.doc_id,
                "start": g.start,
                "text": g.text,
                "gold": g.value,
                "predicted_text": best.text if best else None,
                "predicted": best.value if best else None,
                "method": best.method if best else None,
            }
        )
    gold_by_doc: dict[str, list[GoldTimex]] = {}
    for g in gold:
        gold_by_doc.setdefault(g.doc_id, []).append(g)
    spurious = sum(
        1
        for p in predicted
        if p.value is not None and not any(p.start < g.end and g.start < p.end for g in gold_by_doc.get(p.doc_id, []))
    )
    return {
        "gold": len(scored),
        "correct": correct,
        "accuracy": correct / len(scored) if scored else 0.0,
        "predicted": sum(p.value is not None for p in predicted),
        "spurious": spurious,
        "missed": missed,
        "errors": errors,
    }


# --------------------------------------------------------------------------------------------------
# loading gold


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    match = re.search(r"\d{4}-\d{2}-\d{2}", value)
    return datetime.date.fromisoformat(match[0]) if match else None


def load_tempeval(path: Path, limit: int | None = None) -> tuple[list[Document], list[GoldTimex]]:
    """Documents and gold of a TempEval JSON-lines file (``published`` may carry a time: only the date counts)."""
    documents, gold = [], []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            documents.append(Document(row["id"], row["text"], _date(row.get("published"))))
            gold.extend(
                GoldTimex(row["id"], t["start"], t["end"], t["text"], t["type"], t.get("value")) for t in row["timex"]
            )
            if limit is not None and len(documents) >= limit:
                break
    return documents, gold


def _locate(text: str, needle: str, taken: Sequence[tuple[int, int]]) -> int | None:
    """The first whole-word occurrence of ``needle`` overlapping none of the ``taken`` spans."""
    for match in re.finditer(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", text):
        if all(match.end() <= s or match.start() >= e for s, e in taken):
            return match.start()
    return None


def load_seeds(path: Path, sample: Path = SAMPLE, limit: int | None = None) -> tuple[list[Document], list[GoldTimex]]:
    """Documents and gold of ``seeds_gold.json``; each gold text is located in its article (next occurrence).

    Raises:
        ValueError: when a gold text does not occur in its article (the gold and the sample disagree).
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    documents, gold = [], []
    for name, article in data["articles"].items():
        text = (sample / name).read_text(encoding="utf-8")
        anchor = _date(article.get("published")) or _date(article.get("published_note"))
        documents.append(Document(name, text, anchor))
        taken: list[tuple[int, int]] = []
        # longest first, so that "1950" is not found inside "1950-53" when both are gold
        for item in sorted(article.get("temporal", []), key=lambda t: -len(t["text"])):
            start = _locate(text, item["text"], taken)
            if start is None:
                raise ValueError(f"gold temporal {item['text']!r} not found in {sample / name}")
            taken.append((start, start + len(item["text"])))
            gold.append(GoldTimex(name, start, start + len(item["text"]), item["text"], "DATE", item["value"]))
        if limit is not None and len(documents) >= limit:
            break
    return documents, gold


# --------------------------------------------------------------------------------------------------
# systems


def predict(documents: Iterable[Document], nlp) -> list[PredictedTimex]:  # noqa: ANN001 - a spaCy Language
    """NewsScope's prediction: :func:`newsscope.timexes.extract` then :func:`~newsscope.timexes.resolve`."""
    from newsscope import timexes

    documents = list(documents)
    rows = []
    for document, doc in zip(documents, nlp.pipe(d.text for d in documents), strict=True):
        for mention in timexes.extract(doc):
            resolution = timexes.resolve(mention.text, document.anchor, mention.tense)
            rows.append(
                PredictedTimex(document.doc_id, mention.start, mention.end, mention.text, resolution.value, resolution.method)
            )
    return rows


def predict_baseline(documents: Iterable[Document]) -> list[PredictedTimex]:
    """The dateparser baseline: ``search_dates`` relative to the anchor, preferring the past, day values."""
    from dateparser.search import search_dates

    rows = []
    for document in documents:
        settings: dict[str, object] = {"PREFER_DATES_FROM": "past"}
        if document.anchor is not None:
            settings["RELATIVE_BASE"] = datetime.datetime.combine(document.anchor, datetime.time())
        found = search_dates(document.text, languages=["en"], settings=settings) or []
        cursor = 0
        for substring, moment in found:
            start = document.text.find(substring, cursor)
            if start < 0:  # search_dates may normalise whitespace; fall back to the first occurrence
                start = document.text.find(substring)
            if start < 0:
                continue
            cursor = start + len(substring)
            rows.append(
                PredictedTimex(document.doc_id, start, start + len(substring), substring, moment.date().isoformat(), "dateparser")
            )
    return rows


def evaluate(path: Path, *, model: str | None = None, limit: int | None = None) -> dict:
    """Run NewsScope and the dateparser baseline over a gold file and score both on TIMEX3 DATE values.

    Args:
        path: ``*.jsonl`` in the TempEval format, or ``seeds_gold.json``.
        model: spaCy model name (default: :func:`newsscope.nlp.model_name`).
        limit: score only the first ``limit`` documents.

    Returns:
        ``{"dataset", "documents", "system": score(...), "baseline": score(...)}`` (see :func:`score`).
    """
    from newsscope.nlp import load_pipeline

    path = Path(path)
    if path.suffix == ".jsonl":
        documents, gold = load_tempeval(path, limit)
    else:
        documents, gold = load_seeds(path, limit=limit)
    return {
        "dataset": path.name,
        "documents": len(documents),
        "system": score(gold, predict(documents, load_pipeline(model))),
        "baseline": score(gold, predict_baseline(documents)),
    }


def format_report(result: dict, *, max_errors: int = 30) -> str:
    """A plain-text report: accuracy of system and baseline, then the system's first errors."""
    lines = [f"{result['dataset']}: {result['documents']} documents, TIMEX3 DATE value accuracy"]
    for name in ("system", "baseline"):
        s = result[name]
        lines.append(
            f"  {name:<9} {s['accuracy']:.3f} ({s['correct']}/{s['gold']}); no prediction for {s['missed']}; "
            f"{s['spurious']} of {s['predicted']} valued predictions overlap no gold"
        )
    errors = result["system"]["errors"]
    if errors:
        lines.append(f"  system errors ({len(errors)}, first {min(len(errors), max_errors)}):")
        for e in errors[:max_errors]:
            lines.append(
                f"    {e['doc_id']}@{e['start']} {e['text']!r} gold={e['gold']} "
                f"predicted={e['predicted']} ({e['predicted_text']!r}, {e['method']})"
            )
    return "\n".join(lines)


__all__ = [
    "Document",
    "GoldTimex",
    "PredictedTimex",
    "canonical",
    "evaluate",
    "format_report",
    "load_seeds",
    "load_tempeval",
    "predict",
    "predict_baseline",
    "score",
]
