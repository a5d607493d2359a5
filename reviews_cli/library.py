"""The library: the bundled dumps plus the dumps the user added, and the SQLite index over them.

Layout of ``REVIEWS_HOME`` (default: the platform's user data dir, e.g. ``~/.local/share/reviews``)::

    library.json    the dumps the user added: name, stored file, sha256, original path, date added
    dumps/          copies of those dumps (moving or deleting an original loses nothing)
    index.sqlite    a rebuildable cache: parsed posts per dump, merged reviews, FTS5 index

The index is kept in step with the dumps on every open: a dump added, changed (size or mtime,
then sha256), or removed, or a new parser version, re-parses just those dumps and rebuilds the
merged records and the full-text index inside one transaction (WAL mode), so a reader never sees
a half-built index and an interrupted run leaves the previous index intact.

Merging: records from all dumps are grouped by paper (arXiv id, paper URL, or folded title);
two records of one paper are the same review when their bodies are near-identical (the same post
read from a channel page and from a mirror), and become one record with both sources. Different
reviews of one paper stay separate records.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from typing import NamedTuple

from .errors import DumpError, LibraryError
from .models import Review
from .parsing import PARSER_VERSION  # the format modules are imported only when parsing

SCHEMA_VERSION = 4
# PRAGMA application_id of our index ("revs"): a SQLite file without it is someone else's.
APPLICATION_ID = 0x72657673
INDEX_FILE = "index.sqlite"
MANIFEST_FILE = "library.json"

from .fields import FTS_COLUMNS  # noqa: E402 (the one field table)

# Paths are plain strings (os.path) here: pathlib alone costs ~3 ms of a ~70 ms search.

def discard_index(home: str) -> None:
    """Delete the index (a cache: the next open rebuilds it from the dumps), its WAL and SHM."""
    index = os.path.join(home, INDEX_FILE)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(index + suffix)


def reviews_home() -> str:
    """``$REVIEWS_HOME`` or the platform's user data dir for ``reviews``."""
    env = os.environ.get("REVIEWS_HOME")
    if env:
        return os.path.abspath(os.path.expanduser(env))
    return default_home()


def default_home() -> str:
    """The user data dir as platformdirs' ``user_data_dir("reviews", appauthor=False)`` gives it.

    On Linux/BSD (the XDG rule: ``$XDG_DATA_HOME`` when set, else ``~/.local/share``) and macOS
    (``~/Library/Application Support``) it is computed here, because importing platformdirs costs
    ~15 ms of a ~70 ms search; the test suite checks both agree. Elsewhere platformdirs decides.
    """
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~/Library/Application Support"), "reviews")
    if os.name == "posix":
        base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return os.path.join(base, "reviews")
    from platformdirs import user_data_dir

    return user_data_dir("reviews", appauthor=False)


def bundled_dir() -> str:
    """The bundled corpus: ``reviews_cli/data`` inside an installed wheel, ``data/`` in a checkout."""
    here = os.path.dirname(os.path.realpath(__file__))
    for cand in (os.path.join(here, "data"), os.path.join(os.path.dirname(here), "data")):
        if os.path.isfile(os.path.join(cand, "sources.yaml")):
            return cand
    raise LibraryError("the bundled corpus is missing (no data/sources.yaml next to the package)")


class SourceFile(NamedTuple):
    """One dump in the library: its ``name`` (what ``sources`` shows and ``remove`` takes),
    the file that holds it, and whether it is bundled or user-added."""

    name: str
    path: str
    kind: str  # "bundled" | "added"
    origin: str | None = None
    language: str | None = None
    channel: str | None = None  # the username a Telegram Desktop export lacks


class SourceInfo(NamedTuple):
    """A row of ``reviews sources``: the dump, its detected format, its counts, and the error
    that kept it from being read, if any."""

    name: str
    kind: str
    format: str | None
    origin: str | None
    reviews: int
    skipped: int
    error: str | None
    path: str


