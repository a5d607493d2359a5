"""The byte stream between a Telegram Desktop ``result.json`` and the C JSON parser (ijson's
``yajl2_c`` backend), which rejects or mangles what real exports hold: Telegram Desktop writes
control characters as ``\\xNN`` (not JSON), broken tools write lone surrogate escapes and bytes
that are not UTF-8, and hostile files nest without end or hold numbers of thousands of digits
(a segfault, a hang in the parser). :class:`JsonStream` rewrites and checks the text a piece
at a time, cutting only where no escape is split, so the output does not depend on how the
file is read; :class:`StreamReader` is the file object the parser reads through it.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import TYPE_CHECKING

from ..errors import DumpError

if TYPE_CHECKING:
    from typing import Protocol

    from _typeshed import WriteableBuffer

    class _ByteReader(Protocol):
        def read(self, size: int = -1, /) -> bytes: ...


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


class StreamReader(io.RawIOBase):
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
