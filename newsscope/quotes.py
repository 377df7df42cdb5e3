"""Who said what: direct, indirect and mixed quotations from a parsed spaCy ``Doc``.

``extract(doc)`` returns one :class:`Quote` per reported statement, with the reporting cue, its stance (from the
editable lexicon ``resources/reporting_verbs.csv``), the speaker as written and the char span of the *named*
mention the speaker refers to (its own name, or for "he" / "the secretary" / "they" the mention it resolves to).
Offsets are character offsets into ``doc.text``; ``end`` is exclusive, like Python slices.

The approach follows the rule-based extractors used on news (the Gender Gap Tracker's, textacy's), with
three differences: quotation marks are paired on characters, not tokens, so an apostrophe ("it’s") is never a
quote mark and one unbalanced mark only affects its own quote; indirect speech covers clausal complements,
objects of verbs such as "deny" or "voice concern", "according to X" and "as stated by X"; and speakers that
are pronouns or descriptions are resolved to a named mention.
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import numpy as np
from spacy.attrs import DEP, HEAD, IDX, LOWER, POS
from spacy.symbols import AUX, VERB
from spacy.tokens import Doc, Span, Token

from newsscope.tables import STANCES, QuoteKind, Stance
from newsscope.nlp import doc_ents, doc_text

__all__ = ["STANCES", "Quote", "ReportingVerb", "extract", "lexicon", "stance_of"]

# ---------------------------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class ReportingVerb:
    """One row of ``resources/reporting_verbs.csv``.

    ``cue`` is a lemma ("say") or a lemma phrase ("voice concern", "according to"); ``speech`` is False for
    attribution verbs that report a belief rather than an utterance ("believe", "show"), which ``extract``
    ignores; ``object`` is True when a direct object can be the reported content ("denied accusations of …");
    ``forms`` lists irregular inflections so that :func:`stance_of` can read cues as written.
    """

    cue: str
    stance: Stance
    speech: bool
    object: bool
    forms: tuple[str, ...]


@functools.cache
def lexicon() -> dict[str, ReportingVerb]:
    """The reporting-verb lexicon keyed by lemma (or lemma phrase), read once from the package data."""
    path = resources.files("newsscope") / "resources" / "reporting_verbs.csv"
    rows: dict[str, ReportingVerb] = {}
    with path.open(encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            stance = line["stance"].strip()
            if stance not in STANCES:
                raise ValueError(f"unknown stance {stance!r} for cue {line['cue']!r}; expected one of {STANCES}")
            cue = line["cue"].strip().lower()
            rows[cue] = ReportingVerb(
                cue=cue,
                stance=stance,  # type: ignore[arg-type]  # checked against STANCES above
                speech=line["speech"].strip().lower() == "true",
                object=line["object"].strip().lower() == "true",
                forms=tuple(f.strip().lower() for f in (line.get("forms") or "").split("|") if f.strip()),
            )
    return rows


@functools.cache
def _form_index() -> dict[str, str]:
    """Irregular written forms -> lemma (``said`` -> ``say``)."""
    return {form: entry.cue for entry in lexicon().values() for form in entry.forms}


@functools.cache
def _phrases() -> list[tuple[ReportingVerb, list[str]]]:
    """The multi-word entries with their words ("voice concern" -> ["voice", "concern"]), in lexicon order."""
    return [(entry, entry.cue.split()) for entry in lexicon().values() if len(entry.cue.split()) >= 2]


@functools.cache
def _phrase_verbs() -> frozenset[str]:
    """The lemmas a verb needs for "<verb> <object>" to be a lexicon phrase: what precedes a space in a cue."""
    return frozenset(cue[:i] for cue in lexicon() for i, ch in enumerate(cue) if ch == " ")


def _lemma_candidates(word: str) -> list[str]:
    """Possible lemmas of a written verb form, by the regular English suffix rules plus the irregular forms."""
    word = word.lower().strip(".,:;!?\"'“”‘’")
    out = [word]
    if word in _form_index():
        out.append(_form_index()[word])
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ing", "e"), ("es", ""), ("ed", ""), ("ed", "e"),
                         ("s", ""), ("d", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            stem = word[: -len(suffix)] + repl
            out.append(stem)
            if repl == "" and len(stem) > 2 and stem[-1] == stem[-2]:  # admitted -> admit
                out.append(stem[:-1])
    return out


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)  # a few cues ("said", "told", "according to") make up most calls
def lookup(cue: str) -> ReportingVerb | None:
    """The lexicon entry for a cue as written ("voiced concern", "has said", "According to"), or None.

    A multi-word entry wins when all its words appear in order in the cue; otherwise the first word of the
    cue that is an inflection of a lexicon lemma decides.
    """
    words = [w for w in _SPACES.split(cue.lower().strip()) if w.strip(".,:;!?")]
    if not words:
        return None
    table = lexicon()
    candidates = [_lemma_candidates(w) for w in words]
    for entry, parts in _phrases():
        k = 0
        for cands in candidates:
            if k < len(parts) and parts[k] in cands:
                k += 1
        if k == len(parts):
            return entry
    for cands in candidates:
        for lemma in cands:
            if lemma in table and " " not in lemma:
                return table[lemma]
    return None


def stance_of(cue: str) -> Stance:
    """The stance of a cue as written: "denied" -> "denial", "voiced concern" -> "warning"; unknown -> "neutral"."""
    entry = lookup(cue)
    return entry.stance if entry else "neutral"


# ---------------------------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Quote:
    """One reported statement.

    ``start``/``end`` delimit the quoted or reported content (end exclusive; quotation marks excluded for a
    direct quote). ``speaker`` is the speaker as written ("He", "the secretary"); ``speaker_ref_start``/
    ``speaker_ref_end`` point at the named mention it refers to (for a named speaker its own name), or are
    None when the speaker is unresolved or an unnamed group.
    """

    start: int
    end: int
    quote: str
    kind: QuoteKind
    cue: str | None
    stance: Stance
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    speaker_ref_start: int | None
    speaker_ref_end: int | None


# ---------------------------------------------------------------------------------------------- quote marks

_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘‹"
_SINGLE_CLOSE = "’›"
_OPENERS = _DOUBLE_OPEN + '"'
_MARK = re.compile("[" + re.escape(_DOUBLE_OPEN + _DOUBLE_CLOSE + _SINGLE_OPEN + _SINGLE_CLOSE + '"') + "]")


@dataclass(frozen=True)
class _Marked:
    """A span between quotation marks: content [start, end), marks from ``outer_start`` to ``outer_end``."""

    start: int
    end: int
    outer_start: int
    outer_end: int
    single: bool
    balanced: bool


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Char spans of the lines of ``text`` (news bodies put one paragraph on a line)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _para_span(text: str, pos: int) -> tuple[int, int]:
    """The line holding ``pos``: statements never cross a line break, though the parse's sentences may."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def find_quote_marks(text: str) -> list[_Marked]:
    """Pair quotation marks in ``text`` and return the quoted spans, in order.

    Double marks (“ ” „ « » and straight ") pair within a paragraph; a quote left open at a paragraph end
    continues when the next paragraph opens with a mark (the news convention for multi-paragraph quotes),
    otherwise it ends with its paragraph. Single curly marks (‘ ’) quote only outside double quotes, and ’
    between letters ("it’s", "Russia’s") is an apostrophe, never a mark.

    Note:
        A straight " inside a quote always closes it; nested straight double quotes are not recognised.
    """
    # Two apostrophes ('') stand for a double mark in some wire copy; same length keeps the offsets.
    text = text.replace("''", '"\x00')
    paras = _paragraphs(text)
    out: list[_Marked] = []
    carry: int | None = None  # opening-mark position of a quote continued from the previous paragraph
    for n, (p_start, p_end) in enumerate(paras):
        open_double: int | None = None
        open_single: int | None = None
        if carry is not None and p_start < p_end and text[p_start] in _OPENERS:
            open_double = carry
            first = p_start + 1
        else:
            if carry is not None:
                out.append(_close(text, carry, paras[n - 1][1], single=False, balanced=False))
            first = p_start
        carry = None
        for found in _MARK.finditer(text, first, p_end):  # only marks change the state: skip the other chars
            i = found.start()
            ch = text[i]
            if ch in _DOUBLE_OPEN or (ch == '"' and open_double is None):
                if open_double is not None:  # an unbalanced opener: close the open quote where the next begins
                    out.append(_close(text, open_double, i, single=False, balanced=False))
                open_double, open_single = i, None
            elif (ch in _DOUBLE_CLOSE or ch == '"') and open_double is not None:
                out.append(_close(text, open_double, i + 1, single=False, balanced=True))
                open_double = None
            elif open_double is None and ch in _SINGLE_OPEN and (i == p_start or not text[i - 1].isalnum()):
                open_single = i
            elif (
                open_double is None
                and open_single is not None
                and ch in _SINGLE_CLOSE
                and not (i + 1 < p_end and text[i + 1].isalpha())
                and i - open_single > 1
            ):
                out.append(_close(text, open_single, i + 1, single=True, balanced=True))
                open_single = None
        if open_double is not None:
            nxt = paras[n + 1][0] if n + 1 < len(paras) else None
            if nxt is not None and text[nxt] in _OPENERS:
                carry = open_double
            else:
                out.append(_close(text, open_double, p_end, single=False, balanced=False))
    if carry is not None:
        out.append(_close(text, carry, paras[-1][1], single=False, balanced=False))
    return [m for m in out if m.end > m.start]


