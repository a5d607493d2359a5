"""Telegram messages as text runs -> :class:`Post`, shared by every container that keeps posts
apart (Telegram Desktop JSON and HTML exports, saved ``t.me/s`` pages).

Those formats give a post's text as runs of plain text and entities (links, ``text_link`` with
an ``href`` behind words, hashtags). :func:`render` turns the runs into the plain text a browser
copy would show, plus the links that were behind words; a link behind a bare link label alone on
its line (``Статья``, ``Код``, ``Paper``) becomes a header line ``Статья: <href>``, as the post
would read with the URL written out.
"""

from __future__ import annotations

from typing import NamedTuple

from .post import POLL, SERVICE, HiddenLink, Post
from .recognize import is_link_label

# a label short enough to be a header link ("Статья", "Код на pytorch", "arXiv")
_LABEL_MAX = 40


class Run(NamedTuple):
    """A piece of message text: ``kind`` is ``plain``, ``link``, ``text_link`` (with ``href``),
    ``hashtag``, ``bold``… as Telegram names entity types."""

    kind: str
    text: str
    href: str | None = None


def render(runs: list[Run]) -> tuple[str, list[HiddenLink]]:
    """Plain text of the runs, and the links hidden behind words."""
    text = "".join(r.text for r in runs)
    hidden: list[HiddenLink] = []
    pos = 0
    out: list[str] = []
    for r in runs:
        if r.kind == "text_link" and r.href and r.text.strip() and r.text.strip() != r.href:
            line_start = text.rfind("\n", 0, pos) + 1
            line_end = text.find("\n", pos + len(r.text))
            line_end = len(text) if line_end < 0 else line_end
            alone = not (text[line_start:pos] + text[pos + len(r.text):line_end]).strip(" :—–-→•\t")
            label = r.text.strip().rstrip(":").strip()
            if alone and len(label) <= _LABEL_MAX and is_link_label(label):
                out.append(f"{label}: {r.href}")
            else:
                out.append(r.text)
                hidden.append(HiddenLink(text.count("\n", 0, pos), r.text.strip(), r.href))
        else:
            out.append(r.text)
        pos += len(r.text)
    return "".join(out), hidden


def message_post(mid: str, runs: list[Run], date: str | None = None, kind: str = "message",
                 action: str | None = None, channel: str | None = None, chat: str | None = None,
                 forwarded: bool = False) -> Post:
    """A channel message as a :class:`Post`. ``kind`` is ``message``, ``service`` (with
    ``action``) or ``poll``; ``channel`` is the username when known (for the post URL
    ``https://t.me/<channel>/<id>``), ``chat`` the channel's title (the post id's prefix when the
    username is not known)."""
    where = f"message {mid}"
    if kind in (SERVICE, POLL):
        return Post("", where, kind=kind, action=action, date=date)
    text, hidden = render(runs)
    return Post(text, where, links=hidden, date=date, post_id=f"{channel or chat or 'chat'}/{mid}",
                url=f"https://t.me/{channel}/{mid}" if channel else None, forwarded=forwarded)
