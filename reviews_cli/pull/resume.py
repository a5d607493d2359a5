"""What a pull keeps: the channel's posts in the library, and the state to go on from.

A pulled channel is kept in the library as dumps in the t.me/s markup, one per block of
:data:`BLOCK` post ids (``dumps/pull-<name>-<block>.html``, named ``t.me/s/<NAME>/<lo>-<hi>`` in
``reviews sources``): each a page holding the posts of its block fetched so far, oldest first,
each post's own markup as the preview served it. It is what a page saved from a browser is, so
the saved-page container reads it and a re-index rebuilds the same records without the network;
and a pull that brings new posts rewrites and re-indexes only the newest block, not the whole
channel.

The pull state travels inside the same files, in a
``<script type="application/json" id="reviews-pull-state">`` element (which no container
reads): each block's file carries the id ranges walked *within that block*, so the posts and the
ranges that say they are complete are written together, atomically. A pull killed at any point
leaves every file either before or after its write, never a range claimed without its posts (a
page spanning two blocks that was written to one only is fetched again). Removing a block's
dump from the library removes its ranges too, and the next pull fetches those posts again.

State: ``covered`` — id ranges ``[lo, hi]`` known to be complete (every post of the channel in
the range is stored; ``lo == 1`` once the channel's first post was reached); ``floor`` — the
lowest id a bounded pull (``--limit``) wanted; ``since`` — the oldest date a pull (``--since``)
wanted; ``last_pull`` — when a file was last written. On reading, the ranges of all blocks are
joined and the other fields come from the file written last.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..parsing.common import iso_datetime

STATE_ID = "reviews-pull-state"
# post ids per dump file: a pull rewrites and re-indexes only the blocks it brought posts to
BLOCK = 200
if TYPE_CHECKING:
    from ..library import Library
    from ..library.sources import ManifestEntry
    from .target import Target

_STATE = re.compile(r'<script type="application/json" id="' + STATE_ID + r'">(.*?)</script>', re.S)
_MARK = re.compile(r"^<!--reviews:post ([0-9]{1,10})(?: (\S+))?-->$", re.M)
# how far into a dump the state is looked for (it sits in the head)
STATE_HEAD_CHARS = 1 << 20


def block_of(pid: int) -> int:
    """The block of post id ``pid``: ids ``[k * BLOCK, k * BLOCK + BLOCK - 1]`` are block ``k``."""
    return pid // BLOCK


@dataclass
class PullState:
    """The state of one pulled channel (see the module docstring)."""

    channel: str
    base: str
    title: str | None = None
    covered: list[tuple[int, int]] = field(default_factory=list)
    floor: int | None = None
    since: str | None = None
    last_pull: str | None = None

    def covering(self, pid: int) -> tuple[int, int] | None:
        """The covered range holding post id ``pid``, or ``None``."""
        return next(((lo, hi) for lo, hi in self.covered if lo <= pid <= hi), None)

    def cover(self, lo: int, hi: int) -> None:
        """Add the range ``[lo, hi]`` (merged with ranges it touches or overlaps)."""
        if lo > hi:
            return
        ranges = sorted(self.covered + [(lo, hi)])
        merged: list[tuple[int, int]] = []
        for a, b in ranges:
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        self.covered = merged

    def to_json(self) -> str:
        data = {"version": 1, "channel": self.channel, "base": self.base, "title": self.title,
                "covered": [list(r) for r in self.covered], "floor": self.floor, "since": self.since,
                "last_pull": self.last_pull}
        # "</" would end the script element early
        return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")

    @classmethod
    def from_json(cls, text: str) -> PullState | None:
        """The state in ``text``, or ``None`` when it is not a valid one (hand-edited, cut)."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("channel"), str) or not isinstance(
                data.get("base"), str):
            return None
        covered: list[tuple[int, int]] = []
        ranges = data.get("covered")
        for r in ranges if isinstance(ranges, list) else []:
            if (isinstance(r, list) and len(r) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in r)
                    and 0 < r[0] <= r[1]):
                covered.append((r[0], r[1]))
        floor = data.get("floor")
        state = cls(data["channel"], data["base"],
                    title=data["title"] if isinstance(data.get("title"), str) else None,
                    floor=floor if isinstance(floor, int) and not isinstance(floor, bool) and floor > 0 else None,
                    since=data["since"] if isinstance(data.get("since"), str) else None,
                    last_pull=data["last_pull"] if isinstance(data.get("last_pull"), str) else None)
        for lo, hi in covered:
            state.cover(lo, hi)
        return state


@dataclass
class StoredPost:
    """A post kept in a channel's dump: its markup and date (ISO 8601 or ``None``)."""

    html: str
    date: str | None