def _close(text: str, opener: int, outer_end: int, *, single: bool, balanced: bool) -> _Marked:
    start = opener + 1
    end = outer_end - 1 if balanced else outer_end
    while end > start and text[end - 1].isspace():
        end -= 1
    while start < end and (text[start].isspace() or text[start] == "\x00"):
        start += 1
    return _Marked(start, end, opener, outer_end if balanced else end, single, balanced)


# ---------------------------------------------------------------------------------------------- helpers

_PERSON_PRONOUNS = {"he", "she", "him", "her"}
_GROUP_PRONOUNS = {"they", "them"}
_RELATIVE = {"who", "that", "which", "whom"}
_NAMED = {"PERSON", "ORG", "GPE", "NORP"}
# Nouns that name an organisation rather than a person: "the ministry said" is not a description of a person.
_ORG_NOUNS = {
    "ministry", "department", "agency", "government", "committee", "council", "office", "pentagon", "campaign",
    "administration", "company", "party", "court", "commission", "embassy", "military", "army", "police",
    "kremlin", "group", "organization", "organisation", "newspaper", "network",
}
# Anonymous sources are never resolved to a named person.
_ANONYMOUS = {"source", "person", "insider", "someone", "witness", "aide"}
_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}


def _speech_entry(token: Token) -> ReportingVerb | None:
    """The lexicon entry when ``token`` is a speech cue (a verb whose lemma is a speech lemma)."""
    if token.pos_ not in {"VERB"} and not (token.pos_ == "AUX" and token.lemma_ == "say"):
        return None
    if not token.is_alpha:
        return None  # a dash the tagger took for a verb: "” ― Carlos Raúl" is handled as a bare name
    if token.dep_ in {"amod", "acl"} and token.tag_ in {"VBG", "VBN"} and token.head.pos_ == "NOUN":
        return None  # "tweets accusing her of …", "the claims alleged": a modifier, not a report
    entry = lexicon().get(token.lemma_.lower())
    return entry if entry and entry.speech else None


