"""The one table of indexed fields: the FTS5 columns, the order rows are inserted in, and the
BM25 weight of each. The schema (``store``), the index builder (``index``) and the ranker
(``search``) all read it from here, so a column cannot be added to one and forgotten in another.
"""

from __future__ import annotations

from typing import NamedTuple


class Field(NamedTuple):
    """An FTS5 column: its ``name``, its BM25 ``weight`` (a match here counts that many times a
    body match), and what it holds."""

    name: str
    weight: float
    holds: str


FIELDS: tuple[Field, ...] = (
    Field("title", 10.0, "the paper's title"),
    Field("authors", 6.0, "author names"),
    Field("tags", 6.0, "hashtags as exact tag tokens and as words"),
    Field("reviewer", 4.0, "the reviewer's name and handle"),
    Field("body", 1.0, "the review text"),
    Field("extra", 2.0, "affiliations, arXiv id tokens, the year"),
    # the user's own words: fed in from the state file (``state``) at every index write
    Field("note", 2.0, "the user's note on the paper"),
)

FTS_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS)
BM25_WEIGHTS: tuple[float, ...] = tuple(f.weight for f in FIELDS)
# rowid, then one value per column in FIELDS order
FTS_INSERT = f"INSERT INTO fts(rowid, {', '.join(FTS_COLUMNS)}) VALUES({', '.join('?' * (len(FIELDS) + 1))})"
