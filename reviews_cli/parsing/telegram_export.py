"""Telegram Desktop exports ("Export chat history"): ``result.json`` and ``messages*.html``.

JSON, as Telegram Desktop writes it: a single-chat export is ``{"name", "type", "id",
"messages": [...]}``; a full-account export keeps chats under ``{"chats": {"list": [...]}}``
(every channel in it is read; personal chats and groups are skipped). A message has ``id``,
``type`` (``message`` or ``service`` with ``action``), ``date`` and ``date_unixtime``, ``text``
(a string, or a list of strings and entity objects ``{"type", "text", "href"?}``),
``text_entities`` (the same as a list of entities), and optionally ``photo``, ``poll``,
``reactions``, ``forwarded_from``. The file is streamed (ijson), so a channel of any size loads
in bounded memory. Telegram Desktop is known to write control characters as ``\\xNN``, which is
not JSON; those are read as ``\\u00NN``.

HTML: ``messages.html``, ``messages2.html``… each a page of ``div.message`` blocks
(``div.message.service`` for service messages; ``joined`` ones omit the sender), with
``div.body > div.date[title="04.03.2019 12:00:00 UTC+03:00"]`` and ``div.text`` holding the
text with ``<br>``, ``<a href>`` links and hashtag anchors; the channel title is in
``div.page_header``.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..errors import DumpError
from .common import Skipped
from .detect import DumpSource
from .messages import Run, message_post
from .post import POLL, SERVICE, Post

if TYPE_CHECKING:
    from typing import Protocol

    from _typeshed import WriteableBuffer
    from bs4 import BeautifulSoup
    from bs4.element import Tag

    class _ByteReader(Protocol):
        def read(self, size: int = -1, /) -> bytes: ...

    class _ObjectBuilder(Protocol):
        """``ijson.ObjectBuilder`` (ijson has no type hints)."""

        value: object

        def event(self, event: str, value: object) -> None: ...

    # A chat of a result.json: (title, type, its messages), title and type as the JSON has them.
    Chat = tuple[object, object, Iterator[object]]

FORMAT_JSON = "telegram-export-json"
FORMAT_HTML = "telegram-export-html"

# Far above what Telegram Desktop writes (messages sit 3 levels deep, their entities 5), and far
# below what makes a JSON parser's memory or time blow up (100 000 levels did).
MAX_JSON_DEPTH = 200
# Telegram's numbers are ids and counts; a 4 300-digit one crashes the C parser's int conversion.
MAX_NUMBER_DIGITS = 100
# How many bytes the stream reads from the file at a time.
READ_SIZE = 64 * 1024

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # from inside a string to its end
_STRING_OPEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*\Z', re.S)
_BRACKETS = bytes.maketrans(b"", b"")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_LONG_NUMBER = re.compile(rb"[0-9]{%d}" % (MAX_NUMBER_DIGITS + 1))
_LEADING_DIGITS = re.compile(rb"[0-9]*")

# Scanned left to right, every match starts at an escaping backslash: an escaped backslash is
# consumed whole, so the backslash after it is never taken for the start of an escape.
# Groups: 1, the hex digits of a \xNN; 2, a \uD800-\uDFFF escape that is not a high+low pair.
_ESCAPE_FIX = re.compile(rb"\\(?:\\|x([0-9a-fA-F]{2})|u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
                         rb"|(u[dD][89a-fA-F][0-9a-fA-F]{2}))")
_HIGH_SURROGATE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")
_LOW_SURROGATE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_LONGEST_ESCAPE = 12  # a surrogate pair, \ud83d\ude00
_BACKSLASH = 0x5C


def _fix_escape(m: re.Match[bytes]) -> bytes:
    """``\\xNN`` becomes ``\\u00NN``; a lone surrogate, which no UTF-8 text can hold, becomes
    U+FFFD instead of failing the whole export; anything else (a pair, ``\\\\``) stays."""
    if m.group(1) is not None:
        return b"\\u00" + m.group(1)
    if m.group(2) is not None:
        return b"\\ufffd"
    return m.group(0)


def fix_escapes(data: bytes) -> bytes:
    """JSON text (a whole document, or a piece cut where :meth:`JsonStream.feed` cuts) with
    Telegram's ``\\xNN`` escapes written as ``\\u00NN`` and lone surrogate escapes as ``\\ufffd``."""
    if b"\\x" not in data and b"\\ud" not in data and b"\\uD" not in data:
        return data  # the usual case: nothing to rewrite, skip the regex scan
    return _ESCAPE_FIX.sub(_fix_escape, data)


