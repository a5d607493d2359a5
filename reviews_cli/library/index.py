"""Building the search index from parsed records: merging duplicates, then writing the
``reviews``, ``review_tags``, ``review_keys``, ``vocab`` and ``fts`` tables (schema in
``store.py``); the FTS ``note`` column is fed from the user's state file last
(``state.refresh_notes``).

Called inside the library's write transaction; nothing here commits.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections import Counter
from typing import TYPE_CHECKING, TypeAlias

from .. import textnorm as tn
from ..extract import arxiv_ids_in_url, canonical_tag, normalize_url
from ..models import Link, Review, Source
from .fields import FIELDS, FTS_INSERT
from .ingest import merge_keys, pool_map
from .state import identity_key_rows, refresh_notes

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

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


KeyRow = tuple[int, int, str, "str | None", "str | None", "str | None"]  # sid, ord, id, arxiv_id, paper_url, tkey


KEY_ROWS_SQL = ("SELECT p.sid, p.ord, p.id, p.arxiv_id, p.paper_url, p.tkey FROM posts p "
                "JOIN sources s USING(sid) ORDER BY s.ord, p.ord")


def key_rows(conn: sqlite3.Connection) -> list[KeyRow]:
    """Every post's merge keys, in library order: ``(sid, ord, id, arxiv_id, paper_url, tkey)``."""
    rows: list[KeyRow] = conn.execute(KEY_ROWS_SQL).fetchall()
    return rows


def plan_merge(conn: sqlite3.Connection,
               rows: Iterable[KeyRow] | None = None) -> tuple[list[Pos], dict[Pos, list[Pos]]]:
    """Decide which posts are one review, from the parse cache's key columns, in library order.

    A post joins an earlier group of the same paper (arXiv id, paper URL or folded title) when it
    is the same post: the same id (paper + text), or, for posts that do not disagree on their
    arXiv id, bodies at least ``SAME_POST_RATIO`` alike (rapidfuzz). Bodies are read only on such
    key collisions. Returns the group leaders in order and the later members of each group.
    ``rows`` (default: every post, read as it goes) plans a part of the library instead: a
    post's group depends only on the posts sharing a key with it, so a key-connected part plans
    the same alone as within the whole.

    Which groups each key leads to lives in a temporary table, not in memory, so planning a
    library of any size holds only the leaders' positions and the merges.
    """
    leaders: list[Pos] = []
    members: dict[Pos, list[Pos]] = {}

    @functools.lru_cache(maxsize=256)  # a leader is compared again while its paper's posts follow
    def head(pos: Pos) -> str:
        (js,) = conn.execute("SELECT json FROM posts WHERE sid=? AND ord=?", pos).fetchone()
        return _body_head(json.loads(js)["body"])

    conn.execute("CREATE TEMP TABLE IF NOT EXISTS merge_plan(key TEXT NOT NULL, sid INTEGER NOT NULL, "
                 "ord INTEGER NOT NULL, UNIQUE(key, sid, ord))")
    conn.execute("DELETE FROM temp.merge_plan")
    if rows is None:
        rows = conn.cursor().execute(KEY_ROWS_SQL)
    for sid, ord_, pid, aid, url, tkey in rows:
        pos = (sid, ord_)
        keys = merge_keys(aid, url, tkey)
        target: Pos | None = None
        for key in keys:
            for lead in conn.execute("SELECT sid, ord FROM temp.merge_plan WHERE key=? ORDER BY rowid", (key,)):
                lid, laid = conn.execute("SELECT id, arxiv_id FROM posts WHERE sid=? AND ord=?", lead).fetchone()
                if lid == pid or ((not aid or not laid or aid == laid) and _similar(head(lead), head(pos))):
                    target = lead
                    break
            if target is not None:
                break
        if target is None:
            leaders.append(pos)
            target = pos
        else:
            members.setdefault(target, []).append(pos)
        conn.executemany("INSERT OR IGNORE INTO temp.merge_plan VALUES(?,?,?)", [(key, *target) for key in keys])
    conn.execute("DELETE FROM temp.merge_plan")
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