def _phrase_entry(verb: Token, noun: Token) -> ReportingVerb | None:
    entry = lexicon().get(f"{verb.lemma_.lower()} {noun.lemma_.lower()}")
    return entry if entry and entry.speech else None


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace and clause punctuation from both edges (a final full stop stays, as the gold has it)."""
    text = doc_text(doc)
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    return start, end


def _token_starts(doc: Doc) -> list[int]:
    """The char offset of each token (``[t.idx for t in doc]`` read from the token array), once per Doc."""
    starts = doc.user_data.get("newsscope_token_starts")
    if starts is None:
        starts = doc.user_data["newsscope_token_starts"] = doc.to_array(IDX).tolist() if len(doc) else []
    return starts


def _subtree_chars(token: Token) -> tuple[int, int]:
    """Char extent of ``token``'s subtree (end exclusive)."""
    first, last = token.left_edge, token.right_edge
    return first.idx, last.idx + len(last.text)


class _Spans:
    """Char spans (end exclusive) with a constant-time test ``pos in spans`` for "inside one of them".

    The extractor asks whether each token of a document is quoted; scanning the list of quotes for every
    token cost more than all the rest of the extraction, so the covered characters are marked once.
    """

    def __init__(self, spans: list[tuple[int, int]], length: int) -> None:
        self.spans = spans
        self._inside = bytearray(length)  # 1 at each char covered by a span
        for s, e in spans:
            s, e = max(s, 0), min(e, length)
            if s < e:
                self._inside[s:e] = b"\x01" * (e - s)

    def __contains__(self, pos: int) -> bool:
        return 0 <= pos < len(self._inside) and self._inside[pos] == 1

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.spans)


def _blank_spans(text: str, start: int, end: int, spans: _Spans) -> str:
    """``text[start:end]`` with the characters inside any of ``spans`` replaced by spaces."""
    chars = list(text[start:end])
    for s, e in spans:
        for k in range(max(s, start) - start, min(e, end) - start):
            chars[k] = " "
    return "".join(chars)


# ---------------------------------------------------------------------------------------------- candidates


@dataclass
class _Cand:
    """A quote under construction (mutable while speakers are resolved)."""

    start: int
    end: int
    kind: QuoteKind
    cue: str | None
    stance: Stance
    cue_i: int | None  # token index of the cue, None for cue-less quotes
    speaker_tok: Token | None = None  # head token of the speaker phrase
    speaker_span: tuple[int, int] | None = None  # explicit surface span when there is no head token
    ref: tuple[int, int] | None = None
    speaker_kind: Literal["person", "group", "org", "unknown"] = "unknown"
    inherit: bool = False  # cue-less: takes the speaker of the neighbouring quote
    outer: tuple[int, int] | None = None  # including quotation marks


def _speaker_of(cue: Token) -> Token | None:
    """The subject of a speech verb, walking up through "saying", "adding", conjoined verbs and relative clauses."""
    tok: Token | None = cue
    for step in range(4):
        if tok is None:
            return None
        for child in tok.children:
            if child.dep_ == "agent":  # "as stated by X"
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    return objs[0]
        # a passive subject ("he was asked") is the addressee, not the speaker
        subjects = [c for c in tok.children if c.dep_ == "nsubj"]
        # the parse may join a headline to the next line: prefer the subject nearest the verb
        subjects.sort(key=lambda c: abs(c.i - tok.i))
        if subjects:
            return subjects[0]  # a relative pronoun ("who said") is resolved through its antecedent later
        passive = [c for c in tok.children if c.dep_ == "nsubjpass"]
        if passive:
            # "after saying …, she was whisked off": the subject of the clause "saying" hangs from
            return passive[0] if step > 0 else None
        if step == 0:
            adjacent = _adjacent_subject(cue)
            if adjacent is not None:
                return adjacent
        if tok.dep_ == "relcl" and tok.head.pos_ in {"NOUN", "PROPN"}:
            return tok.head
        if tok.dep_ == "pcomp" and tok.head.dep_ == "prep":  # "before asking her", "by saying"
            tok = tok.head.head
            continue
        if tok.dep_ in {"advcl", "xcomp", "conj", "acl"} and tok.head.i != tok.i:
            tok = tok.head
            continue
        return None
    return None


def _adjacent_subject(cue: Token) -> Token | None:
    """A name or pronoun written right before a cue the parse left without a subject ("… Post Trump said")."""
    i = cue.i - 1
    while i >= 0 and cue.doc[i].dep_ in {"aux", "advmod", "neg"} and cue.doc[i].pos_ in {"AUX", "ADV", "PART"}:
        i -= 1
    if i < 0:
        return None
    prev = cue.doc[i]
    if prev.lower_ in _RELATIVE or prev.lower_ in {"it", "this", "that"}:
        return None
    if prev.pos_ in {"PROPN", "PRON"} or (prev.pos_ == "NOUN" and prev.tag_ == "NNS"):
        return prev
    return None


def _speaker_near(cue: Token) -> Token | None:
    """The speaker of ``cue`` when it sits on the cue's line; else the name that opens that line.

    The parse sometimes joins a headline to the line after it, so the subject it finds lies on another line;
    a line that opens with a name ("US Secretary of Defense Lloyd Austin has raised …, saying …") names the
    speaker of its verbs.
    """
    doc = cue.doc
    p_start, p_end = _para_span(doc_text(doc), cue.idx)
    found = _speaker_of(cue)
    if found is None or p_start <= found.idx < p_end:
        return found
    opening = []
    for tok in doc[doc.char_span(p_start, p_end, alignment_mode="expand").start :]:
        if tok.pos_ in {"VERB", "AUX"} or tok.idx >= cue.idx:
            break
        opening.append(tok)
    ents = [e for e in doc_ents(doc) if e.label_ in _NAMED and any(e.start <= t.i < e.end for t in opening)]
    people = [e for e in ents if e.label_ == "PERSON"]
    best = people[-1] if people else (ents[-1] if ents else None)
    return best.root if best is not None else None


