"""Drafts: a headed section, a whole post or a round-up item becomes a :class:`PostDraft`."""

from __future__ import annotations

import re
from typing import Any

from ... import extract as ex
from ...ids import arxiv_ids_in_url, year_from_arxiv
from ...models import Link
from ..common import PostDraft
from ..post import ARTICLE, HiddenLink, Post
from .fields import clean_title
from .headers import _Header
from .lines import (
    _BULLET,
    _BY_LINE,
    _news_headline,
    _titled_shape,
    bare_arxiv,
    find_urls,
    link_role,
    links_from_text,
    paper_title_like,
    split_link_line,
)

# --------------------------------------------------------------------------------- drafts


def _roles_for_body(links: list[Link]) -> list[Link]:
    # links in a body are cited, not reviewed: never the paper role
    return [Link(ln.url, "code" if ln.role == "code" else "other") for ln in links]


_PAPER_LABEL = re.compile(
    r"^\W*(?:статья|статью|оригинал(?:\s+статьи)?|paper|paper link|arxiv|pdf|preprint|препринт|"
    r"ссылка на статью|link to (?:the )?paper|openreview|статья на arxiv)\W*$",
    re.IGNORECASE,
)


def _labelled_paper(lines: list[str], start: int, stop: int) -> Link | None:
    """A link line in ``lines[start:stop]`` whose label names the paper (``Paper: URL``)."""
    for i in range(start, stop):
        parsed = split_link_line(lines[i])
        if parsed and parsed[0] and _PAPER_LABEL.match(parsed[0]) and parsed[1]:
            return Link(parsed[1][0], "paper")
    return None


def _dedupe_paragraphs(body: str) -> str:
    """A paragraph printed twice (mirror pages, copy glitches) is kept once."""
    seen: set[str] = set()
    out: list[str] = []
    for para in re.split(r"\n\s*\n", body):
        key = " ".join(para.split()).casefold()
        if len(key) >= 40 and key in seen:
            continue
        seen.add(key)
        out.append(para)
    return "\n\n".join(out)


def _trim_tail(body: list[str]) -> list[str]:
    """Drop the reactions row and image captions that end a post in the web preview."""
    while body and not body[-1].strip():
        body.pop()
    for k in range(len(body) - 1, max(-1, len(body) - 4), -1):
        if ex.is_reaction_line(body[k]) and all(
            not ln.strip() or ex.is_caption_like(ln) for ln in body[k + 1:]
        ):
            return body[:k]
    # no reactions row: at most two caption lines directly under the last paragraph
    dropped = 0
    while body and dropped < 2 and ex.is_caption_like(body[-1]) and len(body) > 1 \
            and body[-2].strip() and not ex.is_caption_like(body[-2]):
        body.pop()
        dropped += 1
    return body

class _Ctx:
    """Per-post state shared by the draft builders."""

    def __init__(self, post: Post, lines: list[str], hidden: list[HiddenLink]) -> None:
        self.post = post
        self.lines = lines
        self.hidden = hidden
        self.by_line: dict[int, list[HiddenLink]] = {}
        for hl in hidden:
            self.by_line.setdefault(hl.line, []).append(hl)
        self._tags: list[str] | None = None

    @property
    def tags(self) -> list[str]:
        """Every hashtag of the post: Telegram makes every #word in a post a hashtag."""
        if self._tags is None:
            self._tags = ex.hashtags(self.post.text) if "#" in self.post.text else []
        return self._tags

    def draft(self, title: str, body_lines: list[str], links: list[Link], paper: Link | None,
              **fields: Any) -> PostDraft:
        body = _dedupe_paragraphs("\n".join(ln for ln in body_lines if not ex.is_hashtag_line(ln)))
        tags = list(fields.pop("tags", []))
        year = fields.pop("year", None)
        arxiv_id = arxiv_ids_in_url(paper.url) if paper else None
        return PostDraft(
            title=title, body=body, links=links, paper_url=paper.url if paper else None, arxiv_id=arxiv_id,
            year=year or (year_from_arxiv(arxiv_id) if arxiv_id else None), tags=tags,
            date=self.post.date, url=self.post.url, post_id=self.post.post_id, **fields,
        )

    def hidden_in(self, start: int, stop: int) -> list[HiddenLink]:
        return [hl for hl in self.hidden if start <= hl.line < stop]


