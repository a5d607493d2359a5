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

import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from typing import NamedTuple

from .errors import DumpError, LibraryError
from .models import Review
from .parsing import PARSER_VERSION  # the format modules are imported only when parsing

SCHEMA_VERSION = 1
INDEX_FILE = "index.sqlite"
MANIFEST_FILE = "library.json"

# FTS columns, in order; search.py weighs them (title above tags and authors above body).
FTS_COLUMNS = ("title", "authors", "tags", "reviewer", "body", "extra")


# Paths are plain strings (os.path) here: pathlib alone costs ~3 ms of a ~70 ms search.

def reviews_home() -> str:
    """``$REVIEWS_HOME`` or the platform's user data dir for ``reviews``."""
    env = os.environ.get("REVIEWS_HOME")
    if env:
        return os.path.abspath(os.path.expanduser(env))
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


@dataclass
class AddResult:
    """What ``add`` did with one path: the source name it got, or the error that refused it;
    ``reviews`` parsed from it, ``merged`` of them into existing records, ``skipped`` posts."""

    path: str
    name: str | None = None
    format: str | None = None
    reviews: int = 0
    merged: int = 0
    skipped: int = 0
    error: str | None = None
    already: bool = False


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
    parser_version INTEGER, n_reviews INTEGER DEFAULT 0, n_skipped INTEGER DEFAULT 0, error TEXT,
    ord INTEGER);
