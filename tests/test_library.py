"""Library behaviour: caching, staleness, atomicity."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviews_cli import library as libmod
from reviews_cli.library import Library, ingest


def test_second_open_does_not_reparse(library, monkeypatch):
    assert library.count() == 31
    library.close()

    def boom(*a, **k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(ingest, "parse_one", boom)
    with Library.open() as again:
        assert again.count() == 31


def test_changed_dump_is_reparsed_and_removed_dump_dropped(tmp_path, _isolated_home):
    dump = tmp_path / "mine.txt"
    dump.write_text("Ch – Telegram\nA Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00001\n\nТекст.\n",
                    encoding="utf-8")
    with Library.open() as lib:
        lib.add([str(dump)])
        assert lib.count() == 32
        stored = next((_isolated_home / "dumps").iterdir())
    # the stored copy changes (a user editing it, a newer parser...): re-read on next open
    stored.write_text(stored.read_text(encoding="utf-8").replace("A Paper Title Here", "Another Title Now"),
                      encoding="utf-8")
    os.utime(stored, ns=(1, 1))
    with Library.open() as lib:
        assert "Another Title Now" in [r.title for r in lib.all_reviews()]
    stored.unlink()
    with Library.open() as lib:
        names = {s.name: s for s in lib.sources()}
        assert names["mine.txt"].error  # listed as unreadable, not silently dropped
        assert lib.count() == 31


def test_failed_rebuild_keeps_previous_index(tmp_path, library, monkeypatch):
    dump = tmp_path / "new.txt"
    dump.write_text("Ch – Telegram\nSome Title Words\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00002\n\nТекст.\n",
                    encoding="utf-8")
    import reviews_cli.library.index as index

    real = index._insert_rows

    def half_then_crash(conn, rows, tag_rows):
        real(conn, rows[:3], tag_rows[:3])  # the tables were emptied, three rows written...
        raise KeyboardInterrupt  # ...and the run dies

    monkeypatch.setattr(index, "_insert_rows", half_then_crash)
    with pytest.raises(KeyboardInterrupt):
        library.add([str(dump)])
    monkeypatch.setattr(index, "_insert_rows", real)
    with Library.open(sync=False) as reader:
        assert reader.count() == 31  # the half-built state never became visible
        assert len(reader.all_reviews()) == 31
        assert "new.txt" not in [s.name for s in reader.sources()]
    manifest = Path(library.manifest_path).read_text() if os.path.exists(library.manifest_path) else ""
    assert "new.txt" not in manifest
    assert not os.path.exists(os.path.join(library.home, "dumps")) or not os.listdir(os.path.join(library.home, "dumps"))
    with Library.open() as again:  # and the library still works: the same add now succeeds
        assert again.add([str(dump)])[0].name == "new.txt"
        assert again.count() == 32


def test_parser_version_change_rebuilds(library, monkeypatch):
    library.close()
    from reviews_cli.library import sync

    monkeypatch.setattr(sync, "PARSER_VERSION", sync.PARSER_VERSION + 1)
    calls = []
    real = ingest.parse_one
    monkeypatch.setattr(ingest, "parse_one", lambda *a, **k: calls.append(a) or real(*a, **k))
    with Library.open() as lib:
        assert lib.count() == 31
    assert len(calls) == 5


def test_corrupt_index_is_rebuilt(_isolated_home):
    Library.open().close()
    for suffix in ("-wal", "-shm"):
        (_isolated_home / ("index.sqlite" + suffix)).unlink(missing_ok=True)
    (_isolated_home / "index.sqlite").write_bytes(b"this is not a database" * 100)
    with Library.open() as lib:
        assert lib.count() == 31


def test_touched_but_unchanged_dumps_do_not_rebuild(library, monkeypatch):
    import reviews_cli.library.index as index

    library.close()
    for f in Library.open(sync=False).source_files():
        os.utime(f.path, ns=(10**18, 10**18))  # a reinstall gives files new dates, same bytes
    monkeypatch.setattr(index, "rebuild", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rebuilt")))
    with Library.open() as lib:
        assert lib.count() == 31
    with Library.open() as lib:  # and the new dates were recorded: nothing to do next time
        assert not lib._stale(lib.source_files())


@pytest.mark.parametrize("xdg", [None, "/tmp/xdg-data", "  "])
def test_default_home_agrees_with_platformdirs(monkeypatch, xdg):
    from platformdirs import user_data_dir

    monkeypatch.delenv("REVIEWS_HOME", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    assert libmod.reviews_home() == user_data_dir("reviews", appauthor=False)


def test_add_interrupted_while_waiting_for_the_lock_keeps_an_earlier_add(tmp_path, library, monkeypatch):
    """Issue 9: add B waits for add A's lock, A commits, then B dies: B must not write back a
    manifest it read before A finished (A's dump would vanish from the library)."""
    import threading

    first = tmp_path / "first.txt"
    first.write_text("Some First Paper Title\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00003\n\nТекст.\n",
                     encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text("Some Second Paper Title\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00004\n\nТекст.\n",
                      encoding="utf-8")
    real_parse_iter = libmod.parse_iter
    a_has_lock, b_is_waiting = threading.Event(), threading.Event()

    def parse_iter(*args, **kw):
        if threading.current_thread().name == "add-A":
            a_has_lock.set()
            b_is_waiting.wait(10)
            return real_parse_iter(*args, **kw)
        raise KeyboardInterrupt  # B dies once it has the lock

    monkeypatch.setattr(libmod, "parse_iter", parse_iter)
    outcome: list = []

    def add(name: str, path) -> None:
        with Library.open(sync=False) as lib:
            try:
                res = lib.add([str(path)])
                outcome.append(f"{name} added" if res[0].name else f"{name} refused: {res[0].error}")
            except KeyboardInterrupt:
                outcome.append(f"{name} interrupted")

    a = threading.Thread(target=add, args=("A", first), name="add-A")
    a.start()
    assert a_has_lock.wait(10)
    b = threading.Thread(target=add, args=("B", second), name="add-B")
    b.start()
    b.join(0.5)
    assert b.is_alive()  # B waits for A's lock
    b_is_waiting.set()
    a.join(30)
    b.join(30)
    assert outcome == ["A added", "B interrupted"]
    monkeypatch.setattr(libmod, "parse_iter", real_parse_iter)
    with Library.open() as again:
        names = [s.name for s in again.sources()]
    assert "first.txt" in names and "second.txt" not in names
    assert len(os.listdir(os.path.join(library.home, "dumps"))) == 1  # B's copy is not stranded


# ---------------------------------------------------------- issue 9: the library folder is ours

def _cli(*args):
    from click.testing import CliRunner

    from reviews_cli.cli import main

    return CliRunner().invoke(main, list(args))


def test_foreign_sqlite_file_is_never_modified(_isolated_home):
    import hashlib
    import sqlite3

    _isolated_home.mkdir(parents=True, exist_ok=True)
    index = _isolated_home / libmod.INDEX_FILE
    other = sqlite3.connect(index)
    other.executescript("CREATE TABLE users(name TEXT); INSERT INTO users VALUES('alice');")
    other.close()
    before = hashlib.sha256(index.read_bytes()).hexdigest()
    res = _cli("search", "lottery")
    assert res.exit_code == 1
    assert res.stderr.strip().splitlines() == [
        f"reviews: {index}: not a reviews index (another program's database?); it was left untouched: "
        "move it away or set REVIEWS_HOME to another folder"]
    assert hashlib.sha256(index.read_bytes()).hexdigest() == before


def test_index_of_a_newer_reviews_is_refused(_isolated_home):
    import sqlite3

    Library.open().close()
    conn = sqlite3.connect(_isolated_home / libmod.INDEX_FILE)
    conn.execute(f"PRAGMA user_version={libmod.SCHEMA_VERSION + 1}")
    conn.close()
    res = _cli("tags")
    assert res.exit_code == 1 and "made by a newer reviews" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_index_of_an_older_reviews_is_rebuilt(_isolated_home):
    import sqlite3

    Library.open().close()
    conn = sqlite3.connect(_isolated_home / libmod.INDEX_FILE)
    conn.execute("PRAGMA application_id=0")  # as version 3 left it: no application id yet
    conn.execute("PRAGMA user_version=0")
    conn.execute("UPDATE meta SET value='3' WHERE key='schema'")
    conn.close()
    with Library.open() as lib:
        assert lib.count() == 31
        assert lib.conn.execute("PRAGMA application_id").fetchone()[0] == libmod.APPLICATION_ID


def test_damaged_pages_found_while_reading_trigger_a_rebuild(_isolated_home):
    Library.open().close()
    for suffix in ("-wal", "-shm"):
        (_isolated_home / (libmod.INDEX_FILE + suffix)).unlink(missing_ok=True)
    index = _isolated_home / libmod.INDEX_FILE
    data = bytearray(index.read_bytes())
    page = 4096
    data[page * 2:] = b"\xde\xad\xbe\xef" * ((len(data) - page * 2) // 4)  # the header survives
    index.write_bytes(bytes(data))
    res = _cli("search", "lottery")
    assert res.exit_code == 0, res.output
    assert "Lottery Ticket" in res.stdout
    assert "rebuil" in res.stderr and "Traceback" not in res.output


def test_manifest_paths_must_stay_inside_the_library(tmp_path, _isolated_home):
    import json

    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    _isolated_home.mkdir(parents=True, exist_ok=True)
    (_isolated_home / "library.json").write_text(json.dumps({"version": 1, "sources": [
        {"name": "evil", "file": f"dumps/../../{victim.name}", "sha256": "ab" * 32}]}))
    res = _cli("remove", "evil")
    assert res.exit_code == 1 and victim.exists()
    assert res.stderr.strip().splitlines() == [
        f"reviews: {_isolated_home / 'library.json'}: sources[0].file 'dumps/../../precious.txt' is not a file in "
        "the library's dumps/ folder"]
    (_isolated_home / "library.json").write_text(json.dumps({"sources": [{"name": 3, "file": "dumps/x", "sha256": "a"}]}))
    res = _cli("tags")
    assert res.exit_code == 1 and "sources[0].name is missing or not text" in res.stderr


def test_orphaned_copies_are_cleaned_by_the_next_write(tmp_path, library):
    dumps = os.path.join(library.home, "dumps")
    os.makedirs(dumps, exist_ok=True)
    for name in ("0123456789ab-stranded.txt", ".library.json.x1y2.tmp"):
        with open(os.path.join(dumps, name), "w") as f:
            f.write("left by a killed add")
    dump = tmp_path / "fresh.txt"
    dump.write_text("Some Fresh Paper Title\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00005\n\nТекст.\n",
                    encoding="utf-8")
    library.add([str(dump)])
    assert [n.split("-", 1)[1] for n in os.listdir(dumps)] == ["fresh.txt"]
    library.remove("fresh.txt")
    assert os.listdir(dumps) == []


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path):
    from reviews_cli.atomic import atomic_write

    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(str(target)) as f:
        f.write("half of the new")
        raise RuntimeError("killed")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.json"]
    with atomic_write(str(target)) as f:
        f.write("new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["out.json"]


# --------------------------------------------------- issue 9: readers never block, read-only ok

def test_a_reader_never_waits_for_a_writer(tmp_path, library):
    import sqlite3

    from hang_guard import reviews

    dump = tmp_path / "mine.txt"
    dump.write_text("Some Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00006\n\nТекст.\n",
                    encoding="utf-8")
    library.add([str(dump)])
    stored = next(p for p in os.scandir(os.path.join(library.home, "dumps")))
    os.utime(stored.path, ns=(1, 1))  # the index is now stale for that dump
    writer = sqlite3.connect(os.path.join(library.home, libmod.INDEX_FILE), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another reviews is adding
    try:
        # the writer lets go only after the search: a reader that waited for it would hang
        res = reviews("--no-pager", "search", "lottery")
        reader = libmod.Library.open(sync=False, wait=False)
        waits_ms = reader.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert res.returncode == 0 and "Lottery Ticket" in res.stdout
    assert "being updated" in res.stderr
    assert waits_ms <= 1000  # and one that tries the lock gives up at once (timings: bench/slow_inputs.py)


@pytest.fixture
def read_only_home(tmp_path, _isolated_home):
    """A library folder on a read-only file system (a tmpfs remounted read-only), or, where the
    tests cannot mount, a folder without write permission (which binds only a non-root user)."""
    import shutil
    import subprocess

    Library.open().close()
    mnt = tmp_path / "ro"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mnt)],
                             capture_output=True).returncode == 0
    if not mounted and os.geteuid() == 0:
        pytest.skip("cannot make a read-only folder here: root ignores permissions and mount is not allowed")
    shutil.copytree(_isolated_home, mnt / "home")
    (mnt / "empty").mkdir()
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    else:
        for p in (mnt / "home", mnt / "empty", mnt):
            os.chmod(p, 0o555)
    yield mnt
    if mounted:
        subprocess.run(["umount", "-l", str(mnt)], check=True)  # lazily: the in-process CLI keeps files open
    else:
        for p in (mnt, mnt / "home", mnt / "empty"):
            os.chmod(p, 0o755)


@pytest.mark.parametrize("home", ["home", "empty", "missing"])
def test_read_only_library_folder_reads_and_refuses_writes(read_only_home, monkeypatch, tmp_path, home):
    monkeypatch.setenv("REVIEWS_HOME", str(read_only_home / home))
    for args in (("search", "lottery"), ("show", "1803.03635"), ("tags",), ("sources",)):
        res = _cli(*args)
        assert res.exit_code == 0, (args, res.output)
        assert "Traceback" not in res.output
    dump = tmp_path / "mine.txt"
    dump.write_text("Some Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00007\n\nТекст.\n")
    res = _cli("add", str(dump))
    assert res.exit_code == 1
    assert res.stderr.strip().splitlines()[-1].endswith("the library folder is read-only; nothing was changed")
