"""The search box's query language, checked and rewritten for tantivy's query parser (pure: no index here).

    austin AND (korea OR dprk) NOT ukraine     boolean operators, parentheses (words side by side: all of them)
    "nuclear trigger"                           a phrase
    title:sanctions  outlet:rt  speaker:austin  one field (also quote:, body:)
    nucl*                                       a prefix (in every default field, or in one: title:nucl*)

tantivy parses all of that but the prefix: `word*` is turned into a regular expression query per field
(`(title:/word.*/ OR body:/word.*/)`), the only regular expressions the parser ever sees (a `/` typed by the
user is taken as a space). `NOT x` is written `-x`: tantivy reads `a AND NOT b` as "a, and a query of only NOT b",
which matches nothing, where Lucene (and everyone who types it) means "a without b". A query the parser refuses
becomes a `QueryError` whose message says what to fix.
"""

from __future__ import annotations

import re

MAX_PREFIX_FIELDS = 8
_PREFIX = re.compile(r'(?<![\w:"])(?:(?P<field>[A-Za-z_]+):)?(?P<stem>\w+)\*(?!\w)')
_QUOTED = re.compile(r'"[^"]*"?')
_NOT = re.compile(rf'(?P<phrase>{_QUOTED.pattern})|\bNOT\s+(?=[\w("-])')  # the operator before its operand (word, field, group, phrase)
_FIELD = re.compile(r"Field does not exist: '([^']*)'")

EXAMPLES = 'austin AND (korea OR dprk) NOT ukraine · "nuclear trigger" · title:sanctions · outlet:rt · speaker:austin · nucl*'


class QueryError(ValueError):
    """A query that cannot be read; the message is for the person who typed it."""


def _outside_quotes(text: str, fn) -> str:
    """Apply `fn` to the parts of `text` outside double quotes (phrases are left as typed)."""
    out, last = [], 0
    for match in _QUOTED.finditer(text):
        out.append(fn(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(fn(text[last:]))
    return "".join(out)


def rewrite(text: str, default_fields: tuple[str, ...], fields: tuple[str, ...]) -> str:
    """`text` as tantivy's parser reads it: prefixes as regular expressions, no user-typed regular expression."""

    def part(chunk: str) -> str:
        chunk = chunk.replace("/", " ")

        def prefix(match: re.Match) -> str:
            field, stem = match.group("field"), match.group("stem").lower()
            if field is not None and field not in fields:
                raise QueryError(unknown_field(field, fields))
            targets = (field,) if field else default_fields[:MAX_PREFIX_FIELDS]
            return "(" + " OR ".join(f"{f}:/{re.escape(stem)}.*/" for f in targets) + ")"

        return _PREFIX.sub(prefix, chunk)

    text = _NOT.sub(lambda m: m.group("phrase") or "-", text)
    return _outside_quotes(text, part)


def unknown_field(name: str, fields: tuple[str, ...]) -> str:
    return f"Unknown field “{name}:”. Fields: {', '.join(f + ':' for f in fields)}."


def explain(error: Exception, text: str, fields: tuple[str, ...]) -> QueryError:
    """A `QueryError` in words from what tantivy's parser raised for `text`."""
    message = str(error)
    if isinstance(error, UnicodeError):
        return QueryError("The search holds characters that are not valid text.")
    field = _FIELD.search(message)
    if field:
        return QueryError(unknown_field(field.group(1), fields))
    if "Only excluding terms" in message:
        return QueryError("A search cannot be only NOT terms: add a word to look for (e.g. “korea NOT ukraine”).")
    if text.count('"') % 2:
        return QueryError("A phrase is not closed: add the missing “\"”.")
    if text.count("(") != text.count(")"):
        return QueryError("The parentheses do not match.")
    return QueryError(f"Could not read the search ({message.split(':', 1)[0].strip() or 'syntax error'}). "
                      f"Check AND/OR/NOT have a word on each side and field names end in “:”. Examples: {EXAMPLES}")
