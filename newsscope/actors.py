"""Actors: entity mentions from spaCy docs, and their canonicalisation into one actor per real-world entity.

Two stages:

- :func:`mentions` turns one ``Doc`` into plain :class:`Mention` rows (cleaned spans, corrected labels, no page chrome).
- :func:`canonicalise` runs once over the whole corpus's mention rows and assigns every mention an ``actor_id``,
  returning the ``actors`` table (see :data:`newsscope.tables.SCHEMAS`).

:func:`resolve_spans` maps arbitrary spans (e.g. quote speakers) to those actors.

Offsets are character offsets into ``doc.text``; ``end`` is exclusive, like Python slices.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import get_args

import pandas as pd
from spacy.tokens import Doc, Span

from newsscope.tables import SCHEMAS, ActorKind
from newsscope.nlp import doc_text

DEFAULT_ALIASES: Path = Path(__file__).resolve().parents[1] / "data" / "aliases.csv"

KINDS: tuple[ActorKind, ...] = get_args(ActorKind)

# spaCy labels that name actors (who can act or be acted upon in political news). FAC is kept for places such as
# "the Vatican" or "the White House" that stand for institutions.
ACTOR_LABELS: frozenset[str] = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})

# Label -> kind when no alias row says otherwise. A GPE becomes "country" only through the alias table (which lists
# every UN member state), so cities and regions stay "place".
_LABEL_KIND: dict[str, ActorKind] = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
}

# Words that name an office rather than a person. "Strong" titles are evidence that a person name follows;
# "weak" ones (departments, "of") are stripped only when a person name follows them.
_STRONG_TITLES: frozenset[str] = frozenset(
    """president vice secretary minister premier senator sen governor gov general gen mr mrs ms dr mayor chancellor
    ambassador spokesman spokeswoman spokesperson leader chief director chairman chairwoman chair commander admiral adm
    lt col colonel sgt sergeant judge justice representative rep congressman congresswoman lawmaker candidate nominee
    deputy assistant undersecretary under-secretary envoy diplomat officer official prosecutor attorney speaker
    sheriff detective captain capt major maj pastor rev reverend lord sir dame""".split()
)
_WEAK_TITLES: frozenset[str] = frozenset(
    """of the for and defense defence state foreign interior treasury homeland security home affairs commerce energy
    health labor labour education transportation agriculture staff joint chiefs former then acting us u.s. uk u.k.
    house senate national federal prime""".split()
)
_TITLES: frozenset[str] = _STRONG_TITLES | _WEAK_TITLES

# Name suffixes and particles ignored when matching person names ("Lloyd J. Austin III" -> "lloyd austin").
_SUFFIXES: frozenset[str] = frozenset({"jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "esq"})

# Page chrome that NER tags as entities: section labels, media words, photo agencies. Compared on name_key().
_CHROME_WORDS: frozenset[str] = frozenset(
    """feature features photos photo video videos watch listen live breaking exclusive opinion analysis update
    updated advertisement sponsored podcast podcasts newsletter subscribe comments comment share tweet images""".split()
)
_CHROME_PHRASES: frozenset[str] = frozenset(
    {"getty images", "ap photo", "reuters photo", "afp photo", "read more", "top stories", "shutterstock"}
)

# Not actors unless the alias table says so: time zones ("11 a.m. UTC") and region words ("Russia's Far East").
# Compared on name_key().
_NOT_ACTORS: frozenset[str] = frozenset(
    """utc gmt est edt cst cdt mst mdt pst pdt et pt ct bst cet cest ist jst kst aest msk""".split()
) | frozenset(  # spelled out: "Eastern Standard Time", "Pacific Time"
    f"{zone} {kind}time" for zone in ("eastern", "central", "mountain", "pacific", "atlantic", "alaska", "hawaii", "moscow",
                                      "central european", "british", "greenwich mean", "coordinated universal")
    for kind in ("", "standard ", "daylight ", "summer ")
) | frozenset(
    {"far east", "middle east", "near east", "east", "west", "north", "south", "midwest", "northeast", "northwest",
     "southeast", "southwest", "east coast", "west coast", "the west", "the east", "deep south", "sun belt", "rust belt"}
)  # fmt: skip
# The last word of an organisation's name: a rank word before it ("General Motors", "General Electric") is part of
# the name, not a title before a person's name.
_ORG_WORDS: frozenset[str] = frozenset(
    """motors motor electric dynamics mills foods industries assembly accounting hospital services partners holdings
    corp corporation company co inc ltd llc plc airlines systems instruments atomics """.split()
)
# Words that make a name an institution's ("Muhammad Ali Center", "Donald J. Trump Foundation"), not a person's name
# run into the words after it.
_INSTITUTION_WORDS: frozenset[str] = _ORG_WORDS | frozenset(
    """foundation center centre institute university college school elementary academy museum library fund trust pac
    super campaign administration hall stadium park street avenue bridge""".split()
)
# Corporate suffixes dropped from an organisation's matching key, so "Ford Motor Company", "Ford Motor Co." and
# "Ford" are one actor (longest first: "motor company" before "company").
_ORG_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    tuple(s.split()) for s in ("motor company", "motor co", "motor corporation", "motor corp", "company", "co", "corporation",
                               "corp", "incorporated", "inc", "ltd", "llc", "plc")
)  # fmt: skip
# Two names joined by a hyphen, one of them of several words ("Boeing-Air Force"): a compound, not one actor.
_JOINED_NAMES = re.compile(r"^[A-Z][\w.&']*(?: [A-Z][\w.&']*)*[-–][A-Z][\w.&']*(?: [A-Z][\w.&']*)*$")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'"})
_POSSESSIVE = re.compile(r"(?:'s|')$")
_NON_WORD = re.compile(r"[^\w' ]+")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[^\w.’']+$")


@dataclass(frozen=True)
class Mention:
    """One actor mention: a cleaned entity span.

    ``start``/``end`` are character offsets into ``doc.text`` (end exclusive); ``label`` is spaCy's label,
    possibly corrected (e.g. "Defense Lloyd Austin" tagged ORG becomes PERSON "Lloyd Austin").
    """

    start: int
    end: int
    text: str
    label: str


# --------------------------------------------------------------------------------------------------------------------
# Normalisation


@functools.lru_cache(maxsize=200_000)  # pure, and called once per mention
def name_key(text: str) -> str:
    """A matching key for a name: case, apostrophe style, full stops, hyphens and a leading "the" are ignored.

    >>> name_key("the U.N. Security Council"), name_key("Kim Jong-un"), name_key("People’s Republic")
    ('un security council', 'kim jong un', "people's republic")
    """
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = text.replace(".", "").replace("-", " ").replace("–", " ")
    text = _POSSESSIVE.sub("", text.strip())
    text = _SPACES.sub(" ", _NON_WORD.sub(" ", text)).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


@functools.lru_cache(maxsize=200_000)  # pure, and called once per mention
def person_key(text: str) -> str:
    """A matching key for a person: :func:`name_key` without leading titles, middle initials and suffixes.

    >>> person_key("Secretary of Defense Lloyd J. Austin III"), person_key("Kim Jong Un")
    ('lloyd austin', 'kim jong un')
    """
    words = name_key(text.replace(".", ". ")).split()
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    kept = [w for i, w in enumerate(words) if w not in _SUFFIXES or i == 0]
    # Middle initials ("J.") are dropped; a leading initial is kept when the name has nothing else before the surname.
    if len(kept) > 2:
        kept = [kept[0]] + [w for w in kept[1:-1] if len(w) > 1] + [kept[-1]]
    if len(kept) == 2 and len(kept[0]) == 1:
        kept = kept[1:]
    return " ".join(kept)


def org_key(text: str) -> str:
    """A matching key for an organisation: :func:`name_key` without a corporate suffix ("Ford Motor Company" -> "ford").

    >>> org_key("Ford Motor Company"), org_key("Apple Inc."), org_key("Company")
    ('ford', 'apple', 'company')
    """
    words = name_key(text).split()
    for suffix in _ORG_SUFFIXES:
        if len(words) > len(suffix) and tuple(words[-len(suffix):]) == suffix:
            words = words[: -len(suffix)]
            break
    return " ".join(words)


def is_joined_names(text: str) -> bool:
    """Two names joined by a hyphen where one side has several words ("Boeing-Air Force"), not "Coca-Cola"."""
    if not _JOINED_NAMES.match(text.strip()):
        return False
    left, right = re.split(r"[-–]", text.strip(), maxsplit=1)
    return " " in left.strip() or " " in right.strip()


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def actor_id_for(kind: str, key: str) -> str:
    """The stable actor id: a short hash of kind and normalised name (so rebuilding never renumbers actors)."""
    return _short_hash(f"{kind}:{key}")


@functools.lru_cache(maxsize=200_000)  # pure, and called once per mention
def is_junk(text: str) -> bool:
    """True for spans that are page chrome or not names: icons, "FEATURE", photo credits, lowercase, digits.

    Note: a heuristic. It drops real names that contain digits ("G7", "Boeing 737") and keeps chrome words it does
    not list; the cleaner upstream is the main defence against page chrome.
    """
    stripped = text.strip()
    if len(stripped) < 2 or not any(c.isalpha() for c in stripped):
        return True
    if any(c.isdigit() for c in stripped) or any(c in stripped for c in "/©|@#[]{}<>\n\r\t"):
        return True
    if stripped == stripped.lower():  # "chevron", "editicon v-expandicon": real names carry a capital
        return True
    if re.match(r"(?i)(pro|anti|non|ex)-", stripped):  # "pro-Clinton" is a stance, not a mention of Clinton
        return True
    key = name_key(stripped)
    words = key.split()
    if not words or any(w.endswith("icon") for w in words):
        return True
    if key in _CHROME_PHRASES or all(w in _CHROME_WORDS for w in words):
        return True
    return bool(re.search(r"\bgetty\b|\bshutterstock\b", key))


# --------------------------------------------------------------------------------------------------------------------
# Mentions from a Doc


def _is_title_token(text: str) -> bool:
    return name_key(text) in _TITLES or text.casefold().rstrip(".") in _TITLES


def _strip_possessive(tokens: list) -> list:
    while tokens and tokens[-1].text.translate(_APOSTROPHES) in {"'s", "'"}:
        tokens = tokens[:-1]
    return tokens


def _person_surnames(doc: Doc) -> set[str]:
    surnames: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            words = person_key(ent.text).split()
            if len(words) >= 2:
                surnames.add(words[-1])
                surnames.add(words[0])  # East Asian order: "Kim" of "Kim Jong-un"
    return surnames


def _clean_span(ent: Span, surnames: set[str]) -> Mention | None:
    doc = ent.doc
    tokens = [t for t in ent]
    label = ent.label_
    # Edge punctuation and possessives ("-Donald Trump", "North Korea’s"), then a leading "the"; a bracket the span
    # opens and does not close ("Software Development Kit (SDK"): the name is what precedes it.
    changed = True
    while tokens and changed:
        before = len(tokens)
        tokens = _strip_possessive(tokens)
        while tokens and (tokens[0].is_punct or tokens[0].is_space or tokens[0].lower_ == "the"):
            tokens = tokens[1:]
        while tokens and (tokens[-1].is_punct or tokens[-1].is_space) and tokens[-1].text != ".":
            tokens = tokens[:-1]
        opened = next((k for k, t in enumerate(tokens) if t.text in "(["), None)
        if opened is not None and not any(t.text in ")]" for t in tokens[opened:]):
            tokens = tokens[:opened]
        changed = len(tokens) != before
    if not tokens:
        return None

    # Leading titles: always stripped from PERSON spans; stripped from ORG/GPE/NORP spans ("Defense Lloyd Austin")
    # only when what follows looks like a person, which relabels the span PERSON.
    n_titles = 0
    while n_titles < len(tokens) and _is_title_token(tokens[n_titles].text):
        n_titles += 1
    if 0 < n_titles < len(tokens):
        rest = tokens[n_titles:]
        prefix = [t.lower_.rstrip(".") for t in tokens[:n_titles]]
        before = [t.lower_.rstrip(".") for t in doc[max(ent.start - 3, 0) : ent.start]]
        names_like = all(t.pos_ == "PROPN" and (t.is_title or len(t.text) <= 3) for t in rest)
        strong = any(w in _STRONG_TITLES for w in prefix + before)
        rest_words = person_key(" ".join(t.text for t in rest)).split()
        known = bool(rest_words) and rest_words[-1] in surnames
        # An organisation keeps its rank word: "General Motors" is not a General called Motors.
        org_name = name_key(rest[-1].text) in _ORG_WORDS and not known
        if org_name:
            label = "ORG"
        elif label == "PERSON" or (names_like and (strong or known)):
            tokens, label = rest, "PERSON"
    elif n_titles == len(tokens) and label == "ORG" and not any(t.text.isupper() for t in tokens):
        # "Defense" in "Secretary of Defense Lloyd J. Austin III", "State" in "Secretary of State Antony Blinken".
        nxt = doc[ent.end] if ent.end < len(doc) else None
        if nxt is not None and (nxt.ent_type_ == "PERSON" or (nxt.is_title and nxt.pos_ == "PROPN")):
            return None

    # A PERSON span that spaCy cut after a first name ("Lloyd" + "J. Austin III"): extend left over untagged,
    # capitalised proper nouns that are not titles.
    first = tokens[0].i
    if label == "PERSON":
        while (
            first > 0
            and first - tokens[0].i > -2
            and doc[first - 1].ent_iob_ == "O"
            and doc[first - 1].pos_ == "PROPN"
            and doc[first - 1].is_title
            and not _is_title_token(doc[first - 1].text)
            and not doc[first - 1].is_sent_start
            and not doc[first - 1].whitespace_ == ""
        ):
            first -= 1
    start = doc[first].idx
    end = tokens[-1].idx + len(tokens[-1].text)
    text = doc_text(doc)[start:end]
    if is_junk(text):
        return None

    # A single word that is the surname of a person named in this document is that person ("Pak" tagged ORG).
    if label in {"ORG", "GPE", "NORP", "LOC", "FAC"} and len(text.split()) == 1 and name_key(text) in surnames:
        label = "PERSON"
    return Mention(start=start, end=end, text=text, label=label)


def mentions(doc: Doc) -> list[Mention]:
    """Actor mentions in a document, from ``doc.ents`` labelled PERSON, ORG, GPE, NORP, LOC or FAC.

    Each span is cleaned: a trailing possessive ("’s"), a leading "the" and leading titles are stripped
    ("Secretary of Defense Lloyd Austin" -> "Lloyd Austin"); a title-led span tagged ORG/GPE becomes PERSON
    ("Defense Lloyd Austin"); a person name that spaCy split after the first name is re-joined ("Lloyd J. Austin III");
    a single word that is the surname of a person named elsewhere in the document becomes PERSON ("Pak" tagged ORG);
    page chrome, photo credits, lowercase spans and spans with digits are dropped (:func:`is_junk`).

    Args:
        doc: a parsed document with ``ents``.

    Returns:
        Mentions in document order; offsets index ``doc.text``.

    Note:
        Label fixes are heuristics over one document; a surname that is also a place ("Austin", Texas) is
        relabelled PERSON when that person is named in the same document. Other NER errors (an outlet tagged
        PERSON, "Bloomberg") pass through.
    """
    surnames = _person_surnames(doc)
    out: list[Mention] = []
    for ent in doc.ents:
        if ent.label_ not in ACTOR_LABELS:
            continue
        mention = _clean_span(ent, surnames)
        if mention is not None:
            out.append(mention)
    return out


# --------------------------------------------------------------------------------------------------------------------
# Alias table


@dataclass(frozen=True)
class AliasTable:
    """Alias -> (canonical name, kind), keyed by :func:`name_key` so case/apostrophes/full stops do not matter.

    Build with :func:`load_aliases`, or directly from rows: ``AliasTable.from_rows([("DPRK", "North Korea", "country")])``.
    """

    entries: Mapping[str, tuple[str, ActorKind]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str]]) -> AliasTable:
        """Rows of (alias, name, kind); every name is also an alias of itself. Later rows win on conflicts."""
        entries: dict[str, tuple[str, ActorKind]] = {}
        for alias, name, kind in rows:
            alias, name, kind = alias.strip(), name.strip(), kind.strip()
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r} for alias {alias!r}; expected one of {KINDS}")
            if not alias or not name:
                raise ValueError(f"alias row needs an alias and a name, got ({alias!r}, {name!r}, {kind!r})")
            entries.setdefault(name_key(name), (name, kind))  # type: ignore[arg-type]
            entries[name_key(alias)] = (name, kind)  # type: ignore[assignment]
        return cls(MappingProxyType(entries))

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, text: str, label: str | None = None) -> tuple[str, ActorKind] | None:
        """The (name, kind) for a surface form, or None. Plural demonyms fall back to the singular ("Russians").

        A PERSON-labelled single capitalised word is not looked up (a person called "Jordan" is not the country).
        """
        key = name_key(text)
        if label == "PERSON" and len(key.split()) == 1 and not text.isupper():
            return None
        hit = self.entries.get(key)
        if hit is None and label == "NORP" and key.endswith("s"):
            hit = self.entries.get(key[:-1])
        return hit


def load_aliases(path: Path | None) -> AliasTable:
    """Read an alias CSV (columns ``alias,name,kind``; lines starting with ``#`` are comments).

    Args:
        path: the CSV file, usually :data:`DEFAULT_ALIASES`. None or a missing file gives an empty table.

    Returns:
        The alias table.

    Note:
        One alias maps to one actor; an ambiguous alias ("Georgia") is better left out than guessed.
    """
    if path is None or not Path(path).exists():
        return AliasTable()
    with Path(path).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    expected = {"alias", "name", "kind"}
    if reader.fieldnames is None or not expected <= set(reader.fieldnames):
        raise ValueError(f"alias file {path} has columns {reader.fieldnames}; expected {sorted(expected)}")
    return AliasTable.from_rows((row["alias"], row["name"], row["kind"]) for row in reader)


# --------------------------------------------------------------------------------------------------------------------
# Canonicalisation


# A bare surname with no full name in its article links to a corpus full name when that name holds at least this
# share of the articles naming someone with that surname (1.0 = only when unique).
SURNAME_DOMINANCE = 0.75


def _modes(frame: pd.DataFrame, by: str, column: str) -> pd.Series:
    """Per group of `by`, the most frequent value of `column` (ties: the alphabetically first), in one vectorised pass."""
    counts = frame.groupby([by, column], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values([by, "n", column], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates(by).set_index(by)[column].astype(str)


def _resolve_in_article(frame: pd.DataFrame) -> pd.Series:
    """For single-word person-ish mentions, the key of the article's full person name containing that word."""
    # Full names of 2-3 words only: longer PERSON spans are usually headline fragments ("Fiorina Endorses Ted Cruz").
    persons = frame[(frame["kind"] == "person") & frame["key"].str.count(" ").between(1, 2)]
    full = persons.groupby(["article_id", "key"], sort=False).size().rename("count").reset_index()
    words = full["key"].str.split()
    # Preference: surname match, then first-word match (Korean order: "Kim" of "Kim Jong-un"; or "Hillary").
    full = pd.concat(
        [full.assign(word=words.str[-1], rank=0), full.assign(word=words.str[0], rank=1)], ignore_index=True
    )

    short = frame[(frame["n_words"] == 1) & frame["resolvable"]][["article_id", "key"]]
    short = short.reset_index().rename(columns={"index": "row", "key": "word"})
    hits = short.merge(full, on=["article_id", "word"], how="inner")
    hits = hits.sort_values(["row", "rank", "count", "key"], ascending=[True, True, False, True])
    best = hits.drop_duplicates("row").set_index("row")["key"]
    return best


def _resolve_across_corpus(frame: pd.DataFrame, unresolved: pd.Series) -> pd.Series:
    """For bare surnames no article resolved: the corpus's only (or dominant) full person name with that surname."""
    persons = frame[(frame["kind"] == "person") & (frame["n_words"] >= 2)]
    full = persons[["article_id", "key"]].drop_duplicates()
    full = full.assign(last=full["key"].str.split().str[-1])
    per_name = full.groupby(["last", "key"]).size().rename("n").reset_index()
    per_name["share"] = per_name["n"] / per_name.groupby("last")["n"].transform("sum")
    winners = per_name[per_name["share"] >= SURNAME_DOMINANCE].drop_duplicates("last").set_index("last")["key"]
    candidates = frame.loc[unresolved, "key"]
    return candidates.map(winners).dropna()


def canonicalise(
    mentions: pd.DataFrame, articles: pd.DataFrame, aliases: AliasTable
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give every mention an ``actor_id`` and build the ``actors`` table: one actor per real-world entity.

    Rules, in order:

    1. Junk (page chrome, :func:`is_junk`) and labels outside :data:`ACTOR_LABELS` get no actor.
    2. Alias table: acronyms, official names, demonyms, capital metonyms ("DPRK", "North Korean", "Pyongyang"
       -> North Korea), with the alias row's kind.
    3. Persons are keyed by :func:`person_key` (no titles, middle initials or suffixes; hyphen = space).
    4. Within an article, a single-word PERSON/ORG/GPE mention maps to the article's full person name with that
       surname (then first word, e.g. "Kim" -> "Kim Jong-un"); if several match, the most mentioned wins.
       Only 2-3 word names count as full names here (longer PERSON spans are mostly headline fragments).
    5. A person name of 3+ words maps to a 2-word name of the corpus with the same first and last word, or else
       with its last two words ("Billionaire Donald Trump" -> Donald Trump), or else to the article's own 2-word
       name it starts with (a title-case headline: "George Zimmerman Auctioning Off" -> George Zimmerman).
    6. A bare surname in an article that never names the full person links to the corpus's full name with that
       surname when that name is unique, or dominant (:data:`SURNAME_DOMINANCE` of the articles naming one).
    7. Time zones and region words ("UTC", "Far East") and hyphen-joined names ("Boeing-Air Force") are not actors
       unless the alias table lists them; organisations are keyed by :func:`org_key` ("Ford Motor Company" = "Ford").
    8. Non-alias names are merged across articles by :func:`name_key`; the kind is the majority kind of the key
       (so one ORG-tagged "Trump" does not split Donald Trump).

    Args:
        mentions: ``article_id, start, end, text, label`` for the whole corpus.
        articles: ``article_id, published`` (a date or None).
        aliases: from :func:`load_aliases`.

    Returns:
        ``(mentions with an actor_id column, actors table)``; the actors table has exactly the columns of
        ``SCHEMAS["actors"]``. ``actor_id`` is a short hash of kind and normalised name, so it is stable across builds.

    Note:
        Rules 4 and 6 are guesses: two people sharing a surname in one article both get the more-mentioned one,
        and "Donald Trump Jr." merges with Donald Trump because suffixes are ignored. Display names are the alias
        table's name or the most frequent full surface form.
    """
    columns = SCHEMAS["actors"].names
    out = mentions.copy()
    if out.empty:
        out["actor_id"] = pd.Series(dtype="object")
        return out, pd.DataFrame({c: pd.Series(dtype="object") for c in columns})

    frame = out[["article_id", "text", "label"]].reset_index(drop=True).copy()
    frame["article_id"] = frame["article_id"].astype(str)

    # Per distinct (text, label): cleaning, alias lookup and keys. Linear in the number of distinct surface forms.
    forms = frame[["text", "label"]].drop_duplicates().reset_index(drop=True)
    infos = []
    for text, label in zip(forms["text"].tolist(), forms["label"].tolist()):  # lists: iterating Arrow-backed columns is slow
        text = str(text)
        surface = _EDGE_PUNCT.sub("", text)
        surface = surface[: len(_POSSESSIVE.sub("", surface.translate(_APOSTROPHES)).rstrip())] or text
        if label not in ACTOR_LABELS or is_junk(surface):
            infos.append((surface, None, None, None, False, 0))
            continue
        hit = aliases.lookup(surface, label)
        if hit is not None:
            name, kind = hit
            infos.append((surface, name_key(name), kind, name, False, len(name_key(name).split())))
            continue
        if name_key(surface) in _NOT_ACTORS or is_joined_names(surface):  # time zones, regions, "Boeing-Air Force"
            infos.append((surface, None, None, None, False, 0))
            continue
        kind = _LABEL_KIND[label]
        key = person_key(surface) if kind == "person" else (org_key(surface) if kind == "organization" else name_key(surface))
        resolvable = label in {"PERSON", "ORG", "GPE"}
        infos.append((surface, key or None, kind, None, resolvable, len(key.split())))
    info = pd.DataFrame(infos, columns=["surface", "key", "kind", "alias_name", "resolvable", "n_words"])
    forms = pd.concat([forms, info], axis=1)
    frame = frame.reset_index().merge(forms, on=["text", "label"], how="left").set_index("index").sort_index()
    frame.loc[frame["key"].isna(), "kind"] = None
    frame["own_key"] = frame["key"]

    # Rule 4: short names within the article.
    best = _resolve_in_article(frame)
    frame["resolved"] = frame.index.isin(best.index)
    if not best.empty:
        frame.loc[best.index, "key"] = best
        frame.loc[best.index, "kind"] = "person"

    # Rule 5: three-word person names to the corpus's two-word name with the same first and last word.
    is_person = frame["kind"] == "person"
    two_word = set(frame.loc[is_person & (frame["key"].str.count(" ") == 1), "key"])
    long_rows = is_person & (frame["key"].str.count(" ") >= 2)
    if long_rows.any():
        words = frame.loc[long_rows, "key"].str.split()
        # "Hillary Rodham Clinton" -> "hillary clinton"; failing that, a descriptor before the name
        # ("Billionaire Donald Trump") -> "donald trump".
        for short_form in (words.map(lambda w: f"{w[0]} {w[-1]}"), words.map(lambda w: f"{w[-2]} {w[-1]}")):
            keep = short_form.isin(two_word) & (frame.loc[short_form.index, "key"].str.count(" ") >= 2)
            frame.loc[short_form[keep].index, "key"] = short_form[keep]
        # A title-case headline runs the name into the words after it ("George Zimmerman Auctioning Off Gun"): the
        # article's own two-word name it starts with.
        named = is_person & (frame["key"].str.count(" ") == 1)
        in_article = set(zip(frame.loc[named, "article_id"], frame.loc[named, "key"]))
        still = long_rows & (frame["key"].str.count(" ") >= 2)
        words = frame.loc[still, "key"].str.split()
        first_two = words.map(lambda w: f"{w[0]} {w[1]}")
        keep = pd.Series([(a, k) in in_article and not _INSTITUTION_WORDS.intersection(w[2:])
                          for a, k, w in zip(frame.loc[still, "article_id"], first_two, words)], index=first_two.index, dtype=bool)
        frame.loc[first_two[keep].index, "key"] = first_two[keep]

    # Rule 6: bare surnames across the corpus.
    unresolved = (frame["n_words"] == 1) & frame["resolvable"] & ~frame["resolved"] & (frame["label"] == "PERSON")
    linked = _resolve_across_corpus(frame, unresolved)
    frame.loc[linked.index, "key"] = linked

    # Rule 7: one kind per non-alias key (majority vote); alias rows keep the alias kind.
    has_key = frame["key"].notna()
    plain = has_key & frame["alias_name"].isna()
    if plain.any():
        votes = frame.loc[plain].groupby(["key", "kind"]).size().rename("n").reset_index()
        votes = votes.sort_values(["key", "n", "kind"], ascending=[True, False, True]).drop_duplicates("key")
        frame.loc[plain, "kind"] = frame.loc[plain, "key"].map(votes.set_index("key")["kind"])

    frame["actor_id"] = None
    ids = {(k, key): actor_id_for(k, key) for k, key in frame.loc[has_key, ["kind", "key"]].drop_duplicates().itertuples(index=False)}
    frame.loc[has_key, "actor_id"] = [ids[(k, key)] for k, key in zip(frame.loc[has_key, "kind"].tolist(), frame.loc[has_key, "key"].tolist())]

    out = out.copy()
    out["actor_id"] = pd.Series(frame["actor_id"].to_numpy(), index=out.index, dtype="object")

    actors = _actor_table(frame[has_key], articles)
    return out, actors[columns]


def _actor_table(frame: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    columns = SCHEMAS["actors"].names
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    published = articles[["article_id", "published"]].copy()
    published["article_id"] = published["article_id"].astype(str)
    published["published"] = pd.to_datetime(published["published"], errors="coerce")
    published = published.drop_duplicates("article_id")
    frame = frame.merge(published, on="article_id", how="left")

    grouped = frame.groupby("actor_id", sort=True)
    # Surface forms per actor, alphabetical; gathered in plain Python (a pandas `agg(list)` costs a Series per actor).
    forms = frame.drop_duplicates(["actor_id", "surface"]).sort_values("surface")
    surfaces: dict[str, list[str]] = {}
    for actor_id, surface in zip(forms["actor_id"].tolist(), forms["surface"].tolist()):
        surfaces.setdefault(actor_id, []).append(surface)
    actors = pd.DataFrame(
        {
            "kind": grouped["kind"].first(),
            "n_mentions": grouped.size().astype("int64"),
            "n_articles": grouped["article_id"].nunique().astype("int64"),
            "aliases": pd.Series(surfaces, dtype="object").reindex(grouped.size().index),
            "first_seen": grouped["published"].min(),
            "last_seen": grouped["published"].max(),
            "alias_name": grouped["alias_name"].first(),  # first non-null
        }
    )
    # Display name: the alias table's name, else the most frequent surface form among full forms (own key == key).
    full_forms = frame[frame["own_key"] == frame["key"]]
    full_names = _modes(full_forms, "actor_id", "surface")
    any_names = _modes(frame, "actor_id", "surface")
    actors["name"] = actors["alias_name"].fillna(full_names.reindex(actors.index)).fillna(any_names)
    for col in ("first_seen", "last_seen"):
        actors[col] = [d.date() if pd.notna(d) else None for d in actors[col]]
    return actors.reset_index()[columns]


# --------------------------------------------------------------------------------------------------------------------
# Span resolution


def resolve_spans(
    spans: pd.DataFrame, mentions: pd.DataFrame, actors: pd.DataFrame, aliases: AliasTable | None = None
) -> pd.Series:
    """The actor_id for each span (e.g. a quote speaker's referent), or None.

    Tried in order: the canonicalised mention overlapping the span most (same article); an actor mentioned in the
    same article whose name ends with the span's last name word ("Secretary Austin" -> Lloyd Austin); the span text
    as a known surface form of an actor (``actors.aliases``) or, when ``aliases`` is given, an alias-table name.

    Args:
        spans: ``article_id, start, end`` (nullable ints) and ``text``.
        mentions: canonicalised mentions (``article_id, start, end, actor_id``).
        actors: the actors table.
        aliases: optional alias table for the last fallback.

    Returns:
        A Series aligned with ``spans.index`` holding actor ids or None.

    Note:
        A pronoun span that overlaps no mention ("he") stays None: coreference is the quote extractor's job.
    """
    result = pd.Series([None] * len(spans), index=spans.index, dtype="object")
    if spans.empty:
        return result
    known = mentions[mentions["actor_id"].notna()][["article_id", "start", "end", "actor_id"]].copy()
    known["article_id"] = known["article_id"].astype(str)

    # 1. Overlap with a mention.
    located = spans[["article_id", "start", "end"]].copy()
    located["article_id"] = located["article_id"].astype(str)
    located = located[located["start"].notna() & located["end"].notna()]
    if not located.empty and not known.empty:
        pairs = located.reset_index(names="row").merge(known, on="article_id", suffixes=("", "_m"))
        s0, s1 = pairs["start"].astype("int64"), pairs["end"].astype("int64")
        overlap = (pairs["end_m"].clip(upper=s1) - pairs["start_m"].clip(lower=s0)).astype("int64")
        pairs = pairs.assign(overlap=overlap)[overlap > 0]
        best = pairs.sort_values(["row", "overlap"], ascending=[True, False]).drop_duplicates("row")
        result.loc[best["row"].to_numpy()] = best["actor_id"].to_numpy()

    missing = result.isna() & spans["text"].notna()
    if not missing.any() or actors.empty:
        return result

    # 2. Last name word against persons mentioned in the same article.
    persons = actors[actors["kind"] == "person"][["actor_id", "name"]]
    in_article = known.merge(persons, on="actor_id").groupby(["article_id", "actor_id", "name"]).size()
    in_article = in_article.rename("n").reset_index()
    in_article["last"] = in_article["name"].map(lambda n: person_key(n).split()[-1] if person_key(n) else "")
    in_article = in_article.sort_values(["article_id", "last", "n"], ascending=[True, True, False])
    by_last = in_article.drop_duplicates(["article_id", "last"]).set_index(["article_id", "last"])["actor_id"]
    pending = spans.loc[missing]
    lasts = pending["text"].map(lambda t: (person_key(str(t)).split() or [""])[-1])
    keys = list(zip(pending["article_id"].astype(str), lasts))
    found = [by_last.get(k) for k in keys]
    result.loc[pending.index] = [f if f is not None else None for f in found]

    # 3. Surface form or alias-table name.
    missing = result.isna() & spans["text"].notna()
    if missing.any():
        surface_to_id: dict[str, str] = {}
        ordered = actors.sort_values("n_mentions", ascending=True)
        ids, names = ordered["actor_id"].tolist(), ordered["name"].tolist()  # lists: iterating Arrow-backed columns is slow
        for actor_id, name, forms in zip(ids, names, ordered["aliases"]):
            for form in [name, *list(forms if forms is not None else [])]:
                surface_to_id[name_key(str(form))] = actor_id  # more-mentioned actors overwrite
        name_to_id = {name_key(str(n)): a for a, n in zip(ids, names)}
        hits = []
        for text in spans.loc[missing, "text"]:
            key = name_key(str(text))
            hit = surface_to_id.get(key)
            if hit is None and aliases is not None:
                alias = aliases.lookup(str(text))
                hit = name_to_id.get(name_key(alias[0])) if alias else None
            hits.append(hit)
        result.loc[missing[missing].index] = hits
    return result
