"""Scoring quote extraction against the shared gold data (seeds_gold.json or PolNeAR dev).

``evaluate(path)`` parses the gold texts, runs :func:`newsscope.quotes.extract` and textacy's
``direct_quotations`` baseline on the same docs, and scores both with :func:`score`, a pure function over plain
rows. Matching follows ``shared/eval/README.md``: a gold and a predicted quote match when the characters they
share cover at least ``t`` of the gold quote (t = 0.3 and 0.8), one-to-one, largest overlap first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from newsscope import quotes

__all__ = ["GoldRow", "PredRow", "evaluate", "format_report", "name_words", "score", "speaker_matches"]

THRESHOLDS = (0.3, 0.8)
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "raw"

# Words that name an office rather than a person: "Secretary Austin" and "the secretary" share no name word.
TITLES = frozenset(
    "mr mrs ms miss dr prof sir madam president vice secretary senator sen rep representative gov governor "
    "minister prime general gen deputy assistant chief director spokesman spokeswoman spokesperson ambassador "
    "judge justice attorney lt col sgt adm capt leader chairman chairwoman chair".split()
)


@dataclass(frozen=True)
class GoldRow:
    """One gold quote. ``required`` False: neither needed for recall nor a false positive when predicted."""

    doc_id: str
    start: int
    end: int
    speaker: str
    required: bool = True
    speaker_start: int | None = None  # the source mention, where the gold marks one (PolNeAR)
    speaker_end: int | None = None


@dataclass(frozen=True)
class PredRow:
    """One predicted quote; ``speaker`` is the text scored against the gold speaker (surface + resolved name)."""

    doc_id: str
    start: int
    end: int
    speaker: str
    speaker_start: int | None = None
    speaker_end: int | None = None
    resolved: bool = False  # the speaker points at a named mention


def name_words(text: str) -> set[str]:
    """Lower-cased name words of a speaker: stop words (pronouns among them) and titles dropped, "U.S." -> "us"."""
    words = {w.replace(".", "") for w in re.findall(r"[\w.'’-]+", text.lower())}
    words = {w.strip("'’-") for w in words}
    return {w for w in words if w and w not in STOP_WORDS and w not in TITLES and not w.isdigit()}


def speaker_matches(gold: GoldRow, pred: PredRow) -> bool | None:
    """Whether the predicted speaker is the gold one; None when the gold speaker cannot be scored.

    A shared name word decides. A gold source that is only a pronoun ("he") has no name word: the prediction
    counts when it marks that same mention as the speaker *and* resolves it to a named mention; a gold source
    with neither name words nor a span (an implicit source) is not scored.
    """
    gold_words = name_words(gold.speaker)
    if gold_words:
        return bool(gold_words & name_words(pred.speaker))
    if gold.speaker_start is None or gold.speaker_end is None or not gold.speaker.strip():
        return None
    if pred.speaker_start is None or pred.speaker_end is None:
        return False
    same = pred.speaker_start < gold.speaker_end and gold.speaker_start < pred.speaker_end
    return same and pred.resolved


def score(gold: Iterable[GoldRow], pred: Iterable[PredRow], thresholds: tuple[float, ...] = THRESHOLDS) -> dict:
    """Precision, recall, F1 per threshold and speaker accuracy over the pairs matched at the first threshold.

    Returns ``{"n_gold", "n_pred", "t0.3": {"p","r","f1","tp","n_gold","n_pred"}, ..., "speaker": {"accuracy",
    "correct","scored","unscorable"}, "missed": [GoldRow], "matches": [(GoldRow, PredRow)]}`` where ``missed`` and
    ``matches`` are for the first threshold.
    """
    gold, pred = list(gold), list(pred)
    result: dict = {"n_gold": sum(g.required for g in gold), "n_pred": len(pred)}
    for n, t in enumerate(thresholds):
        pairs = []
        for gi, g in enumerate(gold):
            for pi, p in enumerate(pred):
                if g.doc_id != p.doc_id:
                    continue
                shared = max(0, min(g.end, p.end) - max(g.start, p.start))
                if shared > 0 and shared >= t * max(1, g.end - g.start):
                    pairs.append((shared, gi, pi))
        pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
        used_g: dict[int, int] = {}
        used_p: set[int] = set()
        for _, gi, pi in pairs:
            if gi in used_g or pi in used_p:
                continue
            used_g[gi] = pi
            used_p.add(pi)
        tp = sum(1 for gi in used_g if gold[gi].required)
        excused = sum(1 for gi in used_g if not gold[gi].required)  # predicted a borderline quote: not an error
        n_gold = result["n_gold"]
        n_pred = len(pred) - excused
        p_ = tp / n_pred if n_pred else 0.0
        r_ = tp / n_gold if n_gold else 0.0
        f1 = 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0.0
        result[f"t{t}"] = {"p": p_, "r": r_, "f1": f1, "tp": tp, "n_gold": n_gold, "n_pred": n_pred}
        if n == 0:
            matches = [(gold[gi], pred[pi]) for gi, pi in sorted(used_g.items()) if gold[gi].required]
            verdicts = [speaker_matches(g, p) for g, p in matches]
            scored = [v for v in verdicts if v is not None]
            result["speaker"] = {
                "accuracy": sum(scored) / len(scored) if scored else 0.0,
                "correct": sum(scored),
                "scored": len(scored),
                "unscorable": len(verdicts) - len(scored),
            }
            result["missed"] = [g for gi, g in enumerate(gold) if g.required and gi not in used_g]
            result["matches"] = matches
            result["wrong_speaker"] = [(g, p) for (g, p), v in zip(matches, verdicts, strict=True) if v is False]
    return result


# ---------------------------------------------------------------------------------------------- gold readers


@dataclass(frozen=True)
class _Record:
    doc_id: str
    text: str
    gold: tuple[GoldRow, ...]


def _read_seeds(path: Path) -> list[_Record]:
    data = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for name, article in data["articles"].items():
        text = (SAMPLE / name).read_text(encoding="utf-8")
        rows = []
        for q in article.get("quotes", []):
            start = text.find(q["content"])
            if start < 0:
                raise ValueError(f"gold quote not found verbatim in {name}: {q['content'][:60]!r}")
            rows.append(GoldRow(name, start, start + len(q["content"]), q["speaker"], bool(q.get("required", True))))
        records.append(_Record(name, text, tuple(rows)))
    return records


def _read_polnear(path: Path) -> list[_Record]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            art = json.loads(line)
            rows = []
            for a in art["attributions"]:
                cue = " ".join(s["text"] for s in a["cue"])
                entry = quotes.lookup(cue)
                if not a["content"] or entry is None or not entry.speech:
                    continue
                src = a["source"]
                rows.append(
                    GoldRow(
                        art["id"],
                        min(s["start"] for s in a["content"]),
                        max(s["end"] for s in a["content"]),
                        " ".join(s["text"] for s in src),
                        True,
                        min(s["start"] for s in src) if src else None,
                        max(s["end"] for s in src) if src else None,
                    )
                )
            records.append(_Record(art["id"], art["text"], tuple(rows)))
    return records


def _pred_rows(doc_id: str, doc) -> list[PredRow]:
    rows = []
    for q in quotes.extract(doc):
        ref = doc.text[q.speaker_ref_start : q.speaker_ref_end] if q.speaker_ref_start is not None else ""
        rows.append(
            PredRow(doc_id, q.start, q.end, f"{q.speaker or ''} {ref}".strip(), q.speaker_start, q.speaker_end,
                    q.speaker_ref_start is not None)
        )
    return rows


def _textacy_rows(doc_id: str, doc) -> list[PredRow]:
    """textacy's direct_quotations; raises what textacy raises (the caller counts failures)."""
    from textacy.extract.triples import direct_quotations

    rows = []
    for triple in direct_quotations(doc):
        speaker = " ".join(t.text for t in triple.speaker)
        content = triple.content
        s_start = min((t.idx for t in triple.speaker), default=None)
        s_end = max((t.idx + len(t.text) for t in triple.speaker), default=None)
        rows.append(PredRow(doc_id, content.start_char, content.end_char, speaker, s_start, s_end, bool(speaker)))
    return rows


