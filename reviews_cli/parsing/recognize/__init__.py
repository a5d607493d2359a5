"""Is this post a paper review, and of which paper(s)? One recognizer for every format.

A container hands over a :class:`~reviews_cli.parsing.post.Post` (plain text, the links that were
behind words, date, post id); :func:`recognize` returns the review drafts in it, or the reason it
is not a review. Recognition is a pipeline of small stages, each a pure function:

1. :mod:`.clean` — the text without page and post chrome, doubling undone, a flattened post split
   at its labels, a URL broken across lines joined;
2. :mod:`.headers` — headed sections (a title line over a header block with paper evidence),
   the shape of most channel posts and of Habr digests; each is a review;
3. otherwise :mod:`.candidates` (every place the paper may be named) → :mod:`.evidence` (features
   of the post and of each candidate) → :mod:`.score` (weights fitted by
   ``bench/fit_recognizer.py``) → the drafts (:mod:`.whole`, titles cleaned by :mod:`.fields`);
4. :mod:`.layout` — across the posts of one dump, what its confident reviews share (where the
   title sits, the label before the paper link) adjusts the others' evidence.

:func:`explain` gives the same decision with its evidence, for ``reviews parse --explain``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ... import extract as ex
from ..common import PostDraft, Skipped
from ..post import ARTICLE, POLL, SERVICE, Post
from . import memo
from .clean import clean_lines, join_broken_urls, normalize_text, not_a_digest, strip_markup, unflatten
from .drafts import _Ctx, _section_draft
from .fields import is_generic_heading
from .headers import _footer_start, _headed_sections, _Header, _prepare
from .layout import apply, learn
from .lines import _first_content, _review_prose, _titled_shape, is_furniture, is_link_label, paper_title_like
from .score import load
from .whole import Analysis, Verdict, analyse, decide

__all__ = ["WINDOW", "Explanation", "Stage", "explain", "explain_stream", "explain_verdict", "is_furniture",
           "is_link_label", "recognize", "recognize_stream", "recognize_window", "stage", "verdict"]


@dataclass
class Stage:
    """A post after the structural stages: ``drafts`` and ``reason`` when they decided it
    (service, poll, media only, headed sections), else the whole-post ``analysis`` still to be
    weighed (:func:`.whole.decide`)."""

    post: Post
    drafts: list[PostDraft] = field(default_factory=list)
    reason: str | None = None
    analysis: Analysis | None = None
    sections: int = 0
    title_rank: int | None = None
    header_evidence: list[str] = field(default_factory=list)


def _lines(post: Post) -> tuple[_Ctx, list[int]]:
    """The cleaned, prepared lines of ``post`` and the lines its markup set as headings."""
    text = normalize_text(post.text)
    text, links = unflatten(text, list(post.links))
    lines, headings = strip_markup(text.split("\n"))
    lines = clean_lines(join_broken_urls(lines))
    prepared, hidden = _prepare("\n".join(lines), links)
    return _Ctx(post, prepared, hidden), headings


def _heading_sections(lines: list[str], headings: list[int], heads: list[_Header]) -> list[_Header]:
    """Headed sections plus a section at every heading set in markup that names a paper (a
    paper-title line, not a generic heading, with review prose under it): a review that follows a
    paper title in Markdown or HTML markup is its own record, not part of the one above it.
    Applies when two or more such headings exist, or when headed sections exist already."""
    taken = {h.title for h in heads}
    found = []
    for k, i in enumerate(headings):
        s = lines[i].strip()
        if i in taken or not s or is_generic_heading(s) or not (paper_title_like(s) and _titled_shape(s)):
            continue
        stop = next((j for j in headings[k + 1:] if j > i), len(lines))
        if not _review_prose("\n".join(lines[i + 1:stop])):
            continue
        found.append(_Header(title=i, body_start=i + 1))
    if not heads and len(found) < 2:
        return heads
    return sorted(heads + found, key=lambda h: h.title)


def stage(post: Post) -> Stage:
    """Run the stages that decide by structure (see the module docstring); the rest of a whole
    post is left in :attr:`Stage.analysis`."""
    memo.clear()
    if post.kind == SERVICE:
        return Stage(post, reason=f"service message ({post.action or 'service'})")
    if post.kind == POLL:
        return Stage(post, reason="poll")
    ctx, headings = _lines(post)
    lines = ctx.lines
    if _first_content(lines) is None:
        return Stage(post, reason="no text (media only)")
    if not_a_digest(lines, headings):
        return Stage(post, reason=not_a_digest(lines, headings))
    heads = _headed_sections(lines, ctx.by_line)
    if headings:
        heads = _heading_sections(lines, headings, heads)
    if heads:
        drafts = []
        end = _footer_start(lines, heads[-1].body_start) if post.kind == ARTICLE else len(lines)
        prefix: list[str] = []
        if post.kind != ARTICLE:
            before = [ln for ln in lines[:heads[0].title] if ln.strip()]
            # text above the first title in a message is the reviewer's lead-in, not a caption
            if any(not ex.is_caption_like(ln) and not ex.is_reaction_line(ln) for ln in before):
                prefix = lines[:heads[0].title] + [""]
        for k, h in enumerate(heads):
            stop = heads[k + 1].title if k + 1 < len(heads) else end
            drafts.append(_section_draft(ctx, h, stop, prefix if k == 0 else [], len(heads) == 1))
        rank = sum(1 for ln in lines[:heads[0].title] if ln.strip())
        return Stage(post, drafts=drafts, sections=len(heads), title_rank=rank, header_evidence=_header_evidence(heads))
    return Stage(post, analysis=analyse(ctx))


def _header_evidence(heads: list[_Header]) -> list[str]:
    """What the header blocks under the section titles carried, for ``--explain``."""
    seen: dict[str, None] = {}
    for h in heads:
        for name, present in (("paper link in the header", any(ln.role == "paper" for ln in h.links)),
                              ("Авторы статьи/Authors field", h.authors_field), ("author line", h.has_author_line),
                              ("link lines", h.link_lines > 0), ("hashtags", bool(h.tags)),
                              ("heading set in markup", not (h.links or h.authors or h.tags))):
            if present:
                seen.setdefault(name, None)
    return list(seen)


def verdict(st: Stage) -> Verdict:
    """The decision for a staged post: the structural one, or the fitted models' on its analysis."""
    if st.analysis is None:
        ev = [(f"headed sections: {', '.join(st.header_evidence)}", float(st.sections))] if st.sections else []
        return Verdict(st.drafts, st.reason, 1.0 if st.drafts else None, None, evidence=ev,
                       title=(st.drafts[0].title, 1.0) if st.drafts else None)
    post_model, cand_model = load()
    return decide(st.analysis, post_model, cand_model)


