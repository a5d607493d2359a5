"""Building the search index from parsed records: merging duplicates, then writing the
``reviews``, ``review_tags``, ``vocab`` and ``fts`` tables (schema in ``library.py``).

Called inside the library's write transaction; nothing here commits.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from typing import TYPE_CHECKING, TypeAlias

from . import textnorm as tn
from .extract import arxiv_ids_in_url, canonical_tag, normalize_url
from .fields import FIELDS, FTS_INSERT
from .ingest import pool_map
from .models import Link, Review, Source

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from typing_extensions import Unpack

    # A progress callback for long runs: ``(stage, done, total)``, stage ``"parse"`` or ``"index"``.
    Progress: TypeAlias = Callable[[str, int, int], object]
    # A row of the FTS table: the rowid, then one text per column in FIELDS order.
    FtsRow: TypeAlias = tuple[int, Unpack[tuple[str, ...]]]
    # A row of ``reviews``: rid, id, title, arxiv_id, year, date, origin, src, n_merged, sid, ord, json.
    ReviewRow: TypeAlias = tuple[int, str, str, str | None, int | None, str | None, str | None, str, int, int, int,
                                 str | None]
    # A row of ``review_tags``: tag, rid, label.
    TagRow: TypeAlias = tuple[str, int, str]
    # A record on its way to the analysis: rid, the merged record, its dump's origin.
    Record: TypeAlias = tuple[int, Review, str | None]

# Two bodies of one paper are the same post when rapidfuzz's ratio of their starts is at least this.
SAME_POST_RATIO = 90.0


def _keys(arxiv_id: str | None, paper_url: str | None, tkey: str | None) -> list[str]:
    keys: list[str] = []
    if arxiv_id:
        keys.append("arxiv:" + arxiv_id)
    if paper_url:
        keys.append("url:" + paper_url)
    if tkey and len(tkey) >= 12:
        keys.append("title:" + tkey)
    return keys


def _body_head(body: str) -> str:
    return " ".join(tn.words(body[:4000]))[:2000]


def _merge_pair(a: Review, b: Review) -> Review:
    """``a`` with ``b``'s sources added and its empty fields filled from ``b``."""
    sources = list(a.sources)
    for s in b.sources:
        if s not in sources:
            sources.append(s)
    links = {normalize_url(x.url): x for x in a.links}
    for x in b.links:
        links.setdefault(normalize_url(x.url), x)
    tags = {canonical_tag(t): t for t in b.tags}
    tags.update({canonical_tag(t): t for t in a.tags})
    return Review(
        id=min(a.id, b.id),
        title=a.title,
        authors=a.authors or b.authors,
        affiliations=a.affiliations or b.affiliations,
        arxiv_id=a.arxiv_id or b.arxiv_id,
        paper_url=a.paper_url or b.paper_url,
        year=a.year or b.year,
        tags=tuple(tags.values()),
        links=tuple(Link(x.url, x.role) for x in links.values()),
        reviewer=a.reviewer or b.reviewer,
        date=a.date or b.date,
        body=a.body if len(a.body) >= len(b.body) else b.body,
        sources=tuple(Source(**s.to_dict()) for s in sources),
    )


Pos = tuple[int, int]  # (sid, ord): a post's place in the parse cache


def plan_merge(conn: sqlite3.Connection) -> tuple[list[Pos], dict[Pos, list[Pos]]]:
    """Decide which posts are one review, from the parse cache's key columns, in library order.

    A post joins an earlier group of the same paper (arXiv id, paper URL or folded title) when it
    is the same post: the same id (paper + text), or, for posts that do not disagree on their
    arXiv id, bodies at least ``SAME_POST_RATIO`` alike (rapidfuzz). Bodies are read only on such
    key collisions. Returns the group leaders in order and the later members of each group.
    """
    leaders: list[Pos] = []
    members: dict[Pos, list[Pos]] = {}
    info: dict[Pos, tuple[str, str | None]] = {}  # leader: (id, arxiv_id)
    by_key: dict[str, list[Pos]] = {}
    heads: dict[Pos, str] = {}

    def head(pos: Pos) -> str:
        if pos not in heads:
            (js,) = conn.execute("SELECT json FROM posts WHERE sid=? AND ord=?", pos).fetchone()
            heads[pos] = _body_head(json.loads(js)["body"])
        return heads[pos]

    rows: list[tuple[int, int, str, str | None, str | None, str | None]] = conn.execute(
        "SELECT p.sid, p.ord, p.id, p.arxiv_id, p.paper_url, p.tkey FROM posts p "
        "JOIN sources s USING(sid) ORDER BY s.ord, p.ord").fetchall()
    for sid, ord_, pid, aid, url, tkey in rows:
        pos = (sid, ord_)
        keys = _keys(aid, url, tkey)
        target: Pos | None = None
        for key in keys:
            for lead in by_key.get(key, ()):
                lid, laid = info[lead]
                if lid == pid or ((not aid or not laid or aid == laid) and _similar(head(lead), head(pos))):
                    target = lead
                    break
            if target is not None:
                break
        if target is None:
            leaders.append(pos)
            info[pos] = (pid, aid)
            target = pos
        else:
            members.setdefault(target, []).append(pos)
        for key in keys:
            lst = by_key.setdefault(key, [])
            if target not in lst:
                lst.append(target)
    return leaders, members


