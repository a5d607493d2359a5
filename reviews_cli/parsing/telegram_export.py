"""Telegram Desktop exports ("Export chat history"): ``result.json`` and ``messages*.html``.

JSON, as Telegram Desktop writes it: a single-chat export is ``{"name", "type", "id",
"messages": [...]}``; a full-account export keeps chats under ``{"chats": {"list": [...]}}``
(every channel in it is read; personal chats and groups are skipped). A message has ``id``,
``type`` (``message`` or ``service`` with ``action``), ``date`` and ``date_unixtime``, ``text``
(a string, or a list of strings and entity objects ``{"type", "text", "href"?}``),
``text_entities`` (the same as a list of entities), and optionally ``photo``, ``poll``,
``reactions``, ``forwarded_from``. The file is streamed (ijson), so a channel of any size loads
in bounded memory, through :mod:`.json_stream` (Telegram Desktop's ``\\xNN`` escapes, lone
surrogates, nesting and number limits).

HTML: ``messages.html``, ``messages2.html``… each a page of ``div.message`` blocks
(``div.message.service`` for service messages; ``joined`` ones omit the sender), with
``div.body > div.date[title="04.03.2019 12:00:00 UTC+03:00"]`` and ``div.text`` holding the
text with ``<br>``, ``<a href>`` links and hashtag anchors; the channel title is in
``div.page_header``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..errors import DumpError
from .common import Skipped, iso_datetime
from .detect import DumpSource
from .json_stream import StreamReader, fix_escapes, open_utf8
from .messages import Run, message_post
from .post import POLL, SERVICE, Post

if TYPE_CHECKING:
    from typing import Protocol

    from bs4 import BeautifulSoup
    from bs4.element import Tag

    class _ObjectBuilder(Protocol):
        """``ijson.ObjectBuilder`` (ijson has no type hints)."""

        value: object

        def event(self, event: str, value: object) -> None: ...

    # A chat of a result.json: (title, type, its messages), title and type as the JSON has them.
    Chat = tuple[object, object, Iterator[object]]

FORMAT_JSON = "telegram-export-json"
FORMAT_HTML = "telegram-export-html"


def _iso(msg: dict[str, object]) -> str | None:
    ts = msg.get("date_unixtime")
    if isinstance(ts, (str, int)) and not isinstance(ts, bool):
        try:
            return datetime.fromtimestamp(int(ts), tz=timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            pass
    date = msg.get("date")
    if isinstance(date, int) and not isinstance(date, bool):  # tdl writes Unix seconds
        try:
            return datetime.fromtimestamp(date, tz=timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            return None
    return iso_datetime(date) if isinstance(date, str) else None


def _runs(value: object) -> list[Run]:
    if isinstance(value, str):
        return [Run("plain", value)]
    runs: list[Run] = []
    for part in value if isinstance(value, list) else ():
        if isinstance(part, str):
            runs.append(Run("plain", part))
        elif isinstance(part, dict):
            href = part.get("href")
            text = part.get("text")
            runs.append(Run(str(part.get("type") or "plain"), text if isinstance(text, str) else "",
                            href if isinstance(href, str) else None))
    return runs


def message_from_json(m: object, chat: str | None, channel: str | None, k: int = 0) -> Post | Skipped:
    """A :class:`Post` from one exported message object (the ``k``-th of its chat), or a
    :class:`Skipped` when the entry is not a message object at all."""
    if not isinstance(m, dict):
        return Skipped(f"message #{k + 1}", f"not a message object (a JSON {type(m).__name__})")
    if (not isinstance(m.get("text"), (str, list)) and "text_entities" not in m) or isinstance(m.get("raw"), dict):
        # another tool's message object under "messages" (a script's Telethon dicts; tdl's
        # export with its raw MTProto message): read by its key names
        from .containers.message_text import message_object

        raw = m.get("raw")
        return message_object({**m, **raw} if isinstance(raw, dict) and raw.get("message") else m, k, channel)
    kind = "message"
    if m.get("type") == "service":
        kind = SERVICE
    elif "poll" in m:
        kind = POLL
    runs = _runs(m["text_entities"]) if isinstance(m.get("text_entities"), list) else _runs(m.get("text"))
    action = m.get("action")
    return message_post(str(m.get("id", f"#{k + 1}")), runs, date=_iso(m), kind=kind,
                        action=action if isinstance(action, str) else None, channel=channel, chat=chat,
                        forwarded="forwarded_from" in m)


def iter_chats(path: str) -> Iterator[Chat]:
    """Yield ``(chat title, chat type, messages)`` for each chat of a ``result.json``, streaming;
    each ``messages`` iterator of dicts must be consumed before the next chat is read. Raises
    :class:`DumpError` (with line and column) for a broken file."""
    import ijson

    with open_utf8(path) as raw:
        head = StreamReader(raw, path)
        top: dict[str, object] = {}
        kind: str | None = None
        try:
            for prefix, event, value in ijson.parse(head):
                if prefix == "" and event == "map_key" and value in ("messages", "chats"):
                    kind = value
                    break
                if event in ("string", "number") and prefix in ("name", "type"):
                    top[prefix] = value
        except ijson.JSONError as exc:
            raise DumpError(path, f"broken JSON {_where(path, head.consumed)}: {_short(exc)}") from None
    if kind is None:
        raise DumpError(path, "not a Telegram Desktop export (no \"messages\" or \"chats\")")
    with open_utf8(path) as raw:
        stream = StreamReader(raw, path)

        def guarded(items: Iterable[object]) -> Iterator[object]:
            # errors surface while the caller consumes the messages: report them as DumpError
            try:
                yield from items
            except ijson.JSONError as exc:
                raise DumpError(path, f"broken JSON {_where(path, stream.consumed)}: {_short(exc)}") from None

        try:
            if kind == "messages":
                # one chat: let ijson's C code build the message objects
                yield top.get("name"), top.get("type"), guarded(ijson.items(stream, "messages.item"))
            else:
                for chat, ctype, messages in _chats(ijson.parse(stream)):
                    yield chat, ctype, guarded(messages)
        except ijson.JSONError as exc:
            raise DumpError(path, f"broken JSON {_where(path, stream.consumed)}: {_short(exc)}") from None


def _chats(events: Iterator[tuple[str, str, object]]) -> Iterator[Chat]:
    """Yield ``(chat title, chat type, message iterator)`` for each ``chats.list`` item of a
    full-account export's event stream. Each message iterator must be consumed before the next
    chat is read."""
    import ijson

    meta: dict[str, object] = {}
    for prefix, event, value in events:
        if event == "start_map" and prefix == "chats.list.item":
            meta = {}
        elif event in ("string", "number") and prefix in ("chats.list.item.name", "chats.list.item.type"):
            meta[prefix.rsplit(".", 1)[-1]] = value
        elif event == "start_array" and prefix == "chats.list.item.messages":
            def messages(prefix: str = prefix) -> Iterator[object]:
                builder: _ObjectBuilder | None = None
                for p, ev, val in events:
                    if builder is None:
                        if p == prefix and ev == "end_array":
                            return
                        if p == "chats.list.item.messages.item" and ev == "start_map":
                            builder = ijson.ObjectBuilder()
                            builder.event(ev, val)
                        continue
                    builder.event(ev, val)
                    if p == "chats.list.item.messages.item" and ev == "end_map":
                        yield builder.value
                        builder = None

            it = messages()
            yield meta.get("name"), meta.get("type"), it
            for _ in it:  # drain what the caller did not read
                pass


def iter_json_posts(src: DumpSource) -> Iterator[Post | Skipped]:
    """Every message of every channel in a ``result.json``, streamed; chats that are not
    channels (personal chats, groups) are one :class:`Skipped` each. The ``origin`` is the first
    channel's title."""
    channel: str | None = None
    for n_chat, (chat, ctype, messages) in enumerate(iter_chats(src.path)):
        chat = chat if isinstance(chat, str) else None
        if n_chat == 0:
            channel = src.channel or _named_channel(src.path)
        if isinstance(ctype, str) and "channel" not in ctype:
            n = sum(1 for _ in messages)
            yield Skipped(f"chat {chat!r}", f"{ctype}, not a channel ({n} messages)")
            continue
        if src.origin is None:
            src.origin = chat
        for k, m in enumerate(messages):
            yield message_from_json(m, chat, channel, k)


