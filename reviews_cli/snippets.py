"""Snippets: the one-line excerpt of a review's body shown under each search hit, cut around the
densest cluster of matched query words, with ``(start, end)`` offsets of those words in it for
highlighting (``render.human`` makes them bold, ``--json`` prints them).

A body word matches when its Snowball stem is a query word's stem (or, for long Cyrillic stems,
starts with it: :func:`~reviews_cli.query.matches_as_prefix`, the same rule the search uses), so
``ticket`` highlights ``tickets``; an arXiv id asked for is highlighted where it appears verbatim.
"""

from __future__ import annotations

import re

from . import textnorm as tn
from .models import Review
from .query import Term, matches_as_prefix

# Default snippet length in characters (one table row's worth).
SNIPPET_WIDTH = 140
# Only the start of a body is scanned for matches: a multi-megabyte post must not cost seconds.
SCAN_CHARS = 50_000
# Context shown before the first matched word of the chosen cluster.
LEAD_CHARS = 30
# How far a cut may move to the nearest space so words are not cut in half.
WORD_SLACK = 20
ELLIPSIS = "…"

_TOKEN = re.compile(r"[^\W_]+")

# a token that folding may change: accents, other scripts, or Latin and Cyrillic mixed
_ODD = re.compile(r"[^\x00-\x7f\u0400-\u04ff]|[a-z].*[\u0400-\u04ff]|[\u0400-\u04ff].*[a-z]")


def snippet(r: Review, terms: list[Term], arxiv_ids: list[str],
            width: int = SNIPPET_WIDTH) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line excerpt of the body (about ``width`` characters) around the densest cluster of
    query words, with ``(start, end)`` offsets of the matched words in it."""
    body = " ".join(r.body.split())
    if not body:
        return "", ()
    matches = _matches(body, terms, arxiv_ids)
    if not matches:
        cut = body[:width]
        return (cut + ELLIPSIS if len(body) > width else cut), ()
    best, best_n = 0, 0
    for i, (start, _) in enumerate(matches):
        n = sum(1 for s2, _ in matches[i:] if s2 < start + width)
        if n > best_n:
            best, best_n = i, n
    start = max(0, matches[best][0] - LEAD_CHARS)
    if start > 0:
        sp = body.rfind(" ", 0, start)
        start = sp + 1 if sp >= 0 and start - sp < WORD_SLACK else start
    end = min(len(body), start + width)
    if end < len(body):
        sp = body.find(" ", end)
        end = sp if 0 <= sp - end < WORD_SLACK else end
    text = body[start:end]
    prefix = ELLIPSIS if start > 0 else ""
    spans = [(s - start + len(prefix), e - start + len(prefix)) for s, e in matches if s >= start and e <= end]
    return prefix + text + (ELLIPSIS if end < len(body) else ""), tuple(spans)


def _matches(body: str, terms: list[Term], arxiv_ids: list[str]) -> list[tuple[int, int]]:
    """Sorted ``(start, end)`` offsets in ``body`` of words matching ``terms`` (within the first
    :data:`SCAN_CHARS`) and of the ``arxiv_ids``."""
    want_stems = set()
    for t in terms:
        for s in tn.stems(t.words):
            want_stems.add(s)
    prefixes = tuple(s for s in want_stems if matches_as_prefix(s))
    # cheap filter before folding and stemming a word: its first two letters must fit a stem
    heads = {s[:2] for s in want_stems}
    matches = []
    for m in _TOKEN.finditer(body[:SCAN_CHARS]):
        low = m.group(0).lower().replace("ё", "е")
        if low[:2] not in heads and (low.isascii() or not _ODD.search(low)):
            continue
        tok = m.group(0)
        ws = tn.words(tok)
        if not ws:
            continue
        st = tn.stem(ws[0])
        if st in want_stems or (prefixes and st.startswith(prefixes)):
            matches.append((m.start(), m.end()))
    for aid in arxiv_ids:
        for m in re.finditer(re.escape(aid), body):
            matches.append((m.start(), m.end()))
    matches.sort()
    return matches
