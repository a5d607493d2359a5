"""One message object of another tool's dump -> :class:`Post`: the key names, text forms and
entity lists those tools write, read into the text runs every Telegram container shares
(:mod:`..messages`).

Key names (first found wins): the id ``id`` / ``message_id`` / ``post_id``; the text ``text``,
``message``, ``message_text``, ``content``, ``raw_text``, ``caption`` (a media post's text); the
date ``date`` / ``datetime`` / ``timestamp`` / ``created_at`` (ISO 8601 or Unix seconds); the
post's URL ``url`` / ``link`` / ``message_url`` / ``post_url``; the channel ``channel`` /
``channel_username`` / ``username`` / ``chat.username`` / ``sender_chat.username``.

Text forms:
- plain text;
- with an entity list (``entities``, ``caption_entities``): Telethon's ``to_dict()``
  (``{"_": "MessageEntityTextUrl", "offset", "length", "url"}``), Pyrogram's
  (``{"type": "MessageEntityType.TEXT_LINK", …}``) and the Bot API's (``{"type": "text_link", …}``);
  offsets count UTF-16 code units, as Telegram's do;
- a list of strings and ``{"type", "text", "href"}`` objects, as Telegram Desktop writes it;
- Telethon / Pyrogram Markdown (``message.text``): ``[label](url)`` links, ``**bold**``,
  ``__italic__``, ``~~strike~~``, ``||spoiler||`` and ``` `code` ``` marks dropped.

snscrape's ``outlinks`` (every link of the post, those behind words included) that the text does
not show are kept as links behind the words of the line a link label (``Статья``) stands on, or of
the first line.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from ..common import Skipped, iso_datetime
from ..messages import Run, message_post, render
from ..post import SERVICE, HiddenLink, Post

TEXT_KEYS = ("text", "message", "message_text", "content", "raw_text", "caption")
ID_KEYS = ("id", "message_id", "post_id", "msg_id")
DATE_KEYS = ("date", "datetime", "timestamp", "created_at", "date_unixtime", "time")
URL_KEYS = ("url", "link", "message_url", "post_url", "permalink")
CHANNEL_KEYS = ("channel", "channel_username", "username", "chat_username", "channel_name")
_POST_URL = re.compile(r"^https?://(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/([0-9]{1,10})\b")
_ID = re.compile(r"[0-9]{1,19}")
_USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{3,31})")
_MD_LINK = re.compile(r"\[([^\]\n]{1,500})\]\((https?://[^\s)]{1,2000})\)")
# a mark's text stops at the next pair of its marks: the search from each opening mark is bounded by
# the next one, not by 5000 characters (a text of "**a " repeated took ~1 s per 20 kB)
_MD_MARKS = re.compile(r"(?<![\w*])\*\*(?=\S)((?:[^*]|\*(?!\*)){1,5000}?)(?<=\S)\*\*(?![\w*])|"
                       r"(?<![\w_./])__(?=\S)((?:[^_]|_(?!_)){1,5000}?)(?<=\S)__(?![\w_(]|\.\w)|"
                       r"(?<![\w~])~~(?=\S)((?:[^~]|~(?!~)){1,5000}?)(?<=\S)~~(?![\w~])|"
                       r"(?<![\w|])\|\|(?=\S)((?:[^|]|\|(?!\|)){1,5000}?)(?<=\S)\|\|(?![\w|])|"
                       r"(?<![\w`])`(?=[^`\s])([^`\n]{1,500}?)`(?![\w`])")
# more outlinks than any post has are not read (each is looked for in the text)
MAX_OUTLINKS = 1000
_LINK_LABEL_LINE = re.compile(r"^\s*(?:статья|paper|arxiv|код|code|github|блог|blog|ревью|review|пост|ссылка)\s*:?\s*$",
                              re.I)


def first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first of ``keys`` that ``obj`` has (not ``None``)."""
    for k in keys:
        v = obj.get(k)
        if v is not None:
            return v
    return None