def _named_channel(path: str) -> str | None:
    """The channel's username when the file names it beside its messages (a script's
    ``{"channel": "gonzo_ML", "messages": [...]}``; Telegram Desktop's exports never do)."""
    import ijson

    with open_utf8(path) as raw:
        try:
            for prefix, event, value in ijson.parse(StreamReader(raw, path)):
                if prefix == "" and event == "map_key" and value in ("messages", "chats"):
                    return None
                if event == "string" and prefix in ("channel", "username", "channel_username") and isinstance(
                        value, str) and re.fullmatch(r"@?[A-Za-z][A-Za-z0-9_]{3,31}", value):
                    return value.lstrip("@")
        except (ijson.JSONError, DumpError):
            return None
    return None


def _short(exc: Exception) -> str:
    msg = " ".join(str(exc).split())
    return msg[:120]


def _where(path: str, consumed: int) -> str:
    """``line L, column C`` of a JSON error: exact (Python's parser) for files up to 64 MB,
    else the position the streaming parser had reached."""
    size = os.path.getsize(path)
    if size <= 64 * 1024 * 1024:
        import json

        with open(path, "rb") as f:
            data = fix_escapes(f.read())
        try:
            json.loads(data.decode("utf-8", errors="replace"))
        except json.JSONDecodeError as exc:
            return f"at line {exc.lineno}, column {exc.colno}"
    line = col = 1
    with open(path, "rb") as f:
        left = min(consumed, size)
        while left > 0:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
            nl = chunk.count(b"\n")
            if nl:
                line += nl
                col = len(chunk) - chunk.rfind(b"\n")
            else:
                col += len(chunk)
    return f"near line {line}, column {col}"


