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
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, TypeVar

from ..errors import DumpError, UnknownFormat
from ..models import PARSER_VERSION  # there, so opening the library need not import this package

if TYPE_CHECKING:
    from ..models import Review
    from .common import ParsedDump, Skipped
    from .detect import DumpSource, Format, PostIterator
    from .post import Post
    from .recognize import Explanation


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
        fmt = sniff(head)  # a streamed format (JSON, CSV) is read from the file, never decoded whole
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
    each in post order. :class:`Skipped` items from the container pass through. Posts are
    recognized a window at a time so the dump's layout can inform its posts."""
    from .common import Skipped, build_review
    from .recognize import recognize_stream

    reviews: list[Review] = []
    skipped: list[Skipped] = []
    with dump_errors(name):
        for item in recognize_stream(items):
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            post, drafts, reason = item
            if reason:
                skipped.append(Skipped(post.where, reason))
            reviews += [build_review(d, name, fmt) for d in drafts]
    return reviews, skipped


def explain_file(path: str | os.PathLike[str], display_path: str | None = None,
                 channel: str | None = None) -> list[Explanation]:
    """Why each post of one dump was or was not taken as a review (``reviews parse --explain``):
    one :class:`~reviews_cli.parsing.recognize.Explanation` per post, in order, decided exactly
    as :func:`parse_file` decides (the same windows, so the same layout). Raises
    :class:`DumpError` like :func:`parse_file`."""
    from .recognize import explain_stream

    dump = open_dump(path, display_path, channel)
    with dump_errors(dump.source.name):
        return list(explain_stream(dump.posts))


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


STDIN = "-"
STDIN_NAME = "<stdin>"
# How much of a file in a walked folder is read to decide whether it is a dump.
WALK_HEAD_BYTES = 65536


class FolderScan(NamedTuple):
    """What walking one folder found: the ``folder`` as given, how many dumps it holds
    (``found``; a Telegram Desktop export's files are one dump) and how many
    other files were ``skipped`` (not a supported dump, hidden, binary, not a regular file)."""

    folder: str
    found: int
    skipped: int

    def summary(self) -> str:
        """``"12 dumps found, 30 other files skipped"``."""
        dumps = "1 dump" if self.found == 1 else f"{self.found} dumps"
        other = "1 other file" if self.skipped == 1 else f"{self.skipped} other files"
        return f"{dumps} found, {other} skipped"


class Inputs(NamedTuple):
    """The dump files a command line names, in order (``-`` stays as it is: standard input),
    and one :class:`FolderScan` per folder that was walked."""

    files: list[str]
    scans: list[FolderScan]


def expand_inputs(paths: list[str]) -> list[str]:
    """:func:`collect_inputs`'s files."""
    return collect_inputs(paths).files


def collect_inputs(paths: list[str]) -> Inputs:
    """The dump files behind command-line paths, in order. A file (or ``-``) stays as it is. A
    Telegram Desktop export folder becomes its export files (``result.json``, or
    ``messages.html``, ``messages2.html``, … in order), as it always did. Any other folder is
    walked recursively (sorted; hidden entries skipped; symlinked folders not followed, so no
    loop) and gives the files whose first bytes sniff as a supported dump (see
    :func:`sniff_dump_head`), an export folder inside it its export files; the rest are counted
    as skipped. Never raises: an unreadable folder entry is skipped, a missing path stays for the
    parser to refuse with its one-line error."""
    files: list[str] = []
    scans: list[FolderScan] = []
    for p in paths:
        if p == STDIN or not os.path.isdir(p):
            files.append(p)
            continue
        export = _export_folder(p)
        if export:
            files += export
            continue
        found, dumps, skipped = _walk(p)
        files += found
        scans.append(FolderScan(p, dumps, skipped))
    return Inputs(files, scans)