def _np_span(head: Token) -> tuple[int, int]:
    """Char span of a speaker noun phrase: its left modifiers, the head, conjuncts and a trailing name part."""
    if head.lower_ in _PERSON_PRONOUNS | _GROUP_PRONOUNS:
        return head.idx, head.idx + len(head.text)
    left = head
    for child in head.lefts:
        if child.dep_ not in {"punct"}:
            left = child.left_edge if child.left_edge.i < left.i else left
            break
    right = head
    for child in head.rights:
        if child.dep_ in {"conj", "cc"} or (child.dep_ in {"compound", "flat", "appos", "npadvmod", "nmod"}
                                             and child.pos_ == "PROPN" and child.i == right.i + 1):
            right = child.right_edge if child.dep_ == "conj" else child
        else:
            break
    while left.i < head.i and (left.is_punct or left.is_quote or left.is_space):
        left = left.doc[left.i + 1]
    p_start, p_end = _para_span(doc_text(head.doc), head.idx)
    return max(left.idx, p_start), min(right.idx + len(right.text), p_end)


def _content_for(cue: Token, entry: ReportingVerb) -> tuple[int, int, str] | None:
    """The reported content of an indirect cue and the cue text as written, or None when it has none."""
    doc = cue.doc
    comps = [c for c in cue.children if c.dep_ in {"ccomp"}]
    if comps:
        comp = comps[0]
        start, end = _subtree_chars(comp)
        # drop the complementiser ("claimed that ...") — the gold standards quote what was said
        first = comp.left_edge
        if first.dep_ == "mark" and first.lower_ in {"that", "whether", "if"}:
            start = first.idx + len(first.text)
        elif end <= cue.idx and end <= _subject_start(cue):
            # a postposed attribution ("A, but B, a source said") reports the whole sentence before it
            start = min(start, max(cue.sent.start_char, _para_span(doc_text(doc), cue.idx)[0]))
        return start, end, cue.text
    objs = [c for c in cue.children if c.dep_ in {"dobj", "obj"}]
    if objs:
        obj = objs[0]
        phrase = _phrase_entry(cue, obj)
        if phrase is not None:  # "voiced concern that ...", "expressed concern regarding ..."
            clause = [c for c in obj.children if c.dep_ in {"acl", "ccomp", "prep", "relcl"}]
            if clause and clause[0].dep_ != "relcl":
                c0 = clause[0]
                if c0.dep_ == "prep":
                    start, end = _subtree_chars(c0)
                    start = c0.idx + len(c0.text) if c0.right_edge.i > c0.i else start
                else:
                    start, end = _subtree_chars(c0)
                    if c0.left_edge.dep_ == "mark":
                        start = c0.left_edge.idx + len(c0.left_edge.text)
                return start, end, doc_text(doc)[cue.idx : obj.idx + len(obj.text)]
            start, end = _subtree_chars(obj)
            return start, end, doc_text(doc)[cue.idx : obj.idx + len(obj.text)]
        if entry.object and obj.lower_ not in {"it", "this", "that", "so"}:
            start, end = _subtree_chars(obj)
            for c in cue.children:  # "accused the US of worsening tensions"
                if c.dep_ == "prep" and c.i > obj.i and c.lower_ in {"of", "over", "about", "for", "as"}:
                    end = max(end, _subtree_chars(c)[1])
            return start, end, cue.text
    xcomps = [c for c in cue.children if c.dep_ == "xcomp" and c.i > cue.i and c.pos_ in {"VERB", "AUX"}]
    if xcomps and not any(c.dep_ == "auxpass" for c in cue.children):
        # "vowed to form a task force", "told his advisers to figure out how …"
        start, end = _subtree_chars(xcomps[0])
        return start, end, cue.text
    if objs:
        return None
    has_subject = any(c.dep_ in _SUBJECTS for c in cue.children)
    if cue.dep_ in {"parataxis", "ccomp"} or (cue.dep_ in {"advcl", "conj"} and has_subject):
        # "Close ties have granted Pyongyang …, Jung Pak has said" and "Climate change, Mr. Obama often says, is
        # the greatest threat": the sentence the cue interrupts or closes is the content
        head = cue.head
        if head.pos_ not in {"VERB", "AUX"} or not has_subject:
            return None
        p_start, p_end = _para_span(doc_text(doc), cue.idx)
        sent = [t for t in cue.sent if p_start <= t.idx < p_end and not t.is_space]
        lo, hi = cue.left_edge.i, cue.right_edge.i
        before = [t for t in sent if t.i < lo and not t.is_punct]
        after = [t for t in sent if t.i > hi and not t.is_punct]
        if before and after and cue.dep_ != "conj":
            return sent[0].idx, sent[-1].idx + len(sent[-1].text), cue.text
        if before:
            return before[0].idx, before[-1].idx + len(before[-1].text), cue.text
    return None


def _subject_start(cue: Token) -> int:
    subjects = [c for c in cue.children if c.dep_ in _SUBJECTS]
    return min([c.left_edge.idx for c in subjects] + [cue.idx])


def _sentence_content(cue: Token, phrase_head: Token) -> tuple[int, int] | None:
    """Content of "According to X, ..." / "..., as stated by X": the sentence without the attribution phrase."""
    sent = cue.sent
    p_start, p_end = _para_span(doc_text(cue.doc), cue.idx)
    lo, hi = phrase_head.left_edge.i, phrase_head.right_edge.i
    inside = [t for t in sent if p_start <= t.idx < p_end and not t.is_space]
    before = [t for t in inside if t.i < lo]
    after = [t for t in inside if t.i > hi]
    side = before if sum(len(t.text) for t in before) >= sum(len(t.text) for t in after) else after
    side = [t for t in side if not (t.is_punct and t.text in {",", "."} and (t is side[0] or t is side[-1]))]
    if not side:
        return None
    return side[0].idx, side[-1].idx + len(side[-1].text)


def _cue_candidates(doc: Doc) -> list[Token]:
    """The tokens that may be a speech cue, in order: verbs, auxiliaries ("say" tagged AUX) and "according".

    Read from the token arrays, so that the other tokens (most of them) never become ``Token`` objects.
    """
    if len(doc) == 0:
        return []
    pos, lower = doc.to_array([POS, LOWER]).T
    maybe = (pos == VERB) | (pos == AUX) | (lower == doc.vocab.strings["according"])
    return [doc[i] for i in np.flatnonzero(maybe).tolist()]