def _section_draft(ctx: _Ctx, h: _Header, stop: int, prefix: list[str], only: bool) -> PostDraft:
    lines = ctx.lines
    body_lines = _trim_tail(prefix + lines[h.body_start:stop])
    body_text = "\n".join(body_lines)
    links = list(h.links)
    paper = next((ln for ln in links if ln.role == "paper"), None)
    for hl in ctx.hidden_in(h.title, h.body_start):
        role = link_role(hl.href, hl.label)
        if paper is None and (role == "paper" or (hl.line == h.title and arxiv_ids_in_url(hl.href))):
            paper = Link(hl.href, "paper")
            links.append(paper)
        elif not any(ex.normalize_url(x.url) == ex.normalize_url(hl.href) for x in links):
            links.append(Link(hl.href, role if role != "paper" else "other"))
    if paper is None:
        paper = _labelled_paper(lines, h.body_start, stop)
        if paper:
            links.append(paper)
    links += _roles_for_body(links_from_text(body_text))
    links += [Link(hl.href, "code" if link_role(hl.href, hl.label) == "code" else "other")
              for hl in ctx.hidden_in(h.body_start, stop)]
    if only and ctx.post.kind != ARTICLE:  # the post's hashtags, wherever they stand
        tags = h.tags + [t for t in ctx.tags if t[0].isalpha() or h.tags]
    else:
        tags = h.tags + [t for t in ex.hashtags(body_text) if t[0].isalpha() or h.tags]
    year = h.year
    if year is None and paper is not None:
        m = re.search(r"/((?:19|20)\d{2})/", paper.url)
        year = int(m.group(1)) if m else None
    title = clean_title(lines[h.title])
    return ctx.draft(title, body_lines, links, paper, tags=tags, year=year, authors=h.authors,
                     affiliations=h.affiliations, reviewer=h.reviewer)



def _title_items(lines: list[str], limit: int | None = None) -> list[tuple[int, int]]:
    """Lines that open a paper's paragraph: ``(title line, first body line)`` for each
    paper-title line (maybe numbered or bulleted) that starts a paragraph and has prose under
    it (after an optional ``By <authors>`` line). ``limit`` stops the scan after that many
    non-blank lines."""
    items = []
    seen = 0
    for i, ln in enumerate(lines):
        s = ln.strip()
        if not s:
            continue
        seen += 1
        if limit is not None and seen > limit:
            break
        if not (paper_title_like(s) and _titled_shape(s)) or (ex.is_caption_like(s) and len(s.split()) < 3) \
                or _BY_LINE.match(s) or _news_headline(s):
            continue
        prev = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        if prev and i > 0 and lines[i - 1].strip() and (prev[-1].isalnum() or prev[-1] in ",;-–—(") \
                and not _BULLET.match(s):
            continue  # the middle of a paragraph, not a title
        nxt = [j for j in range(i + 1, min(len(lines), i + 6)) if lines[j].strip()][:2]
        if nxt and _BY_LINE.match(lines[nxt[0]]):
            nxt = nxt[1:]
        if not nxt or paper_title_like(lines[nxt[0]]) or len(lines[nxt[0]].strip()) < 60:
            continue
        if _BULLET.match(s) and _BULLET.match(lines[nxt[0]]):
            continue  # a list of fields ("- Affiliation: …", "- Education: …"), not a title
        items.append((i, nxt[0]))
    return items





def _next_item(items: list[tuple[int, int]], k: int, end: int) -> int:
    return items[k + 1][0] if k + 1 < len(items) else end


