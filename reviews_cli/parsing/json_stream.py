"""Streaming a JSON dump to ijson safely: the bytes as UTF-8 (a BOM skipped, UTF-16 recoded on
the fly), Telegram Desktop's invalid ``\\xNN`` escapes rewritten to ``\\u00NN``, a lone surrogate
escape replaced, and nesting deeper than :data:`MAX_JSON_DEPTH` or a number longer than
:data:`MAX_NUMBER_DIGITS` digits refused before the parser sees them. Shared by the Telegram
Desktop export and the message-list containers."""

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


BAD_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9a-fA-F]{2})")


# Far above what Telegram Desktop writes (messages sit 3 levels deep, their entities 5), and far
# below what makes a JSON parser's memory or time blow up (100 000 levels did).
MAX_JSON_DEPTH = 200
# Telegram's numbers are ids and counts; a 4 300-digit one crashes the C parser's int conversion.
MAX_NUMBER_DIGITS = 100

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # from inside a string to its end
_STRING_OPEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*\Z', re.S)
_BRACKETS = bytes.maketrans(b"", b"")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_LONG_NUMBER = re.compile(rb"[0-9]{%d}" % (MAX_NUMBER_DIGITS + 1))
_LEADING_DIGITS = re.compile(rb"[0-9]*")


# a \\uD800-\\uDFFF escape, paired (high then low) or alone, not itself escaped ("\\\\ud800" is text)
_SURROGATE = re.compile(rb"(?<!\\)((?:\\\\)*)(\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|"
                        rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2})")


def _keep_pairs(m: re.Match[bytes]) -> bytes:
    """A surrogate pair stays (an emoji); a lone surrogate, which no UTF-8 text can hold,
    becomes U+FFFD instead of failing the whole export."""
    return m.group(0) if len(m.group(2)) == 12 else m.group(1) + rb"\ufffd"


def open_utf8(path: str) -> Recoder | io.BufferedReader:
    """The file as UTF-8 bytes for the JSON parser: a UTF-8 BOM skipped, UTF-16 (with its BOM)
    recoded on the fly."""
    raw = open(path, "rb")  # noqa: SIM115 (returned open: the caller's `with` closes it)
    bom = raw.read(3)
    if bom.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw.seek(0)
        return Recoder(io.TextIOWrapper(raw, encoding="utf-16", errors="replace"))
    raw.seek(3 if bom == codecs.BOM_UTF8 else 0)
    return raw


class Recoder(io.RawIOBase):
    """A text stream read back as UTF-8 bytes."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.pending = b""

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
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


class EscapeFixer(io.RawIOBase):
    """A byte stream that rewrites Telegram's invalid ``\\xNN`` escapes to ``\\u00NN``, carrying
    an escape split across two reads over to the next one; and that refuses, with a
    :class:`DumpError`, nesting deeper than :data:`MAX_JSON_DEPTH` or a number longer than
    :data:`MAX_NUMBER_DIGITS` digits before the JSON parser sees them (strings are skipped)."""

    def __init__(self, raw: _ByteReader, path: str = "") -> None:
        self.raw = raw
        self.path = path
        self.carry = b""
        self.overflow = b""  # what read() gave beyond a readinto() buffer
        self.consumed = 0
        self.depth = 0
        self.in_string = False
        self.digit_run = 0

    def _check_structure(self, data: bytes) -> None:
        if self.in_string:
            m = _STRING_REST.match(data)
            if m is None:
                return  # the whole chunk is inside one string
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

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n == 0:
            return b""
        size = n if n and n > 0 else -1
        data, self.carry = self.carry + self.raw.read(size), b""
        while size > 0:  # more may follow: hold back a trailing, maybe split, escape (or pair)
            tail = data.rfind(b"\\", max(0, len(data) - 12))
            if tail < 0:
                break
            while tail > 0 and data[tail - 1:tail] == b"\\":
                tail -= 1
            if tail > 0:
                self.carry, data = data[tail:], data[:tail]
                break
            more = self.raw.read(size)  # the whole read is one escape: read on
            if not more:
                break
            data += more
        self._check_structure(data)
        self.consumed += len(data)
        if b"\\ud" in data or b"\\uD" in data:  # a lone surrogate would fail the whole export
            data = _SURROGATE.sub(_keep_pairs, data)
        if b"\\x" not in data:  # the usual case: nothing to rewrite, skip the regex scan
            return data
        return BAD_ESCAPE.sub(rb"\1\\u00\2", data)

    def readinto(self, b: WriteableBuffer) -> int:
        # read() may give more than asked (a held-back escape, \xNN rewritten to \u00NN): the
        # rest waits for the next call instead of overflowing the caller's buffer
        view = memoryview(b).cast("B")
        if self.overflow:
            data, self.overflow = self.overflow, b""
        else:
            data = self.read(len(view))
        if len(data) > len(view):
            data, self.overflow = data[:len(view)], data[len(view):]
        view[:len(data)] = data
        return len(data)