def _indirect(doc: Doc, quoted: _Spans) -> list[_Cand]:
    """Reported speech cues outside direct quotes with their content and speaker head."""
    out: list[_Cand] = []
    for tok in _cue_candidates(doc):
        if tok.idx in quoted:
            continue
        # "According to X, ..."
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
            objs = [c for c in to.children if c.dep_ == "pobj"] or [c for c in tok.children if c.dep_ == "pobj"]
            if not objs:
                continue
            span = _sentence_content(tok, tok)
            if span is None:
                continue
            phrase = doc_text(doc)[tok.idx : to.idx + len(to.text)]
            out.append(_Cand(span[0], span[1], "indirect", phrase, stance_of("according to"), tok.i,
                             speaker_tok=objs[0]))
            continue
        entry = _speech_entry(tok)
        if entry is None and tok.pos_ == "VERB" and tok.lemma_.lower() in _phrase_verbs():
            # "voiced concern": the verb alone is no cue, the phrase is
            objs = [c for c in tok.children if c.dep_ in {"dobj", "obj"}]
            entry = _phrase_entry(tok, objs[0]) if objs else None
        if entry is None:
            continue
        agent = [c for c in tok.children if c.dep_ == "agent"]
        if agent and tok.dep_ in {"advcl", "acl"} and tok.head.i < tok.i:  # "..., as stated by X"
            objs = [c for c in agent[0].children if c.dep_ == "pobj"]
            span = _sentence_content(tok, tok)
            if objs and span:
                marks = [c for c in tok.children if c.dep_ == "mark"]
                first = marks[0] if marks and marks[0].i < tok.i else tok
                cue_text = doc_text(doc)[first.idx : agent[0].idx + len(agent[0].text)]
                out.append(_Cand(span[0], span[1], "indirect", cue_text, entry.stance, tok.i, speaker_tok=objs[0]))
            continue
        found = _content_for(tok, entry)
        if found is None:
            continue
        start, end, cue_text = found
        p_start, p_end = _para_span(doc_text(doc), tok.idx)
        if start > tok.idx:
            end = _extend_to_sentence_end(tok, end, quoted)
        start, end = _trim(doc, max(start, p_start), min(end, p_end))
        if end - start < 3:
            continue
        phrase = lookup(cue_text)
        stance = phrase.stance if phrase else entry.stance
        out.append(_Cand(start, end, "indirect", cue_text, stance, tok.i, speaker_tok=_speaker_near(tok)))
    return out


def _extend_to_sentence_end(cue: Token, end: int, quoted: _Spans) -> int:
    """Reported content runs on to the end of its sentence ("says X, but she knows that Y") unless another
    speech cue or a subordinate clause of time or condition intervenes.

    The parse often attaches a trailing conjunct or a possessive to the wrong head; the sentence edge is the
    steadier boundary for what a speaker is reported to have said.
    """
    doc = cue.doc
    p_end = _para_span(doc_text(doc), cue.idx)[1]
    last = end
    first = max(cue.i + 1, bisect.bisect_left(_token_starts(doc), end))  # the first token at or after `end`
    for i in range(first, cue.sent.end):  # not doc[a:b]: an empty Span at the doc's end rebuilds doc.text
        tok = doc[i]
        if tok.idx >= p_end:
            break
        if tok.idx not in quoted and (
            _speech_entry(tok) is not None or (tok.dep_ == "mark" and tok.lower_ in {"when", "while", "as", "after",
                                                                                    "before", "because", "if"})
        ):
            return end
        if not tok.is_punct or tok.is_quote:
            last = tok.idx + len(tok.text)
    return max(end, last)


def _direct(doc: Doc, marks: list[_Marked], quoted: _Spans) -> list[_Cand]:
    """Quoted spans with the cue and speaker found around them (``quoted``: the marks' outer spans)."""
    out: list[_Cand] = []
    # Per token, its char offset (for bisect) and its head's index, read from the arrays: a Token object for
    # each word of each quote would cost more than the rest of this function.
    starts = _token_starts(doc)
    heads: list[int] = []
    if marks and len(doc):
        to_head = doc.to_array(HEAD).astype(np.int64)  # head.i - i, stored unsigned
        heads = (np.arange(len(doc)) + to_head).tolist()

    def tokens_between(lo: int, hi: int) -> range:
        """The indices of the tokens that start in [lo, hi)."""
        return range(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi))

    for m in marks:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        inside = set(range(span.start, span.end))
        cue: Token | None = None
        # 1) the parse attaches the quote to a speech verb outside it: “...,” Austin said / He added, “...”
        para = _para_span(doc_text(doc), m.outer_end - 1)
        for i in range(span.start, span.end):
            h = heads[i]
            if (h not in inside and starts[h] not in quoted and para[0] <= starts[h] < para[1]
                    and _speech_entry(doc[h]) is not None):
                cue = doc[h]
                break
        # 2) a speech verb in the text between this quote and its neighbours, within the sentence
        after_end = min([q[0] for q in quoted if q[0] >= m.outer_end] + [para[1]])
        before_start = max([q[1] for q in quoted if q[1] <= m.outer_start] + [para[0]])
        first_tok = doc[span.start]
        last_tok = doc[span.end - 1]
        sent_lo = first_tok.sent.start_char
        sent_hi = last_tok.sent.end_char
        after_range = tokens_between(m.outer_end, min(after_end, max(sent_hi, m.outer_end + 1) + 80))
        after = _until_sentence_end((doc[i] for i in after_range), m.outer_end)
        before = tokens_between(max(before_start, min(sent_lo, m.outer_start)), m.outer_start)
        if cue is None:
            for t in after:
                if _speech_entry(t) is not None:
                    cue = t
                    break
        if cue is None and before and doc[before[-1]].text in {",", ":"}:
            for i in reversed(before):
                if _speech_entry(doc[i]) is not None:
                    cue = doc[i]
                    break
        if cue is None and m.outer_start == para[0] and doc_text(doc)[: para[0]].rstrip().endswith(":"):
            # a block quote introduced by the paragraph before: "Trump said:\n\n“…”"
            colon = len(doc_text(doc)[: para[0]].rstrip()) - 1
            intro = doc.char_span(colon, colon + 1, alignment_mode="expand")
            if intro is not None:
                for t in reversed(list(intro.sent)):
                    if t.i < intro.start and _speech_entry(t) is not None:
                        cue = t
                        break
        if len(span) < 4 and cue is None:
            continue  # a scare-quoted term or a title, not a quotation
        if cue is not None:
            entry = _speech_entry(cue)
            out.append(_Cand(m.start, m.end, "direct", cue.text, entry.stance if entry else "neutral", cue.i,
                             speaker_tok=_speaker_outside(cue, inside), outer=(m.outer_start, m.outer_end)))
            continue
        # 3) no cue: a bare name right after the quote (“...,” Austin .), else the neighbouring speaker
        words = [t for t in after if not t.is_punct and not t.is_space]
        named = [t for t in words if t.ent_type_ in _NAMED or t.pos_ == "PROPN" or t.lower_ in _PERSON_PRONOUNS]
        if words and len(words) <= 4 and named and len(named) == len(words):
            out.append(_Cand(m.start, m.end, "direct", None, "neutral", None, speaker_tok=named[-1],
                             outer=(m.outer_start, m.outer_end)))
            continue
        if _looks_like_title(span):
            continue  # “Fox News Sunday,” “Contract with America.”: a name in quotes, not a quotation
        lead = doc_text(doc)[para[0] : m.outer_start].rstrip()
        if lead and lead[-1] not in ".?!:;”\"’―—-)]":
            continue  # a fragment quoted inside someone else's sentence, with no cue of its own
        out.append(_Cand(m.start, m.end, "direct", None, "neutral", None, inherit=True,
                         outer=(m.outer_start, m.outer_end)))
    return out