class AddResult:
    """What ``add`` did with one path: the source name it got, or the error that refused it;
    ``reviews`` parsed from it, ``merged`` of them into existing records, ``skipped`` posts."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name: str | None = None
        self.format: str | None = None
        self.reviews = self.merged = self.skipped = 0
        self.skipped_posts: list[tuple[str, str]] = []  # (where, why)
        self.notes: list[str] = []  # how the bytes were decoded, when worth saying
        self.error: str | None = None
        self.already = False

    def to_dict(self) -> dict:
        return dict(vars(self))


def _sha256(path: str) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
CREATE TABLE IF NOT EXISTS vocab(word TEXT PRIMARY KEY, stem TEXT NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vocab_stem ON vocab(stem);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(FTS_COLUMNS)}, content='',
    tokenize='unicode61 remove_diacritics 0');
"""


class Library:
    """The user's library: open with :meth:`open`, which brings the index up to date.

    Raises :class:`LibraryError` when ``REVIEWS_HOME`` cannot be created or the index cannot be
    opened.
    """

    def __init__(self, home: str, conn: sqlite3.Connection) -> None:
        self.home = home
        self.conn = conn
        self.notices: list[str] = []  # what the user should hear about (a damaged index rebuilt)
        self.readonly = False  # the library folder cannot be written
        self.temp_index: str | None = None  # the temporary index of a read-only folder

    # ----------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, home: str | os.PathLike | None = None, sync: bool = True, wait: bool = True) -> Library:
        """Open the library in ``home`` (default :func:`reviews_home`) and, with ``sync``, bring
        its index up to date.

        A writer (``wait=True``: add, remove) waits for another writer's lock. A reader
        (``wait=False``: search, show, …) never waits: when the index is stale and another
        process holds the write lock, it reads the last committed index and says so in
        :attr:`notices`. A library folder that cannot be written (a read-only mount, another
        user's folder) is read through a read-only connection, or through a temporary index
        when it has none yet; writing to it raises :class:`LibraryError`.
        """
        home = os.fspath(home) if home is not None else reviews_home()
        index = os.path.join(home, INDEX_FILE)
        notices: list[str] = []
        with contextlib.suppress(OSError):
            os.makedirs(home, exist_ok=True)
        readonly = not (os.path.isdir(home) and os.access(home, os.W_OK)) or (
            os.path.exists(index) and not os.access(index, os.W_OK))
        temp = None
        try:
            if readonly:
                conn, temp = cls._connect_readonly(index, notices)
            else:
                conn = cls._connect(index)
        except sqlite3.DatabaseError as exc:
            if readonly:
                raise LibraryError(f"{index}: the index is damaged ({exc}) and the folder is read-only") from None
            # not a database at all: our cache, damaged (a foreign SQLite file opens fine and is
            # refused by _connect); it is rebuilt from the dumps
            notices.append(f"{index}: the index was damaged ({exc}); rebuilt it from the dumps")
            discard_index(home)
            try:
                conn = cls._connect(index)
            except sqlite3.DatabaseError as exc2:
                raise LibraryError(f"{index}: cannot open the index ({exc2})") from exc
        except OSError as exc:
            raise LibraryError(f"{home}: cannot open the library ({exc.strerror})") from None
        if not wait:
            conn.execute("PRAGMA busy_timeout=200")  # a reader never waits long for a writer
        lib = cls(home, conn)
        lib.notices = notices
        lib.readonly = readonly and temp is None
        lib.temp_index = temp
        if sync:
            lib.sync(wait=wait)
        return lib

    @classmethod
    def _connect_readonly(cls, index: str, notices: list[str]) -> tuple[sqlite3.Connection, str | None]:
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
        return cls._connect(temp), temp

    @classmethod
    def _connect(cls, index: str) -> sqlite3.Connection:
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
                cls._reset(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _reset(conn: sqlite3.Connection) -> None:
        """Drop what an older ``reviews`` left and create the current schema, in one
        transaction (only ever called on our own index)."""
        names = list(conn.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'fts_%'"))
        drops = "".join(f'DROP {t.upper()} IF EXISTS "{n}";' for n, t in names)
        conn.executescript(f"BEGIN IMMEDIATE;{drops}{_SCHEMA}"
                           f"INSERT OR REPLACE INTO meta VALUES('schema', '{SCHEMA_VERSION}');"
                           f"PRAGMA application_id={APPLICATION_ID};PRAGMA user_version={SCHEMA_VERSION};COMMIT;")

    def close(self) -> None:
        self.conn.close()
        if self.temp_index:
            import shutil

            shutil.rmtree(os.path.dirname(self.temp_index), ignore_errors=True)

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------ the manifest

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.home, MANIFEST_FILE)

    def _read_manifest(self) -> list[dict]:
        """The manifest's entries, validated (see :func:`validate_manifest`)."""
        try:
            with open(self.manifest_path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return []
        except (ValueError, OSError) as exc:
            raise LibraryError(f"{self.manifest_path}: unreadable library manifest ({exc})") from None
        return validate_manifest(data, self.manifest_path)

    def _check_writable(self) -> None:
        if self.readonly or self.temp_index or not os.access(self.home, os.W_OK):
            raise LibraryError(f"{self.home}: the library folder is read-only; nothing was changed")

    def _clean_orphans(self, manifest: list[dict]) -> None:
        """Delete copies in ``dumps/`` that no manifest entry references (left by an add or
        remove that was killed) and leftover temporary files. Only ever called under the write
        lock, so no other writer is between copying a dump and naming it in the manifest."""
        folder = os.path.join(self.home, "dumps")
        keep = {e["file"].split("/", 1)[1] for e in manifest}
        with contextlib.suppress(FileNotFoundError):
            for name in os.listdir(folder):
                if name not in keep:
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(folder, name))

    def _write_manifest(self, sources: list[dict]) -> None:
        from .atomic import atomic_write

        with atomic_write(self.manifest_path) as f:
            f.write(json.dumps({"version": 1, "sources": sources}, ensure_ascii=False, indent=1))

    def source_files(self) -> list[SourceFile]:
        """Every dump in the library, bundled first (manifest order), then added ones."""
        out = []
        bdir = bundled_dir()
        for entry in self._bundled_manifest(bdir):
            out.append(SourceFile(entry["file"].split("/")[-1], os.path.join(bdir, *entry["file"].split("/")),
                                  "bundled", entry.get("origin"), entry.get("language")))
        for entry in self._read_manifest():
            out.append(SourceFile(entry["name"], os.path.join(self.home, *entry["file"].split("/")), "added",
                                  entry.get("origin"), entry.get("language"), entry.get("channel")))
        return out

    def _bundled_manifest(self, bdir: str) -> list[dict]:
        """Entries of ``data/sources.yaml`` (file, format, origin, language), cached in the index
        keyed by the file's size and mtime so a search does not import PyYAML."""
        path = os.path.join(bdir, "sources.yaml")
        st = os.stat(path)
        stamp = f"{path}|{st.st_size}|{st.st_mtime_ns}"
        row = self.conn.execute("SELECT value FROM meta WHERE key='bundled'").fetchone()
        if row:
            cached = json.loads(row[0])
            if cached.get("stamp") == stamp:
                return cached["entries"]
        entries = _load_yaml_manifest(path)
        with contextlib.suppress(sqlite3.OperationalError):  # a read-only index re-reads the YAML next time
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES('bundled', ?)",
                              (json.dumps({"stamp": stamp, "entries": entries}, ensure_ascii=False),))
        return entries

    # ------------------------------------------------------------------------------ syncing

    def _stale(self, files: list[SourceFile]) -> bool:
        rows = {r[0]: r[1:] for r in self.conn.execute(
            "SELECT name, path, size, mtime_ns, parser_version FROM sources")}
        if len(rows) != len(files):
            return True
        for f in files:
            row = rows.get(f.name)
            try:
                st = os.stat(f.path)
            except OSError:
                return row is None or row[1] is not None
            if row is None or row[0] != f.path or row[1] != st.st_size or row[2] != st.st_mtime_ns \
                    or row[3] != PARSER_VERSION:
                return True
        return False

    def sync(self, progress=None, wait: bool = True) -> None:
        """Bring the index in step with the dumps (see the module docstring). ``progress`` is an
        optional callable ``(stage, done, total)`` for long runs. Without ``wait``, a write lock
        held by another process (or a read-only folder) leaves the index as last committed, with
        a notice."""
        files = self.source_files()
        if not self._stale(files):
            return
        if self.readonly:
            self.notices.append(f"{self.home}: the library folder is read-only; the index is as last built")
            return
        try:
            with self._writing():
                if self._stale(files):  # else another process did it while we waited for the lock
                    self._apply(files, progress)
        except sqlite3.OperationalError as exc:
            if wait or "locked" not in str(exc):
                raise
            self.notices.append("the library is being updated by another reviews; showing the last complete index")

    def _writing(self):
        """A write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error)."""
        lib = self

        class _Txn:
            def __enter__(self):
                lib.conn.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, exc, tb):
                if exc_type is None:
                    lib.conn.execute("COMMIT")
                elif lib.conn.in_transaction:
                    lib.conn.execute("ROLLBACK")
                return False

        return _Txn()

    def _apply(self, files: list[SourceFile], progress=None, force: bool = False) -> None:
        """Inside a write transaction: drop rows of dumps that are gone, re-parse changed ones
        (streamed into the parse cache as each finishes), then rebuild the merged index."""
        c = self.conn
        rows = {r[0]: r for r in c.execute(
            "SELECT name, sid, path, size, mtime_ns, sha256, parser_version FROM sources")}
        keep = {f.name for f in files}
        changed = False
        for name, row in rows.items():
            if name not in keep:
                c.execute("DELETE FROM posts WHERE sid=?", (row[1],))
                c.execute("DELETE FROM sources WHERE sid=?", (row[1],))
                changed = True
        old_order = [n for (n,) in c.execute("SELECT name FROM sources ORDER BY ord")]
        todo = []
        for ordinal, f in enumerate(files):
            stat = self._unchanged(f, rows.get(f.name), ordinal)
            if stat is not None:
                todo.append((ordinal, f, rows.get(f.name), stat))
        # the merge keeps the first-read copy of a post, so order matters too
        changed = force or changed or bool(todo) or old_order != [f.name for f in files if f.name in rows]
        parsed = parse_iter([f.path for _, f, _, _ in todo], [f.name for _, f, _, _ in todo],
                            [f.channel for _, f, _, _ in todo])
        for k, ((ordinal, f, row, stat), result) in enumerate(zip(todo, parsed), start=1):
            self._store_source(f, row, ordinal, stat, result)
            if progress:
                progress("parse", k, len(todo))
        if not changed and c.execute("SELECT count(*) FROM reviews").fetchone()[0]:
            return  # only file dates moved (a reinstall, a copy): the parsed posts still hold
        from .index import rebuild  # index building pulls in the stemmer and rapidfuzz

        rebuild(c, progress)

    def _unchanged(self, f: SourceFile, row, ordinal: int):
        """Keep a dump's cached posts when its file is the one parsed before (same size and
        mtime, or the same sha256) by this parser version; else return ``(size, mtime, sha)``
        for :meth:`_store_source`."""
        c = self.conn
        size: int | None
        mtime: int | None
        try:
            st = os.stat(f.path)
            size, mtime = st.st_size, st.st_mtime_ns
        except OSError:
            size = mtime = None
        if row is not None and row[2] == f.path and row[3] == size and row[4] == mtime \
                and row[6] == PARSER_VERSION:
            c.execute("UPDATE sources SET ord=? WHERE sid=?", (ordinal, row[1]))
            return None
        sha = _sha256(f.path) if size is not None else None
        if row is not None and sha is not None and row[5] == sha and row[6] == PARSER_VERSION:
            c.execute("UPDATE sources SET path=?, size=?, mtime_ns=?, ord=? WHERE sid=?",
                      (f.path, size, mtime, ordinal, row[1]))
            return None
        return size, mtime, sha

    def _store_source(self, f: SourceFile, row, ordinal: int, stat, parsed: Parsed) -> tuple[int, str | None]:
        """Write a parsed dump into the parse cache. ``parsed.posts`` may be a lazy iterator (a
        large export, streamed); an error while reading it stores the dump as unreadable with
        no posts. Returns ``(number of posts, error)``."""
        c = self.conn
        size, mtime, sha = stat
        if row is not None:
            c.execute("DELETE FROM posts WHERE sid=?", (row[1],))
            c.execute("DELETE FROM sources WHERE sid=?", (row[1],))
        cur = c.execute(
            "INSERT INTO sources(name, path, kind, size, mtime_ns, sha256, format, origin, language,"
            " parser_version, error, ord, channel) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (f.name, f.path, f.kind, size, mtime, sha, parsed.format, f.origin or parsed.origin, f.language,
             PARSER_VERSION, parsed.error, ordinal, f.channel))
        sid = cur.lastrowid
        error = parsed.error
        try:
            c.executemany("INSERT INTO posts VALUES(?,?,?,?,?,?,?)",
                          ((sid, i, *post) for i, post in enumerate(parsed.posts)))
        except DumpError as exc:
            c.execute("DELETE FROM posts WHERE sid=?", (sid,))
            error = exc.reason
        (n,) = c.execute("SELECT count(*) FROM posts WHERE sid=?", (sid,)).fetchone()
        if not error and not n and not parsed.skipped:
            error = f"no review found (read as {parsed.format})"
        c.execute("UPDATE sources SET n_reviews=?, n_skipped=?, error=? WHERE sid=?",
                  (n, len(parsed.skipped), error, sid))
        return n, error

    # ----------------------------------------------------------------------------- reading

    def all_reviews(self) -> list[Review]:
        """Every merged record, in library order."""
        return list(self.iter_reviews())

    def iter_reviews(self) -> Iterator[Review]:
        """Every merged record, in library order, one at a time (memory stays flat)."""
        for (js,) in self.conn.execute("SELECT json FROM records ORDER BY rid"):
            yield Review.from_dict(json.loads(js))

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]

    def tags(self) -> list[tuple[str, int]]:
        """Every tag (as first written) with its number of records, most used first."""
        return [(label, n) for label, n in self.conn.execute(
            "SELECT min(label), count(*) AS n FROM review_tags GROUP BY tag ORDER BY n DESC, tag")]

    def sources(self) -> list[SourceInfo]:
        return [SourceInfo(*r) for r in self.conn.execute(
            "SELECT name, kind, format, origin, n_reviews, n_skipped, error, path FROM sources ORDER BY ord")]

    # ---------------------------------------------------------------------------- changing

    def add(self, paths: list[str], progress=None, channel: str | None = None) -> list[AddResult]:
        """Copy each dump into ``REVIEWS_HOME/dumps`` and index it, in one write transaction.
        A path that cannot be read or holds no review is refused with its error and is not
        stored; the others still are. Each dump is parsed once, on every core when large.
        An interrupted ``add`` leaves the library as it was."""
        self._check_writable()
        results = [AddResult(path=p) for p in paths]
        copied: list[str] = []
        with self._writing():  # the write lock is taken before any state is read
            original_manifest = self._read_manifest()
            wrote: list[bool] = []
            try:
                self._add(results, copied, progress, channel, wrote)
            except BaseException:
                # undo what the rolled-back transaction cannot, and only what this call wrote:
                # the manifest it replaced (read under the same lock) and the files it copied
                if wrote:
                    self._write_manifest(original_manifest)
                for path in copied:
                    if os.path.exists(path):
                        os.unlink(path)
                raise
        merged = dict(self.conn.execute("SELECT name, n_merged FROM sources"))
        for r in results:
            if r.name and not r.already:
                r.merged = merged.get(r.name, 0)
        return results

    def _add(self, results: list[AddResult], copied: list[str], progress, channel: str | None,
             wrote: list[bool]) -> None:
        manifest = self._read_manifest()
        known_sha = {e.get("sha256"): e["name"] for e in manifest}
        names = {e["name"] for e in manifest} | {f.name for f in self.source_files() if f.kind == "bundled"}
        next_ord = len(self.source_files())
        plans = []
        from .parsing.text import check_regular

        for res in results:
            try:
                check_regular(res.path)  # hashing a FIFO or /dev/zero would never end
                sha: str | None = _sha256(res.path)
            except (OSError, DumpError) as exc:
                if isinstance(exc, DumpError) and not os.path.isdir(res.path):
                    res.error = exc.reason
                    continue
                sha = None  # parsing says why
            if sha in known_sha:
                res.name, res.already = known_sha[sha], True
                row = self.conn.execute("SELECT format, n_reviews, n_skipped FROM sources WHERE name=?",
                                        (res.name,)).fetchone()
                if row:
                    res.format, res.reviews, res.skipped = row
                continue
            name = _unique_name(_source_name(res.path), names)
            names.add(name)
            if sha:
                known_sha[sha] = name
            plans.append((res, sha, name))
        # parsed under the name the library gives the dump, so records name it that way
        parsed_all = parse_iter([r.path for r, _, _ in plans], [n for _, _, n in plans], [channel] * len(plans))
        for k, ((res, sha, name), parsed) in enumerate(zip(plans, parsed_all), start=1):
            if progress:
                progress("parse", k, len(plans))
            if parsed.error or sha is None:
                res.error = parsed.error or "cannot be read"
                continue
            stored = f"dumps/{sha[:12]}-{name.replace('/', '_')}"
            os.makedirs(os.path.join(self.home, "dumps"), exist_ok=True)
            target = os.path.join(self.home, *stored.split("/"))
            from .atomic import atomic_copy

            copied.append(target)
            atomic_copy(res.path, target)
            st = os.stat(target)
            n, error = self._store_source(SourceFile(name, target, "added", channel=channel), None, next_ord,
                                          (st.st_size, st.st_mtime_ns, sha), parsed)
            if error:  # found while streaming a large export
                self.conn.execute("DELETE FROM sources WHERE name=?", (name,))
                os.unlink(target)
                res.error = error
                continue
            next_ord += 1
            res.format, res.reviews, res.skipped = parsed.format, n, len(parsed.skipped)
            res.skipped_posts = [tuple(x) for x in parsed.skipped]
            res.notes = list(parsed.notes)
            manifest.append({"name": name, "file": stored, "sha256": sha, "channel": channel,
                             "original": os.path.realpath(res.path), "origin": parsed.origin,
                             "added": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
            res.name = name
        # written before COMMIT: were the process killed in between, the next open would find
        # these dumps not yet indexed and index them
        wrote.append(True)
        self._write_manifest(manifest)
        self._clean_orphans(manifest)
        self._apply(self.source_files(), progress, force=any(r.name and not r.already for r in results))

    def remove(self, name: str) -> str:
        """Take an added dump out of the library (and delete its stored copy). Returns the name
        removed. Raises :class:`LibraryError` for a bundled or unknown source."""
        self._check_writable()
        with self._writing():  # the lock before reading the manifest, as in add
            manifest = self._read_manifest()
            match = [e for e in manifest if e["name"] == name or e["sha256"].startswith(name.lower())]
            if not match:
                if any(f.name == name for f in self.source_files()):
                    raise LibraryError(f"{name}: a bundled dump cannot be removed")
                raise LibraryError(f"{name}: no such source in the library (see 'reviews sources')")
            entry = match[0]
            rest = [e for e in manifest if e is not entry]
            self._write_manifest(rest)
            self._clean_orphans(rest)  # the removed dump's copy; only paths inside dumps/ exist here
            self._apply(self.source_files())
        return str(entry["name"])


_MANIFEST_TEXT = ("channel", "original", "origin", "added", "language")


def validate_manifest(data: object, path: str) -> list[dict]:
    """The entries of a parsed ``library.json``, checked: each has text ``name``, ``sha256`` and
    ``file``, the file a plain name inside ``dumps/`` (a hand-edited ``"../x"`` must never make
    ``remove`` delete a file outside the library), and the optional fields are text or null.
    Raises :class:`LibraryError` naming the first bad key."""
    if not isinstance(data, dict) or not isinstance(data.get("sources", []), list):
        raise LibraryError(f"{path}: not a reviews library manifest (expected an object with a 'sources' list)")
    entries = data.get("sources", [])
    for k, e in enumerate(entries):
        if not isinstance(e, dict):
            raise LibraryError(f"{path}: sources[{k}] is not an object")
        for key in ("name", "file", "sha256"):
            if not isinstance(e.get(key), str) or not e[key]:
                raise LibraryError(f"{path}: sources[{k}].{key} is missing or not text")
        folder, _, base = e["file"].partition("/")
        if folder != "dumps" or not base or "/" in base or "\\" in base or base in (".", "..") or "\0" in base:
            raise LibraryError(f"{path}: sources[{k}].file {e['file']!r} is not a file in the library's dumps/ folder")
        for key in _MANIFEST_TEXT:
            if e.get(key) is not None and not isinstance(e[key], str):
                raise LibraryError(f"{path}: sources[{k}].{key} is not text")
    return list(entries)


def _source_name(path: str) -> str:
    """A dump's name in the library: its file name, with the export folder's name in front for
    Telegram Desktop's generic ``result.json`` / ``messagesN.html``."""
    path = os.path.normpath(path)
    base = os.path.basename(path)
    if base == "result.json" or re.fullmatch(r"messages\d*\.html", base):
        folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
        return f"{folder}/{base}" if folder else base
    return base


def _unique_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, dot, ext = name.partition(".")
    k = 2
    while f"{stem}-{k}{dot}{ext}" in taken:
        k += 1
    return f"{stem}-{k}{dot}{ext}"


def _load_yaml_manifest(path: str) -> list[dict]:
    import yaml  # only when sources.yaml changed; the parsed form is cached in the index

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise LibraryError(f"{path}: unreadable manifest ({exc})") from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("file") for e in entries):
        raise LibraryError(f"{path}: expected a 'sources' list of entries with a 'file'")
    return entries


class Parsed(NamedTuple):
    """A parsed dump as the parse cache stores it: ``posts`` are rows
    ``(id, arxiv_id, paper_url, title_key, record_json)``; ``skipped`` the posts that are not
    reviews as ``(where, why)``; ``error`` is set when the dump could not be read."""

    format: str | None
    origin: str | None
    posts: list
    skipped: list
    error: str | None
    notes: tuple[str, ...] = ()


def title_key(title: str) -> str:
    """What the merge compares titles by: folded words, joined by spaces."""
    from . import textnorm as tn

    return " ".join(tn.words(title))


def _post_row(r: Review) -> tuple:
    from .extract import normalize_url

    return (r.id, r.arxiv_id, normalize_url(r.paper_url) if r.paper_url else None, title_key(r.title),
            json.dumps(r.to_dict(), ensure_ascii=False))


def _parse_one(path: str, name: str, channel: str | None = None) -> Parsed:
    """Parse one dump into the stored form; a :class:`DumpError` becomes the error field. A
    large Telegram Desktop JSON export comes back with its posts as a lazy iterator."""
    from .parsing import parse_file

    if _streamed(path):
        return _stream_dump(path, name, channel)
    try:
        parsed = parse_file(path, display_path=name, channel=channel)
    except DumpError as exc:
        return Parsed(None, None, [], [], exc.reason)
    return Parsed(parsed.format, parsed.origin, [_post_row(r) for r in parsed.reviews],
                  [(s.where, s.reason) for s in parsed.skipped], None, tuple(parsed.notes))


# Exports at least this large are streamed into the index rather than parsed in memory.
STREAM_MIN_BYTES = 16 * 1024 * 1024
_CHUNK = 500


def _streamed(path: str) -> bool:
    """Whether a dump is a Telegram Desktop JSON export large enough to stream, judged by its
    size and content (never its name), the one rule :func:`_parse_one` and :func:`parse_iter`
    share: a streamed dump yields a generator, which cannot come back from a worker process."""
    from .parsing import looks_like_json_export

    try:
        if not os.path.isfile(path) or os.path.getsize(path) < STREAM_MIN_BYTES:
            return False
        with open(path, "rb") as f:
            return looks_like_json_export(f.read(65536))
    except OSError:
        return False


def _stream_dump(path: str, name: str, channel: str | None) -> Parsed:
    """A large dump: its container's posts read in this process, recognized on a worker pool in
    chunks, post rows yielded as they come, ``skipped`` filled as the rows are consumed. Errors
    are the parser's own one-line :class:`DumpError` (see ``parsing.dump_errors``)."""
    from .parsing import open_dump

    try:
        dump = open_dump(path, name, channel)
    except DumpError as exc:
        return Parsed(None, None, [], [], exc.reason)
    skipped: list = []
    fmt = dump.format

    def chunks():
        chunk: list = []
        for post in dump.posts:
            chunk.append(post)
            if len(chunk) >= _CHUNK:
                yield chunk, name, fmt
                chunk = []
        if chunk:
            yield chunk, name, fmt

    def rows():
        workers = os.cpu_count() or 1
        results = pool_map(_recognize_chunk, chunks(), workers, star=True) if workers > 1 else \
            (_recognize_chunk(*c) for c in chunks())
        for chunk_rows, skips in results:
            skipped.extend(skips)
            yield from chunk_rows

    return Parsed(fmt, dump.origin, rows(), skipped, None)


def _recognize_chunk(posts: list, name: str, fmt: str) -> tuple[list, list]:
    """Worker: post rows and skips for a chunk of posts."""
    from .parsing import recognize_posts

    reviews, skips = recognize_posts(posts, name, fmt)
    return [_post_row(r) for r in reviews], [(s.where, s.reason) for s in skips]


# Below this much input, a worker pool costs more than it saves.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


def parse_iter(paths: list[str], names: list[str], channels: list[str | None] | None = None):
    """Parse dumps, yielding results in order; on every core when there are several large ones,
    with at most two dumps per core in flight so memory stays bounded. A large JSON export is
    streamed in this process (it runs its own worker pool)."""
    total = 0
    for p in paths:
        with contextlib.suppress(OSError):
            total += os.path.getsize(p) if os.path.isfile(p) else 0
    streamed = any(_streamed(p) for p in paths)
    channels = channels or [None] * len(paths)
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2 or total < PARALLEL_MIN_BYTES or streamed:
        for p, n, c in zip(paths, names, channels):
            yield _parse_one(p, n, c)
        return
    yield from pool_map(_parse_one, list(zip(paths, names, channels)), workers, star=True)


def pool_map(fn, items, workers: int, star: bool = False):
    """``map(fn, items)`` on a process pool, in order, with at most ``2 * workers`` items in
    flight (``Executor.map`` would submit them all at once and hold every result).

    Workers die with this process: they ignore Ctrl-C (the parent alone reports it), ask the
    kernel to kill them when the parent dies (Linux ``PR_SET_PDEATHSIG``; elsewhere a watchdog
    thread), and are terminated at once when the caller stops early or fails."""
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    ex = ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_worker_init, initargs=(os.getpid(),))
    try:
        pending: deque = deque()
        for item in items:
            pending.append(ex.submit(fn, *item) if star else ex.submit(fn, item))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:
        _terminate(ex)
        raise
    finally:  # also when the consumer stops iterating (GeneratorExit)
        if getattr(ex, "_processes", None):
            _terminate(ex)
        ex.shutdown(wait=True, cancel_futures=True)


def _terminate(ex) -> None:
    """Kill the pool's workers now rather than let them finish their chunks."""
    import contextlib

    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.terminate()
    ex.shutdown(wait=False, cancel_futures=True)


def _worker_init(parent: int) -> None:
    """In each worker: leave Ctrl-C to the parent, and die when the parent does."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _mp_context():
    import multiprocessing as mp

    # fork starts workers without re-importing anything; elsewhere the platform default is safe
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None



