"""Ingest: parsing many dumps into the rows the index stores, on a worker pool when they are
large, streaming a large Telegram export chunk by chunk. Workers die with this process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar, cast, overload

from ..errors import DumpError
from ..models import Review

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

    from typing_extensions import TypeVarTuple, Unpack

    from ..parsing.common import Skipped
    from ..parsing.post import Post

    _Args = TypeVarTuple("_Args")

_T = TypeVar("_T")
_A = TypeVar("_A")

# A parsed post as the parse cache stores it: (id, arxiv_id, paper_url, title_key, record_json).
PostRow = tuple[str, str | None, str | None, str, str]
# A post that is not a review: (where, why).
SkipRow = tuple[str, str]


class Parsed(NamedTuple):
    """A parsed dump as the parse cache stores it: ``posts`` are rows
    ``(id, arxiv_id, paper_url, title_key, record_json)``; ``skipped`` the posts that are not
    reviews as ``(where, why)``; ``error`` is set when the dump could not be read."""

    format: str | None
    origin: str | None
    posts: Iterable[PostRow]  # a list, or for a streamed dump an iterator
    skipped: list[SkipRow]
    error: str | None
    notes: tuple[str, ...] = ()


def title_key(title: str) -> str:
    """What the merge compares titles by: folded words, joined by spaces."""
    from .. import textnorm as tn

    return " ".join(tn.words(title))


# A folded title shorter than this is too generic to say two posts review one paper.
MIN_TITLE_KEY = 12


def merge_keys(arxiv_id: str | None, paper_url: str | None, tkey: str | None) -> list[str]:
    """What says two posts review the same paper (any key in common): its arXiv id, its
    normalized paper URL, its folded title (:func:`title_key`, when at least
    :data:`MIN_TITLE_KEY` characters long)."""
    keys: list[str] = []
    if arxiv_id:
        keys.append("arxiv:" + arxiv_id)
    if paper_url:
        keys.append("url:" + paper_url)
    if tkey and len(tkey) >= MIN_TITLE_KEY:
        keys.append("title:" + tkey)
    return keys


def post_row(r: Review) -> PostRow:
    """A record as the parse cache stores it: ``(id, arxiv_id, paper_url, title_key, json)``,
    the paper URL normalized and the title folded as :func:`merge_keys` compares them."""
    from ..extract import normalize_url

    return (r.id, r.arxiv_id, normalize_url(r.paper_url) if r.paper_url else None, title_key(r.title),
            json.dumps(r.to_dict(), ensure_ascii=False))


def paper_keys(r: Review) -> list[str]:
    """:func:`merge_keys` of a record: what the index merges it with other posts by."""
    _, arxiv_id, url, tkey, _ = post_row(r)
    return merge_keys(arxiv_id, url, tkey)


def parse_one(path: str, name: str, channel: str | None = None) -> Parsed:
    """Parse one dump into the stored form; a :class:`DumpError` becomes the error field. A
    large Telegram Desktop JSON export comes back with its posts as a lazy iterator."""
    from ..parsing import parse_file

    if streamed(path):
        return stream_dump(path, name, channel)
    try:
        parsed = parse_file(path, display_path=name, channel=channel)
    except DumpError as exc:
        return Parsed(None, None, [], [], exc.reason)
    return Parsed(parsed.format, parsed.origin, [post_row(r) for r in parsed.reviews],
                  [(s.where, s.reason) for s in parsed.skipped], None, tuple(parsed.notes))


# Exports at least this large are streamed into the index rather than parsed in memory (from
# 4 MB on streaming is as fast and its peak memory stays flat: bench/export_memory.py).
STREAM_MIN_BYTES = 4 * 1024 * 1024
CHUNK = 500


def streamed(path: str) -> bool:
    """Whether a dump is a Telegram Desktop JSON export large enough to stream, judged by its
    size and content (never its name), the one rule :func:`_parse_one` and :func:`parse_iter`
    share: a streamed dump yields a generator, which cannot come back from a worker process."""
    from ..parsing import looks_like_json_export

    try:
        if not os.path.isfile(path) or os.path.getsize(path) < STREAM_MIN_BYTES:
            return False
        with open(path, "rb") as f:
            return looks_like_json_export(f.read(65536))
    except OSError:
        return False


def stream_dump(path: str, name: str, channel: str | None) -> Parsed:
    """A large dump: its container's posts read in this process, recognized on a worker pool in
    chunks, post rows yielded as they come, ``skipped`` filled as the rows are consumed. Errors
    are the parser's own one-line :class:`DumpError` (see ``parsing.dump_errors``)."""
    from ..parsing import open_dump

    try:
        dump = open_dump(path, name, channel)
    except DumpError as exc:
        return Parsed(None, None, [], [], exc.reason)
    skipped: list[SkipRow] = []
    fmt = dump.format

    def chunks() -> Iterator[tuple[list[Post | Skipped], str, str]]:
        chunk: list[Post | Skipped] = []
        for post in dump.posts:
            chunk.append(post)
            if len(chunk) >= CHUNK:
                yield chunk, name, fmt
                chunk = []
        if chunk:
            yield chunk, name, fmt

    def rows() -> Iterator[PostRow]:
        workers = os.cpu_count() or 1
        results = pool_map(_recognize_chunk, chunks(), workers, star=True) if workers > 1 else \
            (_recognize_chunk(*c) for c in chunks())
        for chunk_rows, skips in results:
            skipped.extend(skips)
            yield from chunk_rows

    return Parsed(fmt, dump.origin, rows(), skipped, None)


