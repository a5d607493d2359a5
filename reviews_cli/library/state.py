"""The user's own layer: stars, notes and read marks, kept apart from everything a rebuild touches.

Where it lives: ``REVIEWS_HOME/state.sqlite`` (:data:`STATE_FILE`), its own SQLite file, never the
index (``index.sqlite`` is a cache: reset on a schema change, deleted when damaged, rebuilt from
the dumps). The index connection ATTACHes it as ``st``; its schema is migrated step by step
(:data:`MIGRATIONS`), never dropped; a file that is not ours, or made by a newer ``reviews``, is
left untouched.

What it is keyed by: a *paper*, ``st.papers`` (starred, read, note), and the paper's identity
keys, ``st.keys``: its arXiv id, paper URL and folded title (the keys the index merges posts by,
``ingest.merge_keys``) and the post of each review (``post:<channel>/<id>``, or the post's URL).
A record of the index carries the same keys (``review_keys``, filled at every index write), and a
paper's state belongs to every record sharing ANY key with it (the view ``review_state``), so a
review keeps its note when the recognizer reads its title differently, when its dump is
removed and added again, or read from a newer copy. A post key shared by several records (a
round-up post reviewing many papers) says nothing about which paper, and is not used. State
whose review is gone stays (an *orphan*, :func:`counts`) and comes back with the review.

Notes are searchable: the index's FTS ``note`` column holds each record's note, fed from this
file (:func:`refresh_notes`) at every index write and state change; ``review_notes`` records the
text each FTS row was built with, and the state's generation counter (``st.meta``) says when the
index is behind (a crash between the two files' commits), so the next open catches it up.

Knows nothing of click or rich. Errors: :class:`~reviews_cli.errors.LibraryError`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..errors import LibraryError

if TYPE_CHECKING:
    from ..models import Review

STATE_FILE = "state.sqlite"
# PRAGMA application_id of the state file ("rvst"): a SQLite file without it is someone else's.
STATE_APPLICATION_ID = 0x72767374
# Step i takes the state file (attached as ``st``) from schema version i to i + 1. Steps are only
# ever appended: a released step never changes, and none drops what the user wrote.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE st.papers(pid INTEGER PRIMARY KEY, starred INTEGER NOT NULL DEFAULT 0,
        read INTEGER NOT NULL DEFAULT 0, note TEXT, title TEXT, changed TEXT);
    CREATE TABLE st.keys(key TEXT NOT NULL, pid INTEGER NOT NULL, PRIMARY KEY(key, pid)) WITHOUT ROWID;
    CREATE INDEX st.keys_pid ON keys(pid);
    CREATE TABLE st.meta(key TEXT PRIMARY KEY, value TEXT);
    """,
)
STATE_SCHEMA_VERSION = len(MIGRATIONS)

# Which papers' state a record carries: those sharing a key with it (a post key only when no
# other record has that post). A (rid, pid) pair comes once per key they share: no DISTINCT
# here, so SQLite can flatten the view into a query and start from the few papers it asks for.
# TEMP: a view may join two attached databases only there.
_VIEW = """
CREATE TEMP VIEW IF NOT EXISTS review_state(rid, pid) AS
SELECT rk.rid, k.pid FROM st.keys k JOIN main.review_keys rk ON rk.key = k.key
WHERE substr(k.key, 1, 5) <> 'post:'
   OR NOT EXISTS (SELECT 1 FROM main.review_keys x WHERE x.key = k.key AND x.rid <> rk.rid)
"""
# Notes of several papers on one record (rare: two papers' states met on it) are joined by this.
NOTE_JOIN = "\n\n"
# The state flags a listing can be filtered by: (name, SQL condition on ``st.papers p``).
FLAGS = {"starred": "p.starred", "read": "p.read", "noted": "p.note IS NOT NULL"}
# Records whose state is read per query (well under SQLite's 999 parameters).
CHUNK = 500


# ---------------------------------------------------------------------------------- the file

