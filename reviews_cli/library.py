"""The library: the bundled dumps plus the dumps the user added, and the SQLite index over them.

This module keeps them in step; the concerns live apart: ``store`` (the index file: schema,
connection, recovery, write transactions), ``sources`` (which dumps: the bundled manifest,
``library.json``, the copies in ``dumps/``), ``ingest`` (parsing dumps on a worker pool) and
``index`` (merging duplicates, building the FTS index).

Layout of ``REVIEWS_HOME`` (default: the platform's user data dir, e.g. ``~/.local/share/reviews``)::

    library.json    the dumps the user added: name, stored file, sha256, original path, date added
    dumps/          copies of those dumps (moving or deleting an original loses nothing)
    index.sqlite    a rebuildable cache: parsed posts per dump, merged reviews, FTS5 index

The index is kept in step with the dumps on every open: a dump added, changed (size or mtime,
then sha256), or removed, or a new parser version, re-parses just those dumps and rebuilds the
merged records and the full-text index inside one transaction (WAL mode), so a reader never sees
a half-built index and an interrupted run leaves the previous index intact. ``remove`` is
incremental: only the records the removed dumps took part in change (``index.remove_sources``).

Merging: records from all dumps are grouped by paper (arXiv id, paper URL, or folded title);
two records of one paper are the same review when their bodies are near-identical (the same post
read from a channel page and from a mirror), and become one record with both sources. Different
reviews of one paper stay separate records.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import DumpError, LibraryError
from .models import Review
from .parsing import PARSER_VERSION  # the format modules are imported only when parsing
from .sources import (
    MANIFEST_FILE,
    AddResult,
    BundledEntry,
    ManifestEntry,
    RemoveResult,
    SourceFile,
    SourceInfo,
    bundled_dir,
    clean_orphans,
    load_yaml_manifest,
    read_manifest,
    sha256_of,
    source_name,
    unique_name,
    write_manifest,
)
from .store import (
    APPLICATION_ID,
    INDEX_FILE,
    SCHEMA_VERSION,
    connect,
    connect_readonly,
    discard_index,
    reviews_home,
    transaction,
)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import TypeAlias

    from .index import Progress
    from .ingest import Parsed

    # A row of ``sources`` as _apply reads it: name, sid, path, size, mtime_ns, sha256, parser_version.
    SourceRow: TypeAlias = tuple[str, int, str, int | None, int | None, str | None, int | None]
    # What :meth:`Library._store_source` records of a dump's file: (size, mtime_ns, sha256).
    FileStat: TypeAlias = tuple[int | None, int | None, str | None]


def parse_iter(paths: list[str], names: list[str], channels: list[str | None] | None = None) -> Iterator[Parsed]:
    """``ingest.parse_iter``, imported when a dump is parsed (a search never needs it)."""
    from .ingest import parse_iter as parse

    return parse(paths, names, channels)


__all__ = ["APPLICATION_ID", "INDEX_FILE", "SCHEMA_VERSION", "AddResult", "Library", "SourceFile", "SourceInfo",
           "discard_index", "reviews_home"]


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
        self.state_writable = False  # stars, notes and read marks can be changed (see ``state.attach``)

    # ----------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None, sync: bool = True, wait: bool = True) -> Library:
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
                conn, temp = connect_readonly(index, notices)
            else:
                conn = connect(index)
        except sqlite3.DatabaseError as exc:
            if readonly:
                raise LibraryError(f"{index}: the index is damaged ({exc}) and the folder is read-only") from None
            # not a database at all: our cache, damaged (a foreign SQLite file opens fine and is
            # refused by _connect); it is rebuilt from the dumps
            notices.append(f"{index}: the index was damaged ({exc}); rebuilt it from the dumps")
            discard_index(home)
            try:
                conn = connect(index)
            except sqlite3.DatabaseError as exc2:
                raise LibraryError(f"{index}: cannot open the index ({exc2})") from exc
        except OSError as exc:
            raise LibraryError(f"{home}: cannot open the library ({exc.strerror})") from None
        if not wait:
            conn.execute("PRAGMA busy_timeout=200")  # a reader never waits long for a writer
        from .state import attach

        try:
            state_writable = attach(conn, home, readonly or temp is not None, notices)
        except BaseException:
            conn.close()
            raise
        lib = cls(home, conn)
        lib.state_writable = state_writable
        lib.notices = notices
        lib.readonly = readonly and temp is None
        lib.temp_index = temp
        if sync:
            lib.sync(wait=wait)
        return lib

    def close(self) -> None:
        self.conn.close()
        if self.temp_index:
            import shutil

            shutil.rmtree(os.path.dirname(self.temp_index), ignore_errors=True)

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            out.append(SourceFile(added["name"], os.path.join(self.home, *added["file"].split("/")), "added",
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

        if not self.state_writable or not notes_behind(self.conn):
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

    # ----------------------------------------------------------------------------- reading

    def all_reviews(self) -> list[Review]:
        """Every merged record, in library order."""
        return list(self.iter_reviews())

    def iter_reviews(self) -> Iterator[Review]:
        """Every merged record, in library order, one at a time (memory stays flat)."""
        for (js,) in self.conn.execute("SELECT json FROM records ORDER BY rid"):
            yield Review.from_dict(json.loads(js))

    def count(self) -> int:
        n: int = self.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
        return n

    def tags(self) -> list[tuple[str, int]]:
        """Every tag (as first written) with its number of records, most used first."""
        return [(label, n) for label, n in self.conn.execute(
            "SELECT min(label), count(*) AS n FROM review_tags GROUP BY tag ORDER BY n DESC, tag")]

    def sources(self) -> list[SourceInfo]:
        return [SourceInfo(*r) for r in self.conn.execute(
            "SELECT name, kind, format, origin, n_reviews, n_skipped, error, path FROM sources ORDER BY ord")]

    # ---------------------------------------------------------------------------- changing

    def add(self, paths: list[str], progress: Progress | None = None, channel: str | None = None,
            labels: dict[str, tuple[str, str]] | None = None) -> list[AddResult]:
        """Copy each dump into ``REVIEWS_HOME/dumps`` and index it, in one write transaction.
        A path that cannot be read or holds no review is refused with its error and is not
        stored; the others still are. A dump whose content (sha256) is already in the library,
        added or bundled, or earlier in ``paths``, is not added again: its result has
        ``already`` set and the name it is known by. Each dump is parsed once, on every core
        when large. ``labels`` maps a path to ``(what messages call it, its name in the
        library)`` for a file with no meaningful path (standard input spooled to a temporary
        file); such a dump records no original path. An interrupted ``add`` leaves the library
        as it was."""
        self._check_writable()
        labels = labels or {}
        results = [AddResult(path=labels[p][0] if p in labels else p) for p in paths]
        copied: list[str] = []
        with self._writing():  # the write lock is taken before any state is read
            original_manifest = self._read_manifest()
            wrote: list[bool] = []
            try:
                self._add(list(zip(results, paths)), copied, progress, channel, wrote, labels)
            except BaseException:
                # undo what the rolled-back transaction cannot, and only what this call wrote:
                # the manifest it replaced (read under the same lock) and the files it copied
                if wrote:
                    self._write_manifest(original_manifest)
                for path in copied:
                    if os.path.exists(path):
                        os.unlink(path)
                raise
        merged: dict[str, int] = dict(self.conn.execute("SELECT name, n_merged FROM sources"))
        for r in results:
            if r.name and not r.already:
                r.merged = merged.get(r.name, 0)
        return results

    def _known_contents(self, manifest: list[ManifestEntry]) -> dict[str, str]:
        """``{sha256: name}`` of every dump in the library: added ones from the manifest,
        bundled ones from the index (hashed when parsed), hashed here when the index lacks it."""
        known: dict[str, str] = {}
        stored: dict[str, tuple[str, str | None]] = {
            name: (path, sha) for name, path, sha in self.conn.execute("SELECT name, path, sha256 FROM sources")}
        for f in self.source_files():
            if f.kind != "bundled":
                continue
            path, sha = stored.get(f.name, (None, None))
            if sha is None or path != f.path:
                with contextlib.suppress(OSError):
                    sha = sha256_of(f.path)
            if sha:
                known.setdefault(sha, f.name)
        for e in manifest:
            known.setdefault(e["sha256"], e["name"])
        return known

    def _add(self, inputs: list[tuple[AddResult, str]], copied: list[str], progress: Progress | None,
             channel: str | None, wrote: list[bool], labels: dict[str, tuple[str, str]]) -> None:
        manifest = self._read_manifest()
        known_sha = self._known_contents(manifest)
        names = {e["name"] for e in manifest} | {f.name for f in self.source_files() if f.kind == "bundled"}
        next_ord = len(self.source_files())
        plans: list[tuple[AddResult, str, str | None, str]] = []  # (result, file, sha256, name)
        repeats: list[tuple[AddResult, AddResult]] = []  # (a later copy, the first in this call)
        planned: dict[str, AddResult] = {}
        from .parsing.text import check_regular

        for res, path in inputs:
            try:
                check_regular(path, res.path)  # hashing a FIFO or /dev/zero would never end
                sha: str | None = sha256_of(path)
            except (OSError, DumpError) as exc:
                if isinstance(exc, DumpError) and not os.path.isdir(path):
                    res.error = exc.reason
                    continue
                sha = None  # parsing says why
            if sha is not None and sha in planned:
                repeats.append((res, planned[sha]))
                continue
            if sha in known_sha:
                res.name, res.already = known_sha[sha], True
                row = self.conn.execute("SELECT format, n_reviews, n_skipped FROM sources WHERE name=?",
                                        (res.name,)).fetchone()
                if row:
                    res.format, res.reviews, res.skipped = row
                continue
            name = unique_name(labels[path][1] if path in labels else source_name(path), names)
            names.add(name)
            if sha:
                planned[sha] = res
            plans.append((res, path, sha, name))
        # parsed under the name the library gives the dump, so records name it that way
        parsed_all = parse_iter([f for _, f, _, _ in plans], [n for _, _, _, n in plans], [channel] * len(plans))
        for k, ((res, path, sha, name), parsed) in enumerate(zip(plans, parsed_all), start=1):
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
            atomic_copy(path, target)
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
            res.skipped_posts = [(where, why) for where, why in parsed.skipped]
            res.notes = list(parsed.notes)
            manifest.append({"name": name, "file": stored, "sha256": sha, "channel": channel,
                             "original": None if path in labels else os.path.realpath(path),
                             "origin": parsed.origin, "added": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
            res.name = name
        for res, first in repeats:  # the same content twice in one call: as the first copy fared
            if first.error:
                res.error = first.error
            else:
                res.name, res.already = first.name, True
                res.format, res.reviews, res.skipped = first.format, first.reviews, first.skipped
        # written before COMMIT: were the process killed in between, the next open would find
        # these dumps not yet indexed and index them
        wrote.append(True)
        self._write_manifest(manifest)
        self._clean_orphans(manifest)
        self._apply(self.source_files(), progress, force=any(r.name and not r.already for r, _ in inputs))

    def remove(self, name: str) -> str:
        """Take one added dump out of the library (see :meth:`remove_many`). Returns the name
        removed. Raises :class:`LibraryError` for a bundled or unknown source."""
        result = self.remove_many([name])
        if result.problems:
            raise LibraryError(result.problems[0])
        return result.removed[0]

    def remove_many(self, refs: list[str]) -> RemoveResult:
        """Take added dumps out of the library, in one write transaction, and delete their
        stored copies. A ref is a source's name (``reviews sources``), the path it was added
        from (the file need not exist any more; every dump added from that path goes), or a
        prefix of at least 6 hex digits of its sha256, or a file with the same content (one
        ``add`` found already in the library under another name). Only the removed dumps' records change
        in the index (:func:`index.remove_sources`). Returns the names removed and one message
        per ref that named no added dump (bundled or unknown); the others are still removed.
        An interrupted ``remove`` leaves the library as it was."""
        self._check_writable()
        result = RemoveResult([], [])
        moved: list[tuple[str, str]] = []  # (stored copy, its name while the removal commits)
        with self._writing():  # the lock before reading the manifest, as in add
            manifest = self._read_manifest()
            chosen: list[ManifestEntry] = []
            for ref in refs:
                match = self._match(ref, manifest)
                if isinstance(match, str):
                    result.problems.append(match)
                    continue
                chosen += [e for e in match if e not in chosen]
            self._clean_orphans(manifest)  # copies a killed add or remove left behind
            if not chosen:
                return result
            rest = [e for e in manifest if e not in chosen]
            try:
                self._write_manifest(rest)
                for e in chosen:  # kept until COMMIT, so a failure can put them back
                    stored = os.path.join(self.home, *e["file"].split("/"))
                    aside = os.path.join(self.home, "dumps", f".removing-{e['file'].split('/')[1]}")
                    if os.path.exists(stored):
                        os.replace(stored, aside)
                        moved.append((stored, aside))
                self._unindex([e["name"] for e in chosen])
            except BaseException:
                self._write_manifest(manifest)
                for stored, aside in moved:
                    with contextlib.suppress(OSError):
                        os.replace(aside, stored)
                raise
        for _, aside in moved:  # committed; a copy left by a kill here is cleaned by the next write
            with contextlib.suppress(OSError):
                os.unlink(aside)
        result.removed.extend(e["name"] for e in chosen)
        return result

    def _match(self, ref: str, manifest: list[ManifestEntry]) -> list[ManifestEntry] | str:
        """The manifest entries ``ref`` names (by name, original path or sha256 prefix), or
        the one-line reason it names none."""
        found = [e for e in manifest if e["name"] == ref]
        if not found:
            real = os.path.realpath(os.path.expanduser(ref))
            found = [e for e in manifest if e.get("original") and e.get("original") == real]
        if not found and len(ref) >= 6 and all(c in "0123456789abcdef" for c in ref.lower()):
            found = [e for e in manifest if e["sha256"].startswith(ref.lower())]
        if not found and os.path.isfile(real):
            # a file whose content `add` found already in the library under another name
            with contextlib.suppress(OSError):
                sha = sha256_of(real)
                found = [e for e in manifest if e["sha256"] == sha]
        if found:
            return found
        bundled = [f for f in self.source_files() if f.kind == "bundled"]
        if any(f.name == ref or os.path.realpath(f.path) == os.path.realpath(ref) for f in bundled):
            return f"{ref}: a bundled dump cannot be removed"
        return f"{ref}: no such source in the library (see 'reviews sources')"

    def _unindex(self, names: list[str]) -> None:
        """Inside the write transaction: drop dumps ``names`` from the index, only their records
        (a full rebuild when that cannot be done, see ``index.remove_sources``)."""
        from .index import remove_sources

        files = self.source_files()
        marks = ",".join("?" * len(names))
        sids = [sid for (sid,) in self.conn.execute(f"SELECT sid FROM sources WHERE name IN ({marks})", names)]
        if self._stale_except(files, names) or not remove_sources(self.conn, sids):
            self._apply(files)
            return
        self.conn.executemany("UPDATE sources SET ord=? WHERE name=?", [(k, f.name) for k, f in enumerate(files)])

    def _stale_except(self, files: list[SourceFile], names: list[str]) -> bool:
        """Whether the index, but for dumps ``names``, is out of step with ``files``."""
        rows = [n for (n,) in self.conn.execute("SELECT name FROM sources")]
        return sorted(n for n in rows if n not in names) != sorted(f.name for f in files)
