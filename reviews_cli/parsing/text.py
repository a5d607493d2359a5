"""Decoding dumps: bytes -> str with ``\\n`` line ends.

Accepted: UTF-8 with or without BOM, UTF-16 (LE/BE) with BOM, and cp1251 (the legacy Windows
Cyrillic code page, used when the bytes are not valid UTF-8). A file with NUL bytes and no UTF-16
BOM is refused as binary. CRLF and lone CR become LF. Callers split lines with ``text.split("\\n")``
only, never ``str.splitlines()``, so ``\\x1c``, ``\\x85`` or ``\\u2028`` inside a post never split it.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from ..errors import DumpError

MAX_DUMP_BYTES = 512 * 1024 * 1024


def decode(data: bytes, path: str = "<bytes>") -> str:
    """Decode dump bytes. Raises :class:`DumpError` for empty or binary content."""
    if not data.strip():
        raise DumpError(path, "empty file")
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DumpError(path, f"broken UTF-16 text at byte {exc.start}") from None
    elif b"\x00" in data:
        raise DumpError(path, "binary file (contains NUL bytes), not a text dump")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1251", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DumpError(path, "empty file")
    return text


def check_regular(path: str, name: str | None = None) -> None:
    """Refuse, before opening it, anything but a regular file: reading a FIFO blocks until a
    writer comes, and a device such as ``/dev/zero`` never ends. Raises :class:`DumpError`
    (``no such file``, ``permission denied``, ``not a regular file (a FIFO)``…)."""
    import stat

    name = name or path
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise DumpError(name, "no such file") from None
    except PermissionError:
        raise DumpError(name, "permission denied") from None
    except OSError as exc:
        raise DumpError(name, exc.strerror or "cannot be read") from None
    if stat.S_ISDIR(mode):
        raise DumpError(name, "is a directory, not a dump file")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise DumpError(name, f"not a regular file ({kind})")


def read_text(path: str | Path) -> str:
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
    except FileNotFoundError:
        raise DumpError(name, "no such file") from None
    except PermissionError:
        raise DumpError(name, "permission denied") from None
    except OSError as exc:
        raise DumpError(name, exc.strerror or "cannot be read") from None
    return decode(data, name)


def read_head(path: str, size: int = 65536) -> str:
    """The first ``size`` bytes of a file, decoded leniently (for sniffing only); ``""`` when it
    cannot be read (:func:`read_text` then says why)."""
    try:
        with open(path, "rb") as f:
            data = f.read(size)
    except OSError:
        return ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ""
    return data.decode("utf-8", errors="replace")
