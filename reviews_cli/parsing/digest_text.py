"""Digest articles copied as plain text: Habr's «Читаем статьи за вас» and numbered
conference round-ups (Yandex's NeurIPS review and alike).

Habr digest, as a browser copies it (lines indented by the page layout)::

    Рубрика «Читаем статьи за вас». …          (article title)
    Привет, Хабр! …                              (intro)
    1. <title> (<affiliations>, <year>)         (table of contents)
    …
    1. <title>                                  (section heading)
    Авторы статьи: <authors> (<affiliations>, <year>)
    → Оригинал статьи                           (link; its href is lost in a text copy)
    Автор обзора: <name> (в слэке <handle>)
    <body, which may hold numbered lists at the same indentation as headings>
    …
    <site footer: company name, rating, «Поделиться», «Комментарии N», ads>

Only a numbered heading followed by an ``Авторы статьи:`` line opens a review.

Numbered digest: a site menu and an intro, then ``N. <title>`` headings each followed by the
paper's URL line, the body, and a trailer (``Источник:``, ``Комментарии:``). A numbered line
opens a review only when a URL line follows it and the numbers run 1, 2, 3, …
"""

from __future__ import annotations

import re

from .. import extract as ex
from ..models import Link
from .common import ParsedDump, PostDraft, build_review

FORMAT_HABR = "habr-text"
FORMAT_NUMBERED = "numbered-digest-text"