def attach(conn: sqlite3.Connection, home: str, readonly: bool, notices: list[str]) -> str:
    """Attach the state file of library ``home`` to the index connection ``conn`` as ``st``,
    creating or migrating it. Returns ``"write"``; ``"read"`` for a read-only library folder
    (an in-memory copy of the file); ``"none"`` when the file cannot be used (damaged, or busy
    with another process's migration: said in ``notices``, never deleted), with an empty
    in-memory state. Raises :class:`LibraryError` for a file that is not ours or was made by a
    newer ``reviews`` (left untouched)."""
    path = os.path.join(home, STATE_FILE)
    if not readonly:
        try:
            conn.execute("ATTACH DATABASE ? AS st", (path,))
            _prepare(conn, path)
        except sqlite3.DatabaseError as exc:
            if "st" in {name for _, name, _ in conn.execute("PRAGMA database_list")}:
                conn.execute("DETACH DATABASE st")
            why = "is busy (another reviews is upgrading it)" if "locked" in str(exc) else \
                f"is damaged ({exc}); it was left as it is (sqlite3 can .recover it)"
            notices.append(f"{path}: the state file {why}: stars, notes and read marks are unavailable")
        else:
            conn.executescript(_VIEW)
            return "write"
    conn.execute("ATTACH DATABASE ':memory:' AS st")
    conn.executescript("BEGIN;" + "".join(MIGRATIONS) + "COMMIT;")
    if readonly and os.path.exists(path):
        with contextlib.suppress(sqlite3.DatabaseError):
            _copy_readonly(conn, path)
    conn.executescript(_VIEW)
    return "read" if readonly else "none"


def _prepare(conn: sqlite3.Connection, path: str) -> None:
    app, version = (conn.execute(f"PRAGMA st.{p}").fetchone()[0] for p in ("application_id", "user_version"))
    has_tables = conn.execute("SELECT count(*) FROM st.sqlite_master").fetchone()[0] > 0
    if app != STATE_APPLICATION_ID and (has_tables or app != 0):
        conn.execute("DETACH DATABASE st")
        raise LibraryError(f"{path}: not a reviews state file (another program's database?); it was left "
                           "untouched: move it away or set REVIEWS_HOME to another folder")
    if version > STATE_SCHEMA_VERSION:
        conn.execute("DETACH DATABASE st")
        raise LibraryError(f"{path}: made by a newer reviews (state schema {version}, this one reads "
                           f"{STATE_SCHEMA_VERSION}); upgrade reviews")
    conn.execute("PRAGMA st.journal_mode=WAL")
    if version < STATE_SCHEMA_VERSION:
        migrate(conn, version)


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring the attached state file from schema ``version`` to :data:`STATE_SCHEMA_VERSION`,
    every step in one transaction (an interrupted migration leaves the old version)."""
    steps = "".join(MIGRATIONS[version:])
    try:
        conn.executescript(f"BEGIN IMMEDIATE;{steps}PRAGMA st.application_id={STATE_APPLICATION_ID};"
                           f"PRAGMA st.user_version={STATE_SCHEMA_VERSION};COMMIT;")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _copy_readonly(conn: sqlite3.Connection, path: str) -> None:
    """Copy a state file that cannot be written into the in-memory ``st`` (it is small)."""
    from urllib.parse import quote

    for params in ("mode=ro", "immutable=1"):  # WAL needs a writable -shm; immutable does not
        src = sqlite3.connect(f"file:{quote(path)}?{params}", uri=True)
        try:
            if src.execute("PRAGMA application_id").fetchone()[0] != STATE_APPLICATION_ID:
                return
            papers = src.execute("SELECT pid, starred, read, note, title, changed FROM papers").fetchall()
            keys = src.execute("SELECT key, pid FROM keys").fetchall()
        except sqlite3.OperationalError:
            continue
        finally:
            src.close()
        conn.executemany("INSERT INTO st.papers VALUES(?,?,?,?,?,?)", papers)
        conn.executemany("INSERT INTO st.keys VALUES(?,?)", keys)
        return


def generation(conn: sqlite3.Connection) -> int:
    """How many times the state changed (the index's notes are in step when its
    ``state_generation`` is the same)."""
    row = conn.execute("SELECT value FROM st.meta WHERE key='generation'").fetchone()
    return int(row[0]) if row else 0


def _bump(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO st.meta VALUES('generation', '1') "
                 "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def notes_behind(conn: sqlite3.Connection) -> bool:
    """Whether the index's notes lag the state file (see the module docstring)."""
    row = conn.execute("SELECT value FROM main.meta WHERE key='state_generation'").fetchone()
    return (int(row[0]) if row else 0) != generation(conn)


# ------------------------------------------------------------------------------- identity keys

def post_keys(r: Review) -> list[str]:
    """The keys of the posts a record was read from: ``post:<channel>/<id>`` (casefolded), or
    ``post:<normalized URL>`` for a post known only by its URL."""
    from ..extract import normalize_url

    keys: list[str] = []
    for s in r.sources:
        key = s.post_id.casefold() if s.post_id else normalize_url(s.url) if s.url else None
        if key and "post:" + key not in keys:
            keys.append("post:" + key)
    return keys