def _export_folder(folder: str) -> list[str]:
    """The export files of ``folder`` when it is a Telegram Desktop export (its ``result.json``
    or ``messages.html`` sniffs as one), else ``[]``."""
    from .detect import BY_NAME
    from .telegram_export import export_files

    try:
        files = export_files(folder)
    except OSError:
        return []
    if not files:
        return []
    from .text import read_head

    text = read_head(files[0], WALK_HEAD_BYTES)
    kinds = ("telegram-export-json", "telegram-export-html")
    return files if any(BY_NAME[k].sniff(text) for k in kinds) else []


def _walk(root: str) -> tuple[list[str], int, int]:
    """``(dump files, dumps, other files skipped)`` under ``root``; an export's files are one dump."""
    found: list[str] = []
    dumps = skipped = 0
    for folder, dirs, names in _folders(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        hidden = [n for n in names if n.startswith(".")]
        skipped += len(hidden)
        if folder != root:
            export = _export_folder(folder)
            if export:  # its media folders and pages belong to that one export
                found += export
                dumps += 1
                dirs[:] = []
                continue
        for name in sorted(n for n in names if not n.startswith(".")):
            path = os.path.join(folder, name)
            if sniff_dump_head(path):
                found.append(path)
                dumps += 1
            else:
                skipped += 1
    return found, dumps, skipped


def _folders(root: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(root)`` top-down (the caller may prune ``dirs``), with a stack instead of
    recursion: on Python 3.11 os.walk recursed once per level, and a folder nested ~1,000 deep
    raised RecursionError. Symlinked folders are listed but never entered (no loops); an
    unreadable folder is skipped."""
    stack = [root]
    while stack:
        folder = stack.pop()
        dirs: list[str] = []
        names: list[str] = []
        links: set[str] = set()
        try:
            with os.scandir(folder) as entries:
                for e in entries:
                    try:
                        is_dir = e.is_dir()
                        if is_dir and e.is_symlink():
                            links.add(e.name)
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else names).append(e.name)
        except OSError:
            continue
        yield folder, dirs, names
        stack += [os.path.join(folder, d) for d in reversed(dirs) if d not in links]


def sniff_dump_head(path: str) -> str | None:
    """The format of a file judged from its first :data:`WALK_HEAD_BYTES` bytes (an HTML page
    up to ``detect.HTML_SNIFF_CHARS``, as the HTML sniffers look that far), or ``None``
    when it is not a dump: not a regular file, empty, binary (NUL bytes without a UTF-16 BOM),
    no format fits, or only the catch-all copied-text format fits and the recognizer finds no
    review in the head (a README, notes, a licence)."""
    import codecs

    from .text import decode_head, head_bytes, read_head

    data = head_bytes(path, WALK_HEAD_BYTES)
    if not data or not data.strip():
        return None
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    text = decode_head(data)
    fmt = _sniff_text(text, path)
    if fmt is None and len(data) == WALK_HEAD_BYTES:
        from .detect import HTML_SNIFF_CHARS, _html

        if _html(text):  # a page saved with its styles inlined: its posts come later
            more = read_head(path, HTML_SNIFF_CHARS)
            fmt = _sniff_text(more, path) if more else None
    return fmt


def _sniff_text(text: str, name: str) -> str | None:
    from .detect import FORMATS, sniff

    fmt = sniff(text)
    if fmt is None:
        return None
    if fmt is not FORMATS[-1]:
        return fmt.name
    # any text fits the catch-all: take it only when a review is recognized in it
    try:
        parsed = parse_text(text, name, fmt.name)
    except DumpError:
        return None
    return fmt.name if parsed.reviews else None


def spool_stdin(out: BinaryIO, stream: BinaryIO | None = None, limit: int | None = None) -> tuple[bytes, str]:
    """Copy standard input (``sys.stdin.buffer`` unless ``stream`` is given) to ``out`` a chunk
    at a time, with the size cap files have (``parsing.text.MAX_DUMP_BYTES`` unless ``limit``):
    memory holds one chunk, not the dump. Returns its first :data:`WALK_HEAD_BYTES` bytes and
    its sha256 (hex). Raises :class:`DumpError` named ``<stdin>`` when it is larger than the
    cap or cannot be read (or written out)."""
    import hashlib
    import sys

    from .text import MAX_DUMP_BYTES

    cap = MAX_DUMP_BYTES if limit is None else limit
    src = stream if stream is not None else sys.stdin.buffer
    digest = hashlib.sha256()
    head = b""
    got = 0
    try:
        while got <= cap:
            chunk = src.read(min(1 << 20, cap + 1 - got))
            if not chunk:
                break
            got += len(chunk)
            if got > cap:
                break
            if len(head) < WALK_HEAD_BYTES:
                head += chunk[:WALK_HEAD_BYTES - len(head)]
            digest.update(chunk)
            out.write(chunk)
    except OSError as exc:
        raise DumpError(STDIN_NAME, exc.strerror or "cannot be read") from None
    if got > cap:
        raise DumpError(STDIN_NAME, f"too large (more than {cap} bytes; the limit is {cap})")
    return head, digest.hexdigest()


def stdin_file_name(head: bytes, sha256: str) -> str:
    """The name standard input gets in the library: ``stdin-<first 8 hex of its sha256>`` with
    an extension from the format its ``head`` sniffs as (``.json``, ``.html``, else ``.txt``)."""
    from .detect import sniff
    from .text import decode_head

    fmt = sniff(decode_head(head))
    ext = "json" if fmt and fmt.name.endswith("json") else "html" if fmt and fmt.name.endswith("html") else "txt"
    return f"stdin-{sha256[:8]}.{ext}"


class Spooled(NamedTuple):
    """Command-line dump files with ``-`` replaced by a temporary file holding standard input:
    ``files`` in order, ``temp`` that file (``None`` when ``-`` was not given or could not be
    read), ``name`` the name it gets in a library (:func:`stdin_file_name`), ``error`` the
    one-line :class:`DumpError` when standard input could not be read (``-`` is then left out)."""

    files: list[str]
    temp: str | None
    name: str | None
    error: DumpError | None

    def display(self, path: str) -> str:
        """What messages call ``path``: ``<stdin>`` for the temporary file, else the path."""
        return STDIN_NAME if path == self.temp else path


@contextmanager
def stdin_spooled(files: list[str], stream: BinaryIO | None = None) -> Iterator[Spooled]:
    """:class:`Spooled` for ``files``; standard input (or ``stream``) is read once, capped as
    :func:`spool_stdin` does, into a temporary file deleted on exit, so every reader of dump
    files (streaming, sniffing, copying) takes it unchanged. Raises :class:`UsageError` when
    ``-`` is given more than once."""
    import tempfile

    from ..errors import UsageError

    if files.count(STDIN) > 1:
        raise UsageError("standard input ('-') can be read only once")
    if STDIN not in files:
        yield Spooled(list(files), None, None, None)
        return
    fd, temp = tempfile.mkstemp(prefix="reviews-stdin-")
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                head, sha = spool_stdin(f, stream)
        except DumpError as exc:
            yield Spooled([f for f in files if f != STDIN], None, None, exc)
            return
        yield Spooled([temp if f == STDIN else f for f in files], temp, stdin_file_name(head, sha), None)
    finally:
        with suppress(OSError):
            os.unlink(temp)


__all__ = [
    "PARSER_VERSION",
    "STDIN",
    "STDIN_NAME",
    "Dump",
    "FolderScan",
    "Inputs",
    "Spooled",
    "collect_inputs",
    "detect_format",
    "dump_errors",
    "expand_inputs",
    "explain_file",
    "guarded",
    "looks_like_json_export",
    "open_dump",
    "parse_file",
    "parse_text",
    "recognize_posts",
    "sniff_dump_head",
    "spool_stdin",
    "stdin_file_name",
    "stdin_spooled",
]
