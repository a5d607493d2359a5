"""Reviews like a given one (``reviews related REF``): candidates from the FTS index and the tag
table, scored by a weighted sum of named parts, with the reasons that earned each score.

Parts of a candidate's score (each constant below is its weight):

- similar text: an OR query of the reference's most distinctive words (highest IDF from the FTS
  vocabulary, title words counted :data:`TITLE_TERM_BOOST` times), ranked by BM25 with the column
  weights of :mod:`reviews_cli.library.fields`; the best candidate gets :data:`TEXT_WEIGHT`, the others
  their BM25 relative to it;
- each shared tag and each shared author, times its rarity in the library (0 to 1);
- citations: one reviews a paper the other's text cites (either way), and papers both cite.

The reviewed paper itself is never returned: records of the reference, records with the same
arXiv id and records with the same normalized title are left out. Reads the index only; knows
nothing of click or rich.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from .. import textnorm as tn
from ..ids import arxiv_ids_in_url, canonical_tag, parse_arxiv_id
from ..library.fields import BM25_WEIGHTS
from ..models import Review
from .query import STOP_WORDS

# Score parts. The best text match earns TEXT_WEIGHT, the others in proportion to their BM25.
TEXT_WEIGHT = 4.0
# Per shared tag, times the tag's rarity: a tag on every record adds little.
TAG_WEIGHT = 1.5
# Per shared author, times the author's rarity.
AUTHOR_WEIGHT = 3.0
# One reviews the paper the other cites by arXiv id (either direction).
CITES_WEIGHT = 3.0
# Per paper (arXiv id) that both texts cite.
COCITED_WEIGHT = 1.0
# Decimal places kept of a score.
SCORE_DIGITS = 4

# The reference's text read for its words: a 10 MB post is not read whole.
MAX_REF_CHARS = 20_000
# Distinctive words put in the text query.
QUERY_TERMS = 24
# A title word counts as this many occurrences in the body when picking words.
TITLE_TERM_BOOST = 3
# Words shorter than this (and stop words, numbers) are never picked.
MIN_TERM_LETTERS = 3
# Records taken from the FTS index by text likeness, best first.
TEXT_CANDIDATES = 300
# Most authors and cited papers of the reference looked up (a paper may list hundreds of authors).
MAX_AUTHORS = 20
MAX_CITED = 20
# Distinctive words named in a "similar text" reason.
REASON_WORDS = 3
# Parameters per ``IN (...)`` query: under the 999 older SQLite builds allow.
SQL_CHUNK = 500

_BARE_ARXIV = re.compile(r"(?<![\w./])(?:arxiv:\s*)?\d{4}\.\d{4,5}(?:v\d+)?(?![\w.]*\d)", re.IGNORECASE)
# URLs are left out of the words picked: "https", "arxiv", "github" say nothing about a paper.
_ANY_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/[^\s?#)\]»\"']+", re.IGNORECASE)


class Related(NamedTuple):
    """One related record: the ``review``, its ``score`` (higher is more alike; a sum of the
    weights above) and ``reasons``, short phrases saying what it shares, biggest part first."""

    review: Review
    score: float
    reasons: tuple[str, ...]


class _Cand:
    """A candidate's score parts while it is being scored."""

    __slots__ = ("authors", "cites", "cocited", "tags", "text")

    def __init__(self) -> None:
        self.text = 0.0
        self.tags: list[tuple[str, float]] = []  # (tag label, weight)
        self.authors: list[tuple[str, float]] = []
        self.cites: list[tuple[str, float]] = []  # (reason, weight)
        self.cocited: list[tuple[str, float]] = []

    def total(self) -> float:
        return self.text + sum(w for part in (self.tags, self.authors, self.cites, self.cocited) for _, w in part)


def _rarity(df: int, n: int) -> float:
    """How rare a tag or author held by ``df`` of ``n`` records is: 1 for one record, falling
    towards ``log 2 / log(n + 1)`` for one on every record."""
    return math.log1p(n / max(df, 1)) / math.log1p(max(n, 1))


def _title_key(title: str) -> str:
    return " ".join(tn.words(title))


def cited_ids(r: Review) -> list[str]:
    """arXiv ids the review's text and links name, in order of appearance, without the
    review's own paper. Bare ids must be valid new-style ids (``1803.03635``); old-style ids
    (``hep-th/9901001``) count only inside arxiv.org links."""
    found: list[str] = []
    text = r.body[:MAX_REF_CHARS]
    for m in _ARXIV_URL.finditer(text):
        aid = parse_arxiv_id(m.group(0))
        if aid:
            found.append(aid)
    for m in _BARE_ARXIV.finditer(text):
        aid = parse_arxiv_id(m.group(0))
        if aid:
            found.append(aid)
    for link in r.links:
        aid = arxiv_ids_in_url(link.url)
        if aid:
            found.append(aid)
    return [a for a in dict.fromkeys(found) if a != r.arxiv_id]


