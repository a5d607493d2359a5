"""Issue 17: the user's stars, notes and read marks (``state``) survive everything the index goes
through: remove + add, a newer copy of a dump, a title read differently, an index schema change or
a damaged index; orphaned state is kept and comes back; the state file is migrated, never dropped."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from exports import channel_json, json_message, write_json

from reviews_cli.cli import main
from reviews_cli.errors import LibraryError, NotFound, UsageError
from reviews_cli.library import Library, state
from reviews_cli.library.state_backup import BackupError, export_state, import_state, read_backup
from reviews_cli.search.query import Query
from reviews_cli.search.records import recent
from reviews_cli.search.resolve import resolve
from reviews_cli.search.search import Searcher

MOE = "Sparse Mixture Of Experts Revisited Again"
DIFF = "Another Fine Paper On Diffusion Models"


def moe_post(title: str = MOE, arxiv: str = "2001.00008", mid: int = 30) -> dict:
    return json_message(mid, f"{title}\nAnn Lee, Bo Chen\n\nСтатья: https://arxiv.org/abs/{arxiv}\n\n"
                             "Обзор про разреженные смеси экспертов, роутинг и балансировку нагрузки.", 1546700000)


def diff_post(mid: int = 31) -> dict:
    return json_message(mid, f"{DIFF}\nCarl Dee\n\nСтатья: https://arxiv.org/abs/2002.00010\n\n"
                             "Обзор про диффузию и шум, и ещё немного текста для тела.", 1546800000)


def dump(tmp_path: Path, *messages: dict, name: str = "result.json") -> str:
    folder = tmp_path / name.replace(".json", "")
    folder.mkdir(exist_ok=True)
    return str(write_json(folder / name, channel_json(list(messages))))


def note_of(lib: Library, ref: str) -> state.State:
    found = resolve(lib.conn, ref)
    return state.states_of(lib.conn, [r.id for r in found]).get(found[0].id, state.NO_STATE)


def set_note(lib: Library, ref: str, text: str, star: bool | None = None) -> None:
    state.change(lib.conn, [resolve(lib.conn, ref)], state.Change(note=text, starred=star))


def test_state_lives_in_its_own_file_and_shows_on_the_record(library):
    set_note(library, "1803.03635", "read the appendix first", star=True)
    assert os.path.exists(os.path.join(library.home, state.STATE_FILE))
    assert note_of(library, "1803.03635") == state.State(True, False, "read the appendix first")
    # the index holds no state table of its own: only derived keys and notes
    tables = {n for (n,) in library.conn.execute("SELECT name FROM main.sqlite_master WHERE type='table'")}
    assert "papers" not in tables and {"review_keys", "review_notes"} <= tables
    assert state.counts(library.conn) == state.StateCounts(1, 1, 0, 1, 0)


def test_remove_and_add_again_keeps_note_and_orphan_is_counted(library, tmp_path):
    path = dump(tmp_path, moe_post(), diff_post())
    library.add([path])
    set_note(library, "2001.00008", "мой отзыв: routing collapse", star=True)
    library.remove_many([path])
    assert state.counts(library.conn).orphaned == 1
    with pytest.raises(NotFound):
        resolve(library.conn, "2001.00008")
    library.add([path])
    assert state.counts(library.conn).orphaned == 0
    assert note_of(library, "2001.00008").note == "мой отзыв: routing collapse"
    assert note_of(library, "2002.00010") == state.NO_STATE


def test_newer_copy_with_title_and_arxiv_read_differently_keeps_note_by_post(library, tmp_path):
    library.add([dump(tmp_path, moe_post(), diff_post())])
    set_note(library, MOE, "kept by the post id")
    # a newer copy of the export: the recognizer now reads another title and arXiv id for post 30
    newer = dump(tmp_path, moe_post("Sparse Mixtures Of Experts, Revisited (v2)", "2001.00099"), diff_post(),
                 json_message(32, "Yet Another Paper On Transformers Now\nDan Eve\n\nСтатья: "
                              "https://arxiv.org/abs/2003.00011\n\nОбзор трансформеров.", 1546900000),
                 name="result2.json")
    library.remove_many([dump(tmp_path, moe_post(), diff_post())])
    library.add([newer])
    assert note_of(library, "2001.00099").note == "kept by the post id"
    assert state.counts(library.conn).orphaned == 0


def test_title_key_alone_reattaches(library, tmp_path):
    library.add([dump(tmp_path, moe_post())])
    set_note(library, MOE, "by title")
    other = dump(tmp_path, moe_post(arxiv="2001.00077", mid=99), name="other.json")  # another post, another id
    library.remove_many([dump(tmp_path, moe_post())])
    library.add([other])
    assert note_of(library, "2001.00077").note == "by title"


def test_post_key_shared_by_several_records_does_not_join_papers(library, tmp_path):
    # a round-up post reviewing two papers: one post, two records
    library.add([dump(tmp_path, moe_post(), diff_post())])
    first, second = (resolve(library.conn, ref)[0] for ref in ("2001.00008", "2002.00010"))
    rid2 = library.conn.execute("SELECT rid FROM reviews WHERE id = ?", (second.id,)).fetchone()[0]
    key = state.post_keys(first)[0]
    library.conn.execute("INSERT INTO review_keys VALUES(?, ?)", (key, rid2))
    state.change(library.conn, [[first]], state.Change(starred=True))
    states = state.states_of(library.conn, [first.id, second.id])
    assert states[first.id].starred and second.id not in states
    assert key not in {k for (k,) in library.conn.execute("SELECT key FROM st.keys")}
    # and a state keyed by that post alone attaches to neither
    library.conn.execute("INSERT INTO st.papers(note) VALUES('where?')")
    library.conn.execute("INSERT INTO st.keys VALUES(?, last_insert_rowid())", (key,))
    assert state.states_of(library.conn, [first.id, second.id])[first.id].note is None
    assert state.counts(library.conn).orphaned == 1


def test_index_schema_change_and_damage_never_touch_state(_isolated_home):
    with Library.open() as lib:
        set_note(lib, "1803.03635", "survives the schema change")
        home = lib.home
    conn = sqlite3.connect(os.path.join(home, "index.sqlite"))
    conn.execute("PRAGMA user_version=4")  # the index schema before this layer
    conn.close()
    with Library.open() as lib:
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == 5
        assert note_of(lib, "1803.03635").note == "survives the schema change"
        hits = Searcher(lib.conn).search(Query.parse("survives")).hits
        assert [h.review.arxiv_id for h in hits] == ["1803.03635"]
    from reviews_cli.library.store import discard_index

    discard_index(home)
    with Library.open() as lib:
        assert note_of(lib, "1803.03635").note == "survives the schema change"


def test_upgrade_from_the_index_schema_before_state(_isolated_home):
    """A library made before this layer: index schema 4, no review_keys, no state file."""
    Library.open().close()
    home = str(_isolated_home)
    os.unlink(os.path.join(home, state.STATE_FILE))
    conn = sqlite3.connect(os.path.join(home, "index.sqlite"))
    conn.executescript("DROP TABLE review_keys; DROP TABLE review_notes; PRAGMA user_version=4;")
    conn.close()
    with Library.open() as lib:
        assert lib.state_access == "write" and lib.count() == 31
        set_note(lib, "1803.03635", "first note")
        assert note_of(lib, "1803.03635").note == "first note"
    st = sqlite3.connect(os.path.join(home, state.STATE_FILE))
    assert st.execute("PRAGMA user_version").fetchone()[0] == state.STATE_SCHEMA_VERSION
    assert st.execute("PRAGMA application_id").fetchone()[0] == state.STATE_APPLICATION_ID


def test_state_migration_keeps_every_row(_isolated_home, monkeypatch):
    with Library.open() as lib:
        set_note(lib, "1803.03635", "written under schema 1", star=True)
    step = "ALTER TABLE st.papers ADD COLUMN colour TEXT;"
    monkeypatch.setattr(state, "MIGRATIONS", (*state.MIGRATIONS, step))
    monkeypatch.setattr(state, "STATE_SCHEMA_VERSION", len(state.MIGRATIONS))
    with Library.open() as lib:
        assert lib.conn.execute("PRAGMA st.user_version").fetchone()[0] == 2
        assert note_of(lib, "1803.03635") == state.State(True, False, "written under schema 1")
        assert "colour" in [c[1] for c in lib.conn.execute("PRAGMA st.table_info(papers)")]


def test_newer_or_foreign_state_file_is_refused_and_left_untouched(_isolated_home):
    Library.open().close()
    path = os.path.join(str(_isolated_home), state.STATE_FILE)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={state.STATE_SCHEMA_VERSION + 1}")
    conn.close()
    before = Path(path).read_bytes()
    with pytest.raises(LibraryError, match="newer reviews"):
        Library.open()
    assert Path(path).read_bytes() == before
    os.unlink(path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE mine(x)")
    conn.close()
    with pytest.raises(LibraryError, match="not a reviews state file"):
        Library.open()
    assert [n for (n,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")] == ["mine"]


def test_damaged_state_file_is_kept_and_only_reading_goes_on(_isolated_home):
    with Library.open() as lib:
        set_note(lib, "1803.03635", "x")
    path = os.path.join(str(_isolated_home), state.STATE_FILE)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    Path(path).write_bytes(b"garbage, not a database" * 100)
    with Library.open() as lib:
        assert lib.state_access == "none"
        assert any("state file is damaged" in n for n in lib.notices)
        assert lib.count() == 31 and note_of(lib, "1803.03635") == state.NO_STATE
    res = CliRunner().invoke(main, ["state", "export"])
    assert res.exit_code == 1 and "nothing exported" in res.stderr  # never an empty backup in its place
    assert Path(path).read_bytes() == b"garbage, not a database" * 100


def test_note_words_are_searchable_and_follow_changes(library):
    searcher = Searcher(library.conn)
    set_note(library, "1803.03635", "квазиморда и прочие zebrafish")
    hits = searcher.search(Query.parse("zebrafish")).hits
    assert [h.review.arxiv_id for h in hits] == ["1803.03635"]
    assert [h.review.arxiv_id for h in searcher.search(Query.parse("квазиморды")).hits] == ["1803.03635"]
    assert [h.review.arxiv_id for h in searcher.search(Query.parse("zebrafish pruning")).hits] == ["1803.03635"]
    set_note(library, "1803.03635", "now about herring")
    assert not any(h.review.arxiv_id == "1803.03635" for h in searcher.search(Query.parse("zebrafish")).hits)
    assert [h.review.arxiv_id for h in searcher.search(Query.parse("herring")).hits] == ["1803.03635"]
    state.change(library.conn, [resolve(library.conn, "1803.03635")], state.Change(clear_note=True))
    assert library.conn.execute("SELECT count(*) FROM review_notes").fetchone()[0] == 0
    assert library.conn.execute("SELECT count(*) FROM vocab WHERE word = 'herring'").fetchone()[0] == 0


def test_index_catches_up_when_a_crash_left_its_notes_behind(_isolated_home):
    with Library.open() as lib:
        set_note(lib, "1803.03635", "zebrafish")
        # as if the process died after the state file's commit, before the index's
        lib.conn.execute("UPDATE st.papers SET note = 'herring'")
        lib.conn.execute("UPDATE st.meta SET value = value + 1 WHERE key = 'generation'")
        assert state.notes_behind(lib.conn)
    with Library.open() as lib:
        assert not state.notes_behind(lib.conn)
        assert [h.review.arxiv_id for h in Searcher(lib.conn).search(Query.parse("herring")).hits] == ["1803.03635"]


def test_filters_in_queries_listings_and_tags(library):
    s = Searcher(library.conn)
    state.change(library.conn, [resolve(library.conn, "1803.03635")], state.Change(starred=True, read=True))
    state.change(library.conn, [resolve(library.conn, "1901.08746")], state.Change(note="bio"))
    total = library.count()
    assert [h.review.arxiv_id for h in s.search(Query.parse("is:starred")).hits] == ["1803.03635"]
    assert s.search(Query.parse("-is:read"), limit=100).total == total - 1
    assert s.search(Query.parse("is:unread"), limit=100).total == total - 1
    assert [h.review.arxiv_id for h in s.search(Query.parse("has:note")).hits] == ["1901.08746"]
    assert s.search(Query.parse("-has:note"), limit=100).total == total - 1
    assert s.search(Query.parse("pruning is:starred")).total == 1
    assert s.search(Query.parse("pruning -is:starred")).total == s.search(Query.parse("pruning")).total - 1
    found, n = recent(library.conn, 50, states=[("starred", True)])
    assert n == 1 and found[0].arxiv_id == "1803.03635"
    assert [r.arxiv_id for r in s.by_tags(["pruning"], states=[("read", True)])] == ["1803.03635"]
    assert s.count_tags(["pruning"], states=[("read", False)]) == s.count_tags(["pruning"]) - 1
    assert s.dated_ids((None, None), [("noted", True)]) == [
        rid for (rid,) in library.conn.execute("SELECT rid FROM reviews WHERE arxiv_id = '1901.08746'")]
    with pytest.raises(UsageError, match="unknown mark"):
        Query.parse("is:favourite")


def test_merging_two_states_that_meet_on_one_record_loses_nothing(library, tmp_path):
    library.add([dump(tmp_path, moe_post())])
    set_note(library, MOE, "first")
    # a second state kept by title only (an import from elsewhere), meeting the same record
    library.conn.execute("INSERT INTO st.papers(note, starred) VALUES('second', 1)")
    library.conn.execute("INSERT INTO st.keys VALUES(?, last_insert_rowid())", ("title:" + MOE.lower(),))
    assert note_of(library, MOE) == state.State(True, False, "first\n\nsecond")
    state.change(library.conn, [resolve(library.conn, MOE)], state.Change(read=True))
    assert library.conn.execute("SELECT count(*) FROM st.papers").fetchone()[0] == 1
    assert note_of(library, MOE) == state.State(True, True, "first\n\nsecond")


def test_mark_all(library):
    assert state.mark_all(library.conn, read=True) == library.count()
    assert Searcher(library.conn).search(Query.parse("is:unread")).total == 0
    state.mark_all(library.conn, read=False)
    assert library.conn.execute("SELECT count(*) FROM st.papers").fetchone()[0] == 0


def test_backup_round_trip_and_conflicts(library, tmp_path):
    set_note(library, "1803.03635", "ours", star=True)
    data = export_state(library.conn)
    assert data["format"] == "reviews-state" and data["papers"][0]["note"] == "ours"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    entries = read_backup(str(path))
    result = import_state(library.conn, entries)
    assert (result.added, result.merged, result.unchanged, result.conflicts) == (0, 0, 1, [])
    # a changed note in the file: reported, never written over ours
    data["papers"][0]["note"] = "theirs"
    data["papers"].append({"keys": ["arxiv:1901.08746"], "starred": False, "read": True, "note": "new one"})
    path.write_text(json.dumps(data), encoding="utf-8")
    result = import_state(library.conn, read_backup(str(path)))
    assert result.added == 1 and [(c.ours, c.theirs) for c in result.conflicts] == [("ours", "theirs")]
    assert note_of(library, "1803.03635").note == "ours"
    assert note_of(library, "1901.08746") == state.State(False, True, "new one")
    # into an empty library folder: everything comes back
    other = tmp_path / "other"
    os.environ["REVIEWS_HOME"] = str(other)
    with Library.open() as lib2:
        import_state(lib2.conn, read_backup(str(path)))
        assert note_of(lib2, "1803.03635") == state.State(True, False, "theirs")


@pytest.mark.parametrize("content, reason", [
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"{", "not JSON"),
    (b"[]", "not a reviews state backup"),
    (b'{"format": "reviews-state", "version": 9, "papers": []}', "version 9"),
    (b'{"format": "reviews-state", "version": 1, "papers": [{"keys": []}]}', "papers[0]: keys"),
    (b'{"format": "reviews-state", "version": 1, "papers": [{"keys": ["arxiv:1"], "starred": "yes"}]}',
     "papers[0]: starred"),
    (b'{"format": "reviews-state", "version": 1, "papers": [{"keys": ["arxiv:1"], "note": 5}]}', "papers[0]: note"),
    (b"[" * 100000, "not JSON"),
])
def test_bad_backups_are_one_line_errors(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(BackupError, match=re.escape(reason)) as exc:
        read_backup(str(path))
    assert str(exc.value).startswith(str(path)) and "\n" not in str(exc.value)
