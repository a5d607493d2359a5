"""Dump parsing: ``parse_file(path)`` reads one dump, sniffs its format from the content (never
the file name) and returns a :class:`ParsedDump`. No click, no rich here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from ..errors import DumpError, UnknownFormat
from . import digest_text, telegram_text
from .common import ParsedDump, Skipped
from .text import decode, read_text

# Bump when a parse rule changes: the library re-parses every dump whose records came from an
# older parser.
PARSER_VERSION = 1

_Parser = Callable[[str, str], ParsedDump]

PARSERS: dict[str, _Parser] = {
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
    result = PARSERS[fmt](text, path)
    if not result.reviews:
        raise DumpError(path, f"no review found (read as {fmt})")
    return result


def parse_file(path: str | Path, display_path: str | None = None) -> ParsedDump:
    """Read, decode, sniff and parse one dump file. ``display_path`` is what sources record
    (defaults to ``path``). Raises :class:`DumpError` with a one-line reason."""
    name = display_path or str(path)
    try:
        text = read_text(path)
    except DumpError as exc:
        raise DumpError(name, exc.reason) from None
    return parse_text(text, name)


__all__ = ["PARSER_VERSION", "ParsedDump", "Skipped", "decode", "detect_format", "parse_file",
           "parse_text", "read_text"]