def _escapes_at(data: bytes, i: int) -> bool:
    """Whether the backslash at ``data[i]`` starts an escape: it ends an odd run of backslashes
    (``data`` starting outside any escape)."""
    j = i
    while j > 0 and data[j - 1] == _BACKSLASH:
        j -= 1
    return (i - j) % 2 == 0


def _cut(data: bytes) -> int:
    """Where a piece of JSON text (starting outside any escape) may be cut so that the text
    before the cut can be checked and rewritten on its own: at most ``len(data) - 12`` (the
    longest escape, a surrogate pair, ends before the cut or starts at it), never inside an
    escape, between the halves of a surrogate pair or inside a UTF-8 sequence. 0 when the
    piece is too short to cut."""
    p = len(data) - _LONGEST_ESCAPE
    for _ in range(3):  # back to the first byte of a UTF-8 sequence (3 continuation bytes at most)
        if p <= 0 or data[p] & 0xC0 != 0x80:
            break
        p -= 1
    if p <= 0:
        return 0
    # an escape that covers p starts at one of the 5 bytes before it (\uXXXX is the longest)
    b = data.rfind(b"\\", max(0, p - 5), p)
    if b >= 0 and _escapes_at(data, b):
        size = 6 if data[b + 1:b + 2] == b"u" else 4 if data[b + 1:b + 2] == b"x" else 2
        if b + size > p:
            p = b
    if p >= 6 and _LOW_SURROGATE.match(data, p) and _HIGH_SURROGATE.match(data, p - 6) and _escapes_at(data, p - 6):
        p -= 6  # keep a pair together
    return p


class JsonStream:
    """Telegram Desktop's JSON made safe for the C JSON parser, a piece at a time: Telegram's
    invalid ``\\xNN`` escapes rewritten to ``\\u00NN``, lone surrogate escapes to ``\\ufffd``,
    bytes that are not UTF-8 replaced by U+FFFD; and nesting deeper than
    :data:`MAX_JSON_DEPTH` or a number longer than :data:`MAX_NUMBER_DIGITS` digits refused
    with a :class:`DumpError` before the parser sees them (strings are skipped).

    :meth:`feed` takes the file's bytes in pieces of any size and returns the bytes to parse;
    the output does not depend on where the input was split. ``consumed`` counts the input
    bytes passed on so far (for error positions)."""

    def __init__(self, path: str = "") -> None:
        self.path = path
        self.carry = b""
        self.consumed = 0
        self.depth = 0
        self.in_string = False
        self.digit_run = 0

    def feed(self, data: bytes, final: bool = False) -> bytes:
        """The next piece of input (``final`` for the last, which may be empty) → the text
        ready to parse, possibly empty. The bytes after the last safe cut are kept for the
        next call. Raises :class:`DumpError` for too deep nesting or too long numbers."""
        data = self.carry + data if self.carry else data
        cut = len(data) if final else _cut(data)
        data, self.carry = data[:cut], data[cut:]
        if not data:
            return b""
        self._check_structure(data)
        self.consumed += len(data)
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                data = data.decode("utf-8", "replace").encode("utf-8")
        return fix_escapes(data)

    def _check_structure(self, data: bytes) -> None:
        if self.in_string:
            m = _STRING_REST.match(data)
            if m is None:
                return  # the whole piece is inside one string
            data, self.in_string = data[m.end():], False
        data = _STRING.sub(b" ", data)
        m = _STRING_OPEN.search(data)
        if m is not None:
            data, self.in_string = data[:m.start()], True
        lead = _LEADING_DIGITS.match(data)
        if _LONG_NUMBER.search(data) or self.digit_run + (lead.end() if lead else 0) > MAX_NUMBER_DIGITS:
            raise DumpError(self.path, f"a number of more than {MAX_NUMBER_DIGITS} digits near byte "
                            f"{self.consumed}: not a Telegram Desktop export")
        tail = len(data) - len(data.rstrip(b"0123456789"))
        self.digit_run = (self.digit_run + tail) if tail == len(data) else tail
        depth = self.depth
        for b in data.translate(_BRACKETS, _NOT_BRACKETS):
            depth += 1 if b in (91, 123) else -1
            if depth > MAX_JSON_DEPTH:
                raise DumpError(self.path, f"JSON nested more than {MAX_JSON_DEPTH} levels deep near byte "
                                f"{self.consumed}: not a Telegram Desktop export")
        self.depth = depth