def _looks_like_title(span: Span) -> bool:
    """A short quoted span whose words are mostly capitalised (a programme, a book, a slogan)."""
    words: list[Token] = []
    for t in span:
        if t.is_alpha:
            words.append(t)
            if len(words) > 6:
                return False  # too long for a title
    if not words:
        return True
    capitalised = sum(1 for t in words if t.text[0].isupper() or t.is_stop)
    return capitalised == len(words) and sum(1 for t in words if t.text[0].isupper()) >= len(words) / 2


def _speaker_outside(cue: Token, inside: set[int]) -> Token | None:
    """The speaker of a direct quote's cue, never a word of the quote itself."""
    found = _speaker_near(cue)
    return None if found is None or found.i in inside else found


def _until_sentence_end(tokens: Iterable[Token], start: int) -> list[Token]:
    """Tokens after a closing mark up to the first full stop (the attribution of “...,” X said.)."""
    out: list[Token] = []
    for t in tokens:
        out.append(t)
        if t.text in {".", "!", "?"} and t.idx > start:
            break
    return out


# ---------------------------------------------------------------------------------------------- speakers


def _ent_at(doc: Doc, tok: Token) -> Span | None:
    index = doc.user_data.get("newsscope_named_at")
    if index is None:  # token index -> named entity, built once per Doc
        index = doc.user_data["newsscope_named_at"] = {i: e for e in doc_ents(doc) if e.label_ in _NAMED for i in range(e.start, e.end)}
    return index.get(tok.i)


def _role_words(tok: Token) -> set[str]:
    """Words that introduce a named person: titles before the name and appositive or relative-clause roles."""
    return {t.lemma_.lower() for t in tok.subtree if t.pos_ in {"NOUN", "PROPN"}}


_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
_TITLE_GENDER = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f"}


def _genders(doc: Doc, persons: list[Span], quoted: _Spans) -> dict[str, str]:
    """Gender of each surname as the article itself shows it: an honorific ("Mrs. Clinton") or the first
    personal pronoun after a mention, before anyone else is named (in that sentence or the next)."""
    votes: dict[str, list[int]] = {}
    starts = sorted(e.start for e in persons)
    pronouns = {doc.vocab.strings[word]: word for word in _PRONOUN_GENDER}  # lower-case hash -> pronoun
    lowers = doc.to_array(LOWER).tolist() if persons else []
    for ent in persons:
        key = ent[-1].lower_
        tally = votes.setdefault(key, [0, 0])
        title = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        if title in _TITLE_GENDER:
            tally[0 if _TITLE_GENDER[title] == "m" else 1] += 3
        later = bisect.bisect_right(starts, ent.start)  # the next person named
        nxt = starts[later] if later < len(starts) else len(doc)
        stop = min(nxt, ent.sent.end + 40)
        for i in range(ent.end, stop):  # lower-case forms from the array: cheaper than a Token per word
            pronoun = pronouns.get(lowers[i])
            if pronoun is not None and doc[i].idx not in quoted:
                tally[0 if _PRONOUN_GENDER[pronoun] == "m" else 1] += 1
                break
    return {k: ("m" if m > f else "f") for k, (m, f) in votes.items() if m != f}


