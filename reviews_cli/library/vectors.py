"""Review vectors for search by meaning (the optional ``[semantic]`` extra): chunking, storage in
the index beside the FTS tables, incremental embedding, and the scan that scores a query.

Chunks. A review is embedded as chunks of its title and a piece of its body (the body split
into near-equal pieces of :data:`MIN_CHUNK_WORDS`–:data:`MAX_CHUNK_WORDS` words); a review
scores by its best chunk, so a long review is found by the paragraph that says what the query
says. :func:`chunks` is the one rule; snippets of meaning hits re-derive the closest chunk with it.

Storage (tables created on first write; a library built without the extra has none and works
unchanged)::

    vec_docs(id, model, hash)           a record id -> the vectors that embed its current text
    vec_blobs(model, hash, n, scales, vecs)   content-addressed: ``hash`` is a sha256 of the
                                        chunk texts, ``model`` the embedder's ``name@version``

A vector is stored as int8 (rounded ``v / max|v| * 127``) with its float32 scale: 4x smaller
than float32, and the cosine is ``scale * (int8 row · query)``. Vectors are keyed by the text
they embed, so an unchanged review is never embedded twice (a rebuild renumbering records, a
dump re-added, a record merged from the same text all reuse them), and a model change re-embeds
once. :func:`prune` drops the vectors of records that are gone (a removed dump's).

Embedding (:func:`embed_missing`) commits every few reviews, so an interrupted run keeps what it
did and the next run resumes; it never runs at search time. The bundled corpus's vectors ship in
the package (``data/vectors.npz``, made by ``bench/make_bundled_vectors.py``) and are copied in
when their model stamp and text hashes match (:func:`import_bundled`), without the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..models import Review

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import numpy as np
    import numpy.typing as npt

    from .embedder import Embedder

# Body pieces embedded with the title: e5 reads 512 tokens, Russian runs ~2.5 tokens a word, and
# a piece of about a paragraph keeps one topic per vector.
MAX_CHUNK_WORDS = 100
MIN_CHUNK_WORDS = 60
# At most this many pieces per review (a 10 MB post is not embedded whole); the body's start
# says what the paper does.
MAX_CHUNKS = 12
# Reviews embedded per write transaction: what an interruption can lose.
COMMIT_EVERY = 8
# Bumped when the chunking rule changes: part of every text hash, so old vectors are not reused.
CHUNKING_VERSION = 1
BUNDLED_FILE = "vectors.npz"

# A progress callback for embedding: ``(reviews done, reviews to embed, tokens embedded so far)``.
EmbedProgress = Callable[[int, int, int], object]

_TABLES = (
    "CREATE TABLE IF NOT EXISTS vec_docs(id TEXT PRIMARY KEY, model TEXT NOT NULL, hash TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS vec_blobs(model TEXT NOT NULL, hash TEXT NOT NULL, n INTEGER NOT NULL, "
    "scales BLOB NOT NULL, vecs BLOB NOT NULL, PRIMARY KEY(model, hash)) WITHOUT ROWID",
    # every change to vec_docs bumps gen; a pack built at another gen is stale
    "CREATE TABLE IF NOT EXISTS vec_state(k INTEGER PRIMARY KEY CHECK(k = 0), gen INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO vec_state VALUES(0, 0)",
    "CREATE TRIGGER IF NOT EXISTS vec_docs_ins AFTER INSERT ON vec_docs BEGIN UPDATE vec_state SET gen = gen + 1; END",
    "CREATE TRIGGER IF NOT EXISTS vec_docs_upd AFTER UPDATE ON vec_docs BEGIN UPDATE vec_state SET gen = gen + 1; END",
    "CREATE TRIGGER IF NOT EXISTS vec_docs_del AFTER DELETE ON vec_docs BEGIN UPDATE vec_state SET gen = gen + 1; END",
    "CREATE TABLE IF NOT EXISTS vec_pack(model TEXT PRIMARY KEY, gen INTEGER NOT NULL, ids TEXT NOT NULL, "
    "counts BLOB NOT NULL, scales BLOB NOT NULL, vecs BLOB NOT NULL)",
)


def chunks(title: str, body: str, max_words: int = MAX_CHUNK_WORDS) -> list[str]:
    """The texts embedded for a review: ``"title. piece"`` for each piece of the body, the body
    (whitespace-split words) cut into the fewest near-equal pieces of at most ``max_words``
    words (so each has 60–100 words when the body is long enough), at most
    :data:`MAX_CHUNKS`; just the title for an empty body."""
    title = " ".join(title.split())
    words = body.split()[:max_words * MAX_CHUNKS]
    if not words:
        return [title]
    n = -(-len(words) // max_words)
    size = -(-len(words) // n)
    return [f"{title}. {' '.join(words[i:i + size])}" for i in range(0, len(words), size)]


def text_hash(texts: list[str]) -> str:
    """The sha256 (hex) of a review's chunk texts, with :data:`CHUNKING_VERSION`."""
    h = hashlib.sha256(f"v{CHUNKING_VERSION}".encode())
    for t in texts:
        h.update(b"\x00" + t.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def has_tables(conn: sqlite3.Connection) -> bool:
    """Whether the index has the vector tables (a library never embedded has not)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name='vec_docs'").fetchone() is not None


def ensure_tables(conn: sqlite3.Connection) -> None:
    """Create the vector tables if missing (a writer's call; inside or outside a transaction)."""
    for sql in _TABLES:
        conn.execute(sql)


# ------------------------------------------------------------------------------ encoding

def quantize(m: npt.NDArray[np.float32]) -> tuple[bytes, bytes]:
    """Rows of ``m`` (shape ``(n, dim)``) as ``(float32 scales, int8 rows)`` bytes."""
    import numpy as np

    peak = np.abs(m).max(axis=1)
    peak[peak == 0] = 1.0
    q = np.rint(m / peak[:, None] * 127.0).astype(np.int8)
    return (peak / 127.0).astype(np.float32).tobytes(), q.tobytes()


def dequantize(scales: bytes, vecs: bytes, dim: int) -> npt.NDArray[np.float32]:
    """The float32 rows (shape ``(n, dim)``) that :func:`quantize` stored."""
    import numpy as np

    s = np.frombuffer(scales, dtype=np.float32)
    q = np.frombuffer(vecs, dtype=np.int8).reshape(len(s), dim)
    out: npt.NDArray[np.float32] = q.astype(np.float32) * s[:, None]
    return out


# ------------------------------------------------------------------------------- writing

class Pending(NamedTuple):
    """A record whose vectors are missing: its id, chunk texts and their hash."""

    id: str
    texts: list[str]
    hash: str


def plan(conn: sqlite3.Connection, model: str) -> tuple[list[Pending], int]:
    """The records whose stored vectors (for ``model``) do not embed their current text, in
    library order, and how many records there are. Records whose text is already embedded
    under another id are linked to those vectors here (no model needed); a writer's call."""
    ensure_tables(conn)
    have: dict[str, str] = {i: h for i, h in conn.execute("SELECT id, hash FROM vec_docs WHERE model=?", (model,))}
    blobs = {h for (h,) in conn.execute("SELECT hash FROM vec_blobs WHERE model=?", (model,))}
    todo: list[Pending] = []
    link: list[tuple[str, str, str]] = []
    total = 0
    for rid_id, js in conn.execute("SELECT id, json FROM records ORDER BY rid").fetchall():
        total += 1
        r = Review.from_dict(json.loads(js))
        texts = chunks(r.title, r.body)
        h = text_hash(texts)
        if have.get(rid_id) == h:
            continue
        if h in blobs:
            link.append((rid_id, model, h))
        else:
            todo.append(Pending(rid_id, texts, h))
    if link:
        conn.executemany("INSERT OR REPLACE INTO vec_docs VALUES(?,?,?)", link)
    return todo, total


def _store(conn: sqlite3.Connection, model: str, p: Pending, m: npt.NDArray[np.float32]) -> None:
    scales, vecs = quantize(m)
    conn.execute("INSERT OR REPLACE INTO vec_blobs VALUES(?,?,?,?,?)", (model, p.hash, len(m), scales, vecs))
    conn.execute("INSERT OR REPLACE INTO vec_docs VALUES(?,?,?)", (p.id, model, p.hash))


def import_bundled(conn: sqlite3.Connection, model: str, todo: list[Pending],
                   path: str | None = None) -> list[Pending]:
    """Store the shipped vectors (``path``, default the package's ``data/vectors.npz``) of the
    records in ``todo`` whose text hash they hold, when they were made by ``model``; returns the
    records still to embed. A missing or unreadable file, or another model's, is ignored."""
    import numpy as np

    if path is None:
        from .sources import bundled_dir

        path = os.path.join(bundled_dir(), BUNDLED_FILE)
    if not todo or not os.path.exists(path):
        return todo
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["model"]) != model:
                return todo
            hashes = [str(h) for h in z["hashes"]]
            counts, scales, vecs = z["counts"], z["scales"], z["vecs"]
    except (OSError, ValueError, KeyError):
        return todo
    at: dict[str, tuple[int, int]] = {}
    start = 0
    for h, n in zip(hashes, counts.tolist()):
        at[h] = (start, start + n)
        start += n
    rest: list[Pending] = []
    for p in todo:
        if p.hash not in at:
            rest.append(p)
            continue
        a, b = at[p.hash]
        conn.execute("INSERT OR REPLACE INTO vec_blobs VALUES(?,?,?,?,?)",
                     (model, p.hash, b - a, scales[a:b].tobytes(), vecs[a:b].tobytes()))
        conn.execute("INSERT OR REPLACE INTO vec_docs VALUES(?,?,?)", (p.id, model, p.hash))
    return rest


def embed_missing(conn: sqlite3.Connection, embedder: Embedder, progress: EmbedProgress | None = None,
                  transaction: Callable[[], AbstractContextManager[object]] | None = None) -> int:
    """Embed every record whose vectors are missing or stale, :data:`COMMIT_EVERY` records per
    write transaction (``transaction``: a context-manager factory, default ``store.transaction``
    on ``conn``), after taking what the bundled vectors and already-stored texts provide; then
    :func:`prune`. ``progress(done, total, tokens)`` is called after each transaction. Returns
    the number of records embedded. Interrupting it keeps every committed transaction's work."""
    from .embedder import model_stamp
    from .store import transaction as default_tx

    def tx() -> AbstractContextManager[object]:
        return transaction() if transaction else default_tx(conn)

    model = model_stamp(embedder)
    with tx():
        todo, _ = plan(conn, model)
        todo = import_bundled(conn, model, todo)
        prune(conn)
    done = tokens = 0
    if progress:
        progress(0, len(todo), 0)
    for i in range(0, len(todo), COMMIT_EVERY):
        batch = todo[i:i + COMMIT_EVERY]
        texts = [t for p in batch for t in p.texts]
        m = embedder.embed_passages(texts)  # outside the lock: readers and writers go on meanwhile
        tokens += sum(embedder.count_tokens(t) for t in texts) if progress else 0
        with tx():
            k = 0
            for p in batch:
                _store(conn, model, p, m[k:k + len(p.texts)])
                k += len(p.texts)
        done += len(batch)
        if progress:
            progress(done, len(todo), tokens)
    if todo:
        with tx():
            prune(conn)
    return done


def prune(conn: sqlite3.Connection) -> None:
    """Inside a write transaction: forget vectors of records no longer in the library (a
    removed dump's) and blobs no record uses. No-op when there are no vector tables."""
    if not has_tables(conn):
        return
    conn.execute("DELETE FROM vec_docs WHERE id NOT IN (SELECT id FROM reviews) AND id NOT LIKE 'fixed:%'")
    conn.execute("DELETE FROM vec_blobs WHERE NOT EXISTS (SELECT 1 FROM vec_docs d "
                 "WHERE d.model = vec_blobs.model AND d.hash = vec_blobs.hash)")


# ------------------------------------------------------------------------------- reading

class Matrix(NamedTuple):
    """Every stored chunk vector of the current records under one model, as stored: ``q8``
    (shape ``(chunks, dim)``, int8) and ``scales`` (float32, one per row: the cosine with a
    unit query is ``scales[i] * (q8[i] · query)``); ``owner[i]`` the record (``rid``) of row i,
    a record's rows next to each other; ``chunk_no[i]`` its chunk's number in that record;
    ``missing``: records with no vectors yet."""

    q8: npt.NDArray[np.int8]
    scales: npt.NDArray[np.float32]
    owner: npt.NDArray[np.int64]
    chunk_no: npt.NDArray[np.int32]
    missing: int

    def rows(self) -> npt.NDArray[np.float32]:
        """The vectors as float32 rows (a copy)."""
        out: npt.NDArray[np.float32] = self.q8.astype("float32")
        out *= self.scales[:, None]
        return out


def load_matrix(conn: sqlite3.Connection, model: str, dim: int | None) -> Matrix:
    """The stored vectors of the current records made by ``model`` (see :class:`Matrix`); empty
    when the library has none. ``dim`` ``None``: read from the stored vectors.

    Read from the pack (one row holding every record's vectors, see :func:`repack`), rebuilt
    first when the vectors changed since it was made and the index can be written; else read
    record by record."""
    import numpy as np

    n_records = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    empty = Matrix(np.zeros((0, dim or 0), np.int8), np.zeros(0, np.float32), np.zeros(0, np.int64),
                   np.zeros(0, np.int32), n_records)
    if not has_tables(conn):
        return empty
    pack = _fresh_pack(conn, model)
    if pack is None:
        rows = conn.execute(
            "SELECT d.id, b.n, b.scales, b.vecs FROM vec_docs d JOIN vec_blobs b ON b.model = d.model "
            "AND b.hash = d.hash WHERE d.model = ? AND d.id NOT LIKE 'fixed:%'", (model,)).fetchall()
        pack = ("\n".join(r[0] for r in rows), np.array([r[1] for r in rows], np.int32).tobytes(),
                b"".join(r[2] for r in rows), b"".join(r[3] for r in rows))
    ids_text, counts_b, scales_b, vecs_b = pack
    if not ids_text:
        return empty
    rid_of: dict[str, int] = dict(conn.execute("SELECT id, rid FROM reviews"))
    counts = np.frombuffer(counts_b, dtype=np.int32).astype(np.int64)
    rids = np.fromiter((rid_of.get(i, -1) for i in ids_text.split("\n")), dtype=np.int64, count=len(counts))
    s = np.frombuffer(scales_b, dtype=np.float32)
    if dim is None:
        dim = len(vecs_b) // len(s)
    owner = np.repeat(rids, counts)
    chunk_no = (np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)).astype(np.int32)
    keep = owner >= 0  # vectors of records no longer in the library
    q = np.frombuffer(vecs_b, dtype=np.int8).reshape(len(s), dim)
    if not keep.all():
        q, s, owner, chunk_no = q[keep], s[keep], owner[keep], chunk_no[keep]
    return Matrix(q, s, owner, chunk_no, n_records - int((rids >= 0).sum()))


