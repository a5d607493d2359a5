"""A post with no headed section: one review, a round-up, or the reason it is not a review."""

from __future__ import annotations

import re

from ... import extract as ex
from ...ids import arxiv_ids_in_url
from ..common import PostDraft
from .drafts import _Ctx, _named_in_prose, _next_item, _other_links, _paper_link_of, _roundup, _title_items, _trim_tail
from .fields import (
    _first_sentence,
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
    _non_review,
    _review_prose,
    _titled_shape,
    paper_title_like,
    title_like,
)


def _whole_post(ctx: _Ctx) -> tuple[list[PostDraft], str]:
    """The fallback for a post with no headed section: one review (or a round-up), or the reason
    it is not a review."""
    lines = ctx.lines
    text = "\n".join(lines)
    first = _first_content(lines)
    if first is None:
        return [], "no text (media only)"
    paper, paper_hidden = _paper_link_of(ctx, 0, len(lines))
    non_review = _non_review(text)
    # round-up items are papers only with review prose under them (not a profile or a dataset note)
    all_items = _title_items(lines)
    items = [(i, b) for k, (i, b) in enumerate(all_items)
             if _review_prose("\n".join(lines[b:_next_item(all_items, k, len(lines))]))]
    named = _named_in_prose(ctx) if paper is None and not non_review else []
    several = len(items) >= 2 or (len(items) == 1 and len(all_items) >= 2 and paper is None)
    if not non_review and len(named) < 2 and several:
        return _roundup(ctx, items), ""
    first_line = lines[first].strip()
    top_item = next((i for i, _ in items if sum(1 for ln in lines[:i] if ln.strip()) < 6), None)
    title_line = top_item if top_item is not None else (first if paper_title_like(first_line) else None)
    title = clean_title(lines[title_line]) if title_line is not None else None
    if title is None and (lead := _leading_title(first_line)):
        title = lead  # "Recommender Systems with Generative Retrieval Современные модели …"
    if title is None and len(items) == 1 and paper is None:
        return _roundup(ctx, items), ""  # one paper-title paragraph under someone else's intro
    has_code = any(ln.role == "code" for ln in ex.links_from_text(text)) or any(
        ex.link_role(h.href, h.label) == "code" for h in ctx.hidden)
    if paper is None:
        if non_review:
            return [], f"{non_review} (no paper link)"
        if named and (title is None or len(named) >= 2):
            return named, ""
        prose_from = title_line + 1 if title_line is not None else first + 1
        if title and _review_prose("\n".join(lines[prose_from:])) and not _news_headline(title) and (
                title_line != first or _titled_shape(title) or has_code):
            pass
        elif has_code and title_like(first_line) and _review_prose("\n".join(lines[first + 1:])):
            title_line, title = first, clean_title(first_line)  # a translated title over a code link
        elif (t := _title_in_prose(text)) and _review_prose(text):
            title_line, title = None, t
        elif title and _news_headline(title):
            return [], "news or announcement (a headline, no paper link)"
        elif len(text.strip()) < 200:
            return [], "too short for a review (caption, meme or note)"
        else:
            return [], "no paper evidence (no paper link, no paper title with review prose)"
    else:
        if non_review and not _review_prose(text.replace(paper.url, "")):
            return [], f"{non_review} (links a paper, but is not a review of it)"
        beside = _title_before_link(lines, paper.url)
        if beside and (title is None or not _titled_shape(title) or ":" not in title):
            title_line, title = None, beside
        if title is None:
            title = _title_in_prose(text) or (_link_text_title(paper_hidden) if paper_hidden else None)
        if title is None and title_like(first_line) and not _sentence_goes_on(lines, first) \
                and not re.search(r",\s+(?:что|как|котор\w+|which|that)\b", first_line):
            title = clean_title(first_line)  # the post's own headline: it stays in the body too
        if title is None:
            aid = arxiv_ids_in_url(paper.url)
            title = f"arXiv:{aid}" if aid else _first_sentence(first_line) or paper.url
    body_lines = _trim_tail([ln for i, ln in enumerate(lines) if i != title_line])
    body_text = "\n".join(body_lines)
    links = ([paper] if paper else []) + _other_links(ctx, body_text, 0, len(lines), paper)
    return [ctx.draft(title, body_lines, links, paper, tags=ctx.tags)], ""