class _Resolver:
    """Resolves speaker phrases to named mentions, in document order."""

    def __init__(self, doc: Doc, quoted: _Spans) -> None:
        self.doc = doc
        self.quoted = quoted
        self.history: list[tuple[int, str, tuple[int, int]]] = []  # (char pos, kind, ref span) of speakers
        self.persons = [e for e in doc_ents(doc) if e.label_ == "PERSON" and e.start_char not in quoted]
        # (start_char, end_char, entity) of the named entities: compared as ints, many times per document
        self.named = [(e.start_char, e.end_char, e) for e in doc_ents(doc) if e.label_ in _NAMED]
        self.surnames = {e[-1].lower_ for e in self.persons}
        self.gender = _genders(doc, self.persons, quoted)

    @functools.cached_property
    def _subjects(self) -> list[Token]:
        """The subjects outside quotes, in document order: the candidate antecedents of a pronoun."""
        doc = self.doc
        if len(doc) == 0:
            return []
        labels = [doc.vocab.strings[label] for label in _SUBJECTS]
        starts = _token_starts(doc)
        subjects = np.flatnonzero(np.isin(doc.to_array(DEP), labels)).tolist()
        return [doc[i] for i in subjects if starts[i] not in self.quoted]

    def _compatible(self, ref: tuple[int, int], pronoun: str | None) -> bool:
        """Whether a named mention may be "he" or "she" (unknown gender is compatible with both)."""
        if pronoun not in _PRONOUN_GENDER:
            return True
        words = doc_text(self.doc)[ref[0] : ref[1]].split()
        known = self.gender.get(words[-1].lower()) if words else None
        return known is None or known == _PRONOUN_GENDER[pronoun]

    def resolve(self, cand: _Cand) -> None:
        tok = cand.speaker_tok
        if tok is None:
            return
        doc = self.doc
        cand.speaker_span = _np_span(tok)
        low = tok.lower_
        if low in _RELATIVE and tok.head.dep_ == "relcl" and tok.head.head.i != tok.i:
            # "Jones, who said …": the speaker is written "who"; it refers to what the clause modifies
            antecedent = _Cand(cand.start, cand.end, cand.kind, cand.cue, cand.stance, cand.cue_i,
                               speaker_tok=tok.head.head)
            self.resolve(antecedent)
            cand.speaker_span = (tok.idx, tok.idx + len(tok.text))
            cand.ref, cand.speaker_kind = antecedent.ref, antecedent.speaker_kind
            return
        if low in _PERSON_PRONOUNS:
            cand.speaker_kind = "person"
            cand.ref = self._antecedent(tok.idx, {"person"}, low)
        elif low in _GROUP_PRONOUNS:
            cand.speaker_kind = "group"
            cand.ref = self._antecedent(tok.idx, {"group", "org"})
        elif low == "it":
            # "it" speaks only for an organisation that has just spoken ("The ministry said … It added …")
            cand.speaker_kind = "org"
            recent = [(p, ref) for p, kind, ref in self.history if p < tok.idx and kind == "org"]
            if recent and len(re.findall(r"\n\s*\S", doc_text(doc)[recent[-1][0] : tok.idx])) <= 1:  # <= 1 paragraph back
                cand.ref = recent[-1][1]
        elif tok.pos_ in {"PRON"}:
            return
        else:
            ent = _ent_at(doc, tok)
            s, e = cand.speaker_span
            inner = [x for x_start, x_end, x in self.named if s <= x_start and x_end <= e]
            plural = tok.tag_ in {"NNS", "NNPS"}
            if ent is not None and not (plural and ent.label_ in {"NORP", "GPE"}):
                cand.ref = (ent.start_char, ent.end_char)
                cand.speaker_kind = self._kind_of(ent.label_, ent[-1])
            elif tok.pos_ == "PROPN":
                i = tok.i
                while i > 0 and doc[i - 1].pos_ == "PROPN" and doc[i - 1].dep_ in {"compound", "flat"}:
                    i -= 1
                cand.ref = (doc[i].idx, tok.idx + len(tok.text))
                cand.speaker_kind = "person" if tok.lower_ in self.surnames or tok.ent_type_ == "PERSON" else "org"
                if tok.ent_type_ == "" and tok.lemma_.lower() not in _ORG_NOUNS:
                    cand.speaker_kind = "person"
            elif plural:
                cand.speaker_kind = "group"
                cand.ref = (s, e) if inner else None
            elif tok.lemma_.lower() in _ORG_NOUNS:
                cand.speaker_kind = "org"
                cand.ref = (inner[-1].start_char, inner[-1].end_char) if inner else None
                if inner and any(x.label_ == "ORG" for x in inner):
                    org = [x for x in inner if x.label_ == "ORG"][-1]
                    cand.ref = (org.start_char, org.end_char)
                elif inner:
                    cand.ref = (s, e)
            elif tok.lemma_.lower() not in _ANONYMOUS and tok.pos_ == "NOUN":
                cand.speaker_kind = "person"
                cand.ref = self._description(tok)
        if cand.ref is not None:
            self.history.append((tok.idx, cand.speaker_kind, cand.ref))

    def _kind_of(self, label: str, last: Token) -> str:
        if label == "PERSON" or last.lower_ in self.surnames:
            return "person"
        return "org"

    def _antecedent(self, pos: int, kinds: set[str], pronoun: str | None = None) -> tuple[int, int] | None:
        """Most recent earlier speaker of a compatible kind, or else the nearest earlier subject of that kind."""
        best: tuple[int, tuple[int, int]] | None = None
        for p, kind, ref in self.history:
            if p < pos and kind in kinds and (best is None or p > best[0]) and self._compatible(ref, pronoun):
                best = (p, ref)
        for tok in self._subjects:
            if tok.idx >= pos:
                break
            ent = _ent_at(self.doc, tok)
            if "person" in kinds and ent is not None and ent.label_ == "PERSON":
                cand = (tok.idx, (ent.start_char, ent.end_char))
            elif "group" in kinds and tok.tag_ in {"NNS", "NNPS"}:
                s, e = _np_span(tok)
                has_name = any(s <= x_start < e for x_start, _, _ in self.named)
                if not has_name:
                    continue
                cand = (tok.idx, (s, e))
            else:
                continue
            if (best is None or cand[0] > best[0]) and self._compatible(cand[1], pronoun):
                best = cand
        if best is not None:
            return best[1]
        if "person" in kinds:
            before = [e for e in self.persons if e.end_char <= pos
                      and self._compatible((e.start_char, e.end_char), pronoun)]
            if before:
                return before[-1].start_char, before[-1].end_char
        return None

    def _description(self, tok: Token) -> tuple[int, int] | None:
        """"the secretary" -> the person introduced with that role; "a senior diplomat has warned. X told ..." -> X."""
        role = tok.lemma_.lower()
        indefinite = any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in tok.children)
        before = [e for e in self.persons if e.end_char <= tok.idx]
        if not indefinite:
            for ent in reversed(before):
                if role in _role_words(ent.root):
                    return ent.start_char, ent.end_char
        if indefinite or not before:
            sent = tok.sent
            nxt = sent.end
            limit = min(len(self.doc), nxt + 80)
            for ent in self.persons:
                if sent.start <= ent.start and ent.start < limit and ent.start_char > tok.idx:
                    return ent.start_char, ent.end_char
            if indefinite:
                return None
        for p, kind, ref in reversed(self.history):
            if p < tok.idx and kind == "person":
                return ref
        return (before[-1].start_char, before[-1].end_char) if before else None


