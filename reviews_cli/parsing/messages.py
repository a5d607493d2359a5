"""One Telegram message -> review(s), shared by every format that keeps posts apart (Telegram
Desktop JSON and HTML exports, saved ``t.me/s`` pages).

Those formats give a post's text as runs of plain text and entities (links, ``text_link`` with an
``href`` behind a word, hashtags). :func:`render` turns the runs into the plain-text post the
channel parser reads: a link hidden behind a short label alone on its line (``Статья``, ``Код``,
``Paper``) becomes a header line ``Статья: <href>``, so the arXiv id behind it is found; links
behind other words are kept as links of the record. :func:`reviews_from_message` then finds the
paper header(s) with the channel-page rules, or says why the message is skipped.
"""

from __future__ import annotations

from typing import NamedTuple

from .. import extract as ex
from ..models import Link
from .common import PostDraft, Skipped
from .telegram_text import drafts_from_lines

# a label short enough to be a header link ("Статья", "Код на pytorch", "arXiv")
_LABEL_MAX = 40


class Run(NamedTuple):
    """A piece of message text: ``kind`` is ``plain``, ``link``, ``text_link`` (with ``href``),
    ``hashtag``, ``bold``… as Telegram names entity types."""

    kind: str
    text: str
    href: str | None = None


class Message(NamedTuple):
    """A channel message in any of the message-based formats. ``kind`` is ``message``,
    ``service`` (with ``action``), or ``poll``; ``date`` is ISO 8601; ``channel`` the username
    when known (for ``https://t.me/<channel>/<id>``), ``chat`` the channel's title."""

    id: str
    runs: list[Run]
    date: str | None = None
    kind: str = "message"
    action: str | None = None
    channel: str | None = None
    chat: str | None = None
    forwarded: bool = False


def render(runs: list[Run]) -> tuple[str, list[tuple[int, str, str]]]:
    """Plain text of the runs, and the links hidden behind words as ``(line, label, href)``."""
    text = "".join(r.text for r in runs)
    hidden: list[tuple[int, str, str]] = []
    pos = 0
    out: list[str] = []
    for r in runs:
        if r.kind == "text_link" and r.href and r.text.strip() and r.text.strip() != r.href:
            line_start = text.rfind("\n", 0, pos) + 1
            line_end = text.find("\n", pos + len(r.text))
            line_end = len(text) if line_end < 0 else line_end
            alone = not (text[line_start:pos] + text[pos + len(r.text):line_end]).strip(" :—–-→•\t")
            if alone and len(r.text.strip()) <= _LABEL_MAX:
                out.append(f"{r.text.strip().rstrip(':')}: {r.href}")
            else:
                out.append(r.text)
                hidden.append((text.count("\n", 0, pos), r.text.strip(), r.href))
        else:
            out.append(r.text)
        pos += len(r.text)
    return "".join(out), hidden


def reviews_from_message(msg: Message) -> tuple[list[PostDraft], Skipped | None]:
    """The review drafts in one message, or why it is skipped (service message, poll, no text,
    no paper header: an announcement, an ad, a discussion)."""
    where = f"message {msg.id}"
    if msg.kind == "service":
        return [], Skipped(where, f"service message ({msg.action or 'service'})")
    if msg.kind == "poll":
        return [], Skipped(where, "poll")
    text, hidden = render(msg.runs)
    if not text.strip():
        return [], Skipped(where, "no text (media only)")
    url = f"https://t.me/{msg.channel}/{msg.id}" if msg.channel else None
    post_id = f"{msg.channel or msg.chat or 'chat'}/{msg.id}"
    lines = text.split("\n")
    drafts, first = drafts_from_lines(lines, url=url, post_id=post_id, date=msg.date)
    if not drafts:
        return [], Skipped(where, "no paper header (not a review: announcement, ad or discussion)")
    first_header_end = _header_end(lines, first)
    for line_no, label, href in hidden:
        role = ex.link_role(href, label)
        d = _draft_at(drafts, lines, line_no)
        aid = ex.arxiv_ids_in_url(href)
        # a paper link on the title or in the header (a linked title, "Статья" inline) is the paper
        if aid and d is drafts[0] and line_no <= first_header_end and not d.arxiv_id:
            d.arxiv_id, d.paper_url, role = aid, href, "paper"
            d.year = d.year or ex.year_from_arxiv(aid)
        elif role == "paper" and not (d is drafts[0] and line_no <= first_header_end):
            role = "other"  # papers cited in the body are not the reviewed one
        d.links.append(Link(href, role))
    return drafts, None


def _header_end(lines: list[str], first: int) -> int:
    end = first
    seen_link = False
    for i in range(first, min(len(lines), first + 12)):
        s = lines[i].strip()
        if ex.split_link_line(s) or ex.is_hashtag_line(s):
            seen_link = True
            end = i
        elif seen_link and s:
            break
        else:
            end = i
    return end


def _draft_at(drafts: list[PostDraft], lines: list[str], line_no: int) -> PostDraft:
    """The draft whose text holds ``line_no`` (drafts appear in line order)."""
    titles = [next((i for i, ln in enumerate(lines) if ln.strip() == d.title.strip()), 0) for d in drafts]
    chosen = drafts[0]
    for d, start in zip(drafts, titles):
        if start <= line_no:
            chosen = d
    return chosen


def drafts_and_skips(messages) -> tuple[list[PostDraft], list[Skipped]]:
    """Run :func:`reviews_from_message` over an iterable of messages."""
    drafts, skipped = [], []
    for msg in messages:
        d, skip = reviews_from_message(msg)
        drafts += d
        if skip:
            skipped.append(skip)
    return drafts, skipped
