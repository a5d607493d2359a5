"""Issue 17, property: whatever the order of adding, removing and re-adding dumps, starring and
writing notes, every note the user wrote is kept: in the state file always, and on the paper's
record whenever the paper is in the library (and found by searching its words). And the state
backup reader, a parser entry point: any bytes give papers or a one-line error."""

from __future__ import annotations

import json

import pytest
from exports import channel_json, json_message, write_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews_cli.errors import NotFound
from reviews_cli.library import Library, state
from reviews_cli.library.state_backup import KEY_KINDS, BackupError, parse_backup
from reviews_cli.search.query import Query
from reviews_cli.search.resolve import resolve
from reviews_cli.search.search import Searcher

PAPERS = {"2001.00008": "Sparse Mixture Of Experts Revisited Again", "2002.00010": "Another Fine Paper On Diffusion",
          "2003.00011": "Yet Another Paper On Transformers Now"}


def _post(mid: int, arxiv: str, title: str, body: str) -> dict:
    return json_message(mid, f"{title}\nAnn Lee\n\nСтатья: https://arxiv.org/abs/{arxiv}\n\n{body}", 1546700000 + mid)


# Three dumps whose papers overlap: the same post in two of them (the second a newer copy that
# reads the title differently), the same paper reviewed in another post.
DUMPS = [
    [_post(30, "2001.00008", PAPERS["2001.00008"], "Обзор смеси экспертов, роутинг и нагрузка."),
     _post(31, "2002.00010", PAPERS["2002.00010"], "Обзор диффузии, шум и расписание шагов.")],
    [_post(31, "2002.00010", "Another Fine Paper On Diffusion Models (v2)", "Обзор диффузии, шум и расписание шагов."),
     _post(32, "2003.00011", PAPERS["2003.00011"], "Обзор трансформеров и внимания к деталям.")],
    [_post(40, "2001.00008", "MoE revisited", "Совсем другой обзор той же статьи про экспертов и их роутинг."),
     _post(41, "2003.00011", PAPERS["2003.00011"], "Второй обзор трансформеров, другой автор.")],
]

ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 2)),
    st.tuples(st.just("remove"), st.integers(0, 2)),
    st.tuples(st.just("star"), st.sampled_from(sorted(PAPERS))),
    st.tuples(st.just("note"), st.sampled_from(sorted(PAPERS)), st.sampled_from(["alpha", "брусника", "gamma2"])),
), max_size=10)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("prop")
    paths = []
    for k, messages in enumerate(DUMPS):
        folder = base / f"d{k}"
        folder.mkdir()
        paths.append(str(write_json(folder / "result.json", channel_json(messages))))
    lib = Library.open(str(base / "home"))
    yield lib, paths
    lib.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_any_interleaving_keeps_every_note(setup, steps):
    lib, paths = setup
    lib.remove_many([p for p in paths])  # a clean start: no added dump, no state
    lib.conn.execute("DELETE FROM st.keys")
    lib.conn.execute("DELETE FROM st.papers")
    notes: dict[str, str] = {}
    for step in steps:
        if step[0] == "add":
            lib.add([paths[step[1]]])
        elif step[0] == "remove":
            lib.remove_many([paths[step[1]]])
        else:
            try:
                found = resolve(lib.conn, step[1])
            except NotFound:
                continue  # the paper is not in the library now
            if step[0] == "star":
                state.change(lib.conn, [found], state.Change(starred=True))
            else:
                word = f"{step[2]}{step[1].replace('.', 'x')}"  # a word of its own per paper and note
                state.change(lib.conn, [found], state.Change(note=word))
                notes[step[1]] = word
        _check(lib, notes)


def _check(lib: Library, notes: dict[str, str]) -> None:
    kept = {key: note for key, note in lib.conn.execute(
        "SELECT k.key, p.note FROM st.keys k JOIN st.papers p ON p.pid = k.pid WHERE k.key LIKE 'arxiv:%'")}
    searcher = Searcher(lib.conn)
    for arxiv, note in notes.items():
        assert kept.get("arxiv:" + arxiv) == note  # in the state file, present or not
        try:
            found = resolve(lib.conn, arxiv)
        except NotFound:
            continue
        states = state.states_of(lib.conn, [r.id for r in found])
        assert all(states[r.id].note == note for r in found)
        hits = searcher.search(Query.parse(note), limit=50).hits
        assert {h.review.id for h in hits} >= {r.id for r in found}


# ----------------------------------------------------------- the backup reader: a parser entry point

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
papers = st.lists(st.fixed_dictionaries({}, optional={
    "keys": st.one_of(json_values, st.lists(st.sampled_from(["arxiv:1", "title:abc", "post:c/1", "bad", ""]))),
    "starred": json_values, "read": json_values, "note": json_values, "title": json_values}), max_size=4)


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    papers.map(lambda ps: json.dumps({"format": "reviews-state", "version": 1, "papers": ps}).encode()),
))
def test_any_bytes_give_entries_or_one_line_error(raw):
    try:
        entries = parse_backup(raw, "mine.json")
    except BackupError as exc:
        assert str(exc).startswith("mine.json: ") and "\n" not in str(exc)
        return
    for e in entries:
        assert e.keys and all(k.startswith(KEY_KINDS) for k in e.keys)
        assert isinstance(e.starred, bool) and isinstance(e.read, bool)
        assert e.note is None or (isinstance(e.note, str) and e.note.strip())