def identity_keys(r: Review) -> list[str]:
    """Every key a record's state is reattached by: ``ingest.paper_keys`` (arXiv id, paper URL,
    folded title), :func:`post_keys`, and ``id:<record id>`` (so a record with none of the
    others still has one)."""
    from .ingest import paper_keys

    return paper_keys(r) + post_keys(r) + ["id:" + r.id]


def identity_key_rows(records: Iterable[tuple[int, Review]]) -> Iterator[tuple[str, int]]:
    """The ``review_keys`` rows ``(key, rid)`` of records given as ``(rid, record)``: each
    record's :func:`identity_keys`, once each."""
    for rid, r in records:
        for key in dict.fromkeys(identity_keys(r)):
            yield key, rid


# -------------------------------------------------------------------------------------- reading

class State(NamedTuple):
    """What the user marked on a paper: ``starred``, ``read``, and the ``note`` (``None``: none)."""

    starred: bool = False
    read: bool = False
    note: str | None = None

    def to_dict(self) -> dict[str, object]:
        """``{starred, read, note}``, the fields the JSON and exports carry."""
        return {"starred": self.starred, "read": self.read, "note": self.note}


NO_STATE = State()


def states_of(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, State]:
    """The state of each record id in ``ids`` that has any (others: :data:`NO_STATE`)."""
    rows: dict[str, list[tuple[int, int, str | None]]] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = list(ids[i:i + CHUNK])
        marks = ",".join("?" * len(chunk))
        for rid, _, starred, read, note in conn.execute(
                "SELECT DISTINCT r.id, p.pid, p.starred, p.read, p.note FROM main.reviews r "
                "JOIN review_state rs ON rs.rid = r.rid "
                f"JOIN st.papers p ON p.pid = rs.pid WHERE r.id IN ({marks}) ORDER BY p.pid", chunk):
            rows.setdefault(rid, []).append((starred, read, note))
    return {rid: _combined(found) for rid, found in rows.items()}


def _combined(found: list[tuple[int, int, str | None]]) -> State:
    notes = [n for _, _, n in found if n is not None]
    return State(any(s for s, _, _ in found), any(r for _, r, _ in found), NOTE_JOIN.join(notes) if notes else None)