def evaluate(path: Path, *, model: str | None = None, limit: int | None = None) -> dict:
    """Score ``quotes.extract`` and the textacy baseline on a gold file.

    Args:
        path: ``seeds_gold.json`` (texts read from ``data/sample/raw``) or a PolNeAR ``.jsonl`` file (only
            attributions whose cue is a speech cue in the lexicon are kept).
        model: spaCy model name (default: ``newsscope.nlp.load_pipeline``'s choice).
        limit: score only the first ``limit`` documents.

    Returns:
        ``{"dataset", "n_docs", "newsscope": score(...), "textacy": score(...) | {"failed_docs": n}}``.

    Note:
        textacy raises on some documents (unbalanced or apostrophe quote marks); those documents count as
        having no textacy predictions, and their number is reported as ``failed_docs``.
    """
    from newsscope.nlp import load_pipeline

    path = Path(path)
    readers = {".jsonl": _read_polnear, ".json": _read_seeds}
    if path.suffix not in readers:
        raise ValueError(f"unknown gold file type {path.suffix!r} ({path}); expected one of {tuple(readers)}")
    records = readers[path.suffix](path)
    if limit is not None:
        records = records[:limit]
    nlp = load_pipeline(model)
    gold: list[GoldRow] = [g for r in records for g in r.gold]
    ours: list[PredRow] = []
    base: list[PredRow] = []
    failed = 0
    for record, doc in zip(records, nlp.pipe(r.text for r in records), strict=True):
        ours.extend(_pred_rows(record.doc_id, doc))
        try:
            base.extend(_textacy_rows(record.doc_id, doc))
        except (ValueError, IndexError, KeyError, AttributeError, TypeError):  # textacy's known failures
            failed += 1
    baseline = score(gold, base)
    baseline["failed_docs"] = failed
    return {"dataset": path.name, "n_docs": len(records), "newsscope": score(gold, ours), "textacy": baseline}


