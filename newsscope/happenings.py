"""Happenings: what happened, when, to whom — one row per happening, however many articles report it.

A *happening* is a cluster of dated reports (events, see :mod:`newsscope.events`) that tell the same thing:

- Each report gets a **predicate** from the parse: the verb (or event noun: "visit", "talks") that governs the
  sentence's date expression, or the sentence's main verb for a report dated by its article. Its lemma is the
  report's ``trigger``; its subject and object (actor mentions replaced by their canonical names) make the
  report's ``headline`` ("Ted Cruz won the Iowa caucuses").
- **Linking cannot chain**: a report joins a happening only when it agrees with *every* member — the dates agree
  at the coarser granularity of the two (one contains the other), they share a core actor, and either the
  headlines are nearly the same words, names and reporting verbs aside ("Marco Rubio said" twice is not one
  statement), or the triggers are the same or close synonyms (:data:`SYNONYMS`; not for two reports of one
  article, nor for statements — "say" — and unless both are dated to a day by an expression of their own, with
  two actors both sentences name: one actor and a verb in a month, a year or an article's day is most of the
  news). Reports are
  assigned greedily, finest date first, to the best happening they fully agree with (else they start one);
  candidates are looked up in blocks keyed by (trigger class, actor, date bucket), so the work stays
  near-linear in the number of reports. All day-dated members of a happening are one day; month- and
  year-dated members contain it.
- ``salience``: distinct articles + distinct outlets reporting it + log2(1 + articles whose time expressions
  refer to its date), the last weighted by granularity (:data:`REFERENCE_WEIGHT`: a day fully, a month by half, a
  year not at all) — how much the corpus talks about it; the Timeline opens on the highest.

:func:`predicates` runs on a parsed Doc (in the build's spaCy pass, cached per article); :func:`assign` runs on
the whole corpus's events.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import pandas as pd

from newsscope.tables import SCHEMAS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

COLUMNS: list[str] = SCHEMAS["happenings"].names

# Close synonyms: a report's trigger class is its lemma's class (or the lemma itself).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "visit": ("visit", "travel", "trip", "tour", "arrive", "fly"),
    "meet": ("meet", "talk", "talks", "summit", "meeting", "discuss", "confer", "host"),
    "win": ("win", "capture", "sweep", "clinch", "carry", "victory", "take"),
    "lose": ("lose", "loss", "defeat"),
    "beat": ("beat", "defeat", "edge", "trounce"),
    "announce": ("announce", "unveil", "launch", "introduce", "release", "present", "reveal", "unveiling"),
    "attack": ("attack", "strike", "bomb", "shoot", "kill", "assault", "shooting", "bombing"),
    "sign": ("sign", "ink", "enact"),
    "endorse": ("endorse", "back", "support", "endorsement"),
    "nominate": ("nominate", "name", "appoint", "pick", "select", "choose", "nomination"),
    "withdraw": ("withdraw", "quit", "suspend", "drop", "exit", "resign", "leave"),
    "rule": ("rule", "decide", "ruling", "decision", "overturn", "uphold", "block", "strike"),
    "debate": ("debate", "spar", "clash"),
    "vote": ("vote", "pass", "approve", "reject", "elect"),
    "die": ("die", "death", "pass"),
    "arrest": ("arrest", "detain", "charge", "indict"),
    "say": ("say", "tell", "state", "add", "note", "claim", "declare", "insist", "explain", "write", "remark", "continue"),
}
_CLASS: dict[str, str] = {}
for _name, _words in SYNONYMS.items():
    for _w in _words:
        _CLASS.setdefault(_w, _name)
EVENT_NOUNS = frozenset(w for ws in SYNONYMS.values() for w in ws) | {"election", "primary", "caucus", "convention", "speech", "rally", "war", "crash", "explosion", "protest", "trial", "hearing", "interview"}
REPORTING = frozenset({"say", "tell", "add", "continue", "note", "explain", "claim", "state", "write", "ask", "argue", "insist",
                       "reply", "respond", "remark", "declare", "suggest", "believe", "think", "report", "acknowledge", "admit",
                       "contend", "stress", "recall", "quip", "joke", "tweet", "post", "point"})  # fmt: skip
# Light and copular verbs say little about what happened ("was", "had", "made"): they never make two reports agree
# on their own (a similar headline still can).
LIGHT = frozenset({"be", "have", "get", "make", "do", "become", "seem", "remain", "put", "give", "keep", "let", "see", "look", "want",
                   "need", "start", "begin", "go", "come", "take", "continue", "appear", "try", "use", "find", "show"})  # fmt: skip
NOUN_REACH = 50  # an event noun this many characters or fewer from the predicate is part of it ("traveled … for talks")
TODAY = frozenset({"today", "tonight", "now", "this morning", "this afternoon", "this evening", "currently", "right now"})
# How much the articles referring to a happening's date add to its salience, by its granularity: a day many articles
# name is a key date (news-tls), a month less so; "2016" is named by everything and says nothing about one happening.
REFERENCE_WEIGHT = {"day": 1.0, "week": 0.5, "month": 0.5}
HEADLINE_WORDS = 14  # a headline longer than this is cut (with an ellipsis)
SIMILAR_HEADLINE = 0.6  # Jaccard of headline words at or above which two reports tell the same thing
SIMILAR_CONTENT = 2  # ... sharing at least this many words that are neither names nor a reporting verb
MAX_LINK_YEARS = 12  # reports dated more vaguely than this are happenings on their own
CANDIDATES = 64  # happenings looked at per block key (the most recent): bounds the work on huge blocks
_STATEMENTS = frozenset({"say"}) | REPORTING  # statements: one only when they read alike
_SAID = frozenset({"said", "says", "told", "tells", "wrote", "writes", "thought", "thinks"}
                  | {f"{w}{end}" for w in REPORTING for end in ("", "s", "d", "ed")})  # fmt: skip
_STOP = frozenset("a an the of to in on at for with by and or but from as is was were be been has have had will would that this his her its their".split())


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def trigger_class(lemma: str | None) -> str:
    lemma = (lemma or "").lower()
    return _CLASS.get(lemma, lemma)


# ── the parse side (runs on spaCy Docs in the build's per-article pass) ──────────────────────────────────────────


def _compact(token: Token, limit: int = 6) -> tuple[int, int, str]:
    """A short phrase for a noun token: its whole subtree when short, else its compounds/modifiers and itself."""
    sub = list(token.subtree)
    if len(sub) > limit:
        keep = [t for t in token.lefts if t.dep_ in ("compound", "amod", "poss", "det", "nummod", "case", "flat", "aux", "neg")] + [token]
        keep += [t for t in token.rights if t.dep_ in ("compound", "flat", "case")]
        sub = sorted({t.i: t for t in keep for t in ([t] + ([c for c in t.children if c.dep_ == "case"]))}.values(), key=lambda t: t.i)
    sub = [t for t in sub if not t.is_punct or t.text in ("'s", "’s", "-")]
    # A dateline the parse hung on the phrase ("STATE COLLEGE, Pa. - Hillary Clinton's victory"): names, then a dash.
    dash = next((k for k, t in enumerate(sub[:_DATELINE_TOKENS]) if t.text in _DASHES), None)
    if dash is not None and all(t.pos_ in ("PROPN", "PUNCT") for t in sub[:dash]) and token.i > sub[dash].i:
        sub = sub[dash + 1 :]
    while sub and sub[-1].dep_ in ("cc", "punct", "prep"):
        sub.pop()
    if not sub:
        return token.idx, token.idx + len(token.text), token.text
    start, end = sub[0].idx, sub[-1].idx + len(sub[-1].text)
    text = "".join(t.text_with_ws for t in sub).strip()
    return start, end, text


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ not in ("nsubj", "nsubjpass") or child.pos_ in ("VERB", "AUX"):
            continue  # a clause or participle as the subject ("Entering the debate, Rubio … faced") makes no headline
        if child.lower_ in _RELATIVE and verb.dep_ == "relcl":
            return verb.head  # "attacks that killed 130 people": the attacks did
        return child
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head is not verb:
        for child in verb.head.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
    if verb.pos_ == "NOUN":
        for child in verb.children:
            if child.dep_ == "poss":
                return child
    return None


_PLACE_PREPS = ("to", "with", "against", "in", "for", "into", "from", "over", "on", "at")
_RELATIVE = frozenset({"that", "which", "who", "whom"})
_DASHES = frozenset({"-", "--", "—", "–"})
_DATELINE_TOKENS = 8  # a dateline's names and dash come within the phrase's first tokens


def _prep_phrase(verb: Token, skip: Token | None = None) -> tuple[str, Token] | None:
    """The first place-like prepositional phrase after the verb that is not a date ("to Vladivostok").

    Only phrases after the verb: one that opens the sentence ("In a remarkable departure, Trump made …", "On
    Saturday, Clinton declined …") frames it and is no part of what happened.
    """
    for child in verb.rights:
        if child is not skip and child.dep_ == "prep" and child.lower_ in _PLACE_PREPS:
            for grand in child.children:
                if grand.dep_ == "pobj" and grand.ent_type_ not in ("DATE", "TIME"):
                    return child.text, grand
    return None


def _object(verb: Token) -> tuple[str, Token] | None:
    for dep in ("dobj", "attr", "oprd", "acomp", "dative"):
        for child in verb.children:
            if child.dep_ == dep:
                return "", child
    for child in verb.rights:  # "declined to comment", "wants to build a wall"
        if child.dep_ == "xcomp" and child.pos_ in ("VERB", "AUX") and any(c.lower_ == "to" for c in child.lefts):
            return "", child
    return _prep_phrase(verb)


def _tense(verb: Token) -> str:
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in aux}
    if verb.pos_ == "NOUN":
        return "noun"
    if words & {"will", "would", "could", "should", "may", "might", "must", "can", "shall", "'ll"}:
        return "modal"
    if verb.tag_ == "VBD" or words & {"was", "were", "had", "did"}:
        return "past"
    if verb.tag_ == "VBN" and words & {"has", "have", "'ve", "'s"}:
        return "perfect"
    if verb.tag_ in ("VBZ", "VBP") or words & {"is", "are", "am", "'re", "'m"}:
        return "present"
    return "other"


def _verb_phrase(verb: Token) -> str:
    if verb.pos_ == "NOUN":
        return verb.text
    parts = [c for c in verb.lefts if c.dep_ in ("aux", "auxpass", "neg")] + [verb] + [c for c in verb.rights if c.dep_ == "prt"]  # "pulled off"
    return " ".join(t.text for t in sorted(parts, key=lambda t: t.i))


def predicates(doc: Doc) -> list[dict]:
    """One row per predicate (verb, or event noun) of the Doc, with what a headline needs.

    Row: ``s_start`` (its sentence's start), ``start, end`` (the predicate's subtree, character offsets: a date
    expression inside it is governed by it), ``head`` (the predicate word's offset), ``lemma, tense`` (past,
    perfect, present, modal, noun, other), ``main`` (the sentence's root), ``negated``, ``verb`` (as written, with
    its auxiliaries), ``subj_start, subj_end, subj`` / ``obj_start, obj_end, obj, obj_prep`` (short phrases;
    offsets -1 when absent), ``report`` (a reporting verb, "said"), ``content`` (for a reporting verb: the
    predicate offset of the clause it reports, else -1).
    """
    rows: list[dict] = []
    for sent in doc.sents:
        for tok in sent:
            is_verb = tok.pos_ in ("VERB", "AUX") and (tok.pos_ == "VERB" or tok.dep_ == "ROOT")
            is_noun = tok.pos_ == "NOUN" and tok.lemma_.lower() in EVENT_NOUNS
            if not (is_verb or is_noun):
                continue
            sub = list(tok.subtree)
            subj = _subject(tok)
            obj = _object(tok)
            s0, s1, st = _compact(subj) if subj is not None else (-1, -1, "")
            if obj is not None:
                o0, o1, ot = _compact(obj[1])
                prep = obj[0]
            else:
                o0, o1, ot, prep = -1, -1, "", ""
            extra = _prep_phrase(tok, skip=obj[1].head if obj is not None and obj[0] else None) if obj is not None and not obj[0] else None
            x0, x1, xt = _compact(extra[1], limit=4) if extra is not None else (-1, -1, "")
            content = next((c for c in tok.children if c.dep_ in ("ccomp", "xcomp") and c.pos_ in ("VERB", "AUX")), None)
            rows.append(
                {
                    "s_start": sent.start_char,
                    "start": sub[0].idx,
                    "end": sub[-1].idx + len(sub[-1].text),
                    "head": tok.idx,
                    "lemma": tok.lemma_.lower(),
                    "tense": _tense(tok),
                    "main": tok.dep_ == "ROOT",
                    "negated": any(c.dep_ == "neg" for c in tok.children),
                    "verb": _verb_phrase(tok),
                    "subj_start": s0, "subj_end": s1, "subj": st,
                    "obj_start": o0, "obj_end": o1, "obj": ot, "obj_prep": prep,
                    "x_start": x0, "x_end": x1, "x": xt, "x_prep": extra[0] if extra is not None else "",
                    "report": tok.lemma_.lower() in REPORTING,
                    "content": content.idx if content is not None else -1,
                }  # fmt: skip
            )
    return rows


# ── the corpus side ──────────────────────────────────────────────────────────────────────────────────────────────


def _governing(preds: pd.DataFrame, at: int) -> pd.Series | None:
    """The predicate of a sentence whose subtree holds offset `at` most tightly (the sentence's root if none)."""
    inside = preds[(preds["start"] <= at) & (at < preds["end"])]
    if inside.empty:
        main = preds[preds["main"]]
        return main.iloc[0] if not main.empty else (preds.iloc[0] if not preds.empty else None)
    # The tightest predicate with a subject (a bare participle or infinitive governs through its clause's verb);
    # an event noun ("Kim's visit to Russia in September") counts as one.
    tight = inside.assign(_w=inside["end"] - inside["start"]).sort_values("_w", kind="stable")
    full = tight[(tight["subj_start"] >= 0) | (tight["tense"] == "noun")]
    return (full if not full.empty else tight).iloc[0]


def _named(start: int, end: int, text: str, spans: list[tuple[int, int, str]], body: str | None = None) -> tuple[str, list[str]]:
    """A phrase with the actor mentions inside it replaced by canonical names; the actor names found.

    `body` is the text the offsets point into (from `start`); when the phrase is not its contiguous slice (a long
    phrase cut to its head words), only a mention covering the phrase's last word replaces it whole.
    """
    if start < 0:
        return "", []
    found = [(s, e, name) for s, e, name in spans if s < end and start < e]
    if not found:
        return text, []
    if body is None or body[: end - start] != text:
        last = [(s, e, n) for s, e, n in found if e >= end - 1]
        return (last[0][2], [last[0][2]]) if last else (text, [])
    # The phrase is mostly one mention ("President Vladimir Putin", "Putin's"): the canonical name alone. Not when
    # the mention only ends it ("the attacks in Paris" are not Paris): before it, only a title or an article.
    if len(found) == 1:
        s, e, name = found[0]
        rest = text[max(0, e - start):].strip()
        before = text[: max(0, s - start)].split()
        possessive = "’s" if rest.startswith("’s") else ("'s" if rest.startswith("'s") else "")
        if (len(rest) <= 3 or possessive) and all(w[:1].isupper() or w.lower() in ("the", "a", "an") for w in before):
            return name + possessive + ((" " + rest[len(possessive):].strip()) if len(rest) > 3 else ""), [name]
    out, at = [], start
    for s, e, name in sorted(found):
        if s < at:
            continue
        out.append(text[at - start : s - start])
        out.append(name)
        at = e
    out.append(text[at - start :])
    return re.sub(r"\s+", " ", "".join(out)).strip(), [n for _, _, n in found]


def _cut(words: str) -> str:
    parts = [p for p in words.split() if p.strip("_")]  # a wire story's "___" rule is not a word
    if len(parts) > HEADLINE_WORDS:
        return " ".join(parts[:HEADLINE_WORDS]) + " …"
    return " ".join(parts)


def headline_of(pred: pd.Series | None, sentence: str, s_start: int, spans: list[tuple[int, int, str]], by_head: dict[int, pd.Series] | None = None) -> tuple[str, str, bool]:
    """(headline, trigger lemma, has a named subject) for a report whose predicate is `pred`."""
    if pred is None:
        return _cut(sentence), "", False

    def at(offset: int) -> str | None:
        return sentence[offset - s_start :] if offset >= s_start else None

    subj, subj_names = _named(int(pred["subj_start"]), int(pred["subj_end"]), str(pred["subj"]), spans, at(int(pred["subj_start"])))
    obj, _ = _named(int(pred["obj_start"]), int(pred["obj_end"]), str(pred["obj"]), spans, at(int(pred["obj_start"])))
    tail = f"{pred['obj_prep']} {obj}".strip() if obj else ""
    if obj and int(pred.get("x_start", -1)) >= 0:
        extra, _ = _named(int(pred["x_start"]), int(pred["x_end"]), str(pred["x"]), spans, at(int(pred["x_start"])))
        tail = f"{tail} {pred['x_prep']} {extra}"
    if bool(pred["report"]) and by_head is not None and int(pred["content"]) in by_head:
        inner = by_head[int(pred["content"])]
        i_subj, _ = _named(int(inner["subj_start"]), int(inner["subj_end"]), str(inner["subj"]), spans, at(int(inner["subj_start"])))
        i_obj, _ = _named(int(inner["obj_start"]), int(inner["obj_end"]), str(inner["obj"]), spans, at(int(inner["obj_start"])))
        tail = " ".join(x for x in (i_subj, str(inner["verb"]), f"{inner['obj_prep']} {i_obj}".strip() if i_obj else "") if x)
    words = " ".join(x for x in (subj, str(pred["verb"]), tail) if x)
    if not subj and pred["tense"] != "noun":
        words = _cut(sentence)
    text = _cut(words)
    return (text[0].upper() + text[1:]) if text else _cut(sentence), str(pred["lemma"]), bool(subj_names)


def _agree_dates(a0, a1, b0, b1) -> bool:
    return (a0 <= b0 and b1 <= a1) or (b0 <= a0 and a1 <= b1)


def _words(headline: str) -> tuple[frozenset[str], frozenset[str]]:
    """The headline's words (no stop words), and of those its content: not a name (capitalised) nor a reporting verb."""
    tokens = re.findall(r"[A-Za-z0-9]+", headline)
    words = frozenset(t.lower() for t in tokens if t.lower() not in _STOP)
    return words, frozenset(t for t in tokens if not t[0].isupper() and t not in _STOP and t not in _SAID)


def _similar(a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Nearly the same words, and at least `SIMILAR_CONTENT` of them content: "Marco Rubio said" twice is two
    statements whose headline says nothing of what was said, not one."""
    (wa, ca), (wb, cb) = a, b
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= SIMILAR_HEADLINE and len(ca & cb) >= SIMILAR_CONTENT


def link(reports: pd.DataFrame) -> pd.Series:
    """The happening of each report (a label: the smallest event_id of its happening), by greedy clique assignment.

    Args:
        reports: ``event_id, article_id, date_start, date_end, triggers`` (a set of trigger classes),
            ``core`` (a set of actor ids), ``headline``; optionally ``actor_ids`` (every actor the sentence names;
            default: the core ones).

    A report joins a happening only if it agrees with every member (see the module docstring); two reports of
    one article may be one happening (the lead and a later sentence), and reports with no core actor or a date
    vaguer than :data:`MAX_LINK_YEARS` years stay alone.
    """
    if reports.empty:
        return pd.Series([], index=reports.index, dtype="object")
    d0 = pd.to_datetime(reports["date_start"]).dt.date.tolist()
    d1 = pd.to_datetime(reports["date_end"]).dt.date.tolist()
    width = [(b - a).days for a, b in zip(d0, d1)]
    precision = [0 if w == 0 else 1 if w <= 31 else 2 for w in width]  # a day; a week or month; longer
    triggers = reports["triggers"].tolist()
    core = reports["core"].tolist()
    named = [frozenset(a) for a in reports["actor_ids"]] if "actor_ids" in reports else core  # every actor the sentence names
    # dated by its article (the day's news), not by an expression of its own
    inferred = (reports["kind"] == "article_dated").tolist() if "kind" in reports else [False] * len(reports)
    words = [_words(h) for h in reports["headline"].tolist()]
    ids = reports["event_id"].tolist()
    articles = reports["article_id"].tolist()
    order = sorted(range(len(ids)), key=lambda i: (width[i], d0[i], ids[i]))
    members: list[list[int]] = []
    label = [-1] * len(ids)
    index: dict[tuple, list[int]] = defaultdict(list)

    def buckets(i: int, own_only: bool) -> list[tuple]:
        a, b = d0[i], d1[i]
        if width[i] == 0:
            levels = [("d", a), ("m", (a.year, a.month)), ("y", a.year)]
            return levels[:1] if own_only else levels
        if (a.year, a.month) == (b.year, b.month):
            levels = [("m", (a.year, a.month)), ("y", a.year)]
            return levels[:1] if own_only else levels
        return [("y", y) for y in range(a.year, b.year + 1)]

    def agrees(i: int, j: int) -> bool:
        if not _agree_dates(d0[i], d1[i], d0[j], d1[j]):
            return False
        shared = core[i] & core[j]
        if not shared:
            return False
        if _similar(words[i], words[j]):
            return True
        # Two reports of one article are two things it tells, unless they read alike; a statement ("say") is the
        # same statement only when it reads alike; by the predicate alone, reports join on a day both name, and a
        # report dated to a week, month or year ("in May", "in 2010"), or by its article (the day's news), only on
        # two actors both sentences name: one actor and a verb in a month, a year or one day's articles is most of
        # the news ("Ribble was elected in 2010", "Johnson was elected in 2010").
        if articles[i] == articles[j]:
            return False
        common = triggers[i] & triggers[j]
        if not common - _STATEMENTS:
            return False
        return (precision[i] == precision[j] == 0 and not (inferred[i] or inferred[j])) or len(named[i] & named[j]) >= 2

    for i in order:
        if not core[i] or d1[i].year - d0[i].year >= MAX_LINK_YEARS:
            label[i] = len(members)
            members.append([i])
            continue
        seen: set[int] = set()
        best, best_score = -1, -1.0
        for t in triggers[i] or {""}:
            for actor in core[i]:
                for bucket in buckets(i, own_only=True):
                    for h in index.get((t, actor, bucket), [])[-CANDIDATES:]:
                        if h in seen:
                            continue
                        seen.add(h)
                        group = members[h]
                        if all(agrees(i, j) for j in group):
                            score = sum(len(core[i] & core[j]) for j in group) / len(group) + 0.01 * len(group)
                            if score > best_score:
                                best, best_score = h, score
        if best < 0:
            best = len(members)
            members.append([])
        members[best].append(i)
        label[i] = best
        anchor = members[best][0]
        for t in triggers[i] or {""}:
            for actor in core[i]:
                for bucket in buckets(anchor, own_only=False):
                    keyed = index[(t, actor, bucket)]
                    if not keyed or keyed[-1] != best:
                        keyed.append(best)
    smallest = [min(ids[j] for j in group) for group in members]
    return pd.Series([smallest[label[i]] for i in range(len(ids))], index=reports.index, dtype="object")


def table(reports: pd.DataFrame, timexes: pd.DataFrame, outlets: dict[str, str | None]) -> pd.DataFrame:
    """The happenings table from labelled reports (``happening`` column from :func:`link`).

    `reports` also carries ``date_value, granularity, actor_ids, headline, trigger, named, kind``; `timexes` the
    corpus's resolved expressions (``article_id, date_start, date_end``), counted per date for ``salience``.
    """
    if reports.empty:
        return SCHEMAS["happenings"].empty_table().to_pandas()
    refs = timexes[timexes["date_start"].notna()]
    refs = refs.assign(d0=pd.to_datetime(refs["date_start"]).dt.date, d1=pd.to_datetime(refs["date_end"]).dt.date)
    date_refs = refs.groupby(["d0", "d1"])["article_id"].nunique().to_dict()
    width = (pd.to_datetime(reports["date_end"]) - pd.to_datetime(reports["date_start"])).dt.days
    ranked = reports.assign(
        _width=width,
        # The best evidence: a named subject, a headline of readable length, a fine date, an explicit date.
        _score=reports["named"].astype(int) * 4 + reports["headline"].str.split().str.len().between(4, HEADLINE_WORDS).astype(int) * 2
        + (reports["kind"] == "reported").astype(int) - width.clip(upper=400) / 400,
    ).sort_values(["happening", "_width", "_score", "event_id"], ascending=[True, True, False, True], kind="stable")
    rows = []
    for happening, group in ranked.groupby("happening", sort=False):
        anchor = group.iloc[0]
        best = group.sort_values(["_score", "event_id"], ascending=[False, True], kind="stable").iloc[0]
        articles = group["article_id"].unique().tolist()
        outlet_set = {outlets.get(a) for a in articles} - {None}
        counts: Counter = Counter(a for ids in group["core_list"] for a in ids)
        d0 = pd.Timestamp(anchor["date_start"]).date()
        d1 = pd.Timestamp(anchor["date_end"]).date()
        n_refs = int(date_refs.get((d0, d1), 0))
        rows.append(
            {
                "happening_id": _short_hash(str(happening)),
                "date_value": anchor["date_value"],
                "date_start": d0,
                "date_end": d1,
                "granularity": anchor["granularity"],
                "headline": best["headline"],
                "trigger": best["trigger"],
                "actor_ids": [a for a, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:8],
                "n_events": int(len(group)),
                "n_articles": len(articles),
                "n_outlets": len(outlet_set),
                "salience": round(len(articles) + len(outlet_set) + REFERENCE_WEIGHT.get(str(anchor["granularity"]), 0.0) * math.log2(1 + n_refs), 3),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _spans_by_article(mentions: pd.DataFrame, names: dict[str, str]) -> dict[str, list[tuple[int, int, str]]]:
    found = mentions[mentions["actor_id"].notna()]
    out: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for a, s, e, actor in zip(found["article_id"], found["start"], found["end"], found["actor_id"]):
        out[a].append((int(s), int(e), names.get(actor, actor), actor))  # type: ignore[arg-type]
    return out


def features(
    events: pd.DataFrame, preds: pd.DataFrame, mentions: pd.DataFrame, names: dict[str, str], timex_at: dict[str, int]
) -> pd.DataFrame:
    """Per report: ``headline, trigger, triggers, core, core_list, named, quote`` from the predicate governing its date.

    Args:
        events: reports (``event_id, article_id, start, sentence, actor_ids, kind``).
        preds: :func:`predicates` rows with ``article_id``.
        timex_at: event_id -> offset of the date expression it is dated by (absent: dated by the article).
    """
    by_sentence = {k: g for k, g in preds.groupby(["article_id", "s_start"], sort=False)} if not preds.empty else {}
    spans = _spans_by_article(mentions, names)
    out = []
    for event_id, article, start, sentence, actor_ids in zip(events["event_id"], events["article_id"], events["start"], events["sentence"], events["actor_ids"]):
        group = by_sentence.get((article, int(start))) if pd.notna(start) else None
        at = timex_at.get(event_id)
        pred = _governing(group, at) if group is not None and at is not None else (
            _governing(group, -1) if group is not None else None)
        article_spans = [(s, e, n) for s, e, n, _ in spans.get(article, [])]
        by_head = {int(h): row for h, row in zip(group["head"], (r for _, r in group.iterrows()))} if group is not None and pred is not None and bool(pred["report"]) else None
        headline, trigger, named = headline_of(pred, str(sentence), int(start) if pd.notna(start) else 0, article_spans, by_head)
        actors = set(actor_ids)
        core: set[str] = set()
        if pred is not None:
            p0, p1 = int(pred["start"]), int(pred["end"])
            core = {a for s, e, _, a in spans.get(article, []) if p0 <= s and e <= p1} & actors
        core = core or actors
        classes = {trigger_class(trigger)} if trigger and trigger not in LIGHT else set()
        if group is not None and pred is not None:  # event nouns within the predicate's reach ("for talks with Putin")
            near = (group["head"] - int(pred["head"])).abs() <= NOUN_REACH
            inside = group[(group["start"] >= int(pred["start"])) & (group["end"] <= int(pred["end"])) & (group["tense"] == "noun") & near]
            classes |= {trigger_class(x) for x in inside["lemma"]}
        out.append({"headline": headline, "trigger": trigger, "triggers": frozenset(classes), "core": frozenset(core),
                    "core_list": sorted(core), "named": named,
                    "report": bool(pred["report"]) if pred is not None else False,
                    "main_report": bool(group is not None and (group["main"] & group["report"]).any()),
                    "tense": str(pred["tense"]) if pred is not None else "",
                    "main": bool(pred["main"]) if pred is not None else False})  # fmt: skip
    return pd.DataFrame(out, index=events.index)