def _phrase(words: Iterable[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _in_chunks(conn: sqlite3.Connection, sql: str, values: Sequence[object]) -> list[tuple[Any, ...]]:
    """``sql`` (holding one ``{marks}``) run over ``values`` in chunks; all rows."""
    rows: list[tuple[Any, ...]] = []
    for i in range(0, len(values), SQL_CHUNK):
        chunk = list(values[i:i + SQL_CHUNK])
        rows += conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
    return rows


def _doc_freqs(conn: sqlite3.Connection, terms: Sequence[str]) -> dict[str, int]:
    """Records holding each index term, from the FTS5 vocabulary (a temp-schema ``fts5vocab``
    table, so read-only libraries work too)."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, fts, 'row')")
    rows = _in_chunks(conn, "SELECT term, doc FROM temp.fts_terms WHERE term IN ({marks})", terms)
    return {str(t): int(d) for t, d in rows}


def distinctive_terms(conn: sqlite3.Connection, refs: Sequence[Review], n_records: int,
                      limit: int = QUERY_TERMS) -> list[tuple[str, str, float]]:
    """The references' most distinctive index terms, best first: ``(stem, a word it came
    from, weight)`` with weight ``(1 + log tf) * idf``; tf counts title words
    :data:`TITLE_TERM_BOOST` times, idf is BM25's from the FTS vocabulary. Terms held by no
    other record, or by over half the library, are left out."""
    tf: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for r in refs:
        for text, boost in ((r.title, TITLE_TERM_BOOST), (_ANY_URL.sub(" ", r.body[:MAX_REF_CHARS]), 1)):
            ws = [w for w in tn.words(text)
                  if len(w) >= MIN_TERM_LETTERS and not w.isdigit() and w not in STOP_WORDS]
            for w, s in zip(ws, tn.stems(ws)):
                tf[s] += boost
                surface.setdefault(s, w)
    if not tf:
        return []
    df = _doc_freqs(conn, list(tf))
    scored = []
    for s, k in tf.items():
        d = df.get(s, 0)
        if d <= len(refs) or d * 2 > n_records:  # only the reference has it, or it says nothing
            continue
        idf = math.log((n_records - d + 0.5) / (d + 0.5))
        scored.append((s, surface[s], (1 + math.log(k)) * idf))
    scored.sort(key=lambda x: (-x[2], x[0]))
    return scored[:limit]


def related(conn: sqlite3.Connection, refs: Sequence[Review], limit: int = 10) -> list[Related]:
    """Records most like ``refs`` (the reviews of one paper, as
    :func:`reviews_cli.resolve.resolve` returns them), best first, at most ``limit``; never a
    record of the same paper (same record id, arXiv id or normalized title). Empty when nothing
    shares anything with them. Scores and reasons as in the module docstring."""
    if not refs or limit < 1:
        return []
    n_records = int(conn.execute("SELECT count(*) FROM reviews").fetchone()[0])
    ref_ids = [r.id for r in refs]
    ref_aids = sorted({r.arxiv_id for r in refs if r.arxiv_id})
    ref_titles = {_title_key(r.title) for r in refs} - {""}
    rows = _in_chunks(conn, "SELECT rid FROM reviews WHERE id IN ({marks})", ref_ids)
    rows += _in_chunks(conn, "SELECT rid FROM reviews WHERE arxiv_id IN ({marks})", ref_aids)
    excluded = {int(rid) for (rid,) in rows}
    cands: dict[int, _Cand] = {}

    def cand(rid: int) -> _Cand | None:
        if rid in excluded:
            return None
        c = cands.get(rid)
        if c is None:
            c = cands[rid] = _Cand()
        return c

    # similar text
    terms = distinctive_terms(conn, refs, n_records)
    if terms:
        match = " OR ".join(_phrase([s]) for s, _, _ in terms)
        bm25 = f"bm25(fts, {', '.join(map(str, BM25_WEIGHTS))})"
        rows = conn.execute(f"SELECT rowid, {bm25} AS s FROM fts WHERE fts MATCH ? ORDER BY s LIMIT ?",
                            (match, TEXT_CANDIDATES + len(excluded))).fetchall()
        rows = [(rid, -s) for rid, s in rows if rid not in excluded]
        best = max((s for _, s in rows), default=0.0)
        if best > 0:
            for rid, s in rows:
                c = cand(rid)
                if c is not None:
                    c.text = TEXT_WEIGHT * max(s, 0.0) / best

    # shared tags, by rarity
    labels = {canonical_tag(t): t for r in refs for t in r.tags if canonical_tag(t)}
    if labels:
        keys = sorted(labels)
        df = dict(_in_chunks(conn, "SELECT tag, count(*) FROM review_tags WHERE tag IN ({marks}) GROUP BY tag", keys))
        for rid, tag in _in_chunks(conn, "SELECT rid, tag FROM review_tags WHERE tag IN ({marks})", keys):
            c = cand(int(rid))
            if c is not None:
                c.tags.append((labels[str(tag)], TAG_WEIGHT * _rarity(int(df[tag]), n_records)))

    # shared authors: the name's words as a phrase in the authors column
    authors = list(dict.fromkeys(a for r in refs for a in r.authors))[:MAX_AUTHORS]
    for name in authors:
        ws = tn.words(name)
        if not ws:
            continue
        rids = [rid for (rid,) in conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?",
                                               (f"{{authors}} : {_phrase(tn.stems(ws))}",))]
        weight = AUTHOR_WEIGHT * _rarity(len(rids), n_records)
        for rid in rids:
            c = cand(rid)
            if c is not None:
                c.authors.append((name, weight))

    # citations
    cited = list(dict.fromkeys(a for r in refs for a in cited_ids(r) if a not in ref_aids))[:MAX_CITED]
    reviewed: dict[int, str] = {}
    if cited:
        for rid, aid in _in_chunks(conn, "SELECT rid, arxiv_id FROM reviews WHERE arxiv_id IN ({marks})", cited):
            c = cand(int(rid))
            if c is not None:
                reviewed[int(rid)] = str(aid)
                c.cites.append((f"reviews a paper this one cites ({aid})", CITES_WEIGHT))
    for aid in ref_aids:
        for rid in _citing(conn, aid):
            c = cand(rid)
            if c is not None:
                c.cites.append((f"cites this paper ({aid})", CITES_WEIGHT))
    for aid in cited:
        for rid in _citing(conn, aid):
            c = cand(rid)
            if c is not None and reviewed.get(rid) != aid:
                c.cocited.append((aid, COCITED_WEIGHT))

    totals = [(c.total(), rid) for rid, c in cands.items()]
    ranked = sorted(((-t, rid) for t, rid in totals if t > 0))
    ranked = [(-t, rid) for t, rid in ranked]
    chosen: list[tuple[int, float]] = []
    # walk the ranking on the cheap columns, dropping records of the same paper by title
    for i in range(0, len(ranked), SQL_CHUNK):
        part = ranked[i:i + SQL_CHUNK]
        titles = dict(_in_chunks(conn, "SELECT rid, title FROM reviews WHERE rid IN ({marks})", [r for _, r in part]))
        for score, rid in part:
            if rid in titles and _title_key(str(titles[rid])) not in ref_titles:
                chosen.append((rid, score))
                if len(chosen) >= limit:
                    break
        if len(chosen) >= limit:
            break
    records = {int(rid): Review.from_dict(json.loads(js)) for rid, js in _in_chunks(
        conn, "SELECT rid, json FROM records WHERE rid IN ({marks})", [r for r, _ in chosen])}
    return [Related(records[rid], round(score, SCORE_DIGITS), _reasons(cands[rid], records[rid], terms))
            for rid, score in chosen if rid in records]


def _citing(conn: sqlite3.Connection, aid: str) -> list[int]:
    """Records whose text or paper links name arXiv id ``aid``."""
    body = _phrase(tn.words(" ".join(re.split(r"[./]", aid))))
    match = f"{{body}} : {body} OR {{extra}} : {_phrase([tn.arxiv_token(aid)])}"
    return [int(rid) for (rid,) in conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (match,))]


def _reasons(c: _Cand, r: Review, terms: list[tuple[str, str, float]]) -> tuple[str, ...]:
    """Why ``r`` is related, biggest part of its score first: ``similar text (lottery,
    pruning)``, ``3 shared tags (#GAN, #CV, #ICLR)``, ``same author (Jonathan Frankle)``, …"""
    parts: list[tuple[float, str]] = []
    if c.text > 0:
        have = set(tn.stems(tn.words(f"{r.title} {r.body[:MAX_REF_CHARS]}")))
        shown = [w for s, w, _ in terms if s in have][:REASON_WORDS]
        parts.append((c.text, "similar text" + (f" ({', '.join(shown)})" if shown else "")))
    if c.tags:
        tags = [t for t, _ in sorted(c.tags, key=lambda x: -x[1])]
        n = len(tags)
        parts.append((sum(w for _, w in c.tags),
                      f"{n} shared tag{'s' if n > 1 else ''} ({', '.join('#' + t for t in tags)})"))
    if c.authors:
        names = [a for a, _ in c.authors]
        label = "same author" if len(names) == 1 else f"{len(names)} same authors"
        parts.append((sum(w for _, w in c.authors), f"{label} ({', '.join(names)})"))
    for why, w in c.cites:
        parts.append((w, why))
    if c.cocited:
        ids = [a for a, _ in c.cocited]
        parts.append((sum(w for _, w in c.cocited), f"both cite {', '.join(ids)}"))
    parts.sort(key=lambda x: -x[0])
    return tuple(why for _, why in parts)