def format_report(result: dict) -> str:
    """A plain-text table of the scores for both systems, then the missed gold quotes of ours."""
    lines = [f"{result['dataset']}: {result['n_docs']} docs, {result['newsscope']['n_gold']} gold quotes"]
    lines.append(f"{'system':<10} {'P@.3':>6} {'R@.3':>6} {'F1@.3':>6} {'P@.8':>6} {'R@.8':>6} {'F1@.8':>6} "
                 f"{'spk acc':>7} {'pred':>5}")
    for name in ("newsscope", "textacy"):
        r = result[name]
        lo, hi, spk = r["t0.3"], r["t0.8"], r["speaker"]
        lines.append(
            f"{name:<10} {lo['p']:6.3f} {lo['r']:6.3f} {lo['f1']:6.3f} {hi['p']:6.3f} {hi['r']:6.3f} {hi['f1']:6.3f} "
            f"{spk['accuracy']:7.3f} {r['n_pred']:5d}"
            + (f"  (failed on {r['failed_docs']} docs)" if r.get("failed_docs") else "")
            + f"  [speaker {spk['correct']}/{spk['scored']}, {spk['unscorable']} unscorable]"
        )
    missed = result["newsscope"]["missed"]
    if missed:
        lines.append(f"missed by newsscope at t=0.3 ({len(missed)}):")
        lines.extend(f"  {g.doc_id}: {g.speaker!r} {g.start}-{g.end}" for g in missed[:40])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """``python -m newsscope.evaluation.quotes PATH [--limit N]``: print the report."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    print(format_report(evaluate(args.path, model=args.model, limit=args.limit)))


if __name__ == "__main__":
    main()