def repack(conn: sqlite3.Connection, model: str) -> None:
    """Inside a write transaction: rebuild ``model``'s pack, every record's vectors in one row
    (ids, counts, scales, int8 rows), so a search reads one row, not one per record."""
    rows = conn.execute(
        "SELECT d.id, b.n, b.scales, b.vecs FROM vec_docs d JOIN vec_blobs b ON b.model = d.model "
        "AND b.hash = d.hash WHERE d.model = ? AND d.id NOT LIKE 'fixed:%' ORDER BY d.id", (model,)).fetchall()
    import numpy as np

    (gen,) = conn.execute("SELECT gen FROM vec_state").fetchone()
    conn.execute("INSERT OR REPLACE INTO vec_pack VALUES(?,?,?,?,?,?)",
                 (model, gen, "\n".join(r[0] for r in rows), np.array([r[1] for r in rows], np.int32).tobytes(),
                  b"".join(r[2] for r in rows), b"".join(r[3] for r in rows)))


def _fresh_pack(conn: sqlite3.Connection, model: str) -> tuple[str, bytes, bytes, bytes] | None:
    """``model``'s pack when it is up to date (rebuilt here if stale and the index can be
    written), else ``None``."""
    from .store import transaction

    sql = ("SELECT p.ids, p.counts, p.scales, p.vecs FROM vec_pack p JOIN vec_state s ON s.gen = p.gen "
           "WHERE p.model = ?")
    row = conn.execute(sql, (model,)).fetchone()
    if row is None:
        try:
            with transaction(conn):
                repack(conn, model)
        except sqlite3.OperationalError:  # locked by a writer, or read-only: read record by record
            return None
        row = conn.execute(sql, (model,)).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