_HEADING = re.compile(r"^\s*(\d{1,3})[.)]\s+(\S.*?)\s*$")
_AUTHORS = re.compile(r"^\s*(?:Авторы\s+статьи|Авторы|Authors?)\s*:\s*(.+)$", re.IGNORECASE)
_REVIEWER = re.compile(r"^\s*(?:Автор\s+обзора|Обзор|Reviewer|Review\s+by)\s*:\s*(.+)$", re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*(?:→\s*)?(?:Оригинал\s+статьи|Статья|Paper)\s*(?::\s*(\S+))?\s*$", re.IGNORECASE)

# Site furniture that ends an article (Habr and news sites), matched on a stripped line.
_FOOTER = re.compile(
    r"^(?:\d{1,4}[,.]\d{1,2}|Поделиться(?: публикацией)?|Комментарии(?:\s*\d+|:)?|Комментировать|"
    r"Теги:.*|Хабы:.*|Источник:.*|Реклама|Подробнее|Самое читаемое|Читают сейчас|Похожие публикации|"
    r"AdBlock похитил.*|Только полноправные пользователи.*|Ваш аккаунт|Вакансии|Информация)$"
)


def _nonblank_after(lines: list[str], i: int, limit: int = 4) -> list[int]:
    out = []
    j = i + 1
    while j < len(lines) and len(out) < limit:
        if lines[j].strip():
            out.append(j)
        j += 1
    return out


def _footer_start(lines: list[str], start: int) -> int:
    """Index where the site footer begins after ``start`` (``len(lines)`` when none): the first
    footer marker, moved up over the short label lines stuck to it (the company name)."""
    for i in range(start, len(lines)):
        if _FOOTER.match(lines[i].strip()):
            j = i
            while j - 1 > start and lines[j - 1].strip() and len(lines[j - 1].strip()) <= 60 \
                    and lines[j - 1].strip()[-1] not in ".!?:":
                j -= 1
            return j
    return len(lines)


def _article_title(lines: list[str]) -> str | None:
    return next((ln.strip() for ln in lines if ln.strip()), None)


def parse_habr(text: str, path: str, fmt: str = FORMAT_HABR, url: str | None = None, date: str | None = None,
               hidden: list[tuple[int, str, str]] | None = None) -> ParsedDump:
    """Parse a Habr digest copied as text (see the module docstring for the shape). The saved
    page parser passes the article's ``url`` and ``date`` for the sources, and the links that
    were behind words as ``(line, label, href)`` so each lands in its review."""
    lines = text.split("\n")
    starts = []
    for i, ln in enumerate(lines):
        m = _HEADING.match(ln)
        if not m:
            continue
        nxt = _nonblank_after(lines, i, 1)
        if nxt and _AUTHORS.match(lines[nxt[0]]):
            starts.append((i, m.group(2)))
    result = ParsedDump(path=path, format=fmt, origin=_article_title(lines))
    for k, (i, title) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else _footer_start(lines, i + 1)
        authors: list[str] = []
        affs: list[str] = []
        year = None
        reviewer = None
        links: list[Link] = []
        body_from = i + 1
        for j in range(i + 1, min(stop, i + 12)):
            s = lines[j].strip()
            if not s:
                continue
            if m := _AUTHORS.match(s):
                head, paren = ex.strip_paren_tail(m.group(1))
                authors = ex.split_authors(head) or [a.strip() for a in head.split(",") if a.strip()]
                if paren:
                    affs, year = ex.affiliations_and_year(paren)
            elif m := _REVIEWER.match(s):
                reviewer = ex.parse_reviewer(m.group(1))
            elif m := _ORIGINAL.match(s):
                if m.group(1):
                    links.append(Link(m.group(1), "paper"))
            else:
                break
            body_from = j + 1
        body = "\n".join(ln.strip() for ln in lines[body_from:stop])
        links += [Link(ln.url, "code" if ln.role == "code" else "other") for ln in ex.links_from_text(body)]
        links += [Link(href, "code" if ex.link_role(href, label) == "code" else "other")
                  for line_no, label, href in hidden or () if body_from <= line_no < stop]
        paper = next((ln for ln in links if ln.role == "paper"), None)
        draft = PostDraft(
            title=title, body=body, authors=authors, affiliations=affs, year=year, reviewer=reviewer,
            links=links, paper_url=paper.url if paper else None,
            arxiv_id=ex.arxiv_ids_in_url(paper.url) if paper else None, tags=ex.hashtags(body),
            url=url, date=date,
        )
        result.reviews.append(build_review(draft, path, fmt))
    return result


def numbered_headings(lines: list[str]) -> list[int]:
    """Indices of ``N. title`` lines followed by a URL line, numbered 1, 2, 3, … in order."""
    found = []
    expect = 1
    for i, ln in enumerate(lines):
        m = _HEADING.match(ln)
        if not m or int(m.group(1)) != expect or ex.find_urls(m.group(2)):
            continue
        nxt = _nonblank_after(lines, i, 1)
        if nxt and ex.split_link_line(lines[nxt[0]]) is not None:
            found.append(i)
            expect += 1
    return found


def parse_numbered(text: str, path: str) -> ParsedDump:
    """Parse a numbered digest copied as text (see the module docstring for the shape). The year
    comes from the paper URL (``/paper/2020/``) or, failing that, the intro (``NeurIPS 2020``)."""
    lines = text.split("\n")
    starts = numbered_headings(lines)
    intro = "\n".join(lines[: starts[0]]) if starts else ""
    intro_year = ex.year_in(intro)
    result = ParsedDump(path=path, format=FORMAT_NUMBERED)
    for k, i in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else _footer_start(lines, i + 1)
        title = _HEADING.match(lines[i]).group(2)
        url_line = _nonblank_after(lines, i, 1)[0]
        label, urls = ex.split_link_line(lines[url_line]) or ("", [])
        links = [Link(u, "code" if ex.link_role(u, label) == "code" else "paper") for u in urls]
        body = "\n".join(ln.strip() for ln in lines[url_line + 1:stop])
        links += [Link(ln.url, "code" if ln.role == "code" else "other") for ln in ex.links_from_text(body)]
        paper = next((ln for ln in links if ln.role == "paper"), None)
        paper_url = paper.url if paper else None
        m = re.search(r"/((?:19|20)\d{2})/", paper_url or "")
        draft = PostDraft(
            title=title, body=body, links=links, paper_url=paper_url,
            arxiv_id=ex.arxiv_ids_in_url(paper_url) if paper_url else None,
            year=int(m.group(1)) if m else intro_year, tags=ex.hashtags(body),
        )
        result.reviews.append(build_review(draft, path, FORMAT_NUMBERED))
    return result
