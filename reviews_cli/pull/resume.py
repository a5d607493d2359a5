"""What a pull keeps: the channel's dump in the library and the state to go on from.

A pulled channel is one dump in the library (``dumps/pull-<name>.html``, named
``t.me/s/<NAME>`` in ``reviews sources``): a page in the t.me/s markup holding every post fetched
so far, oldest first, each post's own markup as the preview served it. It is what a page saved
from a browser is, so the saved-page container reads it and a re-index rebuilds the same records
without the network. The pull state travels in the same file, in a
``<script type="application/json" id="reviews-pull-state">`` element (which no container reads),
so the posts and the state saying which id ranges were walked are written together, atomically:
a pull killed at any point leaves the previous page's file or this one's, never a state that
claims posts the file lacks.

State: ``covered`` — id ranges ``[lo, hi]`` known to be complete (every post of the channel in the
range is stored; ``lo == 1`` once the channel's first post was reached); ``floor`` — the lowest
id a bounded pull (``--limit``) wanted; ``since`` — the oldest date a pull (``--since``) wanted;
``last_pull`` — when the file was last written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

STATE_ID = "reviews-pull-state"
_STATE = re.compile(r'<script type="application/json" id="' + STATE_ID + r'">(.*?)</script>', re.S)
_MARK = re.compile(r"^<!--reviews:post ([0-9]{1,10})(?: (\S+))?-->$", re.M)
_DATE = re.compile(r"[0-9][0-9T:+.Z-]{2,40}[0-9Z]")  # an ISO 8601 date as time[datetime] has it
# how far into a dump the state is looked for (it sits in the head)
STATE_HEAD_CHARS = 1 << 20


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
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("channel"), str) or not isinstance(
                data.get("base"), str):
            return None
        covered: list[tuple[int, int]] = []
        for r in data.get("covered") or []:
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

    def render(self) -> str:
        """The dump file's text (see the module docstring)."""
        from html import escape

        title = escape(self.state.title or self.state.channel)
        out = ['<!DOCTYPE html>\n<html><head><meta charset="utf-8">',
               f"<title>{title} – pulled by reviews</title>",
               f'<link rel="canonical" href="https://t.me/s/{escape(self.state.channel)}">',
               f'<script type="application/json" id="{STATE_ID}">{self.state.to_json()}</script>',
               '</head><body class="widget_frame_base tgme_webpreview_body"><main class="tgme_main">'
               '<section class="tgme_channel_history js-message_history">']
        for pid in sorted(self.posts):
            post = self.posts[pid]
            date = post.date if post.date and _DATE.fullmatch(post.date) and "--" not in post.date else None
            out.append(f"<!--reviews:post {pid}{' ' + date if date else ''}-->")
            out.append(post.html)
        out.append("</section></main></body></html>\n")
        return "\n".join(out)

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


@dataclass(frozen=True)
class ChannelStatus:
    """A pulled channel as ``reviews sources`` lists it: its library ``name``, ``channel``,
    the preview ``url`` it is pulled from, ``posts`` stored, the ``newest`` post's id and date,
    and the ``last_pull`` time (ISO 8601)."""

    name: str
    channel: str
    url: str | None
    posts: int
    newest: int | None
    newest_date: str | None
    last_pull: str | None

    def newest_link(self) -> str | None:
        """``https://t.me/NAME/ID`` of the newest stored post."""
        return f"https://t.me/{self.channel}/{self.newest}" if self.newest else None

    def to_dict(self) -> dict[str, object]:
        """The ``pull`` object of ``reviews sources --json``: ``channel, url, posts, newest_post,
        newest_date, last_pull``."""
        return {"channel": self.channel, "url": self.url, "posts": self.posts, "newest_post": self.newest_link(),
                "newest_date": self.newest_date, "last_pull": self.last_pull}


def pulled_channels(home: str) -> list[ChannelStatus]:
    """Every channel pulled into the library in ``home``, in manifest order. Raises
    :class:`LibraryError` for an unreadable manifest."""
    import os

    from ..library.sources import read_manifest

    out: list[ChannelStatus] = []
    for e in read_manifest(home):
        if not e.get("pulled") or not e["file"].startswith("dumps/pull-"):
            continue
        n, newest, date = count_posts(os.path.join(home, *e["file"].split("/")))
        out.append(ChannelStatus(e["name"], e.get("channel") or e["name"].rsplit("/", 1)[-1], e.get("original"),
                                 n, newest, date, e.get("pulled")))
    return out
