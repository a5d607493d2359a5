"""Review records: the normalized shape every parser produces and every command consumes.

All classes are immutable ``NamedTuple`` records (created at import ~5x faster than frozen
dataclasses, which matters for a CLI that starts on every search) with ``to_dict()`` /
``from_dict()`` giving the JSON contract of ``reviews parse --json`` and ``reviews export``:

    id, title, authors[], affiliations[], arxiv_id, paper_url, year, tags[], links[{url, role}],
    reviewer{name, handle}|null, date|null, body, sources[{path, format, url, post_id, date}]

Missing values are ``None`` or empty tuples, never absent.
"""

from __future__ import annotations

from typing import Any, NamedTuple

SCHEMA_VERSION = 1

# Bump when a parse rule changes: the library re-parses every dump whose records came from an
# older parser. Here rather than in ``parsing`` (which re-exports it) so that opening the
# library, on every search, does not import the parsing package.
PARSER_VERSION = 3

LINK_ROLES = ("paper", "code", "other")


class Link(NamedTuple):
    """A URL found in a post; ``role`` is one of ``paper``, ``code``, ``other``."""

    url: str
    role: str = "other"

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "role": self.role}


class Reviewer(NamedTuple):
    """Who wrote the review: a display ``name`` and/or a chat ``handle`` (Slack, Telegram)."""

    name: str | None = None
    handle: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "handle": self.handle}


class Source(NamedTuple):
    """Where a record was read: the dump ``path`` (library-relative for stored dumps), the
    detected ``format``, and when known the post ``url``, ``post_id`` (``channel/123``) and
    ``date`` (ISO 8601)."""

    path: str
    format: str
    url: str | None = None
    post_id: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "url": self.url,
            "post_id": self.post_id,
            "date": self.date,
        }


class Review(NamedTuple):
    """One review of one paper, as read from one or more posts.

    ``id`` is an 8-character hex string derived from the paper and the review text, so it is
    stable across runs and the same post read from two dumps gets the same id.
    ``year`` is the paper's year (int) when the post states it or the arXiv id implies it.
    """

    id: str
    title: str
    authors: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    arxiv_id: str | None = None
    paper_url: str | None = None
    year: int | None = None
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    reviewer: Reviewer | None = None
    date: str | None = None
    body: str = ""
    sources: tuple[Source, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "authors": list(self.authors),
            "affiliations": list(self.affiliations),
            "arxiv_id": self.arxiv_id,
            "paper_url": self.paper_url,
            "year": self.year,
            "tags": list(self.tags),
            "links": [link.to_dict() for link in self.links],
            "reviewer": self.reviewer.to_dict() if self.reviewer else None,
            "date": self.date,
            "body": self.body,
            "sources": [s.to_dict() for s in self.sources],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Review:
        """Inverse of :meth:`to_dict`. Raises ``KeyError``/``TypeError`` on a malformed dict."""
        rev = d.get("reviewer")
        return cls(
            id=d["id"],
            title=d["title"],
            authors=tuple(d.get("authors") or ()),
            affiliations=tuple(d.get("affiliations") or ()),
            arxiv_id=d.get("arxiv_id"),
            paper_url=d.get("paper_url"),
            year=d.get("year"),
            tags=tuple(d.get("tags") or ()),
            links=tuple(Link(x["url"], x.get("role", "other")) for x in d.get("links") or ()),
            reviewer=Reviewer(rev.get("name"), rev.get("handle")) if rev else None,
            date=d.get("date"),
            body=d.get("body", ""),
            sources=tuple(
                Source(s["path"], s["format"], s.get("url"), s.get("post_id"), s.get("date"))
                for s in d.get("sources") or ()
            ),
        )


def review_id(paper_key: str, body: str) -> str:
    """Stable short id: 8 hex digits of SHA-1 over the paper key and the start of the body
    (white space collapsed, casefolded), so a post printed by two dumps hashes alike."""
    import hashlib

    head = " ".join(body.split())[:400].casefold()
    return hashlib.sha1(f"{paper_key}\n{head}".encode()).hexdigest()[:8]
