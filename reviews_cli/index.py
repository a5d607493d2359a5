"""Building the search index from parsed records: merging duplicates, then writing the
``reviews``, ``review_tags``, ``vocab`` and ``fts`` tables (schema in ``library.py``).

Called inside the library's write transaction; nothing here commits.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

from . import textnorm as tn
from .extract import arxiv_ids_in_url, canonical_tag, normalize_url
from .models import Link, Review, Source

# Two bodies of one paper are the same post when rapidfuzz's ratio of their starts is at least this.
SAME_POST_RATIO = 90.0


def _keys(r: Review) -> list[str]:
    keys = []
    if r.arxiv_id:
        keys.append("arxiv:" + r.arxiv_id)
    if r.paper_url:
        keys.append("url:" + normalize_url(r.paper_url))
    title = " ".join(tn.words(r.title))
    if len(title) >= 12:
        keys.append("title:" + title)
    return keys


def _body_head(r: Review) -> str:
    return " ".join(tn.words(r.body[:4000]))[:2000]


def _same_post(a: Review, b: Review, heads: dict[str, str]) -> bool:
    """Whether ``a`` and ``b`` (records of one paper key) are one post. Records whose arXiv ids
    both exist and differ are different papers whatever their titles; ``heads`` caches each
    record's folded body start by id."""
    if a.id == b.id:
        return True
    if a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id:
        return False
    from rapidfuzz import fuzz

    ha = heads.get(a.id) or heads.setdefault(a.id, _body_head(a))
    hb = heads.get(b.id) or heads.setdefault(b.id, _body_head(b))
    return fuzz.ratio(ha, hb) >= SAME_POST_RATIO


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


def merge(records: list[Review], origins: list[str | None]) -> list[tuple[Review, str | None, int]]:
    """De-duplicate records in library order: a record merges into an earlier one of the same
    paper (arXiv id, paper URL or folded title) whose body is the same post; ids stay unique.
    Returns ``(record, origin, i)`` where ``i`` is the input index of a record left unchanged,
    else -1."""
    out: list[list] = []  # [review, origin, input index or -1]
    by_key: dict[str, list[int]] = {}
    heads: dict[str, str] = {}
    for i, (r, origin) in enumerate(zip(records, origins)):
        target = None
        for key in _keys(r):
            for idx in by_key.get(key, ()):
                if _same_post(out[idx][0], r, heads):
                    target = idx
                    break
            if target is not None:
                break
        if target is None:
            out.append([r, origin, i])
            target = len(out) - 1
        else:
            out[target][0] = _merge_pair(out[target][0], r)
            out[target][2] = -1
        for key in _keys(r):
            lst = by_key.setdefault(key, [])
            if target not in lst:
                lst.append(target)
    # ids are 8 hex digits; on the rare clash the later record gets a suffix
    seen: set[str] = set()
    result = []
    for r, origin, i in out:
        rid = r.id
        k = 2
        while rid in seen:
            rid = f"{r.id}{k}"
            k += 1
        seen.add(rid)
        result.append((r._replace(id=rid), origin, -1) if rid != r.id else (r, origin, i))
    return result


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
    """The six FTS column texts of a record (title, authors, tags, reviewer, body, extra), each
    a space-separated list of index terms."""
    tags = []
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
    return (
        " ".join(an.terms(r.title)),
        " ".join(an.terms(" ".join(r.authors))),
        " ".join(tags),
        reviewer,
        " ".join(an.terms(r.body)),
        " ".join(extra),
    )


# Above this many records the text analysis runs in a worker pool, one process per core.
PARALLEL_MIN_RECORDS = 6000
CHUNK = 2000


def _analyze(chunk: list[tuple[int, Review, str | None]]):
    """Worker: FTS rows for a chunk of records and the chunk's vocabulary
    ``{folded word: (stem, count)}``."""
    an = _Analyzer()
    rows = [(rid, *fts_row(r, origin, an)) for rid, r, origin in chunk]
    return rows, an.vocabulary_counts()


def build_index(conn: sqlite3.Connection, records: list[Review], origins: list[str | None],
                stored_json: list[str] | None = None) -> int:
    """Replace the index content with the merged ``records``; ``stored_json`` are the records'
    JSON as stored, reused for records the merge left unchanged. Returns the number of records."""
    merged = merge(records, origins)
    conn.execute("DELETE FROM reviews")
    conn.execute("DELETE FROM review_tags")
    conn.execute("DELETE FROM vocab")
    conn.execute("INSERT INTO fts(fts) VALUES('delete-all')")
    rows, tag_rows = [], []
    for rid, (r, origin, i) in enumerate(merged, start=1):
        src = "\n".join([origin or ""] + [x for s in r.sources for x in (s.path, s.url, s.post_id) if x])
        js = stored_json[i] if stored_json is not None and i >= 0 else json.dumps(r.to_dict(), ensure_ascii=False)
        rows.append((rid, r.id, r.title, r.arxiv_id, r.year, r.date, origin, src.casefold(), len(r.sources), js))
        seen_tags = set()
        for t in r.tags:
            ct = canonical_tag(t)
            if ct not in seen_tags:
                seen_tags.add(ct)
                tag_rows.append((ct, rid, t))
    conn.executemany("INSERT INTO reviews VALUES(?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO review_tags VALUES(?,?,?)", tag_rows)
    del rows, tag_rows
    chunks = [[(rid, r, origin) for rid, (r, origin, _) in enumerate(merged[k:k + CHUNK], start=k + 1)]
              for k in range(0, len(merged), CHUNK)]
    vocab: dict[str, list] = {}
    for fts_rows, counts in _map(_analyze, chunks, parallel=len(merged) >= PARALLEL_MIN_RECORDS):
        conn.executemany("INSERT INTO fts(rowid, title, authors, tags, reviewer, body, extra) VALUES(?,?,?,?,?,?,?)",
                         fts_rows)
        for w, (st, n) in counts.items():
            if w in vocab:
                vocab[w][1] += n
            else:
                vocab[w] = [st, n]
    conn.executemany("INSERT INTO vocab VALUES(?,?,?)", ((w, st, n) for w, (st, n) in vocab.items()))
    return len(merged)


def _map(fn, chunks, parallel: bool):
    """``map(fn, chunks)`` in order, on a process pool when ``parallel`` and there are cores."""
    import os

    workers = min(os.cpu_count() or 1, len(chunks))
    if not parallel or workers < 2:
        yield from map(fn, chunks)
        return
    from concurrent.futures import ProcessPoolExecutor

    from .library import _mp_context

    with ProcessPoolExecutor(workers, mp_context=_mp_context()) as ex:
        yield from ex.map(fn, chunks)
