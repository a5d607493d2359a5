"""Dump parsing: one path for every format.

``parse_file(path)`` reads a dump, sniffs its format from the content (never the file name, see
:mod:`.detect`), lets the format's container cut it into posts, and runs every post through the
one recognizer (:mod:`.recognize`) that decides whether it reviews papers and extracts the fields.
:func:`open_dump` gives the same posts lazily (a large Telegram export streams), and
:func:`recognize_posts` turns a batch of them into reviews, so the library can spread that work
over worker processes. Every exception a container or the recognizer raises on bad input is
mapped to a one-line :class:`DumpError` in one place, :func:`dump_errors`. No click, no rich here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from ..errors import DumpError, UnknownFormat

if TYPE_CHECKING:
    from ..models import Review
    from .common import ParsedDump, Skipped
    from .detect import DumpSource, Format, PostIterator
    from .post import Post

# Bump when a parse rule changes: the library re-parses every dump whose records came from an
# older parser. (This package imports its format modules lazily: a search needs only this.)
PARSER_VERSION = 3


@contextmanager
def dump_errors(name: str) -> Iterator[None]:
    """Map anything reading dump ``name`` raises on bad input to one :class:`DumpError` naming
    it: the one place parser exceptions become one-line errors (in memory and streamed alike)."""
    try:
        yield
    except DumpError as exc:
        raise DumpError(name, exc.reason) from None
    except MemoryError:
        raise DumpError(name, "too large to read into memory") from None
    except RecursionError:
        raise DumpError(name, "nested too deeply") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, AssertionError, UnicodeError,
            NotImplementedError, OverflowError) as exc:
        msg = " ".join(str(exc).split())[:120]
        raise DumpError(name, f"cannot be read ({type(exc).__name__}: {msg})" if msg else
                        f"cannot be read ({type(exc).__name__})") from None
    except Exception as exc:  # a parser library's own error class (ijson, html.parser …)
        if type(exc).__module__.split(".")[0] in ("ijson", "bs4", "_markupbase", "html"):
            msg = " ".join(str(exc).split())[:120]
            raise DumpError(name, f"cannot be read ({msg})") from None
        raise


_T = TypeVar("_T")


def guarded(items: Iterable[_T], name: str) -> Iterator[_T]:
    """``items`` with every error raised while iterating mapped by :func:`dump_errors`."""
    with dump_errors(name):
        yield from items


class Dump:
    """An opened dump: its ``format`` name, ``origin`` (channel or site title, when the dump
    names it) and ``posts``, an iterator of :class:`Post` and :class:`Skipped` that raises only
    :class:`DumpError` while it is consumed."""

    def __init__(self, fmt: Format, source: DumpSource, posts: PostIterator) -> None:
        self.format = fmt.name
        self.spec = fmt
        self.source = source
        self.posts = posts

    @property
    def origin(self) -> str | None:
        origin: str | None = self.source.origin
        return origin


def open_dump(path: str | os.PathLike[str], display_path: str | None = None, channel: str | None = None) -> Dump:
    """Open one dump file: decide its format and start its container. A Telegram Desktop JSON
    export is streamed from the file; every other format is decoded first. ``display_path`` is
    what sources and errors call it (defaults to ``path``); ``channel`` the channel's username for
    exports that lack it. Raises :class:`DumpError` (or :class:`UnknownFormat`) with a one-line
    reason; reading the posts raises only :class:`DumpError`."""
    from .common import Skipped
    from .detect import DumpSource, refusal, sniff
    from .text import check_regular, read_dump, read_head

    path = os.fspath(path)
    name = display_path or path
    with dump_errors(name):
        if os.path.isdir(path):
            raise DumpError(name, "is a directory with no Telegram export (result.json or messages.html) in it")
        check_regular(path, name)
        head = read_head(path)
        fmt = sniff(head) if head.lstrip().startswith("{") else None
        source = DumpSource(path=path, name=name, channel=channel)
        if fmt is None or not fmt.streamed:
            decoded = read_dump(path)
            source.text = decoded.text
            source.notes += [n for n in (decoded.note(),) if n]
            fmt = sniff(source.text)
        if fmt is None:
            raise UnknownFormat(name, refusal(source.text or head))
        posts = guarded(fmt.iter_posts(source), name)
        # a container names its origin before its first post; read up to that point now
        buffered: list[Post | Skipped] = []
        for item in posts:
            buffered.append(item)
            if source.origin is not None or not isinstance(item, Skipped):
                break
    return Dump(fmt, source, _chain(buffered, posts))


def _chain(first: list[_T], rest: Iterator[_T]) -> Iterator[_T]:
    yield from first
    yield from rest


def recognize_posts(items: Iterable[Post | Skipped], name: str, fmt: str) -> tuple[list[Review], list[Skipped]]:
    """Run the recognizer over posts of dump ``name`` (format ``fmt``): ``(reviews, skipped)``,
    each in post order. :class:`Skipped` items from the container pass through."""
    from .common import Skipped, build_review
    from .recognize import recognize

    reviews: list[Review] = []
    skipped: list[Skipped] = []
    with dump_errors(name):
        for item in items:
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            drafts, reason = recognize(item)
            if reason:
                skipped.append(Skipped(item.where, reason))
            reviews += [build_review(d, name, fmt) for d in drafts]
    return reviews, skipped


def parse_file(path: str | os.PathLike[str], display_path: str | None = None, channel: str | None = None) -> ParsedDump:
    """Read, sniff and parse one dump file into a :class:`ParsedDump`. Raises :class:`DumpError`
    with a one-line reason when the file cannot be read or holds no review."""
    from .common import ParsedDump

    dump = open_dump(path, display_path, channel)
    reviews, skipped = recognize_posts(dump.posts, dump.source.name, dump.format)
    return _checked(ParsedDump(dump.source.name, dump.format, reviews, skipped, dump.origin, dump.source.notes),
                    dump.spec)


def parse_text(text: str, path: str, fmt: str | None = None, channel: str | None = None) -> ParsedDump:
    """Parse decoded dump text (any format but the streamed JSON export). Raises
    :class:`UnknownFormat` when no format fits and :class:`DumpError` when no review is found."""
    from .common import ParsedDump
    from .detect import BY_NAME, DumpSource, refusal, sniff

    spec = BY_NAME[fmt] if fmt else sniff(text)
    if spec is None or spec.streamed:
        raise UnknownFormat(path, refusal(text))
    source = DumpSource(path=path, name=path, channel=channel, text=text)
    reviews, skipped = recognize_posts(guarded(spec.iter_posts(source), path), path, spec.name)
    return _checked(ParsedDump(path, spec.name, reviews, skipped, source.origin), spec)


def detect_format(text: str) -> str | None:
    """The format name of decoded dump text, judged from its content, or ``None``."""
    from .detect import sniff

    spec = sniff(text)
    return spec.name if spec else None


def _checked(result: ParsedDump, spec: Format) -> ParsedDump:
    """A dump with no review is an error, unless its container keeps posts apart and every post
    was read and skipped with a reason (an export page of announcements): that is a normal dump
    with nothing to index."""
    if not result.reviews and not (spec.posts_apart and result.skipped):
        why = ""
        if result.skipped:
            reasons = sorted({s.reason.split(" (")[0] for s in result.skipped})
            why = f"; {len(result.skipped)} post(s) skipped: {', '.join(reasons)[:100]}"
        raise DumpError(result.path, f"no review found (read as {result.format}{why})")
    return result


def looks_like_json_export(head: bytes) -> bool:
    """Whether the first bytes of a file are a Telegram Desktop JSON export's."""
    from .detect import BY_NAME

    return BY_NAME["telegram-export-json"].sniff(head.decode("utf-8", errors="replace"))


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


__all__ = ["PARSER_VERSION", "Dump", "detect_format", "dump_errors", "expand_inputs", "guarded",
           "looks_like_json_export", "open_dump", "parse_file", "parse_text", "recognize_posts"]