def iso_date(value: object) -> str | None:
    """A date as ISO 8601: an ISO string kept (``2024-01-05 10:00:00`` gets its ``T``), Unix
    seconds (a number or a string of digits) read as UTC; anything else (an impossible day, text
    after the date, a list) ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"[0-9]{9,11}(?:\.[0-9]+)?", value.strip()):
        value = float(value)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            return None
    if isinstance(value, str):
        return iso_datetime(value)
    return None


def channel_of(obj: dict[str, Any], default: str | None) -> str | None:
    """The channel's username a message object names (its own keys or its ``chat``), else
    ``default``."""
    for holder in (obj, obj.get("chat"), obj.get("sender_chat"), obj.get("peer")):
        if isinstance(holder, dict):
            v = first(holder, CHANNEL_KEYS)
            if isinstance(v, str) and (m := _USERNAME.fullmatch(v.strip())):
                return m.group(1)
    return default


def _utf16_index(text: str) -> list[int]:
    """``pos[k]`` is the index in ``text`` of UTF-16 code unit ``k`` (and one past the end)."""
    pos: list[int] = []
    for i, ch in enumerate(text):
        pos.append(i)
        if ord(ch) > 0xFFFF:
            pos.append(i)
    pos.append(len(text))
    return pos


def _entity_kind(e: dict[str, Any]) -> str:
    name = str(e.get("_") or e.get("type") or "").rsplit(".", 1)[-1].lower()
    name = name.removeprefix("messageentity").replace("_", "")
    return {"texturl": "text_link", "textlink": "text_link", "url": "link", "hashtag": "hashtag"}.get(name, "plain")


def entity_runs(text: str, entities: list[Any]) -> list[Run]:
    """Runs of ``text`` cut at its entities (UTF-16 ``offset`` / ``length``); entities that
    overlap, fall outside the text or are not objects are ignored."""
    pos = _utf16_index(text)
    spans: list[tuple[int, int, str, str | None]] = []
    for e in entities:
        if not isinstance(e, dict):
            continue
        off, length = e.get("offset"), e.get("length")
        if not isinstance(off, int) or not isinstance(length, int) or isinstance(off, bool) or off < 0 or length <= 0:
            continue
        if off + length >= len(pos):
            continue
        kind = _entity_kind(e)
        url = e.get("url") or e.get("href")
        if kind == "plain" or (kind == "text_link" and not isinstance(url, str)):
            continue
        spans.append((pos[off], pos[off + length], kind, url if isinstance(url, str) else None))
    runs: list[Run] = []
    at = 0
    for start, end, kind, url in sorted(spans):
        if start < at:
            continue
        if start > at:
            runs.append(Run("plain", text[at:start]))
        runs.append(Run(kind, text[start:end], url))
        at = end
    if at < len(text):
        runs.append(Run("plain", text[at:]))
    return runs


def markdown_runs(text: str) -> list[Run]:
    """Runs of Telethon / Pyrogram Markdown: ``[label](url)`` a link behind its label, emphasis
    marks dropped."""
    text = _MD_MARKS.sub(lambda m: next(g for g in m.groups() if g is not None), text)
    runs: list[Run] = []
    at = 0
    for m in _MD_LINK.finditer(text):
        if m.start() > at:
            runs.append(Run("plain", text[at:m.start()]))
        label, url = m.group(1), m.group(2)
        runs.append(Run("text_link" if label.strip() != url else "link", label, url))
        at = m.end()
    runs.append(Run("plain", text[at:]))
    return runs


def looks_markdown(text: str) -> bool:
    return bool(_MD_LINK.search(text) or _MD_MARKS.search(text))


def _td_runs(parts: list[Any]) -> list[Run]:
    runs: list[Run] = []
    for part in parts:
        if isinstance(part, str):
            runs.append(Run("plain", part))
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            href = part.get("href")
            runs.append(Run(str(part.get("type") or "plain"), part["text"], href if isinstance(href, str) else None))
    return runs


def message_runs(obj: dict[str, Any]) -> list[Run]:
    """The text runs of a message object (see the module docstring)."""
    key = next((k for k in TEXT_KEYS if obj.get(k) not in (None, "", [])), None)
    value = obj.get(key) if key else None
    if isinstance(value, list):
        return _td_runs(value)
    if not isinstance(value, str):
        return []
    entities = obj.get("caption_entities" if key == "caption" else "entities")
    if entities is None and key != "caption":
        entities = obj.get("text_entities")
    if isinstance(entities, list) and entities:
        if all(isinstance(e, dict) and "offset" in e for e in entities):
            return entity_runs(value, entities)
        if all(isinstance(e, dict) and "text" in e for e in entities):
            return _td_runs(entities)
    if looks_markdown(value):
        return markdown_runs(value)
    return [Run("plain", value)]


def outlink_runs(text: str, outlinks: object) -> tuple[list[Run], list[str]]:
    """snscrape's plain ``content`` with its ``outlinks`` that the text does not show put back
    behind the link-label lines (``Статья``, ``Code``) in order; returns the runs and the
    outlinks left over (no label line for them)."""
    found: dict[str, None] = {}  # ordered and O(1) to test: a dump may list thousands of outlinks
    for url in outlinks[:MAX_OUTLINKS] if isinstance(outlinks, list) else ():
        if isinstance(url, str) and url.startswith(("http://", "https://")) and url not in found and url not in text:
            found[url] = None
    urls = list(found)
    runs: list[Run] = []
    lines = text.split("\n")
    used = 0
    for i, line in enumerate(lines):
        if used < len(urls) and _LINK_LABEL_LINE.match(line):
            runs.append(Run("text_link", line, urls[used]))
            used += 1
        else:
            runs.append(Run("plain", line))
        if i < len(lines) - 1:
            runs.append(Run("plain", "\n"))
    return runs, urls[used:]


def message_object(obj: object, k: int, channel: str | None) -> Post | Skipped:
    """A :class:`Post` from the ``k``-th (0-based) message object of a dump, or a
    :class:`Skipped` (not an object; a service message; no text: media, an album's other
    parts). ``channel`` is the username when the dump or ``--channel`` names it."""
    where = f"message #{k + 1}"
    if not isinstance(obj, dict):
        return Skipped(where, f"not a message object (a JSON {type(obj).__name__})")
    url = first(obj, URL_KEYS)
    url = url.strip() if isinstance(url, str) else None
    m = _POST_URL.match(url) if url else None
    mid = first(obj, ID_KEYS)
    mid = str(mid) if isinstance(mid, (int, str)) and not isinstance(mid, bool) and _ID.fullmatch(str(mid)) else None
    if mid is None and m:
        mid = m.group(2)
    chan = channel_of(obj, m.group(1) if m else channel)
    date = iso_date(first(obj, DATE_KEYS))
    label = f"message {mid}" if mid else where
    if obj.get("_") == "MessageService" or obj.get("type") == "service" or obj.get("service") is True:
        return message_post(mid or f"#{k + 1}", [], date=date, kind=SERVICE, action="service")
    runs = message_runs(obj)
    left: list[str] = []
    if "outlinks" in obj and len(runs) == 1 and runs[0].kind == "plain":
        runs, left = outlink_runs(runs[0].text, obj.get("outlinks"))
    if not "".join(r.text for r in runs).strip():
        return Skipped(label, "no text (a media post or a part of an album)")
    forwarded = bool(obj.get("fwd_from") or obj.get("forward_from_chat") or obj.get("forwarded_from"))
    post = message_post(mid or f"#{k + 1}", runs, date=date, channel=chan if mid else None, chat=chan,
                        forwarded=forwarded)
    if left:  # links no label line names: behind the words of the first line
        line = next((i for i, ln in enumerate(post.text.split("\n")) if ln.strip()), 0)
        label = post.text.split("\n")[line].strip()
        post.links = post.links + [HiddenLink(line, label, url) for url in left]
    if url and url.startswith(("http://", "https://")):
        post.url = url
        if m:
            post.post_id = f"{m.group(1)}/{m.group(2)}"
    post.where = label
    return post


__all__ = ["Run", "first", "iso_date", "message_object", "message_runs", "render"]
