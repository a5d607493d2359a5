"""Reference resolution for ``reviews show``: which records an identifier the user typed means
(an arXiv id or URL, a record id or a prefix of one, a title fragment), or
:class:`~reviews_cli.errors.NotFound` with the closest titles as suggestions.

Reads the index tables directly; needs nothing of the ranker (:mod:`reviews_cli.search.search`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence

from .. import textnorm as tn
from ..errors import Ambiguous, NotFound, UsageError
from ..ids import parse_arxiv_id
from ..models import Review
from .query import arxiv_in

# A record id prefix: at least this many of its hex digits (fewer would match too many records).
MIN_ID_PREFIX = 4
# Most close titles offered as suggestions when nothing matched.
MAX_SUGGESTIONS = 3
# rapidfuzz WRatio (0-100) a title needs to be suggested at all...
SUGGEST_SCORE = 50
# ...and to be shown outright instead of suggested,
ACCEPT_SCORE = 90
# ...when it beats the runner-up by more than this (else the choice is the user's).
ACCEPT_MARGIN = 5
# Most candidates listed when a reference matches several papers.
MAX_CANDIDATES = 20

_ID_PREFIX = re.compile(rf"[0-9a-f]{{{MIN_ID_PREFIX},8}}\d*")


def resolve(conn: sqlite3.Connection, ident: str) -> list[Review]:
    """The records ``reviews show`` means by ``ident``, tried in this order: an arXiv id or URL
    (``1803.03635``, ``arXiv:1803.03635``, ``https://arxiv.org/abs/1803.03635v2``: every review
    of that paper), a record id or a prefix of one (at least 4 hex digits), a title fragment
    (case- and accent-insensitive), then the best fuzzy match of the title.

    Every record returned reviews one paper (all its reviews, shown together). A record id prefix
    or title fragment that matches reviews of several papers raises
    :class:`~reviews_cli.errors.Ambiguous` with the candidates; nothing matching raises
    :class:`~reviews_cli.errors.NotFound` with up to three close titles as suggestions.
    """
    ident = ident.strip()
    if not ident:
        raise UsageError("give an arXiv id, a record id or a title fragment")

    def load(sql: str, args: Sequence[object]) -> list[Review]:
        return [Review.from_dict(json.loads(js)) for (js,) in conn.execute(sql, args)]

    aid = arxiv_in(ident) or (parse_arxiv_id(ident) if re.fullmatch(r"\S+", ident) and "/" not in ident else None)
    if aid:
        found = load("SELECT json FROM records WHERE arxiv_id = ? ORDER BY rid", (aid,))
        if found:
            return found
    low = ident.lower()
    if _ID_PREFIX.fullmatch(low):
        found = load("SELECT json FROM records WHERE id >= ? AND id < ? ORDER BY id", (low, low + "g"))
        if found:
            return one_paper(ident, found)
    want = " ".join(tn.words(ident))
    if want:
        titles = list(conn.execute("SELECT rid, title FROM reviews"))
        # a fragment may stop mid-word: "BioBERT: a pre-train"
        rids = [rid for rid, t in titles if f" {want}" in f" {' '.join(tn.words(t))} "]
        if rids:
            marks = ",".join("?" * len(rids))
            return one_paper(ident, load(f"SELECT json FROM records WHERE rid IN ({marks}) ORDER BY rid", rids))
        from rapidfuzz import fuzz, process

        choices = {rid: " ".join(tn.words(t)) for rid, t in titles}
        best = process.extract(want, choices, scorer=fuzz.WRatio, limit=MAX_SUGGESTIONS, score_cutoff=SUGGEST_SCORE)
        by_rid = dict(titles)
        if best and best[0][1] >= ACCEPT_SCORE and (len(best) == 1 or best[1][1] < best[0][1] - ACCEPT_MARGIN):
            return load("SELECT json FROM records WHERE rid = ?", (best[0][2],))
        raise NotFound(ident, [by_rid[rid] for _, _, rid in best])
    raise NotFound(ident, [])


def one_paper(ref: str, found: list[Review]) -> list[Review]:
    """``found`` when its records all review one paper, else :class:`~reviews_cli.errors.Ambiguous`
    listing one record per paper, in ``found``'s order. Two records review the same paper when
    they share a key the index merges posts by (``ingest.merge_keys``: the arXiv id, the paper
    URL, a folded title; a review without the arXiv link is still a review of that paper); a
    record with none of them is a paper of its own."""
    from ..library.ingest import paper_keys

    papers: list[tuple[set[str], Review]] = []  # (keys seen, first record) per paper
    for r in found:
        keys = set(paper_keys(r)) or {"id:" + r.id}
        # a record may join papers seen apart so far (the title of one, the arXiv id of another)
        joined = [i for i, (seen, _) in enumerate(papers) if seen & keys]
        if not joined:
            papers.append((keys, r))
            continue
        first = joined[0]
        for i in reversed(joined[1:]):
            papers[first][0].update(papers.pop(i)[0])
        papers[first][0].update(keys)
    if len(papers) == 1:
        return found
    shown = papers[:MAX_CANDIDATES]
    candidates = [(r.id, r.title, _source_label(r)) for _, r in shown]
    raise Ambiguous(ref, candidates, more=len(papers) - len(shown))


def _source_label(r: Review) -> str:
    """Where a record was read: the first source's post id, else its dump name."""
    if not r.sources:
        return ""
    s = r.sources[0]
    return s.post_id or s.path
