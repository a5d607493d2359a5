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

from .common import ParsedDump, build_review
from .digest_text import parse_habr
from .messages import Message, drafts_and_skips, render
from .telegram_export import html_runs

FORMAT_TGME = "telegram-web-html"
FORMAT_HABR_HTML = "habr-html"


def parse_tgme(text: str, display: str) -> ParsedDump:
    """Parse a saved ``t.me/s/<channel>`` page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    messages, chat = [], None
    for div in soup.select("div.tgme_widget_message"):
        post = div.get("data-post") or ""
        channel, _, mid = post.rpartition("/")
        owner = div.select_one(".tgme_widget_message_owner_name")
        chat = chat or (owner.get_text(" ", strip=True) if owner else None)
        time_tag = div.select_one("time[datetime]")
        date = time_tag.get("datetime") if time_tag else None
        classes = div.get("class") or []
        if "service_message" in classes:
            messages.append(Message(mid or "?", [], date=date, kind="service", action="service", channel=channel or None))
            continue
        if div.select_one(".tgme_widget_message_poll"):
            messages.append(Message(mid or "?", [], date=date, kind="poll", channel=channel or None))
            continue
        text_div = next((t for t in div.select("div.tgme_widget_message_text")
                         if not t.find_parent(class_="tgme_widget_message_reply")), None)
        runs = html_runs(text_div) if text_div is not None else []
        forwarded = div.select_one(".tgme_widget_message_forwarded_from") is not None
        messages.append(Message(mid or "?", runs, date=date, channel=channel or None, chat=chat, forwarded=forwarded))
    drafts, skipped = drafts_and_skips(messages)
    result = ParsedDump(path=display, format=FORMAT_TGME, origin=chat, skipped=skipped)
    result.reviews = [build_review(d, display, FORMAT_TGME) for d in drafts]
    return result


def parse_habr_page(text: str, display: str) -> ParsedDump:
    """Parse a saved Habr article page (current or older markup)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    title_tag = soup.select_one("h1.tm-title, h1.tm-article-snippet__title, span.post__title-text, h1.post__title")
    title = title_tag.get_text(" ", strip=True) if title_tag else None
    body = soup.select_one("div.article-formatted-body, div#post-content-body, div.post__text, div.post__body")
    canonical = soup.select_one('link[rel="canonical"]') or soup.select_one('meta[property="og:url"]')
    url = (canonical.get("href") or canonical.get("content")) if canonical else None
    date = None
    time_tag = soup.select_one("span.tm-article-datetime-published time[datetime], .tm-article-snippet__datetime-published "
                               "time[datetime], time[datetime]")
    if time_tag:
        date = time_tag.get("datetime")
    else:
        old = soup.select_one("span.post__time[data-time_published]")
        date = old.get("data-time_published") if old else None
    if body is not None:
        _number_lists(body)
    text_body, hidden = render(html_runs(body) if body is not None else [])
    offset = 0
    if title:
        text_body = title + "\n" + text_body
        offset = 1
    hidden = [(line + offset, label, href) for line, label, href in hidden]
    return parse_habr(text_body, display, fmt=FORMAT_HABR_HTML, url=url, date=date, hidden=hidden)


def _number_lists(body) -> None:
    """``<ol>`` items get their numbers (``1. ``) as a browser copy shows them; the Habr rules
    need them to tell section headings from list items."""
    from bs4 import Tag

    for ol in body.find_all("ol"):
        for k, li in enumerate((c for c in ol.children if isinstance(c, Tag) and c.name == "li"),
                               start=int(ol.get("start") or 1)):
            li.insert(0, f"{k}. ")
    for ul in body.find_all("ul"):
        for li in (c for c in ul.children if isinstance(c, Tag) and c.name == "li"):
            li.insert(0, "- ")
