"""Hybrid ranking: the lexical ranking (:mod:`reviews_cli.search.search`, BM25 over the FTS index) and
the vector ranking (:mod:`reviews_cli.library.vectors`, cosine of a review's best chunk) combined, in one
place. Used by ``reviews search`` when the ``[semantic]`` extra is installed.

The rule, fitted by ``bench/meaning_eval.py --fit`` on ``bench/meaning_queries.yaml`` (held-back
part reported there) and checked against the word queries of ``tests/test_search_quality.py``:

1. Gate: when some review has every query word (the lexical search is not ``partial`` and not a
   fuzzy title match), the lexical ranking stands: a query that finds its review by words keeps
   it at the top, and the model is never loaded.
2. Otherwise the two rankings are fused by weighted reciprocal rank (:func:`fuse`): a record
   scores ``w/(k + lexical rank) + (1 - w)/(k + vector rank)``, :data:`RRF_K` and
   :data:`LEXICAL_WEIGHT` fitted. Records only one ranking has get only its part.
3. A vector ranking whose best cosine beats the query's best cosine with :data:`NULL_PASSAGES`
   (texts about nothing a review is about) by less than :data:`SIMILARITY_FLOOR` found nothing
   close: it adds nothing, and a search by meaning alone finds nothing (exit 1, as a lexical miss). (Cutting
   every record under the floor instead scored lower on the fitting part.)

Filters (``author:``, ``tag:``, ``year:``, ``source:``), negated words and arXiv ids keep their
meaning: vector hits are only records the lexical filters let through, and a query with an
arXiv id or a negation is answered lexically.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .query import Query, Term
from .search import CANDIDATES, Hit, Searcher, SearchResult
from .snippets import snippet

if TYPE_CHECKING:
    from ..library.embedder import Embedder

# Fitted by bench/meaning_eval.py --fit (see the module docstring); do not hand-tune.
RRF_K = 1.0
LEXICAL_WEIGHT = 0.4
SIMILARITY_FLOOR = 0.018

# Reference passages about nothing in any review library (weather, cooking, sport, keyboard
# mash): a query's closeness to a review counts by how much it beats its closeness to these.
# e5's cosines crowd into 0.78–0.92 whatever the text, and gibberish scores like a real query
# on raw cosine; against these it does not.
NULL_PASSAGES = (
    "The weather will be sunny tomorrow with light wind.",
    "Добавьте соль и перец по вкусу и варите двадцать минут.",
    "The match ended in a draw after extra time.",
    "Билеты на поезд можно купить в кассе вокзала.",
    "Shares of the company rose three percent on Monday.",
    "Мы провели отпуск на море и много гуляли.",
    "Please send me the invoice by the end of the week.",
    "Кошка спала на подоконнике весь день.",
    "abc xyz qwe rty",
    "ааа ыыы ввв",
    "lorem ipsum",
    "hello world",
    "привет как дела",
    "The museum is open from ten to six.",
    "Ремонт квартиры занял три месяца.",
    "Buy two get one free on all items.",
)

MODES = ("lexical", "semantic", "hybrid")


def lexical_stands(result: SearchResult, ranked: Sequence[object]) -> bool:
    """The gate: whether the lexical ranking answers the query alone (some review has every
    query word)."""
    return bool(ranked) and not result.partial and not result.fuzzy


def fuse(lexical: Sequence[tuple[int, float]], semantic: Sequence[tuple[int, float]],
         k: float = RRF_K, lexical_weight: float = LEXICAL_WEIGHT) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion of two rankings of ``(rid, score)`` (each best first):
    ``(rid, fused score)`` best first, every record of either ranking once; ties keep the
    lexical order, then the vector order."""
    scores: dict[int, float] = {}
    for rank, (rid, _) in enumerate(lexical, start=1):
        scores[rid] = scores.get(rid, 0.0) + lexical_weight / (k + rank)
    for rank, (rid, _) in enumerate(semantic, start=1):
        scores[rid] = scores.get(rid, 0.0) + (1.0 - lexical_weight) / (k + rank)
    return sorted(scores.items(), key=lambda x: -x[1])  # sorted() is stable: insertion order breaks ties