class StateView:
    """States read along a stream of records, a chunk at a time (an export's memory stays
    flat): :meth:`follow` passes records through, :meth:`get` is a drawn record's state."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.states: dict[str, State] = {}

    def follow(self, reviews: Iterable[Review]) -> Iterator[Review]:
        """``reviews`` unchanged, their states read :data:`CHUNK` at a time ahead of them."""
        batch: list[Review] = []
        for r in reviews:
            batch.append(r)
            if len(batch) == CHUNK:
                yield from self._load(batch)
                batch = []
        yield from self._load(batch)

    def follow_groups(self, groups: Iterable[list[Review]]) -> Iterator[list[Review]]:
        """Groups of records (a paper's reviews) unchanged, their states read group by group."""
        for group in groups:
            self.states = states_of(self.conn, [r.id for r in group])
            yield group

    def _load(self, batch: list[Review]) -> list[Review]:
        self.states = states_of(self.conn, [r.id for r in batch])
        return batch

    def get(self, r: Review) -> State:
        """The state of ``r``, one of the records last drawn through this view."""
        return self.states.get(r.id, NO_STATE)


def flags_sql(flags: Iterable[tuple[str, bool]], rid: str = "r.rid") -> list[str]:
    """SQL conditions (no parameters) on the record id column ``rid`` for state filters: each
    flag is ``(name, wanted)`` with a name of :data:`FLAGS` (``("read", False)`` is unread).
    Raises ``KeyError`` for an unknown name."""
    return [f"{rid} {'IN' if wanted else 'NOT IN'} (SELECT rs.rid FROM review_state rs JOIN st.papers p "
            f"ON p.pid = rs.pid WHERE {FLAGS[name]})" for name, wanted in flags]


class StateCounts(NamedTuple):
    """Papers with any state, starred, read, with a note, and ``orphaned``: state whose review
    is not in the library (kept; it comes back with the review)."""

    papers: int
    starred: int
    read: int
    noted: int
    orphaned: int

    def to_dict(self) -> dict[str, int]:
        return self._asdict()


def counts(conn: sqlite3.Connection) -> StateCounts:
    """How much state the library holds (see :class:`StateCounts`)."""
    papers, starred, read, noted = conn.execute(
        "SELECT count(*), coalesce(sum(starred), 0), coalesce(sum(read), 0), count(note) FROM st.papers").fetchone()
    (orphaned,) = conn.execute("SELECT count(*) FROM st.papers p WHERE NOT EXISTS "
                               "(SELECT 1 FROM review_state rs WHERE rs.pid = p.pid)").fetchone()
    return StateCounts(int(papers), int(starred), int(read), int(noted), int(orphaned))


# -------------------------------------------------------------------------------------- writing

class Change(NamedTuple):
    """What to change on a paper: ``starred`` and ``read`` when not ``None``; ``note`` sets the
    note, ``clear_note`` removes it."""

    starred: bool | None = None
    read: bool | None = None
    note: str | None = None
    clear_note: bool = False


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def change(conn: sqlite3.Connection, papers: Sequence[Sequence[Review]], what: Change) -> list[State]:
    """Apply ``what`` to each paper (``papers``: the records of each, as ``resolve`` gives them),
    in one write transaction, and return each paper's state after it. A paper's state is the
    one its records already carry (several met on it are merged: flags or-ed, notes joined,
    nothing dropped), else a new one, keyed by every identity key of its records; a paper left
    with no star, read mark or note is forgotten. Raises ``sqlite3.OperationalError`` when
    another writer holds the library past the connection's busy timeout, and
    :class:`LibraryError` for a record no longer in the library."""
    from .store import transaction

    with transaction(conn):
        for group in papers:
            _apply(conn, _paper_for(conn, _rids(conn, group), group[0].title), what)
        _changed(conn)
    found = states_of(conn, [group[0].id for group in papers])
    return [found.get(group[0].id, NO_STATE) for group in papers]


def mark_all(conn: sqlite3.Connection, read: bool) -> int:
    """Mark every record of the library read (or unread), in one write transaction; returns
    how many records there are."""
    from .store import transaction

    with transaction(conn):
        rows = conn.execute("SELECT rid, title FROM reviews ORDER BY rid").fetchall()
        if read:
            have = {rid for (rid,) in conn.execute(
                "SELECT rs.rid FROM review_state rs JOIN st.papers p ON p.pid = rs.pid WHERE p.read")}
            for rid, title in rows:
                if rid not in have:
                    pid = _paper_for(conn, [rid], title)
                    conn.execute("UPDATE st.papers SET read = 1, changed = ? WHERE pid = ?", (_now(), pid))
        else:
            conn.execute("UPDATE st.papers SET read = 0, changed = ? WHERE read AND pid IN "
                         "(SELECT pid FROM review_state)", (_now(),))
            _forget_empty(conn)
        _changed(conn)
    return len(rows)


def _rids(conn: sqlite3.Connection, group: Sequence[Review]) -> list[int]:
    ids = [r.id for r in group]
    marks = ",".join("?" * len(ids))
    rids = [rid for (rid,) in conn.execute(f"SELECT rid FROM reviews WHERE id IN ({marks}) ORDER BY rid", ids)]
    if not rids:
        raise LibraryError(f"{group[0].title}: the review is no longer in the library")
    return rids


def _paper_for(conn: sqlite3.Connection, rids: list[int], title: str) -> int:
    """The paper (``pid``) whose state records ``rids`` carry (several are merged into the
    first), or a new one; keyed by every usable identity key of the records."""
    marks = ",".join("?" * len(rids))
    pids = [pid for (pid,) in conn.execute(
        f"SELECT DISTINCT pid FROM review_state WHERE rid IN ({marks}) ORDER BY pid", rids)]
    keys = [k for (k,) in conn.execute(
        f"SELECT DISTINCT rk.key FROM review_keys rk WHERE rk.rid IN ({marks}) AND (substr(rk.key, 1, 5) <> 'post:' "
        "OR NOT EXISTS (SELECT 1 FROM review_keys x WHERE x.key = rk.key AND x.rid <> rk.rid))", rids)]
    if pids:
        pid = merge_papers(conn, pids)
        conn.execute("UPDATE st.papers SET title = ? WHERE pid = ?", (title, pid))
    else:
        cur = conn.execute("INSERT INTO st.papers(title, changed) VALUES(?, ?)", (title, _now()))
        pid = int(cur.lastrowid or 0)
    conn.executemany("INSERT OR IGNORE INTO st.keys VALUES(?, ?)", [(k, pid) for k in keys])
    return pid


def merge_papers(conn: sqlite3.Connection, pids: Sequence[int]) -> int:
    """Merge the states ``pids`` into the first: starred or read when any is, the distinct
    notes joined by :data:`NOTE_JOIN` in ``pids`` order, every key kept. Returns that pid."""
    target, rest = pids[0], list(pids[1:])
    if not rest:
        return target
    marks = ",".join("?" * len(pids))
    rows = {pid: row for pid, *row in conn.execute(
        f"SELECT pid, starred, read, note FROM st.papers WHERE pid IN ({marks})", list(pids))}
    found = [rows[p] for p in pids if p in rows]
    notes = list(dict.fromkeys(n for _, _, n in found if n is not None))
    conn.execute("UPDATE st.papers SET starred = ?, read = ?, note = ? WHERE pid = ?",
                 (int(any(s for s, _, _ in found)), int(any(r for _, r, _ in found)),
                  NOTE_JOIN.join(notes) if notes else None, target))
    rmarks = ",".join("?" * len(rest))
    conn.execute(f"INSERT OR IGNORE INTO st.keys SELECT key, ? FROM st.keys WHERE pid IN ({rmarks})", [target, *rest])
    conn.execute(f"DELETE FROM st.keys WHERE pid IN ({rmarks})", rest)
    conn.execute(f"DELETE FROM st.papers WHERE pid IN ({rmarks})", rest)
    return target


def _apply(conn: sqlite3.Connection, pid: int, what: Change) -> None:
    sets: list[str] = []
    args: list[object] = []
    if what.starred is not None:
        sets.append("starred = ?")
        args.append(int(what.starred))
    if what.read is not None:
        sets.append("read = ?")
        args.append(int(what.read))
    if what.clear_note:
        sets.append("note = NULL")
    elif what.note is not None:
        sets.append("note = ?")
        args.append(what.note)
    if sets:
        conn.execute(f"UPDATE st.papers SET {', '.join(sets)}, changed = ? WHERE pid = ?", [*args, _now(), pid])
    _forget_empty(conn)


def _forget_empty(conn: sqlite3.Connection) -> None:
    """Drop papers with nothing marked (their keys with them): there is nothing to keep."""
    empty = "SELECT pid FROM st.papers WHERE NOT starred AND NOT read AND note IS NULL"
    conn.execute(f"DELETE FROM st.keys WHERE pid IN ({empty})")
    conn.execute(f"DELETE FROM st.papers WHERE pid IN ({empty})")


def _changed(conn: sqlite3.Connection) -> None:
    """After a change, inside its transaction: count it and bring the index's notes along."""
    _bump(conn)
    refresh_notes(conn)


def refresh_notes(conn: sqlite3.Connection) -> int:
    """Bring the index's FTS ``note`` column in step with the state file, inside the caller's
    write transaction: each record whose note differs from the one its FTS row was built with
    (``review_notes``) gets its row replaced and the vocabulary adjusted. An index built by
    other analysis code (``index.analyzer_fingerprint``) cannot have rows replaced and is
    rebuilt instead. Returns how many records changed. Does nothing on a connection without the
    state attached."""
    import json

    from ..models import Review
    from . import index
    from .fields import FTS_INSERT

    if "st" not in {name for _, name, _ in conn.execute("PRAGMA database_list")}:
        return 0
    want: dict[int, list[str]] = {}
    for rid, _, note in conn.execute("SELECT DISTINCT rs.rid, p.pid, p.note FROM review_state rs JOIN st.papers p "
                                     "ON p.pid = rs.pid WHERE p.note IS NOT NULL ORDER BY rs.rid, p.pid"):
        want.setdefault(rid, []).append(note)
    wanted = {rid: NOTE_JOIN.join(notes) for rid, notes in want.items()}
    have: dict[int, str] = dict(conn.execute("SELECT rid, note FROM review_notes"))
    todo = sorted(rid for rid in wanted.keys() | have.keys() if wanted.get(rid) != have.get(rid))
    if todo:
        row = conn.execute("SELECT value FROM meta WHERE key='analyzer'").fetchone()
        if row is None or row[0] != index.analyzer_fingerprint():
            return index.rebuild(conn)  # ends by calling this again, on rows it built itself
    an_old, an_new = index._Analyzer(), index._Analyzer()
    for rid in todo:
        found = conn.execute("SELECT json, origin FROM records WHERE rid = ?", (rid,)).fetchone()
        if found is not None:
            r = Review.from_dict(json.loads(found[0]))
            conn.execute(index.FTS_DELETE, (rid, *index.fts_row(r, found[1], an_old, have.get(rid, ""))))
            conn.execute(FTS_INSERT, (rid, *index.fts_row(r, found[1], an_new, wanted.get(rid, ""))))
        if rid in wanted and found is not None:
            conn.execute("INSERT OR REPLACE INTO review_notes VALUES(?, ?)", (rid, wanted[rid]))
        else:
            conn.execute("DELETE FROM review_notes WHERE rid = ?", (rid,))
    index.vocab_delta(conn, an_new, an_old)
    conn.execute("INSERT OR REPLACE INTO main.meta VALUES('state_generation', ?)", (str(generation(conn)),))
    return len(todo)