def recognize(post: Post) -> tuple[list[PostDraft], str | None]:
    """The review drafts in ``post`` and ``None``, or ``([], reason)`` when it is not a review
    (``service message (…)``, ``poll``, ``no text (media only)``, ``advertisement …``,
    ``job post …``, ``announcement …``, ``news or announcement …``, ``too short …``,
    ``no paper evidence …``)."""
    v = verdict(stage(post))
    return v.drafts, (None if v.drafts else v.reason or "no paper evidence")


@dataclass
class Explanation:
    """Why a post was or was not taken as a review (``reviews parse --explain``): where it is,
    the ``decision`` (``review``, ``round-up``, ``headed sections``, ``skipped``), the post
    ``score`` and ``threshold`` (``None`` when structure decided), the ``evidence`` that weighed
    most as ``(feature, effect on the log-odds)``, the chosen ``title`` and the ``runner_up``
    candidate as ``(text, score)``, the ``records`` made and the skip ``reason``."""

    where: str
    decision: str
    score: float | None
    threshold: float | None
    evidence: list[tuple[str, float]]
    title: tuple[str, float] | None
    runner_up: tuple[str, float] | None
    records: list[str]
    reason: str | None


def explain_verdict(st: Stage, v: Verdict) -> Explanation:
    """The :class:`Explanation` of a staged post and its verdict."""
    if v.drafts:
        decision = "headed sections" if st.sections else ("round-up" if st.analysis and st.analysis.roundup
                                                           else "review")
    else:
        decision = "skipped"
    return Explanation(st.post.where, decision, v.score, v.threshold, v.evidence, v.title, v.runner_up,
                       [d.title for d in v.drafts], None if v.drafts else v.reason)


def explain(post: Post) -> Explanation:
    """:func:`recognize`'s decision on ``post`` with its evidence (see :class:`Explanation`)."""
    st = stage(post)
    return explain_verdict(st, verdict(st))


def recognize_window(posts: list[Post]) -> list[tuple[Stage, Verdict]]:
    """Recognize posts of one dump together (a window of consecutive posts): each is staged and
    decided, then the layout its confident reviews teach (:mod:`.layout`) is applied to the
    whole posts and they are decided again. One ``(stage, verdict)`` per post, in order."""
    staged = [stage(p) for p in posts]
    first = [verdict(st) for st in staged]
    if len(posts) < 3:
        return list(zip(staged, first))
    layout = learn([(st.analysis, v, st.title_rank) for st, v in zip(staged, first)])
    if layout.title_rank is None and not layout.labels:
        return list(zip(staged, first))
    out = []
    for st, v in zip(staged, first):
        if st.analysis is not None and not st.analysis.roundup:
            apply(layout, st.analysis)
            v = verdict(st)
        out.append((st, v))
    return out


WINDOW = 256  # posts recognized together: enough to learn a channel's layout, bounded memory


def _windows(items: Iterable[Post | Skipped]) -> Iterator[Skipped | tuple[Stage, Verdict]]:
    """Skipped items as they come and ``(stage, verdict)`` per post, in order, a window at a time."""
    buf: list[Post | Skipped] = []

    def flush() -> Iterator[Skipped | tuple[Stage, Verdict]]:
        results = iter(recognize_window([x for x in buf if not isinstance(x, Skipped)]))
        for x in buf:
            yield x if isinstance(x, Skipped) else next(results)
        buf.clear()

    for item in items:
        buf.append(item)
        if len(buf) >= WINDOW:
            yield from flush()
    yield from flush()


def recognize_stream(items: Iterable[Post | Skipped]) -> Iterator[Skipped | tuple[Post, list[PostDraft], str | None]]:
    """The posts of one dump (with the container's :class:`Skipped` items among them) recognized
    a window of :data:`WINDOW` posts at a time, so the dump's layout informs its posts:
    ``(post, drafts, reason)`` per post and the skipped items, in order; memory stays bounded."""
    for x in _windows(items):
        if isinstance(x, Skipped):
            yield x
        else:
            st, v = x
            yield st.post, v.drafts, (None if v.drafts else v.reason or "no paper evidence")


def explain_stream(items: Iterable[Post | Skipped]) -> Iterator[Explanation]:
    """One :class:`Explanation` per post of one dump, decided as :func:`recognize_stream`
    decides (the same windows, so the same layout); the container's skipped items are left out."""
    for x in _windows(items):
        if not isinstance(x, Skipped):
            yield explain_verdict(*x)
