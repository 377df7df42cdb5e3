"""Score the entity timelines a build implies against SemEval-2015 Task 4 ("TimeLine") gold, beside two baselines.

Data (``../shared/eval/README.md``): ``timeline_trial.jsonl`` (30 Wikinews articles, each with its data's sentence
spans) and ``timeline_trial_gold.json`` (per target entity, its gold event mentions ``{doc, sentence, date}``).

What is scored, per entity: the set of (doc, sentence) pairs put on the entity's timeline, each with a date.

- **Ours**: the build's reports (events of kind ``reported`` / ``article_dated``: the rows behind happenings)
  in a sentence that names the entity — through one of the report's actors matching the entity's name, or the
  sentence naming it (:func:`names_entity`, the same test the baselines use) — dated by the report's date (the
  finest one when a sentence carries several).
- **Baseline (a)**: every sentence naming the entity, dated by the article's date.
- **Baseline (b)**: the same sentences, dated by the first date ``dateparser`` finds in the sentence (anchored
  at the article's date), else the article's date.

A pair is right when the gold has it (with a date) and the predicted date agrees at the gold's granularity: a gold
day must be that day; a gold month (``2008-01-XX``) or year (``2008-XX-XX``) holds the whole predicted range.
Gold items with no date (``XXXX-XX-XX``) are left out: a prediction on a pair whose gold is only undated counts
neither way. Precision = right / counted predictions; recall = right / dated gold pairs; date accuracy = right /
predictions on a dated gold pair. Sentences are matched by their text (the build cleans the body, so offsets differ).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

Pair = tuple[str, int]
Range = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Scores:
    predicted: int
    gold: int
    right: int
    on_gold: int  # predictions on a dated gold pair

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def date_accuracy(self) -> float:
        return self.right / self.on_gold if self.on_gold else 0.0


def load(articles: Path, gold: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    docs = [json.loads(line) for line in Path(articles).read_text(encoding="utf-8").splitlines() if line.strip()]
    return docs, json.loads(Path(gold).read_text(encoding="utf-8"))["entities"]


def entity_forms(entity: str) -> list[str]:
    """The surface forms that name an entity: its name; the last two words of a longer name ("Apple Corps"); the
    surname of a two-word name ("Jobs"); the name before a lower-case head noun ("iTunes" of "iTunes store")."""
    words = entity.split()
    forms = [entity]
    if len(words) >= 3:
        forms.append(" ".join(words[-2:]))
    if len(words) == 2 and words[1][:1].isupper() and not any(c.isdigit() for c in words[1]):
        forms.append(words[1])
    if len(words) == 2 and words[1].islower():
        forms.append(words[0])
    return forms


def names_entity(sentence: str, entity: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", sentence, re.IGNORECASE) for f in entity_forms(entity))


def gold_range(value: str) -> Range | None:
    """`2008-01-09` -> that day; `2008-01-XX` or `2008-01` -> the month; `2008-XX-XX` or `2008` -> the year;
    undated (`XXXX-XX-XX`) -> None. The gold writes a month or a year both ways."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?", value)
    if not m:
        return None
    year, month, day = m.group(1), m.group(2) or "XX", m.group(3) or "XX"
    y = int(year)
    if month == "XX":
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    mo = int(month)
    if day == "XX":
        nxt = dt.date(y + (mo == 12), mo % 12 + 1, 1)
        return dt.date(y, mo, 1), nxt - dt.timedelta(days=1)
    d = dt.date(y, mo, int(day))
    return d, d


def score(predicted: dict[str, dict[Pair, Range]], gold: dict[str, list[dict]]) -> Scores:
    """Micro-averaged over entities (see the module docstring)."""
    n_pred = n_gold = right = on_gold = 0
    for entity, items in gold.items():
        dated: dict[Pair, list[Range]] = defaultdict(list)
        undated: set[Pair] = set()
        for item in items:
            pair = (str(item["doc"]), int(item["sentence"]))
            rng = gold_range(str(item["date"]))
            if rng is None:
                undated.add(pair)
            else:
                dated[pair].append(rng)
        n_gold += len(dated)
        for pair, (d0, d1) in predicted.get(entity, {}).items():
            if pair not in dated:
                if pair not in undated:
                    n_pred += 1
                continue
            n_pred += 1
            on_gold += 1
            if any(g0 <= d0 and d1 <= g1 for g0, g1 in dated[pair]):
                right += 1
    return Scores(n_pred, n_gold, right, on_gold)


def _body(doc: dict) -> str:
    """The text from the first body sentence on (sentence 2: after the title and the date line)."""
    starts = [s for n, (s, _) in doc["sentences"].items() if int(n) >= 2]
    return doc["text"][min(starts):] if starts else doc["text"]


def _sentences(doc: dict) -> dict[int, str]:
    return {int(n): doc["text"][s:e] for n, (s, e) in doc["sentences"].items() if int(n) != 1}  # 1: the date line


