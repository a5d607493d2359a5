"""Issue 17: a kill -9 in the middle of `note` or of `add` leaves the user's stars and notes whole:
the state file is consistent, every note is the old or the new text (never lost, never half),
and the index's note words catch up. Driven through real processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from gen_corpus import generate

CMD = [sys.executable, "-m", "reviews_cli"]
LOTTERY, BIOBERT = "1803.03635", "1901.08746"


def cli(env: dict, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CMD + list(args), env=env, capture_output=True, text=True, timeout=300)


def note_of(env: dict, ref: str) -> tuple[bool, str | None]:
    res = cli(env, "show", "--json", ref)
    assert res.returncode == 0, res.stderr
    rec = json.loads(res.stdout)[0]
    return rec["starred"], rec["note"]


def state_whole(home: Path) -> None:
    conn = sqlite3.connect(home / "state.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    e = {**os.environ, "REVIEWS_HOME": str(home), "REVIEWS_CONFIG": str(tmp_path / "none.yaml")}
    assert cli(e, "star", BIOBERT).returncode == 0
    assert cli(e, "note", BIOBERT, "the other note stays").returncode == 0
    assert cli(e, "note", LOTTERY, "old note").returncode == 0
    return e


def test_kill_9_during_note_leaves_old_or_new_note(env, tmp_path):
    editor = tmp_path / "editor.py"
    # a long note (~2 MB of words, each run's own) so the write takes long enough to be cut
    editor.write_text(
        "import sys\nk = sys.argv[1]\nwords = ' '.join(f'w{k}x{i % 5000}' for i in range(250000))\n"
        "open(sys.argv[2], 'w', encoding='utf-8').write(f'marker{k} ' + words)\n", encoding="utf-8")
    killed = finished = 0
    current = "old note"
    took = 0.0
    # the first run is timed, not killed; the others are killed at points spread over its length
    for k, share in enumerate((None, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9)):
        run_env = {**env, "EDITOR": f"{sys.executable} {editor} {k}"}
        run_env.pop("VISUAL", None)
        start = time.monotonic()
        proc = subprocess.Popen(CMD + ["note", LOTTERY], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if share is None:
            proc.wait(timeout=120)
            took = time.monotonic() - start
        else:
            time.sleep(took * share)
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        if proc.returncode == -signal.SIGKILL:
            killed += 1
        else:
            finished += 1
        state_whole(Path(env["REVIEWS_HOME"]))
        _, note = note_of(env, LOTTERY)
        assert note is not None
        assert note == current or note.startswith(f"marker{k} ")  # the old text, or the new one whole
        if note != current:
            assert note.endswith(f" w{k}x4999") and len(note.split()) == 250001
            current = note
        assert note_of(env, BIOBERT) == (True, "the other note stays")
        # the index agrees with the state: the note's own word finds the paper
        word = current.split()[0] if current != "old note" else "old"
        res = cli(env, "search", "--json", word)
        assert LOTTERY in {h["arxiv_id"] for h in json.loads(res.stdout)["hits"]}, res.stderr
    assert killed >= 1, "no run was killed before it finished"
    print(f"killed {killed}, finished {finished}")


@pytest.mark.skipif(not os.path.isdir("/proc") or (os.cpu_count() or 1) < 2,
                    reason="needs two cores for the worker pool the add is killed in")
def test_kill_9_during_add_keeps_every_mark(env, tmp_path):
    corpus = generate(4000, str(tmp_path / "corpus"), posts_per_file=500)
    small = tmp_path / "one.txt"
    small.write_text("Some Paper Title Here Today\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00008\n\n"
                     "Текст обзора.\n", encoding="utf-8")
    assert cli(env, "add", str(small)).returncode == 0
    assert cli(env, "note", "2001.00008", "note on an added dump").returncode == 0
    before = json.loads(cli(env, "state", "export").stdout)["papers"]
    for delay in (0.5, 1.5, 3.0):
        proc = subprocess.Popen(CMD + ["add", *corpus], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        state_whole(Path(env["REVIEWS_HOME"]))
        after = json.loads(cli(env, "state", "export").stdout)["papers"]
        assert [(p["keys"], p["starred"], p["note"]) for p in after] == \
            [(p["keys"], p["starred"], p["note"]) for p in before]
        assert note_of(env, "2001.00008") == (False, "note on an added dump")
        assert note_of(env, BIOBERT) == (True, "the other note stays")
        hits = json.loads(cli(env, "search", "--json", "has:note").stdout)["hits"]
        assert {h["arxiv_id"] for h in hits} == {LOTTERY, BIOBERT, "2001.00008"}
