"""Keeping the index in step with the dumps: :class:`LibrarySync`, the part of
:class:`~reviews_cli.library.Library` that knows which dumps the library holds (the bundled
manifest, ``library.json``) and re-parses the ones that changed into the parse cache, then
rebuilds the merged index (``index.rebuild``), inside one write transaction.

A dump is re-parsed when it is new, its file changed (size or mtime, then sha256), or the parser
version changed; a dump that is gone loses its rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import DumpError, LibraryError
from ..models import PARSER_VERSION  # not from parsing: a search does not import that package
from .sources import (
    MANIFEST_FILE,
    SourceFile,
    bundled_dir,
    clean_orphans,
    load_yaml_manifest,
    read_manifest,
    sha256_of,
    write_manifest,
)
from .store import transaction

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import TypeAlias

    from .index import Progress
    from .ingest import Parsed
    from .sources import BundledEntry, ManifestEntry

    # A row of ``sources`` as _apply reads it: name, sid, path, size, mtime_ns, sha256, parser_version.
    SourceRow: TypeAlias = tuple[str, int, str, int | None, int | None, str | None, int | None]
    # What :meth:`LibrarySync._store_source` records of a dump's file: (size, mtime_ns, sha256).
    FileStat: TypeAlias = tuple[int | None, int | None, str | None]


def parse_iter(paths: list[str], names: list[str], channels: list[str | None] | None = None) -> Iterator[Parsed]:
    """``ingest.parse_iter``, imported when a dump is parsed (a search never needs it)."""
    from .ingest import parse_iter as parse

    return parse(paths, names, channels)



class LibrarySync:
    """The library's folder and index connection, its manifest, and :meth:`sync`; the base of
    :class:`~reviews_cli.library.Library`, which adds opening, reading and changing."""

    def __init__(self, home: str, conn: sqlite3.Connection) -> None:
        self.home = home
        self.conn = conn
        self.notices: list[str] = []  # what the user should hear about (a damaged index rebuilt)
        self.readonly = False  # the library folder cannot be written
        self.temp_index: str | None = None  # the temporary index of a read-only folder
        # stars, notes and read marks: "write", "read" (a read-only folder) or "none" (see ``state.attach``)
        self.state_access = "none"

    # ------------------------------------------------------------------------ the manifest

    @property
    def manifest_path(self) -> str:
        return os.path.join(self.home, MANIFEST_FILE)

    def _read_manifest(self) -> list[ManifestEntry]:
        return read_manifest(self.home)

    def _check_writable(self) -> None:
        if self.readonly or self.temp_index or not os.access(self.home, os.W_OK):
            raise LibraryError(f"{self.home}: the library folder is read-only; nothing was changed")

    def _clean_orphans(self, manifest: list[ManifestEntry]) -> None:
        clean_orphans(self.home, manifest)

    def _write_manifest(self, sources: list[ManifestEntry]) -> None:
        write_manifest(self.home, sources)

    def source_files(self) -> list[SourceFile]:
        """Every dump in the library, bundled first (manifest order), then added ones."""
        out: list[SourceFile] = []
        bdir = bundled_dir()
        for entry in self._bundled_manifest(bdir):
            out.append(SourceFile(entry["file"].split("/")[-1], os.path.join(bdir, *entry["file"].split("/")),
                                  "bundled", entry.get("origin"), entry.get("language")))
        for added in self._read_manifest():
            kind = "pulled" if added.get("pulled") else "added"  # a channel `reviews pull` keeps up with
            out.append(SourceFile(added["name"], os.path.join(self.home, *added["file"].split("/")), kind,
                                  added.get("origin"), added.get("language"), added.get("channel")))
        return out

    def _bundled_manifest(self, bdir: str) -> list[BundledEntry]:
        """Entries of ``data/sources.yaml`` (file, format, origin, language), cached in the index
        keyed by the file's size and mtime so a search does not import PyYAML."""
        path = os.path.join(bdir, "sources.yaml")
        st = os.stat(path)
        stamp = f"{path}|{st.st_size}|{st.st_mtime_ns}"
        row = self.conn.execute("SELECT value FROM meta WHERE key='bundled'").fetchone()
        if row:
            cached = json.loads(row[0])
            if cached.get("stamp") == stamp:
                cached_entries: list[BundledEntry] = cached["entries"]
                return cached_entries
        entries = load_yaml_manifest(path)
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

    def sync(self, progress: Progress | None = None, wait: bool = True) -> None:
        """Bring the index in step with the dumps (see the module docstring). ``progress`` is an
        optional callable ``(stage, done, total)`` for long runs. Without ``wait``, a write lock
        held by another process (or a read-only folder) leaves the index as last committed, with
        a notice."""
        files = self.source_files()
        if not self._stale(files):
            self._catch_up_notes(wait)
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

    def _catch_up_notes(self, wait: bool) -> None:
        """Bring the index's notes in step with the state file when a crash left them behind
        (``state.notes_behind``); a reader that would wait for a writer leaves it to later."""
        from .state import notes_behind, refresh_notes

        if self.state_access != "write" or not notes_behind(self.conn):
            return
        try:
            with self._writing():
                if notes_behind(self.conn):
                    refresh_notes(self.conn)
        except sqlite3.OperationalError as exc:
            if wait or "locked" not in str(exc):
                raise

    def _writing(self) -> AbstractContextManager[None]:
        """A write transaction on the index (see ``store.transaction``)."""
        return transaction(self.conn)

    def _apply(self, files: list[SourceFile], progress: Progress | None = None, force: bool = False) -> None:
        """Inside a write transaction: drop rows of dumps that are gone, re-parse changed ones
        (streamed into the parse cache as each finishes), then rebuild the merged index."""
        c = self.conn
        rows: dict[str, SourceRow] = {r[0]: r for r in c.execute(
            "SELECT name, sid, path, size, mtime_ns, sha256, parser_version FROM sources")}
        keep = {f.name for f in files}
        changed = False
        for name, old in rows.items():
            if name not in keep:
                c.execute("DELETE FROM posts WHERE sid=?", (old[1],))
                c.execute("DELETE FROM sources WHERE sid=?", (old[1],))
                changed = True
        old_order = [n for (n,) in c.execute("SELECT name FROM sources ORDER BY ord")]
        todo: list[tuple[int, SourceFile, SourceRow | None, FileStat]] = []
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

    def _unchanged(self, f: SourceFile, row: SourceRow | None, ordinal: int) -> FileStat | None:
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
        sha = sha256_of(f.path) if size is not None else None
        if row is not None and sha is not None and row[5] == sha and row[6] == PARSER_VERSION:
            c.execute("UPDATE sources SET path=?, size=?, mtime_ns=?, ord=? WHERE sid=?",
                      (f.path, size, mtime, ordinal, row[1]))
            return None
        return size, mtime, sha

    def _store_source(self, f: SourceFile, row: SourceRow | None, ordinal: int, stat: FileStat,
                      parsed: Parsed) -> tuple[int, str | None]:
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
        n: int
        (n,) = c.execute("SELECT count(*) FROM posts WHERE sid=?", (sid,)).fetchone()
        if not error and not n and not parsed.skipped:
            error = f"no review found (read as {parsed.format})"
        c.execute("UPDATE sources SET n_reviews=?, n_skipped=?, error=? WHERE sid=?",
                  (n, len(parsed.skipped), error, sid))
        return n, error