# Rows scored per block: the int8 rows are widened to float32 a block at a time into one reused
# buffer that stays in the CPU cache (1.5 MB): 60,000 rows take ~4 ms, against ~30 ms widening
# them all at once (and 90 MB more memory).
SCAN_BLOCK = 1024


def best_chunks(matrix: Matrix, query: npt.NDArray[np.float32], allowed: set[int] | None = None,
                top: int | None = None) -> list[tuple[int, float, int]]:
    """``(rid, cosine of its best chunk, that chunk's number)`` for the records in ``matrix``
    (those in ``allowed`` when given), best first; only the best ``top`` when given."""
    import numpy as np

    n = len(matrix.owner)
    if not n:
        return []
    sims = np.empty(n, dtype=np.float32)
    buf = np.empty((min(n, SCAN_BLOCK), matrix.q8.shape[1]), dtype=np.float32)
    query = np.asarray(query, dtype=np.float32)
    for i in range(0, n, SCAN_BLOCK):
        k = min(SCAN_BLOCK, n - i)
        np.copyto(buf[:k], matrix.q8[i:i + k], casting="unsafe")
        np.matmul(buf[:k], query, out=sims[i:i + k])
    sims *= matrix.scales
    starts = np.flatnonzero(np.r_[True, matrix.owner[1:] != matrix.owner[:-1]])  # a record's first row
    best = np.maximum.reduceat(sims, starts)
    rids = matrix.owner[starts]
    seg = np.arange(len(starts))
    if allowed is not None:
        seg = seg[np.isin(rids, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))]
    if top is not None and len(seg) > top:
        seg = seg[np.argpartition(-best[seg], top - 1)[:top]]
    seg = seg[np.argsort(-best[seg], kind="stable")]
    ends = np.r_[starts[1:], n]
    out = []
    for k in seg.tolist():
        a = int(starts[k])
        row = a + int(np.argmax(sims[a:int(ends[k])]))
        out.append((int(rids[k]), float(best[k]), int(matrix.chunk_no[row])))
    return out