# ------------------------------------------------------------------------------------- HTML

_DATE_TITLE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-]\d{2}):?(\d{2}))?")


def _html_date(title: str | None) -> str | None:
    m = _DATE_TITLE.search(title or "")
    if not m:
        return None
    d, mo, y, h, mi, s, tzh, tzm = m.groups()
    iso = f"{y}-{mo}-{d}T{h}:{mi}:{s}"
    return iso + (f"{tzh}:{tzm}" if tzh else "")


_BOGUS_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[)")


def soup_of(text: str | None) -> BeautifulSoup:
    """``text`` parsed by BeautifulSoup with Python's ``html.parser``. A ``<![`` that opens no
    CDATA section, which that parser rejects (the whole page with it), is escaped first: a
    browser shows it as text."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(_BOGUS_MARKED_SECTION.sub("&lt;![", text or ""), "html.parser")


def attr(tag: Tag | None, name: str) -> str | None:
    """An HTML attribute as one string (bs4 gives multi-valued ones such as ``class`` as a
    list), or ``None`` when absent or the tag is ``None``."""
    if tag is None:
        return None
    value = tag.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else " ".join(value)


def classes(tag: Tag | None) -> list[str]:
    """The ``class`` attribute's names."""
    return (attr(tag, "class") or "").split()


_BLOCK_TAGS = frozenset(("p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"))
_SKIPPED_STRINGS = frozenset(("Comment", "Declaration", "ProcessingInstruction", "Doctype"))


def html_runs(node: Tag) -> list[Run]:
    """Text runs of an HTML element: ``<br>`` and block ends are newlines, ``<a href>`` a link
    (a hashtag when its text starts with ``#``), images of emoji their ``alt``. The tree is
    walked with an explicit stack, so a post nested thousands of tags deep is read, not refused."""
    from bs4.element import NavigableString, Tag

    runs: list[Run] = []
    stack = [iter(node.children)]
    block_ends = [False]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            if block_ends.pop():
                runs.append(Run("plain", "\n"))
            continue
        if isinstance(child, NavigableString):
            if type(child).__name__ not in _SKIPPED_STRINGS:
                runs.append(Run("plain", str(child)))
        elif isinstance(child, Tag):
            name = child.name
            if name == "br":
                runs.append(Run("plain", "\n"))
            elif name == "a":
                text = child.get_text()
                href = (attr(child, "href") or "").strip()
                if text.startswith("#"):
                    runs.append(Run("hashtag", text))
                elif href.startswith(("http://", "https://")) and text.strip() != href:
                    runs.append(Run("text_link", text, href))
                else:
                    runs.append(Run("link" if href else "plain", text))
            elif name == "img":
                runs.append(Run("plain", attr(child, "alt") or ""))
            elif name not in ("script", "style"):
                stack.append(iter(child.children))
                block_ends.append(name in _BLOCK_TAGS)
    return runs


def iter_html_posts(src: DumpSource) -> Iterator[Post]:
    """The messages of one ``messages*.html`` page of a Telegram Desktop HTML export."""
    soup = soup_of(src.text)
    header = soup.select_one("div.page_header div.text")
    chat = header.get_text(" ", strip=True) if header else None
    src.origin = chat
    for div in soup.select("div.message"):
        mid = (attr(div, "id") or "").removeprefix("message")
        if "service" in classes(div):
            body = div.select_one("div.body")
            yield message_post(mid, [], kind=SERVICE, action=body.get_text(" ", strip=True)[:60] if body else None)
            continue
        body = div.find("div", class_="body", recursive=False) or div.select_one("div.body")
        if body is None:
            continue
        date_div = body.find("div", class_="date")
        date = _html_date(attr(date_div, "title"))
        if body.select_one("div.media_poll"):
            yield message_post(mid, [], date=date, kind=POLL)
            continue
        forwarded = body.find("div", class_="forwarded")
        holder = forwarded if forwarded is not None else body
        text_div = holder.find("div", class_="text", recursive=False)
        runs = html_runs(text_div) if text_div is not None else []
        yield message_post(mid, runs, date=date, chat=chat, channel=src.channel, forwarded=forwarded is not None)


_PAGE_NO = re.compile(r"^messages(\d*)\.html$")


def export_files(folder: str) -> list[str]:
    """The export files in a Telegram Desktop export folder, in order: ``result.json``, or
    ``messages.html``, ``messages2.html``, … ``messages10.html`` (numerically)."""
    names = os.listdir(folder)
    if "result.json" in names:
        return [os.path.join(folder, "result.json")]
    pages = [(int(m.group(1) or 1), n) for n in names if (m := _PAGE_NO.match(n))]
    return [os.path.join(folder, n) for _, n in sorted(pages)]