def combine(lexical: Sequence[tuple[int, float]], semantic: Sequence[tuple[int, float]], mode: str,
            k: float = RRF_K, lexical_weight: float = LEXICAL_WEIGHT,
            floor: float = SIMILARITY_FLOOR, null: float = 0.0) -> tuple[list[tuple[int, float]], bool]:
    """Steps 2 and 3 of the module docstring: the ranking shown for ``mode`` (``semantic`` or
    ``hybrid``) from the lexical ranking (its fuzzy title matches when nothing matched) and the
    vector ranking ``(rid, best cosine)``, both best first; and whether the vectors counted
    (the best cosine at least ``floor`` above ``null``, the query's best cosine with
    :data:`NULL_PASSAGES`). The gate (step 1) is the caller's."""
    close = bool(semantic) and semantic[0][1] - null >= floor
    sem = [(rid, round(sim, 4)) for rid, sim in semantic] if close else []
    if mode == "semantic":
        return sem, close
    if not close:
        return list(lexical), False
    return [(rid, round(s, 6)) for rid, s in fuse(lexical, sem, k, lexical_weight)], True


def query_text(q: Query) -> str:
    """What is embedded for a query: its text without filters, ids and negated words (the
    stop words stay: ``without`` and ``не`` carry meaning)."""
    if not (q.has_filters or q.arxiv_ids or any(t.negative for t in q.terms)):
        return q.text
    return " ".join(t.raw for t in q.terms if not t.negative)


def search(conn: sqlite3.Connection, q: Query, limit: int = 10, sort: str = "relevance", mode: str = "hybrid",
           embedder: Callable[[], Embedder] | None = None) -> SearchResult:
    """Run ``q`` in ``mode`` (``lexical``, ``semantic`` or ``hybrid``, see the module docstring).
    ``embedder`` returns the model (default :func:`reviews_cli.library.embedder.load`, which raises
    :class:`~reviews_cli.library.embedder.SemanticUnavailable` without the extra); it is called only
    when vectors are needed. The result's ``mode`` says how it was ranked and ``unembedded``
    how many records had no vectors yet. ``sort`` other than relevance reorders the hits found.
    Raises :class:`~reviews_cli.errors.UsageError` for a bad ``limit``, ``sort`` or ``mode``."""
    from ..errors import UsageError

    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: use lexical, semantic or hybrid")
    searcher = Searcher(conn)
    if mode == "lexical":
        return searcher.search(q, limit=limit, sort=sort)
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    # ranked by relevance: fusion needs ranks, and ``sort`` reorders what was found; a search by
    # meaning alone needs no lexical ranking
    ranked: list[tuple[int, float]] = []
    positive: list[Term] = []
    if mode == "semantic":
        result = SearchResult(q, [])
    else:
        result, ranked, positive = searcher.ranked(q, "relevance", CANDIDATES)
    structured = bool(q.arxiv_ids) or any(t.negative for t in q.terms)
    if mode == "hybrid" and (lexical_stands(result, ranked) or structured):
        return searcher.hits(result, searcher.resort(ranked, sort)[:limit], positive)
    from ..library import vectors
    from ..library.embedder import load, model_stamp

    emb = (embedder or load)()
    vectors.adopt_bundled(conn, model_stamp(emb))  # a new user's first search: the shipped vectors
    matrix = vectors.load_matrix(conn, model_stamp(emb), emb.dim)
    allowed = searcher.filtered_rids(q) if q.has_filters else None
    qv = emb.embed_query(query_text(q))
    best = vectors.best_chunks(matrix, qv, allowed, top=CANDIDATES)
    null = float((vectors.fixed_vectors(conn, emb, list(NULL_PASSAGES)) @ qv).max())
    chunk_of = {rid: k for rid, _, k in best}
    out, used = combine(ranked, [(rid, sim) for rid, sim, _ in best], mode, null=null)
    if mode == "semantic":
        result = SearchResult(q, [])
    elif used:
        result.fuzzy = False
    if sort != "relevance" and out:
        out = searcher.resort(out, sort)
    result.mode = mode if used or mode == "semantic" else "lexical"
    lexical = [] if result.fuzzy else ranked
    result.unembedded = matrix.missing
    result.total = len(out)
    worded = {rid for rid, _ in lexical}
    shown = out[:limit]
    records = searcher.records([rid for rid, _ in shown])
    hits = []
    for rid, score in shown:
        r = records.get(rid)
        if r is None:
            continue
        if rid in worded:
            hits.append(Hit(r, score, *snippet(r, positive, q.arxiv_ids)))
        else:  # found by meaning: the closest chunk, no words to highlight
            hits.append(Hit(r, score, closest_chunk(r.title, r.body, chunk_of.get(rid, 0))))
    result.hits = hits
    return result


def closest_chunk(title: str, body: str, k: int, width: int = 140) -> str:
    """The start of body piece ``k`` (as :func:`vectors.chunks` cut it), about ``width``
    characters, cut at a word boundary with ``…``."""
    from ..library import vectors
    from .snippets import ELLIPSIS

    pieces = vectors.chunks("", body)
    text = pieces[min(k, len(pieces) - 1)].removeprefix(". ").strip() if pieces else ""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[:cut if cut > 0 else width] + ELLIPSIS