def iter_chunk_texts(conn: sqlite3.Connection) -> Iterator[tuple[str, list[str]]]:
    """``(record id, chunk texts)`` of every record, in library order (for the bundled-vector
    script and benches)."""
    for rid_id, js in conn.execute("SELECT id, json FROM records ORDER BY rid").fetchall():
        r = Review.from_dict(json.loads(js))
        yield rid_id, chunks(r.title, r.body)


def adopt_bundled(conn: sqlite3.Connection, model: str) -> int:
    """Copy in the shipped vectors of bundled records that have none under ``model`` (a new
    user's first search by meaning; no model needed), in its own write transaction. Returns
    how many records got vectors; 0 when another process holds the write lock or the folder is
    read-only (the search goes on with what is stored)."""
    from .store import transaction

    bundled = ("SELECT r.id, p.json FROM reviews r JOIN posts p ON p.sid = r.sid AND p.ord = r.ord "
               "JOIN sources s ON s.sid = r.sid WHERE s.kind = 'bundled' AND r.json IS NULL")
    missing = (" AND r.id NOT IN (SELECT id FROM vec_docs WHERE model = ?)", (model,)) if has_tables(conn) else ("", ())
    rows = conn.execute(bundled + missing[0], missing[1]).fetchall()
    merged = conn.execute(  # a bundled record merged with another post keeps its json in reviews
        "SELECT r.id, r.json FROM reviews r JOIN sources s ON s.sid = r.sid WHERE s.kind = 'bundled' "
        "AND r.json IS NOT NULL" + missing[0], missing[1]).fetchall()
    todo = []
    for rid_id, js in rows + merged:
        r = Review.from_dict(json.loads(js))
        texts = chunks(r.title, r.body)
        todo.append(Pending(rid_id, texts, text_hash(texts)))
    if not todo:
        return 0
    try:
        with transaction(conn):
            ensure_tables(conn)
            rest = import_bundled(conn, model, todo)
    except sqlite3.OperationalError:  # locked by a writer, or a read-only index
        return 0
    return len(todo) - len(rest)


