"""Headed sections: a title line followed by a header block that carries paper evidence.

**Headed sections.** A *title line* followed by a *header block* that carries paper evidence opens
a review, which runs to the next headed section. The header block is any run of (blank lines
allowed between them):

- an author line (``Jonathan Frankle, Michael Carbin``, ``Conneau A. Lample G. et al.``), with
  affiliations in parentheses or on the next line (``CSAIL MIT``);
- field lines: ``Авторы статьи: … (<affiliations>, <year>)`` / ``Authors: …``, ``Автор обзора: …``
  / ``Reviewer: …``, ``→ Оригинал статьи :: GitHub project`` (Habr, the arrow maybe lost to ``?``);
- link lines, bare or labelled (``Статья: URL``, ``Код: URL``, ``Paper: URL``; a label alone on its
  line followed by the URL on the next counts as one), and bracketed link words
  (``[Статья][Код]``, ``[Paper] [Code]``) whose hrefs the container kept;
- hashtag lines (``#CNN, #ICLR 2019``).

Paper evidence is a paper link in the block (by label or by host: arXiv, OpenReview, ACL
Anthology, PMLR, NeurIPS/CVF proceedings, DOI, …), an ``Авторы статьи:`` field, an author line
with links or hashtags, or a linked title. The title line may be numbered or bulleted
(``1. <title>``, round-ups and digests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import extract as ex
from ...models import Link, Reviewer
from ..post import HiddenLink
from .lines import (
    _BARE_ARXIV,
    _BRACKET_WORDS,
    _BULLET,
    _LABEL_WORDS,
    _WRAPPED,
    _label_only,
    author_line,
    bare_arxiv,
    find_urls,
    is_furniture,
    link_role,
    paper_title_like,
    split_link_line,
    strip_bullet,
    title_like,
)

# ------------------------------------------------------------------------------ preparation

_FOOTNOTE_REF = re.compile(r"\[(\d{1,3})\]")
_FOOTNOTE_DEF = re.compile(r"^\s*\[?(\d{1,3})[\].:)]?\s+((?:https?://|www\.)\S+)\s*$")


_CONNECTORS = {"of", "for", "with", "and", "the", "a", "an", "in", "on", "to", "via", "from", "by", "at", "as", "or"}


def _wrapped_title(a: str, b: str, blank_after: bool) -> bool:
    """Whether line ``b`` continues the paper title on line ``a``: ``… with Context Parallelism`` /
    ``on Hierarchical …`` (a lower-case run), or a numbered title wrapped before a capital with a
    blank line after it (``1. ImageNet Classification with Deep Convolutional`` / ``Neural
    Networks``, Medium and blog lists)."""
    if not (a and b and a[-1].isalnum() and b[-1].isalnum()) or ex.has_cyrillic(b) or not paper_title_like(a):
        return False
    if b[0].islower():
        return bool(_WRAPPED.match(b)) and len(b) <= 100
    return bool(_BULLET.match(a)) and blank_after and len(b) <= 60 and not ex.has_cyrillic(a) \
        and len(b.split()) <= 6 and all(w[0].isupper() or w in _CONNECTORS for w in b.split())


def _prepare(text: str, links: list[HiddenLink]) -> tuple[list[str], list[HiddenLink]]:
    """Lines of the post, same count as the input, with furniture blanked, a label line joined
    with the URL line under it, and ``[n]`` footnote markers resolved to hidden links (the
    footnote list at the end is blanked)."""
    lines = text.split("\n")
    links = list(links)
    for i, ln in enumerate(lines):
        if is_furniture(ln):
            lines[i] = ""
    # a paper title wrapped over two lines
    for i in range(len(lines) - 1):
        a, b = lines[i].strip(), lines[i + 1].strip()
        if _wrapped_title(a, b, i + 2 >= len(lines) or not lines[i + 2].strip()):
            lines[i], lines[i + 1] = f"{a} {b}", ""
    # "Статья:" / "https://…" on two lines is one labelled link line
    for i in range(len(lines) - 1):
        label = _label_only(lines[i])
        if label is None:
            continue
        j = i + 1
        while j < len(lines) and j <= i + 2 and not lines[j].strip():
            j += 1
        below = split_link_line(lines[j]) if j < len(lines) else None
        if below is not None and not below[0]:
            lines[i] = f"{label}: {lines[j].strip()}"
            lines[j] = ""
    # print views: "Оригинал статьи[1] :: GitHub project[2]" … "[1] https://arxiv.org/abs/…"
    defs: dict[str, tuple[int, str]] = {}
    for i in range(len(lines) - 1, max(-1, len(lines) - 200), -1):
        m = _FOOTNOTE_DEF.match(lines[i])
        if m:
            defs.setdefault(m.group(1), (i, ex.find_urls(m.group(2))[0] if ex.find_urls(m.group(2)) else m.group(2)))
        elif lines[i].strip() and defs:
            break
    if defs:
        def_lines = {d[0] for d in defs.values()}
        used = False
        for i, ln in enumerate(lines):
            if i in def_lines or "[" not in ln:
                continue
            hit = False
            for m in _FOOTNOTE_REF.finditer(ln):
                if m.group(1) in defs:
                    # the words just before the marker name the link (a bounded look back)
                    before = ln[max(0, m.start() - 80):m.start()]
                    label = re.split(r"[\]\[:]{1,2}|::", before)[-1].strip(" :→?-–—") or before.strip()[-40:]
                    links.append(HiddenLink(i, label, defs[m.group(1)][1]))
                    hit = True
            if hit:  # only the markers that resolved: "W[12]" in a formula stays
                lines[i] = _FOOTNOTE_REF.sub(lambda m: "" if m.group(1) in defs else m.group(0), ln)
                used = True
        if used:
            for i in def_lines:
                lines[i] = ""
    return lines, links


# ---------------------------------------------------------------------------------- headers

_AUTHORS_FIELD = re.compile(r"^\s*(?:Авторы\s+статьи|Авторы|Authors?)\s*:\s*(.+)$", re.IGNORECASE)
_REVIEWER_FIELD = re.compile(
    r"^\s*(?:Автор\s+обзора|Автор\s+разбора|Обзор\s+подготовил[аи]?|Разбор\s+подготовил[аи]?|Reviewer|Review\s+by|"
    r"Reviewed\s+by)\s*:\s*(.+)$", re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*(?:[→?>-]\s*)?Оригинал\s+статьи\b", re.IGNORECASE)


@dataclass
class _Header:
    """A title line and the header block under it (line indices into the prepared lines)."""

    title: int
    body_start: int
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    year: int | None = None
    reviewer: Reviewer | None = None
    links: list[Link] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    has_author_line: bool = False
    byline: bool = False
    authors_field: bool = False
    link_lines: int = 0


def _header_label(label: str) -> bool:
    """A link label as headers write them (``Статья``, ``Родной код на pytorch``, ``Пара
    пересказов``), not a sentence ending in a URL (``Речь идёт об этой статье: URL``)."""
    return len(label) <= 40 and not re.search(r"[.!?…]\s", label)


def _read_header(lines: list[str], hidden: dict[int, list[HiddenLink]], t: int, stop: int) -> _Header:
    """The header block under title line ``t`` (see the module docstring)."""
    h = _Header(title=t, body_start=t + 1)
    blanks = 0
    i = t + 1
    first = True
    while i < stop:
        s = lines[i].strip()
        if not s:
            blanks += 1
            if blanks > 3:
                break
            i += 1
            continue
        blanks = 0
        if m := _AUTHORS_FIELD.match(s):
            head, paren = ex.strip_paren_tail(m.group(1))
            h.authors = ex.split_authors(head) or [a.strip() for a in head.split(",") if a.strip()]
            if paren:
                h.affiliations, h.year = ex.affiliations_and_year(paren)
            h.authors_field = True
        elif m := _REVIEWER_FIELD.match(s):
            h.reviewer = ex.parse_reviewer(m.group(1))
        elif _ORIGINAL.match(s):
            h.links += [Link(u, link_role(u, "Статья")) for u in find_urls(s)]
            for hl in hidden.get(i, ()):
                h.links.append(Link(hl.href, link_role(hl.href, hl.label) if "github" not in hl.label.lower()
                                    else "code"))
            h.link_lines += 1
        elif ex.is_hashtag_line(s):
            h.tags += ex.hashtags(s)
            h.year = h.year or ex.year_in(s.replace("#", " #"))
        elif (parsed := split_link_line(s)) is not None and _header_label(parsed[0]):
            label, urls = parsed
            h.links += [Link(u, link_role(u, label)) for u in urls]
            h.link_lines += 1
        elif _BARE_ARXIV.fullmatch(s.strip(" .")) or (re.fullmatch(r"(?:arXiv|arxiv)\s*:?\s*\S+", s) and bare_arxiv(s)):
            link = bare_arxiv(s)
            if link:
                h.links.append(link)
                h.link_lines += 1
            else:
                break
        elif (_BRACKET_WORDS.match(s) or _LABEL_WORDS.match(s)) and i in hidden:
            # "[Статья][Код]", or "Статья, код" with the links behind the words (Telegram exports)
            h.links += [Link(hl.href, link_role(hl.href, hl.label)) for hl in hidden[i]]
            h.link_lines += 1
        elif first and (auth := author_line(s)) and not _LABEL_WORDS.match(s):
            h.authors, h.affiliations = auth
            h.has_author_line = True
        elif first and (by := _byline(s)):
            h.authors, h.affiliations = by
            h.has_author_line = h.byline = True
        elif h.has_author_line and not h.link_lines and not h.affiliations and ex.looks_like_affiliation(s) \
                and not title_like_sentence(s):
            h.affiliations = ex.split_affiliations(s)
        else:
            break
        first = False
        i += 1
        h.body_start = i
    return h


_BY = re.compile(r"^\s*(?:By|Авторы:?)\s+(?P<names>.+?)(?:\s+(?:from|at|из)\s+(?P<org>.+?))?\s*\.?$")


def _byline(line: str) -> tuple[list[str], list[str]] | None:
    """``By A, B, and C from Stanford University`` -> ``(['A', 'B', 'C'], ['Stanford University'])``."""
    m = _BY.match(line)
    if not m:
        return None
    authors = ex.split_authors(re.sub(r",\s*and\s+", ", ", m.group("names")))
    if not authors:
        return None
    return authors, ex.split_affiliations(m.group("org")) if m.group("org") else []


def title_like_sentence(s: str) -> bool:
    """A line that reads as prose rather than a header field (ends like a sentence)."""
    return s.rstrip()[-1:] in ".!?…" and len(s.split()) > 6


def _evidence(h: _Header, lines: list[str], hidden: dict[int, list[HiddenLink]]) -> bool:
    """Whether the header block under a title line says "this is a paper"."""
    if h.authors_field:
        return True
    if any(ln.role == "paper" for ln in h.links):
        return True
    if h.has_author_line and (h.link_lines or h.tags):
        return True
    if h.byline and len(h.authors) >= 2:  # "By A, B and C from X": a paper's byline
        return True
    return any(link_role(hl.href, "") == "paper" for hl in hidden.get(h.title, ()))


def _headed_sections(lines: list[str], hidden: dict[int, list[HiddenLink]]) -> list[_Header]:
    """Every headed section, in order, non-overlapping."""
    found: list[_Header] = []
    i = 0
    n = len(lines)
    while i < n:
        s = lines[i].strip()
        if s and title_like(strip_bullet(s)):
            h = _read_header(lines, hidden, i, n)
            # an author-like line is a title only with an author line under it
            # ("Regularizing and Optimizing LSTM Language Models" reads as two names)
            # a later section must look like a paper title (a cited-paper line inside a body such
            # as "Похожая работа" + URL must not split the review)
            if h.body_start > i + 1 and _evidence(h, lines, hidden) and (h.has_author_line or not author_line(s)) \
                    and (not found or paper_title_like(s) or h.authors_field or h.has_author_line):
                found.append(h)
                i = h.body_start
                continue
        i += 1
    return found



# Site furniture that ends an article (Habr and news sites), matched on a stripped line.
_FOOTER = re.compile(
    r"^(?:\d{1,4}[,.]\d{1,2}|Поделиться(?: публикацией)?|Комментарии(?:\s*\d+|:)?|Комментировать|"
    r"Теги:.*|Хабы:.*|Источник:.*|Реклама|Подробнее|Самое читаемое|Читают сейчас|Похожие публикации|"
    r"AdBlock похитил.*|Только полноправные пользователи.*|Ваш аккаунт|Вакансии|Информация|"
    r"Tags:.*|Hubs:.*|Share|Comments(?:\s*\d+)?)$"
)


def _footer_start(lines: list[str], start: int) -> int:
    """Index where an article's site footer begins after ``start`` (``len(lines)`` when none):
    the first footer marker, moved up over the short label lines stuck to it (the company name)."""
    for i in range(start, len(lines)):
        if _FOOTER.match(lines[i].strip()):
            j = i
            while j - 1 > start and lines[j - 1].strip() and len(lines[j - 1].strip()) <= 60 \
                    and lines[j - 1].strip()[-1] not in ".!?:":
                j -= 1
            return j
    return len(lines)

