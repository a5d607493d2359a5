"""Telegram channel posts copied as plain text: the channel web preview (``t.me/s/<channel>``
copied from a browser) and mirror pages of one post (tgoop and similar).

Source format, as a browser copies it: a channel header (title ``<name> – Telegram``, subscriber
counts, description, ``Download Telegram``), then posts with no separator between them. A review
post opens with a paper header::

    <paper title>
    <authors, comma separated | "Surname I. Surname I. et al."> [(<affiliations>)]
    [<affiliations>]
    [blank lines]
    Статья: https://arxiv.org/abs/…   |  https://arxiv.org/abs/…      (links, any order)
    #tag, #tag #tag 2019                                              (hashtags, any order)
    Код: https://github.com/…

and its body follows until the next paper header. A post may end with a reactions row
(``🔥7``) and an image caption (``Face editing``); neither belongs to the body.

A post boundary is found structurally: a run of link/hashtag lines whose preceding lines are an
author list (and optionally an affiliation line) under a title line. No title list is consulted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import extract as ex
from ..models import Link
from .common import ParsedDump, PostDraft, Skipped, build_review

FORMAT_CHANNEL = "telegram-web-text"
FORMAT_MIRROR = "telegram-mirror-text"

_MAX_TITLE = 300


@dataclass
class _Header:
    title: int
    authors: int | None
    affil: int | None
    start: int  # first link/hashtag line
    end: int  # first line after the header zone


def _is_header_line(line: str) -> bool:
    return ex.is_hashtag_line(line) or ex.split_link_line(line) is not None


def _title_like(line: str) -> bool:
    s = line.strip()
    return (
        2 < len(s) <= _MAX_TITLE
        and not _is_header_line(s)
        and not ex.is_reaction_line(s)
        and s[-1] not in ":;,"
        and not s.startswith(("-", "•", "*", "—", "–", "("))
        and not re.match(r"^\d+[.)]\s", s)
        and sum(ch.isalpha() for ch in s) >= 3
    )


def _walk_back(lines: list[str], start: int, floor: int) -> list[int]:
    """Up to four non-blank line indices above ``start`` (nearest first), not above ``floor``."""
    out: list[int] = []
    blanks = 0
    i = start - 1
    while i >= floor and len(out) < 4:
        if lines[i].strip():
            out.append(i)
        else:
            blanks += 1
            if blanks > 4:
                break
        i -= 1
    return out


def _match_header(lines: list[str], anchor: int, floor: int) -> _Header | None:
    above = _walk_back(lines, anchor, floor)
    texts = [lines[i].strip() for i in above]
    if len(texts) < 2 or any(_is_header_line(t) for t in texts[:1]):
        return None
    title = authors = affil = None
    if ex.is_strong_author_line(texts[0]):
        authors, title = 0, 1
    elif len(texts) >= 3 and ex.is_strong_author_line(texts[1]) and ex.looks_like_affiliation(texts[0]):
        authors, affil, title = 1, 0, 2
    elif len(texts) >= 3 and ex.author_line(texts[1]) and ex.is_org_line(texts[0]) and _title_like(texts[2]):
        authors, affil, title = 1, 0, 2
    elif ex.author_line(texts[0]) and not ex.author_line(texts[1]):
        authors, title = 0, 1
    if title is None or not _title_like(texts[title]):
        return None
    end = anchor
    while end < len(lines) and (not lines[end].strip() or _is_header_line(lines[end])):
        end += 1
    return _Header(
        title=above[title],
        authors=above[authors] if authors is not None else None,
        affil=above[affil] if affil is not None else None,
        start=anchor,
        end=end,
    )


def find_headers(lines: list[str]) -> list[_Header]:
    """Paper headers in ``lines``, in order, non-overlapping."""
    headers: list[_Header] = []
    floor = 0
    prev_header_line = False
    for i, line in enumerate(lines):
        if i < floor:
            continue
        if not line.strip():
            continue
        is_hdr = _is_header_line(line)
        if is_hdr and not prev_header_line:
            h = _match_header(lines, i, floor)
            if h:
                headers.append(h)
                floor = h.end
        prev_header_line = is_hdr
    return headers


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


def drafts_from_lines(lines: list[str], url: str | None = None, post_id: str | None = None,
                      date: str | None = None) -> tuple[list[PostDraft], int]:
    """Split channel-post lines into drafts. Returns ``(drafts, first_header_line)``;
    ``first_header_line`` is ``len(lines)`` when no paper header was found."""
    headers = find_headers(lines)
    drafts = []
    for k, h in enumerate(headers):
        stop = headers[k + 1].title if k + 1 < len(headers) else len(lines)
        body_lines = _trim_tail(list(lines[h.end:stop]))
        header_text = lines[h.start:h.end]
        tags: list[str] = []
        year = None
        links: list[Link] = []
        for ln in header_text:
            if ex.is_hashtag_line(ln):
                tags += ex.hashtags(ln)
                year = year or ex.year_in(ln.replace("#", " #"))
            else:
                parsed = ex.split_link_line(ln)
                if parsed:
                    label, urls = parsed
                    links += [Link(u, ex.link_role(u, label)) for u in urls]
        kept = []
        for ln in body_lines:
            if ex.is_hashtag_line(ln):
                tags += ex.hashtags(ln)
            else:
                kept.append(ln)
        body = "\n".join(kept)
        # Telegram makes every #word in a post a hashtag, not only those on a tag line
        tags += [t for t in ex.hashtags(body) if t[0].isalpha()]
        header_papers = [ln for ln in links if ln.role == "paper"]
        arxiv_id = next(filter(None, (ex.arxiv_ids_in_url(ln.url) for ln in header_papers)), None)
        paper_url = header_papers[0].url if header_papers else None
        # links in the body are cited, not reviewed: never the paper role
        links += [Link(ln.url, "code" if ln.role == "code" else "other") for ln in ex.links_from_text(body)]
        authors, affs = [], []
        if h.authors is not None:
            parsed_auth = ex.author_line(lines[h.authors])
            if parsed_auth:
                authors, affs = parsed_auth
        if h.affil is not None:
            affs = affs + ex.split_affiliations(lines[h.affil])
        drafts.append(PostDraft(
            title=lines[h.title], body=body, authors=authors, affiliations=affs, arxiv_id=arxiv_id,
            paper_url=paper_url, year=year, tags=tags, links=links, url=url, post_id=post_id, date=date,
        ))
    return drafts, headers[0].title if headers else len(lines)


def _channel_name(lines: list[str]) -> str | None:
    for ln in lines[:3]:
        m = re.match(r"^(.+?)\s+[–—-]\s+Telegram\s*$", ln.strip())
        if m:
            return m.group(1)
    return None


def parse_channel(text: str, path: str) -> ParsedDump:
    """Parse a copied channel web preview: every paper post becomes a review; the channel
    header before the first post is the ``origin``."""
    lines = text.split("\n")
    drafts, first = drafts_from_lines(lines)
    result = ParsedDump(path=path, format=FORMAT_CHANNEL, origin=_channel_name(lines))
    result.reviews = [build_review(d, path, FORMAT_CHANNEL) for d in drafts]
    if drafts and any(ln.strip() for ln in lines[:first]) and _channel_name(lines) is None:
        result.skipped.append(Skipped("line 1", "text before the first paper header"))
    return result


# ------------------------------------------------------------------------------ mirror pages

_MIRROR_ID = re.compile(r"^\s*(?:https?://)?(?:www\.)?(?:tgoop\.com|t\.me|telegram\.me|tgstat\.\w+|teletype\.in)/(?:s/)?(?P<chan>[A-Za-z]\w{3,})/(?P<id>\d+)\s*$")
_MIRROR_END = re.compile(r"^\s*(?:BY\s+.+|Share with your friend now:|View MORE|Open in Telegram|Telegram News)\s*$")


def mirror_post_id(lines: list[str]) -> tuple[str, str] | None:
    """``(channel, message_id)`` from the mirror's ``tgoop.com/<channel>/<id>`` line."""
    for ln in lines:
        m = _MIRROR_ID.match(ln)
        if m:
            return m.group("chan"), m.group("id")
    return None


