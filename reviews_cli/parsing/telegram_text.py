"""Telegram channel posts copied as plain text: the channel web preview (``t.me/s/<channel>``
copied from a browser, or a mirror site's channel page), a single copied post, and mirror pages
of one post (tgoop and similar).

Source format, as a browser copies a channel page: a channel header (``<name> – Telegram``,
counters such as ``24.1K subscribers``, the description, ``Download Telegram``), then posts one
after another. A post may be followed by its furniture: a reactions row (``🔥7``, ``👍 12 ❤️ 3``),
a view count (``1.2K views``), a time (``12:34``, ``edited 12:34``); it may start with
``Forwarded from <channel>``. Image captions (``Face editing``) may sit under a post. Where a
page has no furniture between two posts, nothing in the text separates them: the recognizer's
headed-section rule splits them.

This container cuts the page at furniture lines and hands each piece to the recognizer as one
message; it decides nothing about reviews.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .. import extract as ex
from .common import Skipped
from .detect import DumpSource
from .post import Post
from .recognize import is_furniture

_HEADER_END = re.compile(r"^\s*(?:Download Telegram|Open in Telegram|View in Telegram|Preview channel)\s*$",
                         re.IGNORECASE)


def _channel_name(lines: list[str]) -> str | None:
    for ln in lines[:3]:
        m = re.match(r"^(.+?)\s+[–—-]\s+Telegram\s*$", ln.strip())
        if m:
            return m.group(1)
    return None


# image captions and credits are furniture inside a post, not the end of one
_CAPTION = re.compile(r"^\s*(?:(?:Photo|Image|Picture|Фото|Изображение) (?:by|from|:|—)\s|Generated (?:with|by) |"
                      r"Illustration for |Источник изображения|.{1,60} bio photo\s*$)", re.IGNORECASE)


def _separator(line: str) -> bool:
    return (is_furniture(line) and not _CAPTION.match(line)) or ex.is_reaction_line(line)


def iter_channel_posts(src: DumpSource) -> Iterator[Post | Skipped]:
    """Posts of a copied channel page (or of one copied post): the channel header up to
    ``Download Telegram`` is dropped, and the rest is cut after every run of furniture lines
    (reactions, views, times, ``Forwarded from``). Each piece is a message for the recognizer;
    ``where`` is its first line (1-based)."""
    assert src.text is not None
    lines = src.text.split("\n")
    src.origin = _channel_name(lines)
    start = 0
    if src.origin is not None:  # the page title line "<name> – Telegram"
        start = next(i for i, ln in enumerate(lines) if ln.strip()) + 1
    for i, ln in enumerate(lines[:60]):
        if _HEADER_END.match(ln):
            start = i + 1
            break
    chunk_start = start
    i = start
    n = len(lines)
    while i < n:
        if _separator(lines[i]):
            j = i
            while j < n and (not lines[j].strip() or _separator(lines[j])):
                j += 1
            # the reactions row stays with its post (the recognizer trims it with the captions)
            yield from _piece(lines, chunk_start, i + 1)
            chunk_start = j
            i = j
            continue
        i += 1
    yield from _piece(lines, chunk_start, n)


def _piece(lines: list[str], start: int, stop: int) -> Iterator[Post]:
    text = "\n".join(lines[start:stop])
    if text.strip():
        yield Post(text=text, where=f"line {start + 1}")


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


def iter_mirror_posts(src: DumpSource) -> Iterator[Post]:
    """The one post of a mirror page (tgoop.com and alike).

    Source format: a page title line (``GONZO_ML Telegram 21``), the post with its reactions, the
    ``tgoop.com/<channel>/<id>`` line, ``Create:`` / ``Last Update:``, the post printed again,
    ``BY <channel name>``, then unrelated site text. The second copy (no reactions) is read when
    present, else the first; the page's post id becomes the source's ``post_id`` and ``url``.
    """
    assert src.text is not None
    lines = src.text.split("\n")
    ident = mirror_post_id(lines)
    post_id = f"{ident[0]}/{ident[1]}" if ident else None
    url = f"https://t.me/{post_id}" if post_id else None
    start, stop = 0, len(lines)
    upd = next((i for i, ln in enumerate(lines) if ln.strip().startswith("Last Update:")), None)
    id_line = next((i for i, ln in enumerate(lines) if _MIRROR_ID.match(ln)), None)
    if upd is not None:
        start = upd + 1
        stop = next((j for j in range(upd + 1, len(lines)) if _MIRROR_END.match(lines[j])), len(lines))
    elif id_line is not None:
        start, stop = 1, id_line
    src.origin = next((ln.strip()[3:] for ln in lines if ln.strip().startswith("BY ")), None)
    yield Post(text="\n".join(lines[start:stop]), where=f"line {start + 1}", post_id=post_id, url=url)