def fixed_vectors(conn: sqlite3.Connection, embedder: Embedder, texts: list[str]) -> npt.NDArray[np.float32]:
    """Passage vectors of a fixed list of ``texts`` (not records: the hybrid ranking's
    reference passages), from the index, else the shipped file (key ``fixed``), else embedded
    now and stored when the index can be written (once per model)."""
    import numpy as np

    from .embedder import model_stamp

    model, h = model_stamp(embedder), "fixed:" + text_hash(texts)
    if has_tables(conn):
        row = conn.execute("SELECT scales, vecs FROM vec_blobs WHERE model=? AND hash=?", (model, h)).fetchone()
        if row:
            return dequantize(row[0], row[1], embedder.dim)
    from .sources import bundled_dir

    path = os.path.join(bundled_dir(), BUNDLED_FILE)
    m: npt.NDArray[np.float32] | None = None
    try:
        with np.load(path, allow_pickle=False) as z:
            if str(z["model"]) == model and str(z["fixed_hash"]) == h:
                m = dequantize(z["fixed_scales"].tobytes(), z["fixed_vecs"].tobytes(), embedder.dim)
    except (OSError, ValueError, KeyError):
        pass
    if m is None:
        m = embedder.embed_passages(texts)
    scales, vecs = quantize(m)
    try:
        from .store import transaction

        with transaction(conn):
            ensure_tables(conn)
            conn.execute("INSERT OR REPLACE INTO vec_blobs VALUES(?,?,?,?,?)", (model, h, len(m), scales, vecs))
            conn.execute("INSERT OR REPLACE INTO vec_docs VALUES(?,?,?)", (h, model, h))
    except sqlite3.OperationalError:
        pass
    return dequantize(scales, vecs, embedder.dim)
