"""A dump teaches its own layout: posts of one channel share a template.

Source format: a channel export or a copied channel page, where every review post is laid out
alike (the title on the first line, or under a date line; the paper link behind ``Статья`` or
``📄 Arxiv``). Once some posts of a dump are confident reviews, where their title sits and which
labels precede their paper links become evidence for the other posts of the same dump: a
candidate at the learned place gets ``layout_slot``, a post that carries a learned label (even
with its URL lost) gets ``layout_label``. How much that weighs is fitted like every other
feature (``bench/fit_recognizer.py`` learns layouts per source of the training part).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .whole import Analysis, Verdict


def is_confident(score: float, threshold: float) -> bool:
    """A post scored halfway or more from the fitted threshold to certainty teaches the layout."""
    return score >= (1.0 + threshold) / 2
MIN_POSTS = 2  # posts that must agree before a layout is believed
_SHARE = 0.6  # the share of confident posts that must agree on the title's place


@dataclass
class Layout:
    """What a dump's confident reviews share: ``title_rank`` (the place among non-blank lines
    where their title line sits, or ``None``) and ``labels`` (folded link labels that preceded
    their paper links in at least :data:`MIN_POSTS` posts)."""

    title_rank: int | None = None
    labels: set[str] = field(default_factory=set)


def _fold(label: str) -> str:
    return " ".join("".join(ch for ch in label.casefold() if ch.isalnum() or ch.isspace()).split())


def learn(pairs: list[tuple[Analysis | None, Verdict, int | None]]) -> Layout:
    """The layout taught by the confident reviews among ``pairs`` of ``(analysis, verdict,
    title rank of a headed section or None)``; an empty :class:`Layout` when fewer than
    :data:`MIN_POSTS` agree."""
    ranks: Counter[int] = Counter()
    labels: Counter[str] = Counter()
    confident = 0
    for a, v, head_rank in pairs:
        if head_rank is not None:
            confident += 1
            ranks[head_rank] += 1
            continue
        if a is None or not v.drafts or v.score is None or v.threshold is None \
                or not is_confident(v.score, v.threshold):
            continue
        confident += 1
        if v.title is not None:
            c = next((c for c in a.candidates if c.text == v.title[0]), None)
            if c is not None and "line" in c.kinds:
                ranks[c.rank] += 1
        if a.paper_label and (f := _fold(a.paper_label)):
            labels[f] += 1
    out = Layout()
    if ranks:
        rank, n = ranks.most_common(1)[0]
        if n >= MIN_POSTS and n >= _SHARE * confident:
            out.title_rank = rank
    out.labels = {k for k, n in labels.items() if n >= MIN_POSTS}
    return out


def apply(layout: Layout, a: Analysis) -> None:
    """Set the layout features of ``a`` (in place) from ``layout``."""
    if layout.title_rank is not None:
        for c, f in zip(a.candidates, a.cand_features):
            f["layout_slot"] = float("line" in c.kinds and c.rank == layout.title_rank)
    if layout.labels and a.features:
        hit = any(_fold(ln) in layout.labels for ln in a.ctx.lines if 0 < len(ln.strip()) <= 40)
        hit = hit or any(_fold(h.label) in layout.labels for h in a.ctx.hidden)
        a.features["layout_label"] = float(hit)
