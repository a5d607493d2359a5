"""One page of a channel's public web preview (``https://t.me/s/NAME``), read with the HTML
parser the project already uses (BeautifulSoup, ``html.parser``).

The markup, as t.me serves it (and snscrape's telegram module, RSSHub and rss-bridge read it):
each post is a ``div.tgme_widget_message`` with ``data-post="NAME/ID"``, wrapped in a
``div.tgme_widget_message_wrap``; its text is ``div.tgme_widget_message_text`` (links as
``<a href>``, so the links behind words keep their URL); its date is
``a.tgme_widget_message_date > time[datetime]``. A page holds up to 20 posts, oldest first; the
link to older posts is ``a.tme_messages_more[data-before=ID]`` (the page ``?before=ID`` holds
the posts just below ID), to newer ones ``a.tme_messages_more[data-after=ID]``. The channel's
title is ``.tgme_channel_info_header_title`` (or ``meta[property="og:title"]``).

What a post *says* is not read here: the stored page is read back by the saved-page container
(:mod:`reviews_cli.parsing.web_html`), the same path as a page saved from a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# a post id: Telegram's are 32-bit
MAX_POST_ID = 2**31 - 1


@dataclass(frozen=True)
class PagePost:
    """One post of a page: its numeric ``id``, the ``channel`` as ``data-post`` spells it, its
    ``date`` (ISO 8601 from ``time[datetime]``, or ``None``) and ``html``, the post's own markup
    (its ``div.tgme_widget_message_wrap``) as the page had it."""

    id: int
    channel: str
    date: str | None
    html: str


@dataclass(frozen=True)
class Page:
    """A parsed preview page: its ``posts`` in ascending id order (one per id), the ``before``
    and ``after`` cursors of its "more" links (``None`` when absent: no older / newer page),
    and the channel ``title`` when the page names it."""

    posts: list[PagePost] = field(default_factory=list)
    before: int | None = None
    after: int | None = None
    title: str | None = None


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not re.fullmatch(r"[0-9]{1,10}", value):
        return None
    n = int(value)
    return n if 0 < n <= MAX_POST_ID else None


def parse_page(html: str) -> Page:
    """The :class:`Page` of a preview page's HTML. Never raises on bad markup: a post without a
    well-formed ``data-post`` (``NAME/ID``) is left out, a page without posts is an empty page."""
    from ..parsing.common import iso_datetime
    from ..parsing.telegram_export import attr, soup_of

    soup = soup_of(html)
    posts: dict[int, PagePost] = {}
    for div in soup.select("div.tgme_widget_message[data-post]"):
        channel, _, mid = (attr(div, "data-post") or "").strip().rpartition("/")
        pid = _int(mid)
        if pid is None or not channel:
            continue
        time_tag = div.select_one("a.tgme_widget_message_date time[datetime]") or div.select_one("time[datetime]")
        parent = div.parent
        wrap = parent if parent is not None and "tgme_widget_message_wrap" in (attr(parent, "class") or "") else div
        posts[pid] = PagePost(pid, channel, iso_datetime(attr(time_tag, "datetime") or ""), str(wrap))
    before = after = None
    for more in soup.select("a.tme_messages_more"):
        before = before or _int(attr(more, "data-before"))
        after = after or _int(attr(more, "data-after"))
    title_tag = soup.select_one(".tgme_channel_info_header_title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    if not title:
        meta = soup.select_one('meta[property="og:title"]')
        title = (attr(meta, "content") or "").strip() or None
    if not title:
        owner = soup.select_one(".tgme_widget_message_owner_name")
        title = owner.get_text(" ", strip=True) if owner else None
    return Page([posts[k] for k in sorted(posts)], before, after, title or None)