CREATE TABLE IF NOT EXISTS posts(sid INTEGER NOT NULL, ord INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY(sid, ord)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reviews(
    rid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, title TEXT NOT NULL, arxiv_id TEXT,
    year INTEGER, date TEXT, origin TEXT, src TEXT, n_merged INTEGER, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reviews_arxiv ON reviews(arxiv_id);
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

    # ----------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, home: str | os.PathLike | None = None, sync: bool = True) -> Library:
        home = os.fspath(home) if home is not None else reviews_home()
        index = os.path.join(home, INDEX_FILE)
        try:
            os.makedirs(home, exist_ok=True)
            conn = sqlite3.connect(index, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            ok = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone() \
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone() else None
            if not ok or ok[0] != str(SCHEMA_VERSION):
                cls._reset(conn)
        except sqlite3.DatabaseError as exc:
            # the index is a cache: a corrupt one is rebuilt from the dumps
            try:
                conn.close()
            except Exception:
                pass
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(index + suffix):
                    os.unlink(index + suffix)
            try:
                conn = sqlite3.connect(index, timeout=30, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                cls._reset(conn)
            except sqlite3.DatabaseError as exc2:
                raise LibraryError(f"{index}: cannot open the index ({exc2})") from exc
        except OSError as exc:
            raise LibraryError(f"{home}: cannot create the library folder ({exc.strerror})") from None
        lib = cls(home, conn)
        if sync:
            lib.sync()
        return lib

    @staticmethod
    def _reset(conn: sqlite3.Connection) -> None:
        """Drop whatever is there and create the current schema, in one transaction."""
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'fts_%'")]
        drops = "".join(f'DROP TABLE IF EXISTS "{n}";' for n in names)
        conn.executescript(f"BEGIN IMMEDIATE;{drops}{_SCHEMA}"
                           f"INSERT OR REPLACE INTO meta VALUES('schema', '{SCHEMA_VERSION}');COMMIT;")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------ the manifest

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.home, MANIFEST_FILE)

    def _read_manifest(self) -> list[dict]:
        try:
            with open(self.manifest_path, encoding="utf-8") as f:
                data = json.load(f)
            return list(data.get("sources", []))
        except FileNotFoundError:
            return []
        except (ValueError, AttributeError) as exc:
            raise LibraryError(f"{self.manifest_path}: unreadable library manifest ({exc})") from None

    def _write_manifest(self, sources: list[dict]) -> None:
        tmp = self.manifest_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps({"version": 1, "sources": sources}, ensure_ascii=False, indent=1))
        os.replace(tmp, self.manifest_path)

    def source_files(self) -> list[SourceFile]:
        """Every dump in the library, bundled first (manifest order), then added ones."""
        out = []
        bdir = bundled_dir()
        for entry in self._bundled_manifest(bdir):
            out.append(SourceFile(entry["file"].split("/")[-1], os.path.join(bdir, *entry["file"].split("/")),
                                  "bundled", entry.get("origin"), entry.get("language")))
        for entry in self._read_manifest():
            out.append(SourceFile(entry["name"], os.path.join(self.home, *entry["file"].split("/")), "added",
                                  entry.get("origin"), entry.get("language")))
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
        try:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES('bundled', ?)",
                              (json.dumps({"stamp": stamp, "entries": entries}, ensure_ascii=False),))
        except sqlite3.OperationalError:
            pass  # a read-only index still works, it just re-reads the YAML next time
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

    def sync(self, progress=None, preparsed: dict[str, _Parsed] | None = None) -> None:
        """Bring the index in step with the dumps (see the module docstring). ``progress`` is an
        optional callable ``(done, total, name)`` called as dumps are parsed; ``preparsed`` maps a
        dump path to its already parsed result (``add`` parses once, to check, and reuses it)."""
        files = self.source_files()
        if not self._stale(files):
            return
        c = self.conn
        try:
            c.execute("BEGIN IMMEDIATE")
            if not self._stale(files):  # another process did it while we waited for the lock
                c.execute("COMMIT")
                return
            rows = {r[0]: r for r in c.execute(
                "SELECT name, sid, path, size, mtime_ns, sha256, parser_version FROM sources")}
            keep = {f.name for f in files}
            for name, row in rows.items():
                if name not in keep:
                    c.execute("DELETE FROM posts WHERE sid=?", (row[1],))
                    c.execute("DELETE FROM sources WHERE sid=?", (row[1],))
            todo = []
            for ordinal, f in enumerate(files):
                stat = self._unchanged(f, rows.get(f.name), ordinal)
                if stat is not None:
                    todo.append((ordinal, f, rows.get(f.name), stat))
            pre = preparsed or {}
            results = parse_many([f.path for _, f, _, _ in todo if f.path not in pre],
                                 [f.name for _, f, _, _ in todo if f.path not in pre], progress)
            results.update(pre)
            for ordinal, f, row, stat in todo:
                self._store_source(f, row, ordinal, stat, results[f.path])
            self._rebuild()
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise

    def _unchanged(self, f: SourceFile, row, ordinal: int):
        """Keep a dump's cached posts when its file is the one parsed before (same size and
        mtime, or the same sha256) by this parser version; else return ``(size, mtime, sha)``
        for :meth:`_store_source`."""
        c = self.conn
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

    def _store_source(self, f: SourceFile, row, ordinal: int, stat, parsed: _Parsed) -> None:
        c = self.conn
        size, mtime, sha = stat
        if row is not None:
            c.execute("DELETE FROM posts WHERE sid=?", (row[1],))
            c.execute("DELETE FROM sources WHERE sid=?", (row[1],))
        fmt, origin, posts, skipped, error = parsed
        cur = c.execute(
            "INSERT INTO sources(name, path, kind, size, mtime_ns, sha256, format, origin, language,"
            " parser_version, n_reviews, n_skipped, error, ord) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (f.name, f.path, f.kind, size, mtime, sha, fmt, f.origin or origin, f.language,
             PARSER_VERSION, len(posts), skipped, error, ordinal))
        sid = cur.lastrowid
        c.executemany("INSERT INTO posts VALUES(?,?,?)", [(sid, i, js) for i, js in enumerate(posts)])

    def _rebuild(self) -> None:
        """Re-merge every parsed record and rebuild reviews, tags, vocabulary and FTS."""
        from .index import build_index  # index building pulls in the stemmer and rapidfuzz

        records, origins, stored = [], [], []
        for origin, js in self.conn.execute(
                "SELECT s.origin, p.json FROM posts p JOIN sources s USING(sid) ORDER BY s.ord, p.ord"):
            records.append(Review.from_dict(json.loads(js)))
            origins.append(origin)
            stored.append(js)
        build_index(self.conn, records, origins, stored)

    # ----------------------------------------------------------------------------- reading

    def all_reviews(self) -> list[Review]:
        """Every merged record, in library order."""
        return [Review.from_dict(json.loads(js)) for (js,) in
                self.conn.execute("SELECT json FROM reviews ORDER BY rid")]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]

    def get_by_rids(self, rids: list[int]) -> dict[int, Review]:
        if not rids:
            return {}
        q = ",".join("?" * len(rids))
        return {rid: Review.from_dict(json.loads(js)) for rid, js in
                self.conn.execute(f"SELECT rid, json FROM reviews WHERE rid IN ({q})", rids)}

    def by_arxiv(self, arxiv_id: str) -> list[Review]:
        return [Review.from_dict(json.loads(js)) for (js,) in self.conn.execute(
            "SELECT json FROM reviews WHERE arxiv_id=? ORDER BY rid", (arxiv_id,))]

    def by_id_prefix(self, prefix: str) -> list[Review]:
        """Records whose id starts with ``prefix`` (ids are lower-case hex)."""
        p = prefix.lower()
        if not re.fullmatch(r"[0-9a-f]{4,8}", p):
            return []
        return [Review.from_dict(json.loads(js)) for (js,) in self.conn.execute(
            "SELECT json FROM reviews WHERE id >= ? AND id < ? ORDER BY id", (p, p + "g"))]

    def titles(self) -> list[tuple[int, str]]:
        return list(self.conn.execute("SELECT rid, title FROM reviews ORDER BY rid"))

    def tags(self) -> list[tuple[str, int]]:
        """Every tag (as first written) with its number of records, most used first."""
        return [(label, n) for label, n in self.conn.execute(
            "SELECT min(label), count(*) AS n FROM review_tags GROUP BY tag ORDER BY n DESC, tag")]

    def sources(self) -> list[SourceInfo]:
        return [SourceInfo(*r) for r in self.conn.execute(
            "SELECT name, kind, format, origin, n_reviews, n_skipped, error, path FROM sources ORDER BY ord")]

    # ---------------------------------------------------------------------------- changing

    def add(self, paths: list[str]) -> list[AddResult]:
        """Copy each dump into ``REVIEWS_HOME/dumps`` and index it. A path that cannot be read or
        holds no review is refused with its error and is not stored; the others still are."""
        results = []
        manifest = self._read_manifest()
        known_sha = {e.get("sha256"): e["name"] for e in manifest}
        names = {e["name"] for e in manifest} | {f.name for f in self.source_files() if f.kind == "bundled"}
        before = self.count()
        parsed_all = parse_many(list(paths), list(paths))
        preparsed: dict[str, _Parsed] = {}
        for p in paths:
            res = AddResult(path=p)
            results.append(res)
            fmt, origin, posts, skipped, error = parsed_all[p]
            if error:
                res.error = error
                continue
            res.format, res.reviews, res.skipped = fmt, len(posts), skipped
            sha = _sha256(p)
            if sha in known_sha:
                res.name, res.already = known_sha[sha], True
                continue
            name = _unique_name(os.path.basename(os.path.normpath(p)), names)
            names.add(name)
            stored = f"dumps/{sha[:12]}-{name}"
            os.makedirs(os.path.join(self.home, "dumps"), exist_ok=True)
            target = os.path.join(self.home, *stored.split("/"))
            import shutil

            shutil.copyfile(p, target + ".tmp")
            os.replace(target + ".tmp", target)
            # records name the dump as the library does, not by the path it was added from
            preparsed[target] = (fmt, origin, [_rename_source(js, p, name) for js in posts], skipped, None)
            manifest.append({"name": name, "file": stored, "sha256": sha,
                             "original": os.path.realpath(p), "origin": origin,
                             "added": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
            known_sha[sha] = name
            res.name = name
        self._write_manifest(manifest)
        self.sync(preparsed=preparsed)
        added_total = sum(r.reviews for r in results if r.name and not r.already)
        new_records = self.count() - before
        # records that merged into existing ones, spread over the new sources in order
        merged_left = max(0, added_total - new_records)
        for r in results:
            if r.name and not r.already:
                r.merged = min(r.reviews, merged_left)
                merged_left -= r.merged
        return results

    def remove(self, name: str) -> str:
        """Take an added dump out of the library (and delete its stored copy). Returns the name
        removed. Raises :class:`LibraryError` for a bundled or unknown source."""
        manifest = self._read_manifest()
        match = [e for e in manifest if e["name"] == name or e["sha256"].startswith(name.lower())]
        if not match:
            if any(f.name == name for f in self.source_files()):
                raise LibraryError(f"{name}: a bundled dump cannot be removed")
            raise LibraryError(f"{name}: no such source in the library (see 'reviews sources')")
        entry = match[0]
        self._write_manifest([e for e in manifest if e is not entry])
        self.sync()
        stored = os.path.join(self.home, *entry["file"].split("/"))
        if os.path.exists(stored):
            os.unlink(stored)
        return entry["name"]


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


# A parsed dump as the index stores it: (format, origin, [record JSON], skipped, error).
_Parsed = tuple


def _parse_one(path: str, name: str) -> _Parsed:
    """Parse one dump into the stored form; a :class:`DumpError` becomes the error field."""
    from .parsing import parse_file

    try:
        parsed = parse_file(path, display_path=name)
    except DumpError as exc:
        return None, None, [], 0, exc.reason
    return (parsed.format, parsed.origin, [json.dumps(r.to_dict(), ensure_ascii=False) for r in parsed.reviews],
            len(parsed.skipped), None)


# Below this much input, a worker pool costs more than it saves.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


def parse_many(paths: list[str], names: list[str], progress=None) -> dict[str, _Parsed]:
    """Parse dumps, on every core when there are several large ones. Returns path -> result."""
    sizes = []
    for p in paths:
        try:
            sizes.append(os.path.getsize(p) if os.path.isfile(p) else 0)
        except OSError:
            sizes.append(0)
    out: dict[str, _Parsed] = {}
    workers = min(len(paths), os.cpu_count() or 1)
    if workers > 1 and sum(sizes) >= PARALLEL_MIN_BYTES:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=_mp_context()) as ex:
            for i, res in enumerate(ex.map(_parse_one, paths, names)):
                out[paths[i]] = res
                if progress:
                    progress(i + 1, len(paths), names[i])
        return out
    for i, (p, n) in enumerate(zip(paths, names)):
        out[p] = _parse_one(p, n)
        if progress:
            progress(i + 1, len(paths), n)
    return out


def _mp_context():
    import multiprocessing as mp

    # fork starts workers without re-importing anything; elsewhere the platform default is safe
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None


def _rename_source(js: str, old: str, new: str) -> str:
    d = json.loads(js)
    for s in d["sources"]:
        if s["path"] == old:
            s["path"] = new
    return json.dumps(d, ensure_ascii=False)
