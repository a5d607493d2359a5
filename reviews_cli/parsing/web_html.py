"""Saved web pages (browser "Save page as…"): a channel's ``t.me/s/<channel>`` preview and a
Habr article.

``t.me/s/<channel>``: each post is a ``div.tgme_widget_message`` with ``data-post="<channel>/<id>"``;
its text is the ``div.tgme_widget_message_text`` that is not inside the reply quote
(``a.tgme_widget_message_reply``), with ``<br>``, link anchors and hashtag anchors
(``<a href="?q=%23CNN">#CNN</a>``); the date is ``time[datetime]``. Forwarded-from headers,
reactions and view counts sit outside the text and are not part of the body.

Habr: the current markup (``h1.tm-title``, ``div.article-formatted-body``, ``time[datetime]``) and
the older one (``span.post__title-text``, ``div.post__text``, ``span.post__time``). The article
body becomes the same text a browser copy gives, with the «Оригинал статьи» link's ``href``
kept on its line, and is read by the Habr digest rules; the canonical URL and the publication
date go into each record's source.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .common import iso_datetime
from .detect import DumpSource
from .messages import message_post, render
from .post import ARTICLE, POLL, SERVICE, HiddenLink, Post
from .telegram_export import attr, classes, html_runs, soup_of

if TYPE_CHECKING:
    from bs4.element import Tag


def iter_tgme_posts(src: DumpSource) -> Iterator[Post]:
    """The posts of a saved ``t.me/s/<channel>`` page."""
    soup = soup_of(src.text)
    for div in soup.select("div.tgme_widget_message"):
        post = attr(div, "data-post") or ""
        channel, _, mid = post.rpartition("/")
        owner = div.select_one(".tgme_widget_message_owner_name")
        if src.origin is None and owner:
            src.origin = owner.get_text(" ", strip=True)
        time_tag = div.select_one("time[datetime]")
        date = iso_datetime(attr(time_tag, "datetime") or "")
        if "service_message" in classes(div):
            yield message_post(mid or "?", [], date=date, kind=SERVICE, action="service")
            continue
        if div.select_one(".tgme_widget_message_poll"):
            yield message_post(mid or "?", [], date=date, kind=POLL)
            continue
        text_div = next((t for t in div.select("div.tgme_widget_message_text")
                         if not t.find_parent(class_="tgme_widget_message_reply")), None)
        runs = html_runs(text_div) if text_div is not None else []
        forwarded = div.select_one(".tgme_widget_message_forwarded_from") is not None
        yield message_post(mid or "?", runs, date=date, channel=channel or None, chat=src.origin,
                           forwarded=forwarded)


def iter_habr_posts(src: DumpSource) -> Iterator[Post]:
    """A saved Habr article page (current or older markup) as one ``article`` post."""
    soup = soup_of(src.text)
    title_tag = soup.select_one("h1.tm-title, h1.tm-article-snippet__title, span.post__title-text, h1.post__title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    body = soup.select_one("div.article-formatted-body, div#post-content-body, div.post__text, div.post__body")
    canonical = soup.select_one('link[rel="canonical"]') or soup.select_one('meta[property="og:url"]')
    url = attr(canonical, "href") or attr(canonical, "content")
    time_tag = soup.select_one("span.tm-article-datetime-published time[datetime], "
                               ".tm-article-snippet__datetime-published time[datetime], time[datetime]")
    date = iso_datetime(attr(time_tag, "datetime") or attr(soup.select_one("span.post__time[data-time_published]"),
                                                           "data-time_published") or "")
    if body is not None:
        _number_lists(body)
        _mark_headings(body)
    text, hidden = render(html_runs(body) if body is not None else [])
    src.origin = title
    if title:
        text = title + "\n" + text
        hidden = [HiddenLink(h.line + 1, h.label, h.href) for h in hidden]
    yield Post(text, "article", links=hidden, date=date, url=url, kind=ARTICLE)


def _mark_headings(body: Tag) -> None:
    """``<h2>``–``<h4>`` headings get a Markdown ``## `` marker: a digest whose papers are headings
    (Habr «Читаем статьи за вас» and alike) tells the recognizer where each paper starts; the
    recognizer's clean stage reads the marker and drops it."""
    for h in body.find_all(["h2", "h3", "h4"]):
        if h.get_text(strip=True):
            h.insert(0, "## ")


def _number_lists(body: Tag) -> None:
    """``<ol>`` items get their numbers (``1. ``) as a browser copy shows them; the Habr rules
    need them to tell section headings from list items."""
    from bs4 import Tag

    for ol in body.find_all("ol"):
        for k, li in enumerate((c for c in ol.children if isinstance(c, Tag) and c.name == "li"),
                               start=int(s) if (s := attr(ol, "start") or "").isdigit() and len(s) < 10 else 1):
            li.insert(0, f"{k}. ")
    for ul in body.find_all("ul"):
        for li in (c for c in ul.children if isinstance(c, Tag) and c.name == "li"):
            li.insert(0, "- ")