def parse_mirror(text: str, path: str) -> ParsedDump:
    """Parse a mirror page of one post (tgoop.com and alike).

    Source format: a page title line (``GONZO_ML Telegram 21``), the post with its reactions, the
    ``tgoop.com/<channel>/<id>`` line, ``Create:`` / ``Last Update:``, the post printed again,
    ``BY <channel name>``, then unrelated site text. The second copy (no reactions) is read when
    present, else the first; the page's post id becomes the source's ``post_id`` and ``url``.
    """
    lines = text.split("\n")
    ident = mirror_post_id(lines)
    post_id = f"{ident[0]}/{ident[1]}" if ident else None
    url = f"https://t.me/{post_id}" if post_id else None
    region = lines
    upd = next((i for i, ln in enumerate(lines) if ln.strip().startswith("Last Update:")), None)
    id_line = next((i for i, ln in enumerate(lines) if _MIRROR_ID.match(ln)), None)
    if upd is not None:
        end = next((j for j in range(upd + 1, len(lines)) if _MIRROR_END.match(lines[j])), len(lines))
        region = lines[upd + 1:end]
    elif id_line is not None:
        region = lines[1:id_line]
    drafts, _ = drafts_from_lines(region, url=url, post_id=post_id)
    origin = next((ln.strip()[3:] for ln in lines if ln.strip().startswith("BY ")), None)
    result = ParsedDump(path=path, format=FORMAT_MIRROR, origin=origin)
    if not drafts:
        # a post without a paper header: its first line is the title, the rest the body
        body = [ln for ln in region if ln.strip()]
        if len(body) >= 2 and _title_like(body[0]):
            body_lines = _trim_tail(region[region.index(body[0]) + 1:])
            drafts = [PostDraft(title=body[0], body="\n".join(body_lines), url=url, post_id=post_id,
                                tags=ex.hashtags("\n".join(body_lines)),
                                links=ex.links_from_text("\n".join(body_lines)))]
    result.reviews = [build_review(d, path, FORMAT_MIRROR) for d in drafts[:1]]
    return result