def _paper_link_of(ctx: _Ctx, start: int, stop: int) -> tuple[Link | None, HiddenLink | None]:
    """The reviewed paper's link in ``lines[start:stop]``: a labelled paper link (``Статья:``,
    ``Paper:``), else a paper link behind words, else the first bare paper URL."""
    lines = ctx.lines
    paper = _labelled_paper(lines, start, stop)
    if paper:
        return paper, None
    for hl in ctx.hidden_in(start, stop):
        if link_role(hl.href, hl.label) == "paper":
            return Link(hl.href, "paper"), hl
    # a paper URL on a line of its own is the post's link; one inside a sentence may be a citation
    for ln in lines[start:stop]:
        parsed = split_link_line(ln)
        if parsed is not None and not parsed[0]:
            u = next((u for u in parsed[1] if link_role(u) == "paper"), None)
            if u:
                return Link(u, "paper"), None
    for ln in lines[start:stop]:
        u = next((u for u in find_urls(ln) if link_role(u) == "paper"), None)
        if u:
            return Link(u, "paper"), None
        low = ln.lower()
        if ("xiv" in low or "eprint" in low or "10.48550" in low or ln.lstrip()[:1] == "[") \
                and (bare := bare_arxiv(ln)):
            return bare, None
    return None, None


def _other_links(ctx: _Ctx, body_text: str, start: int, stop: int, paper: Link | None) -> list[Link]:
    out: list[Link] = []
    key = ex.normalize_url(paper.url) if paper else None
    for ln in links_from_text(body_text):
        if ex.normalize_url(ln.url) != key:
            out.append(Link(ln.url, "code" if ln.role == "code" else "other"))
    for hl in ctx.hidden_in(start, stop):
        if ex.normalize_url(hl.href) != key:
            out.append(Link(hl.href, "code" if link_role(hl.href, hl.label) == "code" else "other"))
    return out


_NAMED_IN_PROSE = re.compile(
    r"(?:[“\"«](?P<q>[A-Z][^“”\"«»\n]{8,200}?)[”\"»]|(?:\b(?:the\s+)?paper|статье|статья|работе|работа)\s+"
    r"(?P<p>[A-Z][\w\-’'.,:&+/()]*(?: [\w\-’'.,:&+/()]+){1,30}?)),? +(?:by|от|авторов) +(?P<by>\S+)")


def _named_in_prose(ctx: _Ctx) -> list[PostDraft]:
    """Papers named in sentences with their authors (``“<Title>” by A, B``, ``the paper
    <Title> by …``): one draft per title, each with the text up to the next one."""
    lines = ctx.lines
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, ln in enumerate(lines):
        if " by " not in ln and " от " not in ln and "авторов" not in ln:
            continue
        for m in _NAMED_IN_PROSE.finditer(ln):
            t = (m.group("q") or m.group("p") or "").strip(" .,:;")
            if t not in seen and paper_title_like(t) and len(t.split()) >= 3:
                seen.add(t)
                found.append((i, t))
    drafts = []
    for k, (i, title) in enumerate(found):
        stop = found[k + 1][0] if k + 1 < len(found) and found[k + 1][0] > i else len(lines)
        body_lines = _trim_tail(list(lines[i:stop]))
        paper, _ = _paper_link_of(ctx, i, stop)
        links = ([paper] if paper else []) + _other_links(ctx, "\n".join(body_lines), i, stop, paper)
        drafts.append(ctx.draft(title, body_lines, links, paper, tags=ctx.tags))
    return drafts



def _roundup(ctx: _Ctx, items: list[tuple[int, int]]) -> list[PostDraft]:
    """One draft per paper-title item of a round-up, each with the paragraphs under it."""
    lines = ctx.lines
    drafts = []
    for k, (i, body_start) in enumerate(items):
        stop = items[k + 1][0] if k + 1 < len(items) else len(lines)
        body_lines = _trim_tail(list(lines[body_start:stop]))
        paper, _ = _paper_link_of(ctx, i, stop)
        links = ([paper] if paper else []) + _other_links(ctx, "\n".join([lines[i]] + body_lines), i, stop, paper)
        title = re.sub(r"\s*[(\[]?(?:https?://|www\.)\S+[)\]]?\s*$", "", clean_title(lines[i]))
        authors: list[str] = []
        by = next((j for j in range(i + 1, body_start) if _BY_LINE.match(lines[j])), None)
        if by is not None:
            names = re.sub(r"^\s*(?:By|Authors?:|Авторы:)\s+", "", lines[by])
            names = re.split(r"\s+(?:from|at|из)\s+", names)[0]
            authors = ex.split_authors(names) or []
        drafts.append(ctx.draft(title, body_lines, links, paper, tags=ctx.tags, authors=authors))
    return drafts