def baseline(docs: list[dict], entities: list[str], use_dateparser: bool = False) -> dict[str, dict[Pair, Range]]:
    out: dict[str, dict[Pair, Range]] = {e: {} for e in entities}
    search = None
    if use_dateparser:
        from dateparser.search import search_dates

        search = search_dates
    for doc in docs:
        day = dt.date.fromisoformat(doc["published"])
        anchor = dt.datetime.combine(day, dt.time())
        for n, sentence in _sentences(doc).items():
            for entity in entities:
                if not names_entity(sentence, entity):
                    continue
                when = day
                if search is not None:
                    found = search(sentence, languages=["en"], settings={"RELATIVE_BASE": anchor, "PREFER_DATES_FROM": "past"})
                    if found:
                        when = found[0][1].date()
                out[entity][(str(doc["id"]), n)] = (when, when)
    return out


def ours(docs: list[dict], entities: list[str], build_dir: Path, model: str | None = None) -> dict[str, dict[Pair, Range]]:
    """Build the trial articles for real (`newsscope build`), then read the entity timelines off its tables."""
    from newsscope import actors as actor_rules, build, storage

    source = build_dir / "trial.jsonl"
    # The article as a build meets it: its title, its date, and its body (the data's text repeats the title and a
    # date line above the body; read as body text they would be one "sentence" with the lead).
    source.write_text("".join(json.dumps({"id": d["id"], "title": d["title"], "published": d["published"], "text": _body(d)}) + "\n"
                              for d in docs), encoding="utf-8")
    build.build([source], build_dir / "out", build.BuildOptions(model=model))
    folder = storage.current(build_dir / "out")
    arts = storage.read_table(folder, "articles")
    events = storage.read_table(folder, "events")
    table = storage.read_table(folder, "actors")
    forms = {e: {actor_rules.name_key(f) for f in entity_forms(e)} for e in entities}
    matching = {e: {a for a, name, aliases in zip(table["actor_id"], table["name"], table["aliases"])
                    if ({actor_rules.name_key(name)} | {actor_rules.name_key(x) for x in (aliases if aliases is not None else [])}) & forms[e]}
                for e in entities}  # fmt: skip
    by_source = dict(zip(arts["source_id"].astype(str), arts["article_id"]))
    bodies = dict(zip(arts["article_id"], arts["body"]))
    out: dict[str, dict[Pair, Range]] = {e: {} for e in entities}
    reports = events[events["kind"] != "publication"]
    for doc in docs:
        article = next((a for s, a in by_source.items() if s.endswith(str(doc["id"])) or s.endswith(f":{doc['id']}")), None)
        if article is None:
            continue
        body = bodies[article]
        spans: list[tuple[int, int, int, str]] = []  # our offsets of each gold sentence
        at = 0
        for n, sentence in sorted(_sentences(doc).items()):
            found = body.find(sentence.strip(), at if n else 0)
            if found >= 0:
                spans.append((found, found + len(sentence.strip()), n, sentence))
                at = found
        mine = reports[reports["article_id"] == article]
        for start, end, d0, d1, actor_ids in zip(mine["start"], mine["end"], mine["date_start"], mine["date_end"], mine["actor_ids"]):
            # Every gold sentence the report's sentence overlaps (the parser keeps a headline, the date line and
            # the first sentence together when only line breaks part them).
            for n, sentence in [(n, s) for s0, s1, n, s in spans if s0 < int(end) and int(start) < s1]:
                _place(out, entities, matching, doc, n, sentence, actor_ids, (d0, d1))
    return out


def _place(out: dict, entities: list[str], matching: dict, doc: dict, n: int, sentence: str, actor_ids, rng: Range) -> None:
    """Put one report on the timeline of every entity it names (by actor or by name); the finest date wins."""
    for entity in entities:
        if set(actor_ids) & matching[entity] or names_entity(sentence, entity):
            pair = (str(doc["id"]), n)
            old = out[entity].get(pair)
            if old is None or (rng[1] - rng[0]) < (old[1] - old[0]):
                out[entity][pair] = rng


def evaluate(articles: Path, gold: Path, model: str | None = None) -> dict[str, Scores]:
    """Ours and both baselines on the same data, in one run."""
    docs, entities = load(articles, gold)
    names = list(entities)
    with tempfile.TemporaryDirectory(prefix="newsscope-timeline-") as tmp:
        mine = ours(docs, names, Path(tmp), model)
    return {
        "newsscope": score(mine, entities),
        "baseline: article date": score(baseline(docs, names), entities),
        "baseline: dateparser": score(baseline(docs, names, use_dateparser=True), entities),
    }


def format_report(results: dict[str, Scores]) -> str:
    lines = [f"{'system':<26} {'pred':>5} {'gold':>5} {'right':>5} {'P':>6} {'R':>6} {'F1':>6} {'date acc':>8}"]
    for name, s in results.items():
        lines.append(f"{name:<26} {s.predicted:>5} {s.gold:>5} {s.right:>5} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.date_accuracy:>8.3f}")
    return "\n".join(lines)
