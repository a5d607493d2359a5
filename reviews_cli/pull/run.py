"""Pulling one channel: its preview pages from the newest post to the oldest, each page stored
in the library before its posts are indexed, and the walk resumed where the last one stopped.

The walk: the newest page (``BASE``), then ``BASE?before=ID`` pages, each holding the posts just
below ``ID``. Before a page is fetched, id ranges already walked (:class:`~.resume.PullState`
``covered``) are jumped over, so a second pull with 5 new posts makes one request, and a pull that
failed half-way is finished by the next one, older posts included, without fetching again what it
has. It stops at the channel's first post, at ``--since``/``--limit`` (or the bounds an earlier
bounded pull set), or at the first error, keeping every page fetched before it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import UsageError
from . import PrivateChannel, PullError
from .resume import BLOCK, ChannelDump, StoredPost, block_of, load_dump, save_dump, source_name
from .target import Target

if TYPE_CHECKING:
    from ..library import Library
    from .client import Client
    from .pages import Page, PagePost

FORMAT = "telegram-web-html"


def parse_since(since: str) -> str:
    """``2024``, ``2024-05`` or ``2024-05-01`` as ``YYYY-MM-DD`` (the first day it names).
    Raises :class:`UsageError`."""
    if not re.fullmatch(r"(?:19|20)[0-9]{2}(?:-[01][0-9](?:-[0-3][0-9])?)?", since):
        raise UsageError(f"--since takes a date such as 2024, 2024-05 or 2024-05-01, not {since!r}")
    return (since + "-01-01")[:10] if len(since) == 4 else (since + "-01")[:10]


@dataclass
class PullReport:
    """What one pull did: ``pages`` fetched, ``posts`` new to the library (``updated`` ones it
    had, fetched again on a page), ``reviews`` recognized in the new posts and ``skipped`` new
    posts that are not reviews, ``new_reviews`` records the index gained; ``stored`` posts the
    channel's dump holds now; ``stopped`` why the walk ended (``start``, ``known``, ``since``,
    ``limit``, ``floor``, ``empty``), ``error`` the one-line reason a pull failed."""

    channel: str
    title: str | None = None
    pages: int = 0
    posts: int = 0
    updated: int = 0
    reviews: int = 0
    skipped: int = 0
    new_reviews: int = 0
    stored: int = 0
    stopped: str | None = None
    error: str | None = None
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """``pulled 212 posts from gonzo_ML: 187 reviews (12 new), 25 skipped``."""
        posts = "1 post" if self.posts == 1 else f"{self.posts} posts"
        reviews = "1 review" if self.reviews == 1 else f"{self.reviews} reviews"
        return f"pulled {posts} from {self.channel}: {reviews} ({self.new_reviews} new), {self.skipped} skipped"


@dataclass(frozen=True)
class PullOptions:
    """``since`` (``YYYY-MM-DD``, see :func:`parse_since`) and ``limit`` (most new posts) bound
    the walk; without them a pull goes down to what earlier bounded pulls asked for, else to the
    channel's first post."""

    since: str | None = None
    limit: int | None = None


Progress = Callable[[PullReport], None]


