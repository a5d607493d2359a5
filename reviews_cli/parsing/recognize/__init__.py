"""Is this post a paper review, and of which paper(s)? One recognizer for every format.

A container hands over a :class:`~reviews_cli.parsing.post.Post` (plain text, the links that were
behind words, date, post id); :func:`recognize` returns the review drafts in it, or the reason it
is not a review.
"""

from __future__ import annotations

from ... import extract as ex
from ..common import PostDraft
from ..post import ARTICLE, POLL, SERVICE, Post
from .drafts import _Ctx, _section_draft
from .headers import _footer_start, _headed_sections, _prepare
from .lines import _first_content, is_furniture, is_link_label
from .whole import _whole_post

__all__ = ["is_furniture", "is_link_label", "recognize"]


def recognize(post: Post) -> tuple[list[PostDraft], str | None]:
    """The review drafts in ``post`` and ``None``, or ``([], reason)`` when it is not a review
    (``service message (…)``, ``poll``, ``no text (media only)``, ``advertisement …``,
    ``job post …``, ``announcement …``, ``no paper evidence …``)."""
    if post.kind == SERVICE:
        return [], f"service message ({post.action or 'service'})"
    if post.kind == POLL:
        return [], "poll"
    lines, hidden = _prepare(post.text, post.links)
    ctx = _Ctx(post, lines, hidden)
    if _first_content(lines) is None:
        return [], "no text (media only)"
    heads = _headed_sections(lines, ctx.by_line)
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
        return drafts, None
    if post.kind == ARTICLE:
        return [], "no headed paper section (an article with no review in it)"
    drafts, reason = _whole_post(ctx)
    return drafts, (None if drafts else reason)