# ---------------------------------------------------------------------------------------------- extract


def extract(doc: Doc) -> list[Quote]:
    """Extract direct, indirect and mixed quotations with their speakers from a parsed ``Doc``.

    Args:
        doc: a Doc parsed by a pipeline with a tagger, dependency parser and NER (en_core_web_sm suffices).

    Returns:
        Quotes in document order. A reported clause that contains a quoted fragment is one quote of kind
        "mixed"; a quote with no cue of its own takes the speaker (and cue) of the quote before it.

    Note:
        Rules over a statistical parse: speakers follow the parse, so a mis-parsed subject gives a wrong
        speaker, and a headline the parser joins to the next line can confuse both. Gender comes only from
        the article ("Mrs. Clinton", the first "he"/"she" after a name), so "she" may still resolve to a man
        named without either; "they" resolves only to a named group, "it" not at all, and a description
        ("the secretary") to the person introduced with that role word. An interrupted quotation
        (“A,” X said. “B.”) gives two quotes, where PolNeAR annotates one. Nested speech inside a direct
        quote is not extracted, and reported speech with no cue from the lexicon ("in X's view", a noun
        such as "Trump's claim that …") is missed.
    """
    marks = find_quote_marks(doc_text(doc))
    quoted = _Spans([(m.outer_start, m.outer_end) for m in marks], len(doc_text(doc)))
    direct = _direct(doc, marks, quoted)
    indirect = _indirect(doc, quoted)

    # Merge. A reported clause mostly inside a direct quote is that quote's complement: dropped. A reported
    # clause that holds most of a direct quote quotes it in part: one "mixed" quote, the direct one dropped.
    def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
        return max(0, min(a[1], b[1]) - max(a[0], b[0]))

    absorbed: set[int] = set()
    kept_indirect: list[_Cand] = []
    outers = [(n, d, d.outer or (d.start, d.end)) for n, d in enumerate(direct)]
    for c in indirect:
        span = (c.start, c.end)
        touches_direct = any(overlap(span, o) > 0 for _, _, o in outers)  # tested first: it is the cheap test
        if touches_direct and len(re.findall(r"[A-Za-z]+", _blank_spans(doc_text(doc), c.start, c.end, quoted))) < 2:
            continue  # the complement of a direct quote's cue: the direct quote says it already
        hosted = [n for n, _, o in outers if overlap(span, o) >= 0.5 * (o[1] - o[0])]
        absorbed.update(hosted)
        if any(overlap(span, (m.outer_start, m.outer_end)) > 0 for m in marks):
            c.kind = "mixed"
            # a quoted fragment cut by the clause's edge ends with its closing mark
            for m in marks:
                if m.outer_start < c.end < m.outer_end and m.balanced:
                    c.end = m.end
        kept_indirect.append(c)
    kept_direct = [d for n, d in enumerate(direct) if n not in absorbed]

    cands = sorted(kept_direct + kept_indirect, key=lambda c: (c.start, c.end))
    resolver = _Resolver(doc, quoted)
    for cand in sorted(cands, key=lambda c: c.speaker_tok.idx if c.speaker_tok is not None else c.start):
        resolver.resolve(cand)

    # Cue-less quotes take the speaker of the closest attributed quote before them (same or previous paragraph),
    # or else of the one right after them in the same paragraph.
    paras = _paragraphs(doc_text(doc))
    para_starts = [s for s, _ in paras]

    def para_of(pos: int) -> int:
        n = bisect.bisect_right(para_starts, pos) - 1  # the last line starting at or before pos (lines are sorted)
        return n if n >= 0 and pos < paras[n][1] else -1

    resolved = [c for c in cands if not c.inherit]
    final: list[_Cand] = []
    for cand in cands:
        if cand.inherit:
            prev = [c for c in resolved if c.end <= cand.start and para_of(cand.start) - para_of(c.start) <= 1
                    and (c.speaker_span is not None)]
            nxt = [c for c in resolved if c.start >= cand.end and para_of(c.start) == para_of(cand.start)
                   and c.kind == "direct" and c.speaker_span is not None]
            src = prev[-1] if prev else (nxt[0] if nxt else None)
            if src is None or src.ref is None:
                continue  # no named speaker to hand on
            cand.cue, cand.stance = src.cue, src.stance
            cand.speaker_span, cand.ref, cand.speaker_tok = src.speaker_span, src.ref, src.speaker_tok
        final.append(cand)

    text = doc_text(doc)
    quotes: list[Quote] = []
    for c in final:
        span = c.speaker_span
        quotes.append(
            Quote(
                start=c.start,
                end=c.end,
                quote=text[c.start : c.end],
                kind=c.kind,
                cue=c.cue,
                stance=c.stance,
                speaker=text[span[0] : span[1]] if span else None,
                speaker_start=span[0] if span else None,
                speaker_end=span[1] if span else None,
                speaker_ref_start=c.ref[0] if c.ref else None,
                speaker_ref_end=c.ref[1] if c.ref else None,
            )
        )
    return quotes