@dataclass
class ChannelDump:
    """The posts stored for one channel, by id, and its :class:`PullState`."""

    state: PullState
    posts: dict[int, StoredPost] = field(default_factory=dict)

    @property
    def newest(self) -> int | None:
        return max(self.posts) if self.posts else None

    def blocks(self) -> set[int]:
        """The blocks (see :func:`block_of`) that hold posts."""
        return {block_of(pid) for pid in self.posts}

    def render(self, block: int | None = None) -> str:
        """The text of one block's dump file (its posts, and the state with the ranges within
        the block), or with ``block=None`` of one file holding every post and the whole state."""
        from html import escape

        state = self.state
        if block is not None:
            # the lowest block also keeps the ranges below it (walked, and found empty)
            lo = 1 if block <= min(self.blocks(), default=block) else block * BLOCK
            hi = block * BLOCK + BLOCK - 1
            state = replace(state, covered=[(max(a, lo), min(b, hi)) for a, b in state.covered if a <= hi and b >= lo])
        title = escape(state.title or state.channel)
        out = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8">',
               f"<title>{title} – pulled by reviews</title>",
               f'<link rel="canonical" href="https://t.me/s/{escape(state.channel)}">',
               f'<script type="application/json" id="{STATE_ID}">{state.to_json()}</script>',
               '</head><body class="widget_frame_base tgme_webpreview_body"><main class="tgme_main">'
               '<section class="tgme_channel_history js-message_history">']
        for pid in sorted(self.posts):
            if block is not None and block_of(pid) != block:
                continue
            post = self.posts[pid]
            date = iso_datetime(post.date or "")  # a stored dump from an older pull may hold any text
            out.append(f"<!--reviews:post {pid}{' ' + date if date else ''}-->")
            out.append(post.html)
        out.append("</section></main></body></html>\n")
        return "\n".join(out)

    def merge(self, other: ChannelDump) -> None:
        """Take in another block's posts and ranges; the other fields from the file written
        last."""
        self.posts.update(other.posts)
        newer = (other.state.last_pull or "") > (self.state.last_pull or "")
        covered = self.state.covered
        if newer:
            self.state = replace(other.state)
        for lo, hi in covered + other.state.covered:
            self.state.cover(lo, hi)

    @classmethod
    def parse(cls, text: str, channel: str, base: str) -> ChannelDump:
        """A dump read back from its file's ``text``. A file that lost its state or markers
        (edited by hand) is read as a plain preview page: its posts are kept, its state starts
        empty (the next pull walks the channel again, fetching nothing twice in one run)."""
        m = _STATE.search(text, 0, STATE_HEAD_CHARS)
        state = PullState.from_json(m.group(1)) if m else None
        dump = cls(state or PullState(channel, base))
        marks = list(_MARK.finditer(text))
        if marks or state is not None:
            end_section = text.rfind("</section>")
            for k, mark in enumerate(marks):
                stop = marks[k + 1].start() if k + 1 < len(marks) else (end_section if end_section > mark.end()
                                                                         else len(text))
                dump.posts[int(mark.group(1))] = StoredPost(text[mark.end():stop].strip("\n"), mark.group(2))
            return dump
        from .pages import parse_page

        page = parse_page(text)
        for p in page.posts:
            dump.posts[p.id] = StoredPost(p.html, p.date)
        return dump


