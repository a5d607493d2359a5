"""The hand-written whole-post rules recognition used before it weighed evidence, kept as two
pieces of evidence: whether they would take the post as a review (``rule_review``) and which
title they would give it (candidate kind ``rule``). The fitted models decide how much to trust
them (``bench/fit_recognizer.py``).

Source format: a channel post with no headed section. The rules: a post with a paper link is a
review unless it is an ad, job post or announcement whose prose is not about the paper; a post
with no paper link is one when it opens with a paper-title line over review prose, carries a
code link under a title, or names a title in a sentence (``Сегодня разбираем <Title>``) over
review prose. Its title is the paper-title line, else the title beside the link, else one named
in prose, else the paper link's text, else the post's headline.
"""

from __future__ import annotations

import re

from ...models import Link
from ..post import HiddenLink
from .drafts import _Ctx
from .fields import (
    _leading_title,
    _link_text_title,
    _sentence_goes_on,
    _title_before_link,
    _title_in_prose,
    clean_title,
)
from .lines import (
    _first_content,
    _news_headline,
    _review_prose,
    _titled_shape,
    link_role,
    links_from_text,
    paper_title_like,
    title_like,
)


def rule_verdict(ctx: _Ctx, paper: Link | None, paper_hidden: HiddenLink | None, non_review: str | None,
                 items: list[tuple[int, int]], named: int) -> tuple[bool, str | None]:
    """``(review?, title)`` by the old rules (see the module docstring); ``title`` is ``None``
    when they would title the post by its link (``arXiv:<id>``) or take no title."""
    lines = ctx.lines
    text = "\n".join(lines)
    first = _first_content(lines)
    if first is None:
        return False, None
    first_line = lines[first].strip()
    top_item = next((i for i, _ in items if sum(1 for ln in lines[:i] if ln.strip()) < 6), None)
    title_line = top_item if top_item is not None else (first if paper_title_like(first_line) else None)
    title = clean_title(lines[title_line]) if title_line is not None else None
    if title is None and (lead := _leading_title(first_line)):
        title = lead
    has_code = any(ln.role == "code" for ln in links_from_text(text)) or any(
        link_role(h.href, h.label) == "code" for h in ctx.hidden)
    if paper is None:
        if non_review:
            return False, None
        if named >= 2:
            return True, None
        prose_from = title_line + 1 if title_line is not None else first + 1
        if title and _review_prose("\n".join(lines[prose_from:])) and not _news_headline(title) and (
                title_line != first or _titled_shape(title) or has_code):
            return True, title
        if has_code and title_like(first_line) and _review_prose("\n".join(lines[first + 1:])):
            return True, clean_title(first_line)
        if (t := _title_in_prose(text)) and _review_prose(text):
            return True, t
        return False, title
    if non_review and not _review_prose(text.replace(paper.url, "")):
        return False, title
    beside = _title_before_link(lines, paper.url)
    if beside and (title is None or not _titled_shape(title) or ":" not in title):
        title = beside
    if title is None:
        title = _title_in_prose(text) or (_link_text_title(paper_hidden) if paper_hidden else None)
    if title is None and title_like(first_line) and not _sentence_goes_on(lines, first) \
            and not re.search(r",\s+(?:что|как|котор\w+|which|that)\b", first_line):
        title = clean_title(first_line)
    return True, title