def fts_row(r: Review, origin: str | None, an: _Analyzer, note: str = "") -> tuple[str, ...]:
    """The FTS column texts of a record with the user's ``note`` on it, in
    :data:`~reviews_cli.library.fields.FIELDS` order, each a space-separated list of index terms."""
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
        "note": " ".join(an.terms(note)) if note else "",
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
    conn.execute("DELETE FROM review_keys")
    conn.execute("DELETE FROM review_notes")
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

    pending: set[str] = set()  # the ids of the records not yet inserted (at most a chunk)

    def taken(rid: str) -> bool:
        return rid in pending or conn.execute("SELECT 1 FROM reviews WHERE id=?", (rid,)).fetchone() is not None

    def records() -> Iterator[tuple[int, Review, str | None, Pos, str | None]]:
        rid = 0
        cur = conn.cursor()  # a second cursor: the inserts below use the connection
        cur.execute("SELECT p.sid, p.ord, p.json, s.origin FROM posts p JOIN sources s USING(sid) "
                    "ORDER BY s.ord, p.ord")
        for sid, ord_, js, origin in cur:
            pos = (sid, ord_)
            if pos in skip:
                continue
            r, changed = _merge_group(conn, js, members.get(pos, ()))
            base, k = r.id, 2
            while taken(r.id):  # ids are 8 hex digits; on the rare clash the later gets a suffix
                r = r._replace(id=f"{base}{k}")
                k += 1
                changed = True
            pending.add(r.id)
            rid += 1
            yield rid, r, origin, pos, (json.dumps(r.to_dict(), ensure_ascii=False) if changed else None)

    def chunks() -> Iterator[list[Record]]:
        nonlocal done
        batch: list[Record] = []
        rows: list[ReviewRow] = []
        tag_rows: list[TagRow] = []
        for rid, r, origin, pos, js in records():
            rows.append(_review_row(rid, r, origin, pos, js))
            tag_rows += _tag_rows(rid, r)
            batch.append((rid, r, origin))
            if len(batch) >= CHUNK:
                conn.executemany("INSERT INTO review_keys VALUES(?,?)",
                                 identity_key_rows((x, r) for x, r, _ in batch))
                _insert_rows(conn, rows, tag_rows)
                pending.clear()
                yield batch
                batch = []
        conn.executemany("INSERT INTO review_keys VALUES(?,?)", identity_key_rows((x, r) for x, r, _ in batch))
        _insert_rows(conn, rows, tag_rows)
        pending.clear()
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
    # what remove_sources checks before deleting FTS rows by recomputing their terms
    conn.execute("INSERT OR REPLACE INTO meta VALUES('analyzer', ?)", (analyzer_fingerprint(),))
    refresh_notes(conn)
    return total


def _merge_group(conn: sqlite3.Connection, js: str, members: Iterable[Pos]) -> tuple[Review, bool]:
    """A group's record: its leader's post (``js``) with each member post merged in, and
    whether it differs from the leader's post."""
    r = Review.from_dict(json.loads(js))
    changed = False
    for m in members:
        (mjs,) = conn.execute("SELECT json FROM posts WHERE sid=? AND ord=?", m).fetchone()
        r = _merge_pair(r, Review.from_dict(json.loads(mjs)))
        changed = True
    return r, changed


def _review_row(rid: int, r: Review, origin: str | None, pos: Pos, js: str | None) -> ReviewRow:
    src = "\n".join([origin or ""] + [x for s in r.sources for x in (s.path, s.url, s.post_id) if x])
    return (rid, r.id, r.title, r.arxiv_id, r.year, r.date, origin, src.casefold(), len(r.sources), pos[0], pos[1],
            js)


def _tag_rows(rid: int, r: Review) -> list[TagRow]:
    out: list[TagRow] = []
    seen: set[str] = set()
    for t in r.tags:
        ct = canonical_tag(t)
        if ct not in seen:
            seen.add(ct)
            out.append((ct, rid, t))
    return out


