"""Storage: the SQLite index in ``REVIEWS_HOME`` (where it lives, its schema, opening it,
recovering from damage, write transactions). Knows nothing of dumps or parsing.

The index carries ``PRAGMA application_id`` (:data:`APPLICATION_ID`) and ``PRAGMA user_version``
(:data:`SCHEMA_VERSION`): a SQLite file without our id is someone else's and is never modified,
one with a newer version is refused, one with an older version (ours) is reset, and one that is
not a database at all is our damaged cache, rebuilt from the dumps.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator

from ..errors import LibraryError
from .fields import FTS_COLUMNS

SCHEMA_VERSION = 5
# PRAGMA application_id of our index ("revs"): a SQLite file without it is someone else's.
APPLICATION_ID = 0x72657673
INDEX_FILE = "index.sqlite"


# Paths are plain strings (os.path) here: pathlib alone costs ~3 ms of a ~70 ms search.

def reviews_home() -> str:
    """``$REVIEWS_HOME`` or the platform's user data dir for ``reviews``."""
    env = os.environ.get("REVIEWS_HOME")
    if env:
        return os.path.abspath(os.path.expanduser(env))
    return default_home()


def default_home() -> str:
    """The user data dir as platformdirs' ``user_data_dir("reviews", appauthor=False)`` gives it
    (see :mod:`reviews_cli.dirs`)."""
    from ..dirs import user_dir

    return user_dir("data")


def discard_index(home: str) -> None:
    """Delete the index (a cache: the next open rebuilds it from the dumps), its WAL and SHM."""
    index = os.path.join(home, INDEX_FILE)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(index + suffix)


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sources(
    sid INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
    size INTEGER, mtime_ns INTEGER, sha256 TEXT, format TEXT, origin TEXT, language TEXT,
    parser_version INTEGER, n_reviews INTEGER DEFAULT 0, n_skipped INTEGER DEFAULT 0,
    n_merged INTEGER DEFAULT 0, error TEXT, ord INTEGER, channel TEXT);
-- the parse cache: one row per parsed post, with the keys the merge groups by
CREATE TABLE IF NOT EXISTS posts(sid INTEGER NOT NULL, ord INTEGER NOT NULL, id TEXT NOT NULL,
    arxiv_id TEXT, paper_url TEXT, tkey TEXT, json TEXT NOT NULL, PRIMARY KEY(sid, ord)) WITHOUT ROWID;
-- merged records; json is NULL when the record is its post unchanged (posts.json is used)
CREATE TABLE IF NOT EXISTS reviews(
    rid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, title TEXT NOT NULL, arxiv_id TEXT,
    year INTEGER, date TEXT, origin TEXT, src TEXT, n_merged INTEGER, sid INTEGER, ord INTEGER, json TEXT);
CREATE INDEX IF NOT EXISTS reviews_arxiv ON reviews(arxiv_id);
CREATE VIEW IF NOT EXISTS records AS
    SELECT r.rid, r.id, r.title, r.arxiv_id, r.year, r.date, r.origin, r.src,
           coalesce(r.json, p.json) AS json
    FROM reviews r LEFT JOIN posts p ON p.sid = r.sid AND p.ord = r.ord;
CREATE TABLE IF NOT EXISTS review_tags(tag TEXT NOT NULL, rid INTEGER NOT NULL, label TEXT NOT NULL,
    PRIMARY KEY(tag, rid)) WITHOUT ROWID;
-- what the user's state (stars, notes, read marks: the state file) is reattached by: a record's
-- identity keys (``state.identity_keys``), and the note text its FTS row was built with
CREATE TABLE IF NOT EXISTS review_keys(key TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY(key, rid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS review_keys_rid ON review_keys(rid);
CREATE TABLE IF NOT EXISTS review_notes(rid INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vocab(word TEXT PRIMARY KEY, stem TEXT NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vocab_stem ON vocab(stem);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(FTS_COLUMNS)}, content='',
    tokenize='unicode61 remove_diacritics 0');
"""


def connect_readonly(index: str, notices: list[str]) -> tuple[sqlite3.Connection, str | None]:
    """A connection for a library folder that cannot be written: the index read-only, or,
    when there is none usable, a new index in a temporary folder (``(conn, its path)``)."""
    import tempfile
    from urllib.parse import quote

    if os.path.exists(index):
        for params in ("mode=ro", "immutable=1"):  # WAL needs a writable -shm; immutable does not
            conn = sqlite3.connect(f"file:{quote(index)}?{params}", uri=True, isolation_level=None)
            try:
                app, version = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id",
                                                                                     "user_version"))
            except sqlite3.OperationalError:
                conn.close()
                continue
            if app == APPLICATION_ID and version == SCHEMA_VERSION:
                return conn, None
            conn.close()
            if app not in (0, APPLICATION_ID):
                raise LibraryError(f"{index}: not a reviews index (another program's database?)")
            if version > SCHEMA_VERSION:
                raise LibraryError(f"{index}: made by a newer reviews (index schema {version})")
            break
    temp = os.path.join(tempfile.mkdtemp(prefix="reviews-index-"), INDEX_FILE)
    notices.append(f"{os.path.dirname(index)}: the library folder is read-only; using a temporary index")
    return connect(temp), temp

def connect(index: str) -> sqlite3.Connection:
    """Open the index, creating it when new and resetting it when an older ``reviews`` made
    it. Raises :class:`LibraryError` for a SQLite file that is not ours (never modified) or
    one made by a newer ``reviews``, and ``sqlite3.DatabaseError`` for a damaged one."""
    conn = sqlite3.connect(index, timeout=30, isolation_level=None)
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master")]
        legacy = "meta" in tables and app == 0 and conn.execute(
            "SELECT 1 FROM meta WHERE key='schema'").fetchone() is not None  # ours, before application ids
        if tables and app != APPLICATION_ID and not legacy:
            raise LibraryError(f"{index}: not a reviews index (another program's database?); it was left "
                               "untouched: move it away or set REVIEWS_HOME to another folder")
        if app == APPLICATION_ID and version > SCHEMA_VERSION:
            raise LibraryError(f"{index}: made by a newer reviews (index schema {version}, this one reads "
                               f"{SCHEMA_VERSION}); upgrade reviews or set REVIEWS_HOME to another folder")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if app != APPLICATION_ID or version != SCHEMA_VERSION:
            reset(conn)
    except BaseException:
        conn.close()
        raise
    return conn

def reset(conn: sqlite3.Connection) -> None:
    """Drop what an older ``reviews`` left and create the current schema, in one
    transaction (only ever called on our own index)."""
    names = list(conn.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'fts_%'"))
    drops = "".join(f'DROP {t.upper()} IF EXISTS "{n}";' for n, t in names)
    conn.executescript(f"BEGIN IMMEDIATE;{drops}{_SCHEMA}"
                       f"INSERT OR REPLACE INTO meta VALUES('schema', '{SCHEMA_VERSION}');"
                       f"PRAGMA application_id={APPLICATION_ID};PRAGMA user_version={SCHEMA_VERSION};COMMIT;")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction: ``BEGIN IMMEDIATE`` (the writers' lock, taken before any state is
    read) … ``COMMIT``, rolled back on any error or interruption."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
