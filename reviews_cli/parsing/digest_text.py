"""Digest articles copied as plain text: Habr's «Читаем статьи за вас» (and its reposts) and
numbered conference round-ups (Yandex's NeurIPS review and alike).

Habr digest, as a browser copies it (lines indented by the page layout)::

    Рубрика «Читаем статьи за вас». …          (article title; a repost may put the hubs in
                                                  brackets first: "[Алгоритмы, …] Рубрика …")
    Привет, Хабр! …                              (intro)
    1. <title> (<affiliations>, <year>)         (table of contents)
    …
    1. <title>                                  (section heading)
    Авторы статьи: <authors> (<affiliations>, <year>)
    → Оригинал статьи                           (link; its href is lost in a text copy, or kept
                                                  as a [n] footnote in a print view; the arrow
                                                  may be lost to "?" or the line may read
                                                  "Оригинал статьи :: GitHub project")
    Автор обзора: <name> (в слэке <handle>)
    <body, which may hold numbered lists at the same indentation as headings>
    …
    <site footer: company name, rating, «Поделиться», «Комментарии N», ads>

Numbered digest: a site menu and an intro, then ``N. <title>`` headings each followed by the
paper's URL line, the body, and a trailer (``Источник:``, ``Комментарии:``).

The container hands the whole article to the recognizer as one ``article`` post: headed sections
are reviews; the intro, table of contents and footer are not.
"""

from __future__ import annotations

from collections.abc import Iterator

from .detect import DumpSource
from .post import ARTICLE, Post


def iter_article_posts(src: DumpSource) -> Iterator[Post]:
    """The article as one post; its first line (the article's title) is the ``origin`` of a
    Habr digest."""
    assert src.text is not None
    if "Авторы статьи" in src.text:
        src.origin = next((ln.strip() for ln in src.text.split("\n") if ln.strip()), None)
    yield Post(text=src.text, where="article", kind=ARTICLE)