def _similar(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    return fuzz.ratio(a, b) >= SAME_POST_RATIO


class _Analyzer:
    """Folds and stems text with a per-build cache from raw word to stem: most words repeat, so
    the per-word steps (homoglyph and accent folding, Snowball) run once per distinct word."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self.fixed: dict[str, str] = {}
        self.counts: Counter[str] = Counter()

    def terms(self, text: str, count: bool = True) -> list[str]:
        ws = tn.raw_words(text)
        cache = self.cache
        missing = [w for w in set(ws) if w not in cache]
        if missing:
            fixed = [tn.fix_word(w) for w in missing]
            self.fixed.update(zip(missing, fixed))
            cache.update(zip(missing, tn.stems(fixed)))
        if count:
            self.counts.update(ws)
        return [cache[w] for w in ws]

    def vocabulary_counts(self) -> dict[str, tuple[str, int]]:
        """``{folded word: (stem, count)}`` for the ``vocab`` table (words of two letters or more)."""
        merged: Counter[str] = Counter()
        for w, n in self.counts.items():
            merged[self.fixed[w]] += n
        stem_of = {self.fixed[w]: s for w, s in self.cache.items()}
        return {w: (stem_of[w], n) for w, n in merged.items() if len(w) > 1}


def fts_row(r: Review, origin: str | None, an: _Analyzer) -> tuple[str, ...]:
    """The FTS column texts of a record, in :data:`~reviews_cli.fields.FIELDS` order, each a
    space-separated list of index terms."""
    tags: list[str] = []
    for t in r.tags:
        tags.append(tn.tag_token(t))
        tags += an.terms(t.replace("_", " "))
    extra = an.terms(" ".join(r.affiliations), count=False)
    if r.arxiv_id:
        extra.append(tn.arxiv_token(r.arxiv_id))
    for link in r.links:
        if link.role == "paper" and "arxiv.org" in link.url:
            aid = arxiv_ids_in_url(link.url)
            if aid and aid != r.arxiv_id:
                extra.append(tn.arxiv_token(aid))
    if r.year:
        extra.append(str(r.year))
    reviewer = ""
    if r.reviewer:
        reviewer = " ".join(an.terms(f"{r.reviewer.name or ''} {r.reviewer.handle or ''}"))
    columns = {
        "title": " ".join(an.terms(r.title)),
        "authors": " ".join(an.terms(" ".join(r.authors))),
        "tags": " ".join(tags),
        "reviewer": reviewer,
        "body": " ".join(an.terms(r.body)),
        "extra": " ".join(extra),
    }
    return tuple(columns[f.name] for f in FIELDS)


# Above this many records the text analysis runs in a worker pool, one process per core.
PARALLEL_MIN_RECORDS = 6000
CHUNK = 1000


def _analyze(chunk: list[Record]) -> tuple[list[FtsRow], dict[str, tuple[str, int]]]:
    """Worker: FTS rows for a chunk of records and the chunk's vocabulary
    ``{folded word: (stem, count)}``."""
    an = _Analyzer()
    rows: list[FtsRow] = [(rid, *fts_row(r, origin, an)) for rid, r, origin in chunk]
    return rows, an.vocabulary_counts()


def rebuild(conn: sqlite3.Connection, progress: Progress | None = None) -> int:
    """Rebuild ``reviews``, ``review_tags``, ``vocab`` and ``fts`` from the parse cache, inside
    the caller's transaction. Streams: posts are read in library order, merged per
    :func:`plan_merge`, and analysed in chunks (on a worker pool for large libraries), so memory
    stays bounded by a few chunks whatever the library size. Returns the number of records."""
    leaders, members = plan_merge(conn)
    conn.execute("DELETE FROM reviews")
    conn.execute("DELETE FROM review_tags")
    conn.execute("DELETE FROM vocab")
    conn.execute("INSERT INTO fts(fts) VALUES('delete-all')")
    merged_from: dict[int, int] = {}
    for group in members.values():
        for sid, _ in group:
            merged_from[sid] = merged_from.get(sid, 0) + 1
    conn.execute("UPDATE sources SET n_merged = 0")
    conn.executemany("UPDATE sources SET n_merged = ? WHERE sid = ?", [(n, sid) for sid, n in merged_from.items()])
    skip = {m for group in members.values() for m in group}
    total = len(leaders)
    vocab: dict[str, tuple[str, int]] = {}  # folded word: (stem, count)
    done = 0

    def records() -> Iterator[tuple[int, Review, str | None, Pos, str | None]]:
        seen: set[str] = set()
        rid = 0
        cur = conn.cursor()  # a second cursor: the inserts below use the connection
        cur.execute("SELECT p.sid, p.ord, p.json, s.origin FROM posts p JOIN sources s USING(sid) "
                    "ORDER BY s.ord, p.ord")
        for sid, ord_, js, origin in cur:
            pos = (sid, ord_)
            if pos in skip:
                continue
            r = Review.from_dict(json.loads(js))
            changed = False
            for m in members.get(pos, ()):
                (mjs,) = conn.execute("SELECT json FROM posts WHERE sid=? AND ord=?", m).fetchone()
                r = _merge_pair(r, Review.from_dict(json.loads(mjs)))
                changed = True
            base, k = r.id, 2
            while r.id in seen:  # ids are 8 hex digits; on the rare clash the later gets a suffix
                r = r._replace(id=f"{base}{k}")
                k += 1
                changed = True
            seen.add(r.id)
            rid += 1
            yield rid, r, origin, pos, (json.dumps(r.to_dict(), ensure_ascii=False) if changed else None)

    def chunks() -> Iterator[list[Record]]:
        nonlocal done
        batch: list[Record] = []
        rows: list[ReviewRow] = []
        tag_rows: list[TagRow] = []
        for rid, r, origin, pos, js in records():
            src = "\n".join([origin or ""] + [x for s in r.sources for x in (s.path, s.url, s.post_id) if x])
            rows.append((rid, r.id, r.title, r.arxiv_id, r.year, r.date, origin, src.casefold(),
                         len(r.sources), pos[0], pos[1], js))
            seen_tags: set[str] = set()
            for t in r.tags:
                ct = canonical_tag(t)
                if ct not in seen_tags:
                    seen_tags.add(ct)
                    tag_rows.append((ct, rid, t))
            batch.append((rid, r, origin))
            if len(batch) >= CHUNK:
                _insert_rows(conn, rows, tag_rows)
                yield batch
                batch = []
        _insert_rows(conn, rows, tag_rows)
        if batch:
            yield batch

    parallel = total >= PARALLEL_MIN_RECORDS and (os.cpu_count() or 1) > 1
    results = pool_map(_analyze, chunks(), os.cpu_count() or 1) if parallel else map(_analyze, chunks())
    for fts_rows, counts in results:
        conn.executemany(FTS_INSERT,
                         fts_rows)
        for w, (st, n) in counts.items():
            if w in vocab:
                vocab[w] = (vocab[w][0], vocab[w][1] + n)
            else:
                vocab[w] = (st, n)
        done += len(fts_rows)
        if progress:
            progress("index", done, total)
    conn.executemany("INSERT INTO vocab VALUES(?,?,?)", ((w, st, n) for w, (st, n) in vocab.items()))
    return total


def _insert_rows(conn: sqlite3.Connection, rows: list[ReviewRow], tag_rows: list[TagRow]) -> None:
    conn.executemany("INSERT INTO reviews VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO review_tags VALUES(?,?,?)", tag_rows)
    rows.clear()
    tag_rows.clear()
