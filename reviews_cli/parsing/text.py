"""Decoding dumps: bytes -> str with ``\\n`` line ends.

Accepted: UTF-8 with or without BOM, UTF-16 (LE/BE) with BOM, and any other text encoding the
maintained detector charset-normalizer recognizes (cp1251 and KOI8-R for old Russian saves).
Text that is mostly UTF-8 stays UTF-8: a few invalid bytes (a truncated copy, one bad paste) are
replaced with U+FFFD and counted, never taken as a sign the whole file is cp1251. A file with NUL
bytes and no UTF-16 BOM is refused as binary. CRLF and lone CR become LF. Callers split lines
with ``text.split("\\n")`` only, never ``str.splitlines()``, so ``\\x1c``, ``\\x85`` or ``\\u2028``
inside a post never split it.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import NamedTuple

from ..errors import DumpError

MAX_DUMP_BYTES = 512 * 1024 * 1024
# Invalid UTF-8 sequences per byte below which a file is UTF-8 with damage, not another encoding.
MOSTLY_UTF8 = 0.01


class Decoded(NamedTuple):
    """Decoded dump text, the ``encoding`` it was read in, and how many invalid byte sequences
    were ``replaced`` by U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0

    def note(self) -> str | None:
        """What the report says about the decoding, or ``None`` when it was plain UTF-8."""
        if self.replaced:
            return f"{self.replaced} invalid byte sequence(s) replaced"
        if self.encoding not in ("utf-8", "utf-8-sig", "utf-16"):
            return f"decoded as {self.encoding}"
        return None


def decode_dump(data: bytes, path: str = "<bytes>") -> Decoded:
    """Decode dump bytes (see the module docstring). Raises :class:`DumpError` for empty,
    binary or undecodable content."""
    if not data.strip():
        raise DumpError(path, "empty file")
    replaced = 0
    if data.startswith(codecs.BOM_UTF8):
        text, replaced = _utf8(data[len(codecs.BOM_UTF8):])
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DumpError(path, f"broken UTF-16 text at byte {exc.start}") from None
        encoding = "utf-16"
    elif b"\x00" in data:
        raise DumpError(path, "binary file (contains NUL bytes), not a text dump")
    else:
        text, replaced = _utf8(data)
        encoding = "utf-8"
        if replaced > max(1, MOSTLY_UTF8 * len(data)):
            other = _detect(data)
            if other is None:
                raise DumpError(path, f"not UTF-8 ({replaced} invalid sequences) and no other text encoding fits")
            (text, encoding), replaced = other, 0
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DumpError(path, "empty file")
    return Decoded(text, encoding, replaced)


def decode(data: bytes, path: str = "<bytes>") -> str:
    """:func:`decode_dump`'s text."""
    return decode_dump(data, path).text


def _utf8(data: bytes) -> tuple[str, int]:
    """UTF-8 text with invalid sequences replaced by U+FFFD, and how many there were (the
    U+FFFD the file itself holds are not counted)."""
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, text.count("\ufffd") - data.count("\ufffd".encode())


def _detect(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` in the encoding charset-normalizer finds most plausible (judged on
    the first megabyte), or ``None``."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        return None
    try:
        return data.decode(best.encoding), best.encoding.replace("_", "-")
    except (UnicodeDecodeError, LookupError):
        return None


def _os_error(name: str, exc: OSError) -> DumpError:
    """The one-line error for a file the system would not let us read."""
    if isinstance(exc, FileNotFoundError):
        return DumpError(name, "no such file")
    if isinstance(exc, PermissionError):
        return DumpError(name, "permission denied")
    return DumpError(name, exc.strerror or "cannot be read")


def check_regular(path: str, name: str | None = None) -> None:
    """Refuse, before opening it, anything but a regular file: reading a FIFO blocks until a
    writer comes, and a device such as ``/dev/zero`` never ends. Raises :class:`DumpError`
    (``no such file``, ``permission denied``, ``not a regular file (a FIFO)``…)."""
    import stat

    name = name or path
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _os_error(name, exc) from None
    if stat.S_ISDIR(mode):
        raise DumpError(name, "is a directory, not a dump file")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise DumpError(name, f"not a regular file ({kind})")


def read_text(path: str | Path) -> str:
    """:func:`read_dump`'s text."""
    return read_dump(path).text


def read_dump(path: str | Path) -> Decoded:
    """Read and decode one dump file.

    Raises :class:`DumpError` (with a one-line reason) when the path is missing, is a directory,
    cannot be read, is larger than 512 MiB, is empty, or is binary.
    """
    p = Path(path)
    name = str(path)
    check_regular(name)
    try:
        size = p.stat().st_size
        if size > MAX_DUMP_BYTES:
            raise DumpError(name, f"too large ({size} bytes; the limit is {MAX_DUMP_BYTES})")
        data = p.read_bytes()
    except OSError as exc:
        raise _os_error(name, exc) from None
    return decode_dump(data, name)


def head_bytes(path: str, size: int = 65536) -> bytes | None:
    """The first ``size`` bytes of a regular file; ``None`` for anything else (a FIFO would
    block, a device never end) or a file that cannot be read."""
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as f:
            return f.read(size)
    except OSError:
        return None


def decode_head(data: bytes) -> str:
    """The first bytes of a dump decoded leniently, for sniffing only: UTF-16 when it starts
    with its BOM, else UTF-8 with bad bytes replaced."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data[: len(data) // 2 * 2].decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def read_head(path: str, size: int = 65536) -> str:
    """The first ``size`` bytes of a file, decoded leniently (for sniffing only); ``""`` when it
    cannot be read (:func:`read_text` then says why)."""
    data = head_bytes(path, size)
    return decode_head(data) if data else ""