def open_utf8(path: str) -> _Recoder | io.BufferedReader:
    """The file as UTF-8 bytes for the JSON parser: a UTF-8 BOM skipped, UTF-16 (with its BOM)
    recoded on the fly."""
    raw = open(path, "rb")  # noqa: SIM115 (returned open: the caller's `with` closes it)
    bom = raw.read(3)
    if bom.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw.seek(0)
        return _Recoder(io.TextIOWrapper(raw, encoding="utf-16", errors="replace"))
    raw.seek(3 if bom == codecs.BOM_UTF8 else 0)
    return raw


class _Recoder(io.RawIOBase):
    """A text stream read back as UTF-8 bytes."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.pending = b""

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            return self.pending + self.text.read().encode("utf-8", "replace")
        while len(self.pending) < n:
            chunk = self.text.read(max(1, n // 2))
            if not chunk:
                break
            self.pending += chunk.encode("utf-8", "replace")
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def readinto(self, b: WriteableBuffer) -> int:
        view = memoryview(b).cast("B")
        data = self.read(len(view))
        view[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self.text.close()
        super().close()


class _StreamReader(io.RawIOBase):
    """A file read through a :class:`JsonStream`, as the binary file object ijson reads
    (``readinto`` fills at most the buffer it is given; the rest waits for the next call)."""

    def __init__(self, raw: _ByteReader, path: str = "", read_size: int = READ_SIZE) -> None:
        self.raw = raw
        self.stream = JsonStream(path)
        self.read_size = read_size
        self.pending = memoryview(b"")
        self.done = False

    @property
    def consumed(self) -> int:
        return self.stream.consumed

    def readable(self) -> bool:
        return True

    def readinto(self, b: WriteableBuffer) -> int:
        view = memoryview(b).cast("B")
        while not self.pending and not self.done:
            data = self.raw.read(self.read_size)
            self.done = not data
            self.pending = memoryview(self.stream.feed(data, final=self.done))
        n = min(len(view), len(self.pending))
        view[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def _iso(msg: dict[str, object]) -> str | None:
    ts = msg.get("date_unixtime")
    if isinstance(ts, (str, int)) and not isinstance(ts, bool):
        try:
            return datetime.fromtimestamp(int(ts), tz=timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            pass
    date = msg.get("date")
    return date if isinstance(date, str) else None


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
        head = _StreamReader(raw, path)
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
        stream = _StreamReader(raw, path)

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
    for chat, ctype, messages in iter_chats(src.path):
        chat = chat if isinstance(chat, str) else None
        if isinstance(ctype, str) and "channel" not in ctype:
            n = sum(1 for _ in messages)
            yield Skipped(f"chat {chat!r}", f"{ctype}, not a channel ({n} messages)")
            continue
        if src.origin is None:
            src.origin = chat
        for k, m in enumerate(messages):
            yield message_from_json(m, chat, src.channel, k)


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