@contextlib.contextmanager
def _channel_lock(home: str, key: str) -> Iterator[None]:
    """One pull of a channel at a time: a lock file in the library folder (released when this
    process ends, however it ends). Raises :class:`PullError` when another pull holds it."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform: the library's write lock still serializes writes
        yield
        return
    path = os.path.join(home, f".pull-{key}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PullError(f"{key}: another reviews is pulling this channel") from None
        yield
    finally:
        os.close(fd)


def _recognize(posts: list[PagePost], name: str) -> tuple[int, int]:
    """``(reviews, skipped posts)`` among new posts, read the way the index will read them."""
    from ..parsing import recognize_posts
    from ..parsing.detect import DumpSource
    from ..parsing.web_html import iter_tgme_posts

    if not posts:
        return 0, 0
    html = "<html><body>" + "\n".join(p.html for p in posts) + "</body></html>"
    src = DumpSource(path=name, name=name, text=html)
    try:
        reviews, skipped = recognize_posts(iter_tgme_posts(src), name, FORMAT)
    except Exception:  # the counts are for the progress line; the index reports a bad post
        return 0, 0
    return len(reviews), len(skipped)


def pull(lib: Library, target: Target, client: Client, options: PullOptions | None = None,
         progress: Progress | None = None) -> PullReport:
    """Pull one channel into ``lib`` (see the module docstring) and index what was stored.
    Never raises for a network or server failure: the :class:`PullReport` has ``error`` set
    and keeps the counts of what was stored before it. Ctrl-C (``KeyboardInterrupt``) and
    SIGTERM propagate after the pages fetched so far are stored (the next open indexes them).
    Raises :class:`PullError` when another pull of the channel is running and
    :class:`LibraryError` when the library cannot be written."""
    options = options or PullOptions()
    report = PullReport(target.channel)
    before_count = lib.count()
    with _channel_lock(lib.home, target.key):
        dump = load_dump(lib.home, target)
        dump.state.base = target.base
        try:
            _walk(lib, target, client, dump, options, report, progress)
        except PullError as exc:
            report.error = str(exc)
        except BaseException:
            report.interrupted = True
            raise
        finally:
            report.stored = len(dump.posts)
            report.title = dump.state.title
    if report.pages:
        lib.sync()
        report.new_reviews = max(0, lib.count() - before_count)
    return report


def _walk(lib: Library, target: Target, client: Client, dump: ChannelDump, options: PullOptions,
          report: PullReport, progress: Progress | None) -> bool:
    """The page walk; returns whether anything was stored. Raises :class:`PullError`."""
    from .pages import parse_page

    state = dump.state
    since = options.since
    if since:
        state.since = since
    bound_since = since or state.since
    floor = None if (options.since or options.limit) else state.floor
    cursor: int | None = None  # None: the newest page
    stored = False
    while True:
        url = target.base if cursor is None else f"{target.base}?before={cursor}"
        fetched = client.get(url)
        report.pages += 1
        if fetched.redirected and _path(fetched.final_url) != _path(url):
            raise PrivateChannel(f"{target.channel}: no public preview ({_short(url)} redirects to "
                                 f"{_short(fetched.final_url)}): a private channel, or no channel by that name")
        page = parse_page(fetched.text)
        if page.title and not state.title:
            state.title = page.title
        if page.posts and page.posts[0].channel.casefold() == target.key:
            state.channel = page.posts[0].channel  # the spelling the channel uses
            report.channel = state.channel
        if cursor is None and not page.posts:
            report.stopped = "empty"
            return stored
        kept = _keep(page, options.limit, report.posts, dump)
        upper = cursor - 1 if cursor is not None else max((p.id for p in page.posts), default=0)
        low = min((p.id for p in kept), default=cursor or 1)
        trimmed = len(kept) < len(page.posts) and options.limit is not None
        start = page.before is None and not trimmed
        state.cover(1 if start else low, upper)
        new = [p for p in kept if p.id not in dump.posts]
        report.updated += len(kept) - len(new)
        for p in kept:
            dump.posts[p.id] = StoredPost(p.html, p.date)
        if options.limit is not None and kept:
            state.floor = min(state.floor or low, low)
        # the blocks this page brought posts or walked ranges to; the lowest block also keeps
        # the ranges below it
        covered_lo, blocks = (1 if start else low), dump.blocks()
        touched = {block_of(p.id) for p in kept} | {
            b for b in blocks if b * BLOCK <= upper and b * BLOCK + BLOCK - 1 >= covered_lo}
        if blocks and covered_lo < min(blocks) * BLOCK:
            touched.add(min(blocks))
        if touched:
            save_dump(lib, dump, touched)  # stored before it is indexed
        stored = True
        report.posts += len(new)
        reviews, skipped = _recognize(new, source_name(state.channel, block_of(new[0].id)) if new else "")
        report.reviews += reviews
        report.skipped += skipped
        if progress:
            progress(report)
        if options.limit is not None and report.posts >= options.limit:
            report.stopped = "limit"
            return stored
        if bound_since and any(p.date and p.date[:10] < bound_since for p in kept):
            report.stopped = "since"
            return stored
        if start:
            report.stopped = "start"
            return stored
        previous, cursor = cursor, min(page.before or low, low)
        if previous is not None and cursor >= previous:  # a server that ignores ?before= would loop
            raise PullError(f"{_short(url)}: the page holds no post older than {previous}; stopped there")
        while (covered := state.covering(cursor - 1)) is not None:  # jump over what was walked
            cursor = covered[0]
            report.stopped = "known"
        if cursor <= 1:
            report.stopped = "start" if report.stopped is None else report.stopped
            return stored
        if floor is not None and cursor <= floor:
            report.stopped = "floor"
            return stored
        old = dump.posts.get(cursor)
        if bound_since and old is not None and old.date and old.date[:10] < bound_since:
            report.stopped = "since"
            return stored
        report.stopped = None


def _keep(page: Page, limit: int | None, fetched: int, dump: ChannelDump) -> list[PagePost]:
    """The posts of a page to store: all of them, or under ``--limit`` the newest ones up to
    the number of new posts still wanted."""
    if limit is None:
        return list(page.posts)
    left = limit - fetched
    kept: list[PagePost] = []
    for p in reversed(page.posts):
        if left <= 0:
            break
        kept.append(p)
        if p.id not in dump.posts:
            left -= 1
    return sorted(kept, key=lambda p: p.id)


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.rstrip("/")


def _short(url: str) -> str:
    from .client import shown_url

    return shown_url(url).split("://", 1)[-1]
