"""Scoring HTML extraction on the shared html_pages (the Zyte article-extraction benchmark's dev half).

``evaluate(folder)`` runs the build's own reading stage (`build.read_corpus`: ingest, trafilatura, the chrome
rules, language id, exactly as `newsscope build` does, without spaCy) over the pages written out as `.html` files
with their URLs in a `metadata.csv`, and plain ``trafilatura.extract(html)`` (default settings) over the same
pages, in the same run, and scores both with :func:`score`, the benchmark's metric (see the folder's README):
4-token shingles counted with repeats; precision averaged over pages with a prediction, recall over all pages;
F1 the harmonic mean of the two averages. A page the build does not keep counts as an empty prediction.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

__all__ = ["evaluate", "format_report", "score", "shingles"]

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The text's runs of `n` consecutive tokens (letters, digits, underscores; case kept), with repeats."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def score(pairs: Iterable[tuple[str, str]]) -> dict:
    """Precision, recall, F1 and exact-token accuracy over (gold, predicted) text pairs, by the benchmark's metric."""
    precisions, recalls, exact = [], [], 0
    for gold, predicted in pairs:
        g, p = shingles(gold), shingles(predicted)
        tp = sum((g & p).values())
        if p:
            precisions.append(tp / sum(p.values()))
        recalls.append(tp / sum(g.values()) if g else float(not p))
        exact += _TOKEN.findall(gold or "") == _TOKEN.findall(predicted or "")
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": exact / len(recalls) if recalls else 0.0,
            "pages": len(recalls), "predicted": len(precisions)}


def evaluate(folder: Path) -> dict:
    """Both extractors on every page of `folder` (`<id>.html.gz` + `ground_truth.json`)."""
    import trafilatura

    from newsscope import build

    folder = Path(folder)
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((folder / f"{key}.html.gz").read_bytes()) for key in sorted(truth)}
    with tempfile.TemporaryDirectory(prefix="newsscope-html-eval-") as tmp:
        root = Path(tmp)
        with open(root / "metadata.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "url"])
            for key in pages:
                (root / f"{key}.html").write_bytes(pages[key])
                writer.writerow([f"{key}.html", truth[key].get("url") or ""])
        log, drafts = build.read_corpus([root])
    ours = {d.source_id.removesuffix(".html"): d.body for d in drafts}
    statuses = {row.source_id.removesuffix(".html"): (row.status, row.reason) for row in log}
    plain = {key: trafilatura.extract(html.decode("utf-8", errors="replace")) or "" for key, html in pages.items()}
    gold = {key: truth[key]["articleBody"] for key in pages}
    languages = Counter(d.language for d in drafts)
    return {
        "dataset": folder.name,
        "pages": len(pages),
        "system": score((gold[k], ours.get(k, "")) for k in pages),
        "baseline": score((gold[k], plain[k]) for k in pages),
        "lost": {k: statuses.get(k) for k in pages if k not in ours},
        "languages": dict(languages),
        "trafilatura": trafilatura.__version__,
    }


def format_report(result: dict) -> str:
    lines = [f"{result['dataset']}: {result['pages']} pages, shingle F1 (4-token shingles, the benchmark's metric)"]
    names = {"system": "newsscope build (HTML path)", "baseline": f"trafilatura.extract {result['trafilatura']} (defaults)"}
    for key, name in names.items():
        s = result[key]
        lines.append(f"  {name:<36} F1 {s['f1']:.3f}  precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
                     f"exact {s['accuracy']:.3f}  ({s['predicted']} of {s['pages']} pages with text)")
    lines.append(f"  languages kept: {', '.join(f'{k} {v}' for k, v in sorted(result['languages'].items()))}")
    for key, why in result["lost"].items():
        lines.append(f"  not kept: {key[:12]}… {why}")
    return "\n".join(lines)