def read_state(path: str) -> PullState | None:
    """The :class:`PullState` in the head of a pulled channel's dump, or ``None`` (no such
    file, not a pulled dump). Reads at most :data:`STATE_HEAD_CHARS` characters."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = f.read(STATE_HEAD_CHARS)
    except OSError:
        return None
    m = _STATE.search(head)
    return PullState.from_json(m.group(1)) if m else None


def count_posts(path: str) -> tuple[int, int | None, str | None]:
    """``(posts, newest id, newest post's date)`` of a pulled channel's dump, read a chunk at a
    time (the markers alone, not the markup)."""
    n = 0
    newest: int | None = None
    newest_date: str | None = None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("<!--reviews:post "):
                    m = _MARK.match(line.rstrip("\n"))
                    if m:
                        n += 1
                        pid = int(m.group(1))
                        if newest is None or pid > newest:
                            newest, newest_date = pid, m.group(2)
    except OSError:
        pass
    return n, newest, newest_date


_ENTRY_FILE = re.compile(r"dumps/pull-([a-z0-9_]{1,40})-([0-9]{6})\.html")


def dump_file(key: str, block: int) -> str:
    """The file (below the library's ``dumps/``) holding a block of a pulled channel."""
    return f"pull-{key}-{block:06d}.html"


def source_name(channel: str, block: int) -> str:
    """The name a block of a pulled channel has in the library (``reviews sources``)."""
    return f"t.me/s/{channel}/{block * BLOCK}-{block * BLOCK + BLOCK - 1}"


def channel_entries(manifest: list[ManifestEntry], key: str | None = None) -> dict[str, list[ManifestEntry]]:
    """The manifest entries of pulled channels, by channel key (or only ``key``'s), in block
    order."""
    out: dict[str, list[ManifestEntry]] = {}
    for e in manifest:
        m = _ENTRY_FILE.fullmatch(e["file"])
        if m and e.get("pulled") and (key is None or m.group(1) == key):
            out.setdefault(m.group(1), []).append(e)
    for entries in out.values():
        entries.sort(key=lambda e: e["file"])
    return out


def load_dump(home: str, target: Target) -> ChannelDump:
    """Every stored block of the channel joined into one :class:`ChannelDump` (an empty one for
    a channel never pulled). Raises :class:`PullError` when a block cannot be read."""
    from ..library.sources import read_manifest
    from . import PullError

    dump = ChannelDump(PullState(target.channel, target.base))
    for e in channel_entries(read_manifest(home), target.key).get(target.key, []):
        path = os.path.join(home, *e["file"].split("/"))
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise PullError(f"{path}: cannot be read ({exc.strerror})") from None
        dump.merge(ChannelDump.parse(text, target.channel, target.base))
    return dump


def save_dump(lib: Library, dump: ChannelDump, blocks: set[int]) -> None:
    """Write the channel's ``blocks`` atomically and name them in the library's manifest, under
    the library's write lock (so an ``add`` or ``remove`` at the same time neither loses them
    nor deletes them as orphans). The index is not touched: the next sync reads them."""
    import time

    from ..atomic import atomic_write
    from ..library.sources import read_manifest, sha256_of, write_manifest
    from ..library.store import transaction

    state = dump.state
    state.last_pull = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    key = state.channel.casefold()
    with transaction(lib.conn):
        manifest = read_manifest(lib.home)
        os.makedirs(os.path.join(lib.home, "dumps"), exist_ok=True)
        for block in sorted(blocks):
            stored = f"dumps/{dump_file(key, block)}"
            path = os.path.join(lib.home, *stored.split("/"))
            with atomic_write(path) as f:
                f.write(dump.render(block))
            sha = sha256_of(path)
            entry = next((e for e in manifest if e["file"] == stored), None)
            if entry is None:
                taken = {e["name"] for e in manifest}
                name = base_name = source_name(state.channel, block)
                k = 2
                while name in taken:
                    name, k = f"{base_name}-{k}", k + 1
                manifest.append({"name": name, "file": stored, "sha256": sha, "channel": state.channel,
                                 "original": state.base, "origin": state.title, "added": state.last_pull,
                                 "pulled": state.last_pull})
            else:
                entry["sha256"], entry["original"], entry["pulled"] = sha, state.base, state.last_pull
                entry["origin"], entry["channel"] = state.title or entry.get("origin"), state.channel
        # a channel's blocks listed in id order, where its first block stands
        slots = [k for k, e in enumerate(manifest) if e["file"].startswith(f"dumps/pull-{key}-")]
        for k, e in zip(slots, sorted((manifest[k] for k in slots), key=lambda e: e["file"])):
            manifest[k] = e
        write_manifest(lib.home, manifest)


@dataclass(frozen=True)
class ChannelStatus:
    """A pulled channel as ``reviews sources`` lists it: ``channel``, the preview ``url`` it is
    pulled from, ``posts`` stored, the ``newest`` post's id and date, the ``last_pull`` time
    (ISO 8601) and the ``names`` of its dumps in the library."""

    channel: str
    url: str | None
    posts: int
    newest: int | None
    newest_date: str | None
    last_pull: str | None
    names: tuple[str, ...]

    def newest_link(self) -> str | None:
        """``https://t.me/NAME/ID`` of the newest stored post."""
        return f"https://t.me/{self.channel}/{self.newest}" if self.newest else None

    def to_dict(self) -> dict[str, object]:
        """The ``pull`` object of ``reviews sources --json``: ``channel, url, posts, newest_post,
        newest_date, last_pull``."""
        return {"channel": self.channel, "url": self.url, "posts": self.posts, "newest_post": self.newest_link(),
                "newest_date": self.newest_date, "last_pull": self.last_pull}


def pulled_channels(home: str) -> list[ChannelStatus]:
    """Every channel pulled into the library in ``home``, in the order first pulled. Raises
    :class:`LibraryError` for an unreadable manifest."""
    from ..library.sources import read_manifest

    out: list[ChannelStatus] = []
    for entries in channel_entries(read_manifest(home)).values():
        posts, newest, newest_date = 0, None, None
        for e in entries:
            n, top, date = count_posts(os.path.join(home, *e["file"].split("/")))
            posts += n
            if top is not None and (newest is None or top > newest):
                newest, newest_date = top, date
        last = max(entries, key=lambda e: e.get("pulled") or "")
        out.append(ChannelStatus(last.get("channel") or "?", last.get("original"), posts, newest, newest_date,
                                 last.get("pulled"), tuple(e["name"] for e in entries)))
    return out
