"""The library: the bundled dumps plus the dumps the user added, and the SQLite index over them.

:class:`Library` is the facade (opening, reading, adding and removing dumps); the concerns live
apart in this package: ``sync`` (keeping the index in step with the dumps), ``store`` (the index
file: schema, connection, recovery, write transactions), ``sources`` (which dumps: the bundled
manifest, ``library.json``, the copies in ``dumps/``), ``ingest`` (parsing dumps on a worker
pool), ``index`` (merging duplicates, building the FTS index), ``fields`` (the indexed-field
table) and ``stats`` (aggregates over the index).

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

from ..errors import DumpError, LibraryError
from ..models import Review
from .sources import (
    AddResult,
    RemoveResult,
    SourceFile,
    SourceInfo,
    sha256_of,
    source_name,
    unique_name,
)
from .store import (
    APPLICATION_ID,
    INDEX_FILE,
    SCHEMA_VERSION,
    connect,
    connect_readonly,
    discard_index,
    reviews_home,
)
from .sync import LibrarySync, parse_iter

if TYPE_CHECKING:
    from .index import Progress
    from .sources import ManifestEntry

__all__ = ["APPLICATION_ID", "INDEX_FILE", "SCHEMA_VERSION", "AddResult", "Library", "SourceFile", "SourceInfo",
           "discard_index", "reviews_home"]


class Library(LibrarySync):
    """The user's library: open with :meth:`open`, which brings the index up to date.

    Raises :class:`LibraryError` when ``REVIEWS_HOME`` cannot be created or the index cannot be
    opened.
    """

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
            state_access = attach(conn, home, readonly or temp is not None, notices)
        except BaseException:
            conn.close()
            raise
        lib = cls(home, conn)
        lib.state_access = state_access
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
        from ..parsing.text import check_regular

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
            from ..atomic import atomic_copy

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
        from .vectors import prune

        if self._stale_except(files, names) or not remove_sources(self.conn, sids):
            self._apply(files)
        else:
            self.conn.executemany("UPDATE sources SET ord=? WHERE name=?", [(k, f.name) for k, f in enumerate(files)])
        prune(self.conn)  # the removed dumps' vectors go with their records

    def _stale_except(self, files: list[SourceFile], names: list[str]) -> bool:
        """Whether the index, but for dumps ``names``, is out of step with ``files``."""
        rows = [n for (n,) in self.conn.execute("SELECT name FROM sources")]
        return sorted(n for n in rows if n not in names) != sorted(f.name for f in files)
