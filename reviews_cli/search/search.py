"""Ranking over the library's FTS5 index: :class:`Searcher` runs a parsed
:class:`~reviews_cli.search.query.Query` and returns a :class:`SearchResult` of :class:`Hit`.

The search lives in the ``search`` package, each module importable without the CLI::

    query.py     the query language: Term, Query.parse, the limits (MAX_QUERY_CHARS, MAX_TERMS),
                 UsageError for bad queries; knows nothing of SQL
    search.py    this module: a Query compiled to FTS5 MATCH expressions and SQL filters, BM25
                 ranking, title and arXiv bonuses, typo correction, the fuzzy fallback
    records.py   records by id, by tag, newest first, grouped by paper (Searcher's base; recent)
    layout.py    keyboard-layout slips (``дщееукн`` typed for ``lottery``)
    snippets.py  the excerpt shown under each hit and the offsets of its matched words
    resolve.py   what ``reviews show ID`` means by ID (arXiv id or URL, record id, title)
    related.py   the reviews most like one paper's

Imports run one way: search imports query, records and snippets, snippets and resolve import
query, and query imports none of them (nor does any of them import the CLI); rapidfuzz is
imported inside the functions that need it. ``Query``, ``Term``, the limits, ``snippet`` and
``resolve`` (lazily) are importable from here too, as before the split.

Every term reaches FTS5 as quoted index terms (never as syntax). Ranking: FTS5 BM25 with the column
weights of :mod:`reviews_cli.library.fields` (title 10, tags 6, authors 6, reviewer 4, extra 2, body 1),
plus the bonuses below for the whole query or a phrase found in the title and for the arXiv id
asked for. When every query word is in over half the records of a large library, BM25 cannot
order them (see :meth:`Searcher._idf_is_flat`) and records with the words in their title or other
short fields come first, then the rest newest first. A query word not in the index vocabulary is
corrected against it with rapidfuzz (edit distance 1 for words of 5–7 letters, 2 for longer ones);
the :class:`Query` is never changed, corrections are reported in :attr:`SearchResult.corrections`.
Before that, a word not in the vocabulary that was typed in the wrong keyboard layout (``дщееукн``
for ``lottery``, ``j,pjh`` for ``обзор``: :mod:`reviews_cli.search.layout`) is searched as meant when
the swapped word is in the vocabulary; it is a correction too (:attr:`SearchResult.layout_slips`).
A ``#hashtag`` in the query ranks the records carrying that tag first (:data:`HASHTAG_BONUS`).
When nothing matches all the words, the best partial matches are shown; when nothing matches at
all, titles are fuzzy-matched instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING, NamedTuple

from .. import textnorm as tn
from ..errors import UsageError
from ..library.fields import BM25_WEIGHTS as WEIGHTS
from ..models import Review
from .query import MAX_QUERY_CHARS, MAX_TERMS, STOP_WORDS, Query, Term, matches_as_prefix
from .records import SQL_CHUNK, Records, field_conditions
from .snippets import snippet

if TYPE_CHECKING:
    from .resolve import resolve

__all__ = [
    "MAX_QUERY_CHARS", "MAX_TERMS", "STOP_WORDS", "Hit", "Query", "SearchResult", "Searcher", "Term", "resolve",
    "snippet",
]

# Records taken from FTS5 per query, best first, before bonuses and sorting (more when a search
# asks for more results; its ``total`` still counts every match, and ``Searcher.matching_ids``
# (exports) takes them all).
CANDIDATES = 300

# The flat-IDF shortcut is taken only from this many records on: below, ranking every match by
# BM25 is cheap anyway.
FLAT_IDF_MIN_RECORDS = 2000

# Bonus when the title's words are exactly the query's words: it is the paper asked for.
TITLE_EXACT_BONUS = 25.0
# Bonus when the query's words appear in the title together and in order.
TITLE_QUERY_BONUS = 10.0
# Bonus for each quoted phrase found in the title (on top of the two above).
TITLE_PHRASE_BONUS = 5.0
# Bonus for a record of an arXiv id in the query: far above BM25 scores, so it ranks first.
ARXIV_BONUS = 1000.0
# Bonus for a record carrying a ``#hashtag`` of the query: above any BM25 score (a body saying
# the word a hundred times stays below the tagged reviews), below the arXiv id asked for.
HASHTAG_BONUS = 500.0
# Decimal places kept of a hit's score (tables and --json show it).
SCORE_DIGITS = 4

# Typo correction: shorter words are not corrected (too many real words lie one edit away)...
CORRECT_MIN_LETTERS = 5
# ...words up to this long may be one edit off, longer ones two.
SHORT_WORD_LETTERS = 7
SHORT_WORD_EDITS = 1
LONG_WORD_EDITS = 2
# Closest vocabulary words compared (by frequency) when choosing a correction.
CORRECT_CHOICES = 20
# Keyboard layout slips (``дщееукн`` for ``lottery``): shorter typed words are not swapped.
LAYOUT_MIN_LETTERS = 3

# Fuzzy title fallback: the rapidfuzz WRatio (0-100) a title needs to be shown at all.
FUZZY_TITLE_SCORE = 70
# Decimal places of a fuzzy hit's score (a WRatio, not a BM25 score).
FUZZY_SCORE_DIGITS = 2


def __getattr__(name: str) -> object:
    # ``resolve`` is re-exported lazily: ``reviews search`` never needs it.
    if name == "resolve":
        from .resolve import resolve

        return resolve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------- results


class Hit(NamedTuple):
    """One ranked result: the record, its ``score`` (higher is better), a one-line ``snippet`` of
    the body around the matched words, and ``highlights``: ``(start, end)`` offsets into it."""

    review: Review
    score: float
    snippet: str = ""
    highlights: tuple[tuple[int, int], ...] = ()


class SearchResult:
    """Hits for a query. ``corrections`` maps a query word to the vocabulary word searched
    instead; ``partial`` is set when no record had every word and the best partial matches are
    shown; ``fuzzy`` when nothing matched and titles were fuzzy-matched instead. ``total`` is
    how many records match in all (``hits`` holds at most the limit asked for).
    ``layout_slips`` are the corrections that were keyboard layout slips
    (``{"дщееукн": "lottery"}``), a subset of ``corrections``."""

    __slots__ = ("corrections", "fuzzy", "hits", "layout_slips", "mode", "partial", "query", "total", "unembedded")

    def __init__(self, query: Query, hits: list[Hit], total: int = 0) -> None:
        self.query, self.hits, self.total = query, hits, total
        self.corrections: dict[str, str] = {}
        self.layout_slips: dict[str, str] = {}
        self.partial = False
        self.fuzzy = False
        # how the hits were ranked (see search.hybrid); records with no vectors yet, when used
        self.mode = "lexical"
        self.unembedded = 0

    @property
    def searched_for(self) -> str:
        """The query as searched, corrections applied (``lottery ticket`` for ``lotery tiket``)."""
        out = self.query.text
        for wrong, right in self.corrections.items():
            out = re.sub(rf"(?i)(?<!\w){re.escape(wrong)}(?!\w)", right, out)
        return out


# ------------------------------------------------------------------------------- FTS building

def _q(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _term_expr(t: Term, columns: str | None = None) -> str:
    variants = tn.lookalike_variants(t.words) if t.phrase else [t.words]
    exprs = [_one_term_expr(t, ws) for ws in variants]
    expr = exprs[0] if len(exprs) == 1 else "(" + " OR ".join(exprs) + ")"
    return f"{{{columns}}} : ({expr})" if columns else expr


def _one_term_expr(t: Term, ws: list[str]) -> str:
    stems = tn.stems(ws)
    if t.phrase:
        return _q(" ".join(stems)) + ("*" if t.prefix else "")
    s = stems[0]
    if t.prefix:
        expr = _q(ws[0]) + "*"
        return f"({expr} OR {_q(s)}*)" if s != ws[0] else expr
    expr = _q(s) + "*" if matches_as_prefix(s) else _q(s)
    return f"({expr} OR {_q(tn.tag_token(ws[0]))})"


def _arxiv_expr(aid: str) -> str:
    parts = re.split(r"[./]", aid)
    return f"({_q(tn.arxiv_token(aid))} OR {_q(' '.join(tn.words(' '.join(parts))))})"


class Searcher(Records):
    """Runs queries against an open library connection (``Library.conn``); the loading of
    records by id, by tag and by paper comes from :class:`Records`."""

    # vocabulary --------------------------------------------------------------------------

    def _known(self, word: str) -> bool:
        s = tn.stem(word)
        if matches_as_prefix(s):
            row = self.conn.execute("SELECT 1 FROM vocab WHERE stem >= ? AND stem < ? LIMIT 1",
                                    (s, s + "\U0010ffff")).fetchone()
        else:
            row = self.conn.execute("SELECT 1 FROM vocab WHERE stem = ? LIMIT 1", (s,)).fetchone() or \
                self.conn.execute("SELECT 1 FROM vocab WHERE word = ? LIMIT 1", (word,)).fetchone()
        return row is not None

    def correct(self, word: str) -> str | None:
        """The closest vocabulary word to an unknown ``word`` within the length-aware edit limit
        (none under 5 letters, 1 up to 7, 2 beyond), most frequent on ties; else ``None``."""
        n = len(word)
        if n < CORRECT_MIN_LETTERS or word.isdigit():
            return None
        limit = SHORT_WORD_EDITS if n <= SHORT_WORD_LETTERS else LONG_WORD_EDITS
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        rows = self.conn.execute(
            "SELECT word, n FROM vocab WHERE length(word) BETWEEN ? AND ?", (n - limit, n + limit)).fetchall()
        if not rows:
            return None
        freq = dict(rows)
        found = process.extract(word, list(freq), scorer=Levenshtein.distance, score_cutoff=limit,
                                limit=CORRECT_CHOICES)
        if not found:
            return None
        best = min(found, key=lambda x: (x[1], -freq[x[0]], x[0]))
        word_found: str = best[0]
        return word_found

    def swap_layout(self, raw: str) -> list[str] | None:
        """The folded words of ``raw`` (one query item as typed, punctuation keys included)
        typed on the other keyboard layout, when ``raw`` has a word not in the vocabulary and
        every swapped word is in it (``ДЩЕЕУКН`` -> ``["lottery"]``); else ``None``."""
        from .layout import swap

        typed = tn.words(raw)
        if sum(map(len, typed)) < LAYOUT_MIN_LETTERS or all(self._known(w) for w in typed):
            return None
        swapped = swap(raw)
        ws = tn.words(swapped) if swapped else []
        if not ws or all(w in STOP_WORDS for w in ws) or not all(self._known(w) for w in ws):
            return None
        return ws

    def _corrected(self, t: Term, result: SearchResult) -> Term:
        """``t`` as searched: a word typed in the wrong keyboard layout becomes the swapped
        word(s) (recorded in ``result.layout_slips`` too); else a single plain word not in the
        vocabulary becomes a new Term with its typo correction. Either is recorded in
        ``result.corrections`` under the word as typed; otherwise ``t`` itself is returned."""
        if t.negative or t.prefix:
            return t
        # ``j,pjh`` lexes as two words (the comma is the б key): try the item as typed
        if not any(ch.isspace() for ch in t.raw):
            ws = self.swap_layout(t.raw)
            if ws:
                result.corrections[t.raw] = result.layout_slips[t.raw] = " ".join(ws)
                return Term(t.raw, ws, phrase=len(ws) > 1)
        if t.phrase:
            return t
        w = t.words[0]
        if self._known(w):
            return t
        fixed = self.correct(w)
        if not fixed or fixed == w:
            return t
        result.corrections[t.raw] = fixed
        return t.with_words([fixed])

    # running -----------------------------------------------------------------------------

    def _filters_sql(self, q: Query) -> tuple[str, list[object]]:
        where, args = field_conditions(q)
        # author and reviewer are FTS columns: exclude the rows their phrase matches
        for column, names in (("authors", q.not_authors), ("reviewer", q.not_reviewers)):
            for ws in names:
                where.append("r.rid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
                args.append(_term_expr(Term(" ".join(ws), ws, phrase=len(ws) > 1), column))
        return (" AND ".join(where), args)

    def _match_parts(self, q: Query, terms: list[Term], mode: str) -> list[str]:
        pos = [_term_expr(t) for t in terms if not t.negative]
        parts = []
        if pos:
            parts.append("(" + (" AND " if mode == "all" else " OR ").join(pos) + ")")
        for a in q.authors:
            parts.append(_term_expr(Term(" ".join(a), a, phrase=len(a) > 1), "authors"))
        for a in q.reviewers:
            parts.append(_term_expr(Term(" ".join(a), a, phrase=len(a) > 1), "reviewer"))
        return parts

    def _idf_is_flat(self, terms: list[Term]) -> bool:
        """Whether every positive term matches more than half the records (where FTS5's BM25
        gives all of them the same near-zero IDF). Costs one count per term, ~4 ms at worst.
        Never in libraries under :data:`FLAT_IDF_MIN_RECORDS` records."""
        pos = [t for t in terms if not t.negative]
        if not pos:
            return False
        n = self.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] or 0
        if n < FLAT_IDF_MIN_RECORDS:
            return False  # small libraries: scoring everything is cheap anyway
        for t in pos:
            (df,) = self.conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (_term_expr(t),)).fetchone()
            if df * 2 <= n:
                return False
        return True

    def _run(self, q: Query, terms: list[Term], mode: str,
             cap: int | None = CANDIDATES) -> list[tuple[int, float]]:
        """``(rid, BM25 score)`` of the records matching, best first, at most ``cap`` of them
        (``None``: every match, for exports)."""
        parts = self._match_parts(q, terms, mode)
        limit = -1 if cap is None else cap  # SQLite: LIMIT -1 is no limit
        negs = [_term_expr(t) for t in terms if t.negative]
        fsql, fargs = self._filters_sql(q)
        if q.arxiv_ids and mode == "all" and not parts:
            parts.append("(" + " OR ".join(_arxiv_expr(a) for a in q.arxiv_ids) + ")")
        if parts:
            match = " AND ".join(parts)
            if negs:
                match = f"{match} NOT ({' OR '.join(negs)})"
            join = "JOIN reviews r ON r.rid = f.rowid " if fsql else ""
            where = f" AND {fsql}" if fsql else ""
            bm25 = f"bm25(fts, {', '.join(map(str, WEIGHTS))})"
            if mode == "all" and self._idf_is_flat(terms):
                # Every word is in over half the records: FTS5 clamps their IDF to 1e-6, so BM25
                # cannot order the body matches and scoring them all is wasted work. Rank the
                # records with the words in their title, authors, tags, reviewer or ids by BM25,
                # then the rest newest first.
                head = " AND ".join(f"{{title authors tags reviewer extra}} : ({_term_expr(t)})"
                                    for t in terms if not t.negative)
                head_match = " AND ".join([head, *parts[1:]]) + (f" NOT ({' OR '.join(negs)})" if negs else "")
                top = [(rid, -sc) for rid, sc in self.conn.execute(
                    f"SELECT f.rowid, {bm25} AS s FROM fts f {join}WHERE fts MATCH ?{where} ORDER BY s LIMIT ?",
                    [head_match, *fargs, limit])]
                seen = {rid for rid, _ in top}
                rest = self.conn.execute(
                    f"SELECT f.rowid FROM fts f {join}WHERE fts MATCH ?{where} ORDER BY f.rowid DESC LIMIT ?",
                    [match, *fargs, -1 if cap is None else cap + len(top)])
                tail = [(rid, 0.0) for (rid,) in rest if rid not in seen]
                return top + (tail if cap is None else tail[:cap - len(top)])
            sql = f"SELECT f.rowid, {bm25} AS s FROM fts f {join}WHERE fts MATCH ?{where} ORDER BY s LIMIT ?"
            return [(rid, -sc) for rid, sc in self.conn.execute(sql, [match, *fargs, limit])]
        # filters only (and perhaps exclusions): every record that passes, newest first
        sql = "SELECT r.rid, 0.0 FROM reviews r" + (f" WHERE {fsql}" if fsql else "")
        if negs:
            sql += (" AND " if fsql else " WHERE ") + "r.rid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
            fargs = [*fargs, " OR ".join(negs)]
        sql += " ORDER BY coalesce(r.date, r.year) DESC, r.rid LIMIT ?"
        return list(self.conn.execute(sql, [*fargs, limit]))

    def _count(self, q: Query, terms: list[Term], mode: str, also: Collection[int] = ()) -> int:
        """How many records :meth:`_run` would find with no cap, plus the records ``also`` (the
        reviews of an arXiv id asked for) that pass the filters: one COUNT over the same MATCH
        expression and filters (FTS5 counts without scoring)."""
        parts = self._match_parts(q, terms, mode)
        negs = [_term_expr(t) for t in terms if t.negative]
        fsql, fargs = self._filters_sql(q)
        if q.arxiv_ids and mode == "all" and not parts:
            parts.append("(" + " OR ".join(_arxiv_expr(a) for a in q.arxiv_ids) + ")")
        args: list[object]
        if parts:
            match = " AND ".join(parts)
            if negs:
                match = f"{match} NOT ({' OR '.join(negs)})"
            if also:
                marks = ",".join("?" * len(also))
                sql = (f"SELECT count(*) FROM reviews r WHERE (r.rid IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
                       f" OR r.rid IN ({marks}))" + (f" AND {fsql}" if fsql else ""))
                args = [match, *sorted(also), *fargs]
            else:
                join = "JOIN reviews r ON r.rid = f.rowid " if fsql else ""
                where = f" AND {fsql}" if fsql else ""
                sql = f"SELECT count(*) FROM fts f {join}WHERE fts MATCH ?{where}"
                args = [match, *fargs]
        else:
            # filters only: every record that passes (the arXiv ids' records pass or not alike)
            sql = "SELECT count(*) FROM reviews r" + (f" WHERE {fsql}" if fsql else "")
            args = list(fargs)
            if negs:
                sql += (" AND " if fsql else " WHERE ") + "r.rid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
                args.append(" OR ".join(negs))
        (n,) = self.conn.execute(sql, args).fetchone()
        return int(n)

    def search(self, q: Query, limit: int = 10, sort: str = "relevance") -> SearchResult:
        """Rank records for ``q``; see the module docstring for the steps. ``sort`` is
        ``relevance``, ``date`` (newest first) or ``title``. ``hits`` holds the first ``limit``
        (ranked among the best ``max(CANDIDATES, limit)`` by BM25); ``total`` counts every match.
        Raises :class:`UsageError` for a ``limit`` under 1 or an unknown ``sort``."""
        if limit < 1:
            raise UsageError("--limit must be at least 1")
        result, ranked, positive = self.ranked(q, sort, max(CANDIDATES, limit))
        return self.hits(result, ranked[:limit], positive)

    def hits(self, result: SearchResult, shown: list[tuple[int, float]], positive: list[Term]) -> SearchResult:
        """``result`` with its hits set: the records of ``shown`` ``(rid, score)``, in that
        order, each with its snippet around the ``positive`` terms."""
        records = self._load([rid for rid, _ in shown])
        # fuzzy title matches matched no body word: their snippet is the body's start
        words, ids = ([], []) if result.fuzzy else (positive, result.query.arxiv_ids)
        result.hits = [Hit(records[rid], score, *snippet(records[rid], words, ids))
                       for rid, score in shown if rid in records]
        return result

    def filtered_rids(self, q: Query) -> set[int]:
        """The records passing ``q``'s filters (field filters and exclusions, dates, marks)."""
        return {rid for rid, _ in self._run(q, [], "all", None)}

    def matching_ids(self, q: Query, sort: str = "relevance") -> tuple[SearchResult, list[int]]:
        """Every record matching ``q`` (what :meth:`search` would show with no limit) as record
        ids (``rid``) in rank order, and a hit-less :class:`SearchResult` telling how they were
        found (``total``, ``corrections``, ``partial``, ``fuzzy``). For exports: there is no
        candidate cap, and memory is one ``(rid, score)`` pair per match (titles are read a
        chunk of :data:`SQL_CHUNK` at a time for the title bonus, then dropped), never the
        records. Raises :class:`UsageError` for an unknown ``sort``."""
        result, ranked, _ = self.ranked(q, sort, None)
        return result, [rid for rid, _ in ranked]

    def ranked(self, q: Query, sort: str = "relevance",
               cap: int | None = CANDIDATES) -> tuple[SearchResult, list[tuple[int, float]], list[Term]]:
        """The ranking :meth:`search` and :meth:`matching_ids` share: ``(rid, score)`` pairs in
        the order asked for, from at most ``cap`` FTS5 candidates (``None``: all); the result
        with ``total`` (and ``corrections``, ``partial``, ``fuzzy``) set but no hits; the
        positive terms as searched. When nothing matched, the pairs are fuzzy title matches."""
        if sort not in ("relevance", "date", "title"):
            raise UsageError(f"unknown sort {sort!r}: use relevance, date or title")
        result = SearchResult(query=q, hits=[])
        # the terms as searched: a corrected word is a new Term, so q itself never changes
        terms = [self._corrected(t, result) for t in q.terms]
        positive = [t for t in terms if not t.negative]
        mode = "all"
        scored = self._run(q, terms, mode, cap)
        if not scored and len(positive) > 1:
            mode = "any"
            scored = self._run(q, terms, mode, cap)
            result.partial = bool(scored)
        arxiv_rids = set()
        if q.arxiv_ids:
            marks = ",".join("?" * len(q.arxiv_ids))
            arxiv_rids = {rid for (rid,) in self.conn.execute(
                f"SELECT rid FROM reviews WHERE arxiv_id IN ({marks})", q.arxiv_ids)}
            have = {rid for rid, _ in scored}
            fsql, fargs = self._filters_sql(q)
            for rid in arxiv_rids - have:
                if not fsql or self.conn.execute(
                        f"SELECT 1 FROM reviews r WHERE r.rid = ? AND {fsql}", [rid, *fargs]).fetchone():
                    scored.append((rid, 0.0))
        if not scored and positive and not q.has_filters:
            found = self._fuzzy_titles(positive)
            result.fuzzy = bool(found)
            result.total = len(found)
            return result, found, positive
        n_matched = len(scored)
        if cap is None or n_matched < cap:
            result.total = n_matched  # every match is in hand
        else:
            result.total = self._count(q, terms, mode, arxiv_rids)
        # rank on the cheap columns, a chunk at a time (the records are decoded by the caller)
        ranked: list[tuple[int, float, str]] = []
        phrase_text = " ".join(w for t in positive for w in t.words)
        for i in range(0, len(scored), SQL_CHUNK):
            chunk = scored[i:i + SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            meta = {rid: (title, date or str(year or "")) for rid, title, date, year in self.conn.execute(
                f"SELECT rid, title, date, year FROM reviews WHERE rid IN ({marks})", [rid for rid, _ in chunk])}
            tagged = self._tagged(q.hashtags, [rid for rid, _ in chunk])
            for rid, score in chunk:
                if rid not in meta:
                    continue
                title, date = meta[rid]
                title_words = " ".join(tn.words(title))
                bonus = 0.0
                if phrase_text and f" {phrase_text} " in f" {title_words} ":
                    bonus += TITLE_EXACT_BONUS if phrase_text == title_words else TITLE_QUERY_BONUS
                for t in positive:
                    if t.phrase and f" {' '.join(t.words)} " in f" {title_words} ":
                        bonus += TITLE_PHRASE_BONUS
                if rid in arxiv_rids:
                    bonus += ARXIV_BONUS
                if rid in tagged:
                    bonus += HASHTAG_BONUS
                key = "" if sort == "relevance" else date if sort == "date" else title.casefold()
                ranked.append((rid, round(score + bonus, SCORE_DIGITS), key))
        if sort == "relevance":
            ranked.sort(key=lambda x: -x[1])
        elif sort == "date":
            ranked.sort(key=lambda x: x[2], reverse=True)
        else:
            ranked.sort(key=lambda x: x[2])
        return result, [(rid, score) for rid, score, _ in ranked], positive

    def _fuzzy_titles(self, positive: list[Term]) -> list[tuple[int, float]]:
        """Nothing matched: ``(rid, WRatio)`` of every title scoring at least
        :data:`FUZZY_TITLE_SCORE` against the (corrected) query words, best first."""
        from rapidfuzz import fuzz, process

        text = " ".join(w for t in positive for w in t.words)
        titles = {rid: " ".join(tn.words(t)) for rid, t in self.conn.execute("SELECT rid, title FROM reviews")}
        found = process.extract(text, titles, scorer=fuzz.WRatio, score_cutoff=FUZZY_TITLE_SCORE, limit=None)
        return [(rid, round(score, FUZZY_SCORE_DIGITS)) for _, score, rid in found]
