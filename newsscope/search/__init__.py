"""Full-text search over a build: one small interface, an embedded tantivy index behind it.

    from newsscope import search
    index = search.open(version_folder)          # read-only, made by the build before publishing
    index.match('austin AND (korea OR dprk)')    # Matches: article keys + BM25 scores, computed once per query
    index.match('"nuclear trigger"', "quotes")   # the same syntax over quote text
    index.snippet(query, {"body": body})         # a passage with the matching ranges
    search.check(query)                          # raises QueryError with a message for the user

The queries (`newsscope.queries`) join a match set by key (`article_key`/`quote_key`, see `engine.key_of`), so
every page narrows the same way. The syntax is described in `newsscope.search.syntax`; docs/scaling.md says how
a bigger deployment puts another engine behind the same methods.
"""

from newsscope.search.engine import (
    ARTICLE_FIELDS,
    QUOTE_FIELDS,
    BuildStats,
    Matches,
    SearchIndex,
    Snippet,
    check,
    create,
    key_of,
    open,  # noqa: A004
    path,
)
from newsscope.search.syntax import EXAMPLES, QueryError

__all__ = [
    "ARTICLE_FIELDS", "QUOTE_FIELDS", "EXAMPLES", "BuildStats", "Matches", "QueryError", "SearchIndex", "Snippet",
    "check", "create", "key_of", "open", "path",
]
