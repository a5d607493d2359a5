"""Dump parsing: ``parse_file(path)`` reads one dump, sniffs its format from the content (never
the file name) and returns a :class:`ParsedDump`. No click, no rich here."""

from __future__ import annotations

import os
import re
from typing import Callable

from typing import TYPE_CHECKING

from ..errors import DumpError, UnknownFormat

if TYPE_CHECKING:
    from .common import ParsedDump

# Bump when a parse rule changes: the library re-parses every dump whose records came from an
# older parser. (This package imports its format modules lazily: a search needs only this.)
PARSER_VERSION = 1

_Parser = Callable[[str, str], "ParsedDump"]


def parsers() -> dict[str, _Parser]:
    """Format name -> parse function ``(text, path) -> ParsedDump``."""
    from . import digest_text, telegram_text

    return {
        telegram_text.FORMAT_MIRROR: telegram_text.parse_mirror,
        digest_text.FORMAT_HABR: digest_text.parse_habr,
        digest_text.FORMAT_NUMBERED: digest_text.parse_numbered,
        telegram_text.FORMAT_CHANNEL: telegram_text.parse_channel,
    }


def detect_format(text: str) -> str | None:
    """The format name of a decoded dump, judged from its content, or ``None``.

    Order matters: a mirror page also holds a channel-style post, and a Habr digest also has
    numbered headings, so the more specific shapes are tried first.
    """
    from . import digest_text, telegram_text

    head = text[:200_000]
    lines = head.split("\n")
    if telegram_text.mirror_post_id(lines[:400]) and re.search(r"(?m)^\s*(Last Update:|Create:|BY )", head):
        return telegram_text.FORMAT_MIRROR
    if re.search(r"(?m)^\s*Авторы статьи\s*:", head) and re.search(r"(?m)^\s*Автор обзора\s*:", head):
        return digest_text.FORMAT_HABR
    if len(digest_text.numbered_headings(lines)) >= 2:
        return digest_text.FORMAT_NUMBERED
    if telegram_text.find_headers(lines):
        return telegram_text.FORMAT_CHANNEL
    if telegram_text.mirror_post_id(lines[:400]):
        return telegram_text.FORMAT_MIRROR
    return None


def parse_text(text: str, path: str, fmt: str | None = None) -> ParsedDump:
    """Parse decoded dump text. Raises :class:`UnknownFormat` when no format fits and
    :class:`DumpError` when the format fits but no review is found."""
    fmt = fmt or detect_format(text)
    if fmt is None:
        raise UnknownFormat(path, "no review found (not a supported digest or channel dump)")
    result = parsers()[fmt](text, path)
    if not result.reviews:
        raise DumpError(path, f"no review found (read as {fmt})")
    return result


def parse_file(path: str | os.PathLike, display_path: str | None = None) -> ParsedDump:
    """Read, decode, sniff and parse one dump file. ``display_path`` is what sources record
    (defaults to ``path``). Raises :class:`DumpError` with a one-line reason."""
    from .text import read_text

    name = display_path or os.fspath(path)
    try:
        text = read_text(path)
    except DumpError as exc:
        raise DumpError(name, exc.reason) from None
    return parse_text(text, name)


__all__ = ["PARSER_VERSION", "detect_format", "parse_file", "parse_text", "parsers"]
