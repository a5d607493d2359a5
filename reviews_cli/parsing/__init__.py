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
PARSER_VERSION = 2

_Parser = Callable[[str, str], "ParsedDump"]


def parsers(channel: str | None = None) -> dict[str, _Parser]:
    """Format name -> parse function ``(text, path) -> ParsedDump`` for the formats read from
    decoded text (``telegram-export-json`` is streamed from the file instead). ``channel`` is
    the channel's username where the format does not carry it (Telegram Desktop exports)."""
    from . import digest_text, telegram_export, telegram_text, web_html

    return {
        telegram_text.FORMAT_MIRROR: telegram_text.parse_mirror,
        digest_text.FORMAT_HABR: digest_text.parse_habr,
        digest_text.FORMAT_NUMBERED: digest_text.parse_numbered,
        telegram_text.FORMAT_CHANNEL: telegram_text.parse_channel,
        web_html.FORMAT_TGME: web_html.parse_tgme,
        web_html.FORMAT_HABR_HTML: web_html.parse_habr_page,
        telegram_export.FORMAT_HTML: lambda text, path: telegram_export.parse_html(text, path, channel),
    }


def detect_format(text: str) -> str | None:
    """The format name of a decoded dump, judged from its content, or ``None``.

    Order matters: a mirror page also holds a channel-style post, and a Habr digest also has
    numbered headings, so the more specific shapes are tried first.
    """
    from . import digest_text, telegram_export, telegram_text, web_html

    head = text[:200_000]
    low = head[:20_000].lower()
    if "<html" in low or "<!doctype html" in low or "<div" in low:
        if "tgme_widget_message" in head:
            return web_html.FORMAT_TGME
        if 'class="message' in head and ("page_wrap" in head or 'class="history"' in head):
            return telegram_export.FORMAT_HTML
        if "tm-article" in head or "post__text" in head or "habr.com" in low:
            return web_html.FORMAT_HABR_HTML
        return None
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


def parse_text(text: str, path: str, fmt: str | None = None, channel: str | None = None) -> ParsedDump:
    """Parse decoded dump text. Raises :class:`UnknownFormat` when no format fits and
    :class:`DumpError` when the format fits but no review is found."""
    fmt = fmt or detect_format(text)
    if fmt is None:
        raise UnknownFormat(path, "no review found (not a supported digest, channel dump or export)")
    return _checked(parsers(channel)[fmt](text, path))


def _checked(result: ParsedDump) -> ParsedDump:
    """A dump with no review is an error, unless its posts were read and each skipped with a
    reason (an export page of announcements): that is a normal dump with nothing to index."""
    if not result.reviews and not result.skipped:
        raise DumpError(result.path, f"no review found (read as {result.format})")
    return result


def looks_like_json_export(head: bytes) -> bool:
    """Whether the first bytes of a file are a Telegram Desktop JSON export's."""
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return h.startswith(b"{") and (b'"messages"' in head or b'"chats"' in head or b'"personal_information"' in head)


def expand_inputs(paths: list[str]) -> list[str]:
    """Paths as given, with a Telegram Desktop export folder replaced by its export files
    (``result.json``, or ``messages.html``, ``messages2.html``, … in order). Any other folder
    stays as it is, for :func:`parse_file` to refuse."""
    from .telegram_export import export_files

    out = []
    for p in paths:
        files = export_files(p) if os.path.isdir(p) else []
        out += files or [p]
    return out


def parse_file(path: str | os.PathLike, display_path: str | None = None, channel: str | None = None) -> ParsedDump:
    """Read, sniff and parse one dump file (a Telegram Desktop JSON export is streamed, every
    other format decoded first). ``display_path`` is what sources record (defaults to
    ``path``); ``channel`` the channel's username for exports that lack it. Raises
    :class:`DumpError` with a one-line reason."""
    from .text import read_text

    path = os.fspath(path)
    name = display_path or path
    if os.path.isdir(path):
        raise DumpError(name, "is a directory with no Telegram export (result.json or messages.html) in it")
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        head = b""
    if looks_like_json_export(head):
        from .telegram_export import parse_json

        return _checked(parse_json(path, name, channel))
    try:
        text = read_text(path)
    except DumpError as exc:
        raise DumpError(name, exc.reason) from None
    if text.lstrip().startswith(("{", "[")):
        raise DumpError(name, "JSON, but not a Telegram Desktop export (no \"messages\" or \"chats\")")
    return parse_text(text, name, channel=channel)


__all__ = ["PARSER_VERSION", "detect_format", "expand_inputs", "looks_like_json_export", "parse_file", "parse_text",
           "parsers"]