def _recognize_chunk(posts: list[Post | Skipped], name: str, fmt: str) -> tuple[list[PostRow], list[SkipRow]]:
    """Worker: post rows and skips for a chunk of posts."""
    from ..parsing import recognize_posts

    reviews, skips = recognize_posts(posts, name, fmt)
    return [post_row(r) for r in reviews], [(s.where, s.reason) for s in skips]


# Below this much input, a worker pool costs more than it saves.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


def parse_iter(paths: list[str], names: list[str], channels: list[str | None] | None = None) -> Iterator[Parsed]:
    """Parse dumps, yielding results in order; on every core when there are several large ones,
    with at most two dumps per core in flight so memory stays bounded. A large JSON export is
    streamed in this process (it runs its own worker pool)."""
    total = 0
    for p in paths:
        with contextlib.suppress(OSError):
            total += os.path.getsize(p) if os.path.isfile(p) else 0
    any_streamed = any(streamed(p) for p in paths)
    channels = channels or [None] * len(paths)
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2 or total < PARALLEL_MIN_BYTES or any_streamed:
        for p, n, c in zip(paths, names, channels):
            yield parse_one(p, n, c)
        return
    yield from pool_map(parse_one, list(zip(paths, names, channels)), workers, star=True)


@overload
def pool_map(fn: Callable[[_A], _T], items: Iterable[_A], workers: int, star: Literal[False] = False) -> Iterator[_T]:
    ...


@overload
def pool_map(fn: Callable[[Unpack[_Args]], _T], items: Iterable[tuple[Unpack[_Args]]], workers: int,
             star: Literal[True]) -> Iterator[_T]:
    ...


def pool_map(fn: Callable[..., _T], items: Iterable[object], workers: int, star: bool = False) -> Iterator[_T]:
    """``map(fn, items)`` on a process pool, in order, with at most ``2 * workers`` items in
    flight (``Executor.map`` would submit them all at once and hold every result).

    Workers die with this process: they ignore Ctrl-C (the parent alone reports it), ask the
    kernel to kill them when the parent dies (Linux ``PR_SET_PDEATHSIG``; elsewhere a watchdog
    thread), and are terminated at once when the caller stops early or fails."""
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    ex = ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_worker_init, initargs=(os.getpid(),))
    try:
        pending: deque[Future[_T]] = deque()
        for item in items:
            # with star, each item is an argument tuple (see the overloads)
            with _signals_held():  # the first submit forks the workers
                pending.append(ex.submit(fn, *cast("tuple[object, ...]", item)) if star else ex.submit(fn, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:
        _terminate(ex)
        raise
    finally:  # also when the consumer stops iterating (GeneratorExit)
        if getattr(ex, "_processes", None):
            _terminate(ex)
        ex.shutdown(wait=True, cancel_futures=True)


_WORKER_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
_WORKER_JOIN_S = 2.0  # a terminated worker exits at once; this only bounds a stuck kill


def _terminate(ex: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now rather than let them finish their chunks."""
    import contextlib

    procs = list((getattr(ex, "_processes", None) or {}).values())
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.kill()  # a worker holds nothing to clean up; SIGKILL cannot be caught or lost
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(_WORKER_JOIN_S)
    # A worker killed halfway through sending a result leaves the pool's manager thread blocked
    # in recv() for the rest of the message, and the interpreter joins that thread at exit: a
    # hang. With every worker gone, closing our own copy of the pipe's write end turns that
    # wait into EOF, which the pool handles as "broken" and winds down.
    writer = getattr(getattr(ex, "_result_queue", None), "_writer", None)
    if writer is not None and all(not p.is_alive() for p in procs):
        with contextlib.suppress(Exception):
            writer.close()
    ex.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while workers are forked. A forked worker inherits the parent's
    Python handlers until :func:`_worker_init` resets them; a signal landing in between would run
    the parent's handler in the worker (a traceback) or be dropped by the reset (a worker that
    outlives its kill and deadlocks the pool). Held, it waits for the worker's own disposition.
    Held signals reach the parent when this ends."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _WORKER_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _worker_init(parent: int) -> None:
    """In each worker: leave Ctrl-C to the parent, and die when the parent does (or on SIGTERM).
    Runs with the signals of :func:`_signals_held` still held, and releases them once the
    worker's own dispositions are set."""
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _WORKER_SIGNALS)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _mp_context() -> BaseContext | None:
    import multiprocessing as mp

    # fork starts workers without re-importing anything; elsewhere the platform default is safe
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None



