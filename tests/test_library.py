"""Library behaviour: caching, staleness, atomicity."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviews_cli import library as libmod
from reviews_cli.library import Library


def test_second_open_does_not_reparse(library, monkeypatch):
    assert library.count() == 31
    library.close()

    def boom(*a, **k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(libmod, "_parse_one", boom)
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
    import reviews_cli.index as index

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
    monkeypatch.setattr(libmod, "PARSER_VERSION", libmod.PARSER_VERSION + 1)
    calls = []
    real = libmod._parse_one
    monkeypatch.setattr(libmod, "_parse_one", lambda *a, **k: calls.append(a) or real(*a, **k))
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
    import reviews_cli.index as index

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
