"""Backing up the user's state (stars, notes, read marks: :mod:`reviews_cli.state`) as JSON and
merging such a backup back in: ``reviews state export`` / ``reviews state import``.

The file (``"format": "reviews-state"``, :data:`VERSION`)::

    {"format": "reviews-state", "version": 1, "exported": "2026-12-08T05:00:00+0000",
     "papers": [{"title": "...", "keys": ["arxiv:1803.03635", "post:gonzo_ml/21", ...],
                 "starred": true, "read": true, "note": "..." | null, "changed": "..."}]}

Importing merges: a paper is matched by any of its keys; stars and read marks are or-ed; a note
fills an empty one, and a note that differs from the one already there is never overwritten:
it is reported as a conflict. Knows nothing of click or rich.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any, NamedTuple

from ..errors import ReviewsError

FORMAT = "reviews-state"
VERSION = 1
# The key kinds a backup may hold (``state.identity_keys``).
KEY_KINDS = ("arxiv:", "url:", "title:", "post:", "id:")
# A backup larger than this is not one (a few MB hold tens of thousands of notes).
MAX_BACKUP_BYTES = 256 * 1024 * 1024


class BackupError(ReviewsError):
    """A backup file that cannot be read or is not a state backup: ``<path>: <reason>``."""


class Entry(NamedTuple):
    """One paper of a backup."""

    keys: tuple[str, ...]
    title: str | None
    starred: bool
    read: bool
    note: str | None
    changed: str | None


class Conflict(NamedTuple):
    """A note in the backup that differs from the one in the library (which is kept)."""

    title: str
    ours: str
    theirs: str


class ImportResult(NamedTuple):
    """Papers ``added`` (new), ``merged`` (changed by the backup), ``unchanged``, and the
    note ``conflicts``."""

    added: int
    merged: int
    unchanged: int
    conflicts: list[Conflict]

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "merged": self.merged, "unchanged": self.unchanged,
                "conflicts": [c._asdict() for c in self.conflicts]}


def export_state(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every paper's state of the attached state file, orphans included, as the backup shape
    in the module docstring."""
    keys: dict[int, list[str]] = {}
    for key, pid in conn.execute("SELECT key, pid FROM st.keys ORDER BY pid, key"):
        keys.setdefault(pid, []).append(key)
    papers = [{"title": title, "keys": keys.get(pid, []), "starred": bool(starred), "read": bool(read), "note": note,
               "changed": changed}
              for pid, starred, read, note, title, changed in conn.execute(
                  "SELECT pid, starred, read, note, title, changed FROM st.papers ORDER BY pid")]
    return {"format": FORMAT, "version": VERSION, "exported": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "papers": papers}


def read_backup(path: str, display: str | None = None) -> list[Entry]:
    """The papers of the backup file ``path`` (``display``: how messages name it). Raises
    :class:`BackupError` naming the file and the first problem: unreadable, not UTF-8 JSON, not
    a ``reviews-state`` backup, a newer version, or a paper without keys or with a value of the
    wrong type."""
    shown = display or path
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BACKUP_BYTES + 1)
    except OSError as exc:
        raise BackupError(f"{shown}: cannot read ({exc.strerror or exc})") from None
    return parse_backup(raw, shown)


def parse_backup(raw: bytes, shown: str) -> list[Entry]:
    """The papers of a backup's bytes ``raw`` (``shown``: how messages name where they came
    from); raises :class:`BackupError` as :func:`read_backup` does."""
    if len(raw) > MAX_BACKUP_BYTES:
        raise BackupError(f"{shown}: too large for a state backup (over {MAX_BACKUP_BYTES // 2**20} MB)")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BackupError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise BackupError(f"{shown}: not JSON{where}") from None
    except ValueError:  # json's own limit: an integer of over 4300 digits
        raise BackupError(f"{shown}: not a state backup (a number too long)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("papers"), list):
        raise BackupError(f"{shown}: not a reviews state backup (made by `reviews state export`)")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        # the file's own text, cut to keep the error one short line
        shown_version = repr(version) if len(repr(version)) <= 40 else repr(version)[:40] + "…"
        raise BackupError(f"{shown}: backup version {shown_version}; this reviews reads version {VERSION} and older")
    return [_entry(shown, k, item) for k, item in enumerate(data["papers"])]


def _entry(shown: str, k: int, item: object) -> Entry:
    def bad(reason: str) -> BackupError:
        return BackupError(f"{shown}: papers[{k}]: {reason}")

    if not isinstance(item, dict):
        raise bad("not an object")
    keys = item.get("keys")
    if not isinstance(keys, list) or not keys or not all(isinstance(x, str) and x.startswith(KEY_KINDS) for x in keys):
        raise bad(f"keys must be a non-empty list of keys ({', '.join(k + '…' for k in KEY_KINDS)})")
    flags = [item.get(name, False) for name in ("starred", "read")]
    if not all(isinstance(x, bool) for x in flags):
        raise bad("starred and read must be true or false")
    note, title, changed = (item.get(name) for name in ("note", "title", "changed"))
    if not all(x is None or isinstance(x, str) for x in (note, title, changed)):
        raise bad("note, title and changed must be text or null")
    note = note if note and note.strip() else None
    return Entry(tuple(dict.fromkeys(keys)), title, flags[0], flags[1], note, changed)


def import_state(conn: sqlite3.Connection, entries: list[Entry]) -> ImportResult:
    """Merge ``entries`` into the attached state file in one write transaction (the rules in
    the module docstring), then bring the index's notes along. Raises
    ``sqlite3.OperationalError`` when another writer holds the library too long."""
    from .state import _changed, merge_papers
    from .store import transaction

    added = merged = unchanged = 0
    conflicts: list[Conflict] = []
    with transaction(conn):
        for e in entries:
            marks = ",".join("?" * len(e.keys))
            pids = [pid for (pid,) in conn.execute(
                f"SELECT DISTINCT pid FROM st.keys WHERE key IN ({marks}) ORDER BY pid", e.keys)]
            if not pids:
                cur = conn.execute("INSERT INTO st.papers(starred, read, note, title, changed) VALUES(?,?,?,?,?)",
                                   (int(e.starred), int(e.read), e.note, e.title, e.changed))
                conn.executemany("INSERT OR IGNORE INTO st.keys VALUES(?, ?)", [(k, cur.lastrowid) for k in e.keys])
                added += 1
                continue
            pid = merge_papers(conn, pids)
            starred, read, note, title = conn.execute(
                "SELECT starred, read, note, title FROM st.papers WHERE pid = ?", (pid,)).fetchone()
            new_note = note
            if e.note is not None and e.note != note:
                if note is None:
                    new_note = e.note
                else:
                    conflicts.append(Conflict(title or e.title or e.keys[0], note, e.note))
            after = (int(starred or e.starred), int(read or e.read), new_note)
            known = {k for (k,) in conn.execute("SELECT key FROM st.keys WHERE pid = ?", (pid,))}
            if after == (starred, read, note) and known.issuperset(e.keys) and len(pids) == 1:
                unchanged += 1
                continue
            conn.execute("UPDATE st.papers SET starred = ?, read = ?, note = ?, title = coalesce(title, ?) "
                         "WHERE pid = ?", (*after, e.title, pid))
            conn.executemany("INSERT OR IGNORE INTO st.keys VALUES(?, ?)", [(k, pid) for k in e.keys])
            merged += 1
        _changed(conn)
    return ImportResult(added, merged, unchanged, conflicts)
