"""Snippets: the one-line excerpt of a review's body shown under each search hit, cut around the
densest cluster of matched query words, with ``(start, end)`` offsets of those words in it for
highlighting (``render.human`` makes them bold, ``--json`` prints them).

A snippet never starts or ends inside a word (a cut is at a space, marked ``…``) unless one word
is longer than the whole snippet. The first matched word of the cluster sits near the start
(centred when the snippet is short), so :func:`fit`, which re-cuts a snippet for a narrow table
cell, keeps it visible.

A body word matches when its Snowball stem is a query word's stem (or, for long Cyrillic stems,
starts with it: :func:`~reviews_cli.search.query.matches_as_prefix`, the same rule the search uses), so
``ticket`` highlights ``tickets``; an arXiv id asked for is highlighted where it appears verbatim.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .. import textnorm as tn
from ..models import Review
from .query import Term, matches_as_prefix

# Default snippet length in characters (one table row's worth).
SNIPPET_WIDTH = 140
# Only the start of a body is scanned for matches: a multi-megabyte post must not cost seconds.
SCAN_CHARS = 50_000
# Context shown before the first matched word of the chosen cluster.
LEAD_CHARS = 30
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
    return _cut(body, matches, width)


def fit(text: str, spans: tuple[tuple[int, int], ...] | list[tuple[int, int]],
        width: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet made by :func:`snippet` (``text`` with highlight ``spans``) cut again to at
    most ``width`` characters around its densest cluster of highlighted words, at word
    boundaries, ``…`` marking what is left out; the spans are moved to match. ``text`` itself
    when it fits. ``width`` below 1 is taken as 1."""
    width = max(1, width)
    if len(text) <= width:
        return text, tuple(spans)
    before = text.startswith(ELLIPSIS)
    after = text.endswith(ELLIPSIS) and len(text) > 1
    lo = len(ELLIPSIS) if before else 0
    core = text[lo:len(text) - len(ELLIPSIS) if after else len(text)]
    matches = [(s - lo, e - lo) for s, e in spans if s >= lo and e - lo <= len(core)]
    return _cut(core, matches, width, before, after)


def _cut(body: str, matches: list[tuple[int, int]], width: int, before: bool = False,
         after: bool = False) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``body`` (single spaces between words) cut to at most ``width`` characters, ``…``
    included, around the densest cluster of ``matches``; ``before``/``after`` say ``body`` is
    itself an excerpt (so it is marked as cut at that end even when kept whole)."""
    mark = len(ELLIPSIS)
    # the densest cluster: the match followed by the most matches within ``width`` (a bisection
    # each, so a word said thousands of times in a long body stays cheap)
    starts = [s for s, _ in matches]
    best, best_n = 0, 0
    for i, start in enumerate(starts):
        n = bisect_left(starts, start + width, i) - i
        if n > best_n:
            best, best_n = i, n
    start = 0
    if matches:
        ms, me = matches[best]
        wstart = body.rfind(" ", 0, ms) + 1  # the whole word holding the match: "(GAN," not "GAN,"
        # context before the match: centred in a short snippet, at most LEAD_CHARS in a long one
        lead = min(LEAD_CHARS, max(0, (width - 2 * mark - (me - wstart)) // 2))
        start = max(0, wstart - lead)
        if start > 0 and body[start - 1] != " ":
            start = body.find(" ", start, wstart) + 1 or wstart  # never begin mid-word
        wend = body.find(" ", me)
        wend = len(body) if wend < 0 else wend
    prefix = ELLIPSIS if start > 0 or before else ""
    end = len(body)
    if len(prefix) + end - start + (mark if after else 0) > width:
        end = min(len(body) - 1, start + max(1, width - len(prefix) - mark))
        if body[end] != " " and body[end - 1] != " ":
            sp = body.rfind(" ", start, end)
            # at the last space that keeps the matched word whole; mid-word only when one word
            # is longer than the whole snippet
            if sp > start and (not matches or sp >= wend):
                end = sp
        while end > start and body[end - 1] == " ":
            end -= 1
    elif start > 0:
        # the body's end fits: spend the room left on context before the match instead
        room = width - mark - (mark if after else 0) - (end - start)
        back = max(0, start - room)
        if back > 0 and body[back - 1] != " ":
            back = body.find(" ", back, start) + 1 or start
        start = back
        prefix = ELLIPSIS if start > 0 or before else ""
    suffix = ELLIPSIS if end < len(body) or after else ""
    spans = [(s - start + len(prefix), e - start + len(prefix)) for s, e in matches if s >= start and e <= end]
    return prefix + body[start:end] + suffix, tuple(spans)


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