def analyzer_fingerprint() -> str:
    """A hash of everything that decides a record's FTS terms: the code of the text analysis,
    the fields, the record model and this module, and the stemmer in use. An FTS5 table without
    content forgets a row's terms, so deleting a row means recomputing them exactly; a removal
    does that only while the index was built under the same fingerprint."""
    import hashlib
    import sys

    from .. import extract, models
    from . import fields

    h = hashlib.sha256()
    for mod in (tn, fields, extract, models, sys.modules[__name__]):
        with open(str(mod.__file__), "rb") as f:
            h.update(f.read())
    stemmer = tn._stemmer("english")
    h.update(f"{type(stemmer).__module__}.{type(stemmer).__qualname__}".encode())
    h.update(str(getattr(sys.modules.get(type(stemmer).__module__), "__version__", "")).encode())
    return h.hexdigest()


FTS_DELETE = (f"INSERT INTO fts(fts, rowid, {', '.join(f.name for f in FIELDS)}) "
              f"VALUES('delete', {', '.join('?' * (len(FIELDS) + 1))})")


class _Keys:
    """Union-find over merge keys: two keys are connected when one post carries both."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, k: str) -> str:
        parent = self.parent
        parent.setdefault(k, k)
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(self, keys: list[str]) -> None:
        if keys:
            root = self.find(keys[0])
            for k in keys[1:]:
                other = self.find(k)
                if other != root:
                    self.parent[other] = root


def remove_sources(conn: sqlite3.Connection, sids: Iterable[int]) -> bool:
    """Delete dumps ``sids`` from the index, inside the caller's transaction, touching only the
    records they took part in: a record read only from them is deleted; one merged from them and
    other dumps is rebuilt from the others' posts; the rest of the index is left as it is.

    Only the posts sharing a merge key (transitively) with a removed post can be grouped
    differently without them, so just that part is planned again (:func:`plan_merge`), with and
    without them; the groups that differ are replaced: FTS rows deleted with their recomputed
    terms, vocabulary counts and the dumps' ``n_merged`` adjusted, freed record numbers reused
    in library order. Returns ``False``, having changed nothing, when it cannot be done this way
    (the index was built by other analysis code, see :func:`analyzer_fingerprint`, or is out of
    step with the posts); the caller then rebuilds the index."""
    gone = set(sids)
    if not gone:
        return True
    row = conn.execute("SELECT value FROM meta WHERE key='analyzer'").fetchone()
    if row is None or row[0] != analyzer_fingerprint():
        return False
    rows = key_rows(conn)
    uf = _Keys()
    post_keys = [merge_keys(aid, url, tkey) for _, _, _, aid, url, tkey in rows]
    for ks in post_keys:
        uf.union(ks)
    hit = {uf.find(k) for r, ks in zip(rows, post_keys) if r[0] in gone for k in ks}
    part = [r for r, ks in zip(rows, post_keys) if r[0] in gone or any(uf.find(k) in hit for k in ks)]
    old_leaders, old_members = plan_merge(conn, part)
    new_leaders, new_members = plan_merge(conn, [r for r in part if r[0] not in gone])
    old = {lead: old_members.get(lead, []) for lead in old_leaders}
    new = {lead: new_members.get(lead, []) for lead in new_leaders}
    same = {lead for lead, ms in new.items() if old.get(lead) == ms}
    drop = [lead for lead in old_leaders if lead not in same]
    build = [lead for lead in new_leaders if lead not in same]
    rid_of: dict[Pos, int] = {(sid, ord_): rid for rid, sid, ord_ in conn.execute("SELECT rid, sid, ord FROM reviews")}
    if any(lead not in rid_of for lead in drop) or len(rid_of) != len(set(rid_of.values())):
        return False  # the index does not hold the records the posts plan: rebuild it
    max_rid = max(rid_of.values(), default=0)

    an_old, an_new = _Analyzer(), _Analyzer()
    freed: list[int] = []
    for lead in drop:  # read before their posts go (records join the posts)
        rid = rid_of[lead]
        js, origin = conn.execute("SELECT coalesce(r.json, p.json), r.origin FROM reviews r LEFT JOIN posts p "
                                  "ON p.sid = r.sid AND p.ord = r.ord WHERE r.rid=?", (rid,)).fetchone()
        r = Review.from_dict(json.loads(js))
        note = conn.execute("SELECT note FROM review_notes WHERE rid=?", (rid,)).fetchone()
        conn.execute(FTS_DELETE, (rid, *fts_row(r, origin, an_old, note[0] if note else "")))
        conn.executemany("DELETE FROM review_tags WHERE tag=? AND rid=?", [(t, rid) for t, _, _ in _tag_rows(rid, r)])
        for table in ("reviews", "review_keys", "review_notes"):
            conn.execute(f"DELETE FROM {table} WHERE rid=?", (rid,))
        freed.append(rid)
    for sid in gone:
        conn.execute("DELETE FROM posts WHERE sid=?", (sid,))
        conn.execute("DELETE FROM sources WHERE sid=?", (sid,))

    freed.sort()
    rids = freed[:len(build)] + list(range(max_rid + 1, max_rid + 1 + max(0, len(build) - len(freed))))
    origins: dict[int, str | None] = dict(conn.execute("SELECT sid, origin FROM sources"))
    for lead, rid in zip(build, rids):
        (js,) = conn.execute("SELECT json FROM posts WHERE sid=? AND ord=?", lead).fetchone()
        r, changed = _merge_group(conn, js, new[lead])
        base, k = r.id, 2
        while conn.execute("SELECT 1 FROM reviews WHERE id=?", (r.id,)).fetchone():
            r = r._replace(id=f"{base}{k}")  # as rebuild does on the rare id clash
            k += 1
            changed = True
        origin = origins.get(lead[0])
        conn.execute("INSERT INTO reviews VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                     _review_row(rid, r, origin, lead,
                                 json.dumps(r.to_dict(), ensure_ascii=False) if changed else None))
        conn.executemany("INSERT INTO review_tags VALUES(?,?,?)", _tag_rows(rid, r))
        conn.executemany("INSERT OR IGNORE INTO review_keys VALUES(?,?)", identity_key_rows([(rid, r)]))
        conn.execute(FTS_INSERT, (rid, *fts_row(r, origin, an_new)))

    merged: Counter[int] = Counter()
    for groups, sign in ((old, -1), (new, 1)):
        for ms in groups.values():
            for sid, _ in ms:
                merged[sid] += sign
    conn.executemany("UPDATE sources SET n_merged = n_merged + ? WHERE sid = ?",
                     [(n, sid) for sid, n in merged.items() if n and sid not in gone])
    vocab_delta(conn, an_new, an_old)
    refresh_notes(conn)  # the rebuilt records' notes
    return True


def vocab_delta(conn: sqlite3.Connection, added: _Analyzer, removed: _Analyzer) -> None:
    """Count the words of the FTS rows ``added`` analysed into ``vocab`` and take those of the
    rows ``removed`` analysed out of it (a word counted nowhere any more goes)."""
    conn.executemany("INSERT INTO vocab VALUES(?,?,?) ON CONFLICT(word) DO UPDATE SET n = n + excluded.n",
                     [(w, st, n) for w, (st, n) in added.vocabulary_counts().items()])
    lost = removed.vocabulary_counts()
    conn.executemany("UPDATE vocab SET n = n - ? WHERE word = ?", [(n, w) for w, (_, n) in lost.items()])
    conn.executemany("DELETE FROM vocab WHERE word = ? AND n <= 0", [(w,) for w in lost])


def _insert_rows(conn: sqlite3.Connection, rows: list[ReviewRow], tag_rows: list[TagRow]) -> None:
    conn.executemany("INSERT INTO reviews VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO review_tags VALUES(?,?,?)", tag_rows)
    rows.clear()
    tag_rows.clear()
