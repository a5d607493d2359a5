"""What every format parser returns, and the one place a post draft becomes a :class:`Review`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from ..extract import normalize_url, year_from_arxiv
from ..models import Link, Review, Reviewer, Source, review_id

# ISO 8601 as these tools write it: a day, optionally a time of day and a UTC offset
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
                       r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?")


def iso_datetime(text: str) -> str | None:
    """``text`` when it is an ISO 8601 date as dumps write it (``2024-01-05``, with a time of
    day ``T10:00[:00[.fff]]`` or `` 10:00…`` (given its ``T``), and a ``Z`` / ``±hh:mm`` offset), a
    real calendar day and time; anything else (text after it, ``2024-13-45``) ``None``."""
    m = _ISO_DATE.fullmatch(text.strip()[:40])
    if m is None:
        return None
    try:
        y, mo, d, h, mi, sec = (int(g or 0) for g in m.group(1, 2, 3, 4, 5, 6))
        datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return None
    v = m.group(0)
    return v[:10] + "T" + v[11:] if len(v) > 10 and v[10] == " " else v

@dataclass
class Skipped:
    """A post the parser saw but did not turn into a review: where (``where``: a line number or
    post id) and ``reason`` (e.g. ``no paper header``, ``service message``)."""

    where: str
    reason: str


@dataclass
class ParsedDump:
    """Result of parsing one dump: the ``reviews`` in file order, the ``skipped`` posts, the
    detected ``format`` and, when the dump names it, its ``origin`` (channel or site title);
    ``notes`` for the report (``4 invalid byte sequence(s) replaced``, ``decoded as cp1251``)."""

    path: str
    format: str
    reviews: list[Review] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    origin: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class PostDraft:
    """Fields a format parser collected for one post, before normalization."""

    title: str
    body: str = ""
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    arxiv_id: str | None = None
    paper_url: str | None = None
    year: int | None = None
    tags: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    reviewer: Reviewer | None = None
    date: str | None = None
    url: str | None = None
    post_id: str | None = None


def clean_inline(text: str) -> str:
    """NFC and collapsed white space for one-line fields (titles, names)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def clean_body(text: str) -> str:
    """NFC, no trailing spaces, at most one blank line in a row, no blank lines at the ends."""
    text = unicodedata.normalize("NFC", text)
    lines = [ln.rstrip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if not ln and (not out or not out[-1]):
            continue
        out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def paper_key(arxiv_id: str | None, paper_url: str | None, title: str) -> str:
    """What identifies the reviewed paper: its arXiv id, else its URL, else its folded title."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if paper_url:
        return f"url:{normalize_url(paper_url)}"
    return "title:" + re.sub(r"\W+", " ", title.casefold()).strip()


def build_review(d: PostDraft, path: str, fmt: str) -> Review:
    """Normalize a draft: clean text, de-duplicate tags and links (first role wins, a paper or
    code role beats ``other``), fill the year from the arXiv id, and compute the stable id."""
    title = clean_inline(d.title)
    body = clean_body(d.body)
    tags: dict[str, str] = {}
    for t in d.tags:
        tags.setdefault(t.casefold(), t)
    links: dict[str, Link] = {}
    for link in d.links:
        key = normalize_url(link.url)
        old = links.get(key)
        if old is None or (old.role == "other" and link.role != "other"):
            links[key] = Link(link.url, link.role)
    paper_url = d.paper_url
    if paper_url:
        paper_url = normalize_url(paper_url)
    year = d.year or year_from_arxiv(d.arxiv_id)
    source = Source(path=path, format=fmt, url=d.url, post_id=d.post_id, date=d.date)
    return Review(
        id=review_id(paper_key(d.arxiv_id, paper_url, title), body),
        title=title,
        authors=tuple(clean_inline(a) for a in d.authors if a.strip()),
        affiliations=tuple(clean_inline(a) for a in d.affiliations if a.strip()),
        arxiv_id=d.arxiv_id,
        paper_url=paper_url,
        year=year,
        tags=tuple(tags.values()),
        links=tuple(links.values()),
        reviewer=d.reviewer,
        date=d.date,
        body=body,
        sources=(source,),
    )
