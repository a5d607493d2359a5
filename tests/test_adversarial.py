"""Regressions found by the adversarial pass over issue 8 (hostile dumps, odd input, odd
environments), through the CLI and the core."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.safe_text import has_unsafe


def run(*args, **kw):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


def _dump(tmp_path, name, body, title="Entity Attack Networks for Vision Transformers", arxiv="2102.00001",
          tags="#entity"):
    p = tmp_path / name
    p.write_text(f"Ch – Telegram\n{title}\nBob Smith, Eve Jones\nMIT\n\nhttps://arxiv.org/abs/{arxiv}\n\n{tags}\n\n"
                 f"{body}\nThe review text about transformers and attention continues here.\n", encoding="utf-8")
    return p


def test_show_does_not_decode_html_entities_into_invisible_characters(tmp_path):
    # rich's Markdown decodes entities: &rlm; became a raw U+200F, &ZeroWidthSpace; a raw U+200B
    body = "Body &rlm;rlm &lrm;lrm &ZeroWidthSpace;zw &NoBreak;nb &InvisibleTimes;it &amp; &lt;b&gt; end"
    assert run("add", str(_dump(tmp_path, "ent.txt", body))).exit_code == 0
    res = run("--no-pager", "show", "2102.00001")
    assert res.exit_code == 0, res.stderr
    assert not has_unsafe(res.stdout)
    assert "&rlm;rlm" in res.stdout and "&amp; &lt;b&gt; end" in res.stdout  # shown as the post wrote it


# ------------------------------------------------------------------ export -o: what the file becomes

def test_export_file_gets_the_usual_permissions_and_keeps_an_existing_files_mode(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        out = tmp_path / "all.json"
        assert run("export", "lottery", "-o", str(out)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # as any program's new file, not mkstemp's 0600
        shared = tmp_path / "shared.csv"
        shared.write_text("old\n")
        shared.chmod(0o664)
        assert run("export", "lottery", "-o", str(shared)).exit_code == 0
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664 and shared.read_text().startswith("id,title")
    finally:
        os.umask(old)


def test_export_to_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real" / "papers.bib"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "papers.bib"
    link.symlink_to(target)
    assert run("export", "lottery", "-o", str(link)).exit_code == 0
    assert link.is_symlink()  # the link stays a link ...
    assert target.read_text().startswith("@misc{arxiv-1803.03635")  # ... and its target has the export


@pytest.mark.parametrize("output, reason", [("", "empty file name"), ("{tmp}", "is a folder"),
                                            ("{tmp}/", "is a folder")])
def test_export_to_an_empty_name_or_a_folder_is_one_clear_error(tmp_path, output, reason):
    # -o "$OUT" with OUT unset printed the whole library to stdout instead
    res = run("export", "lottery", "-o", output.replace("{tmp}", str(tmp_path)))
    assert res.exit_code == 2 and res.stdout == ""
    assert reason in res.stderr and len(res.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------------------- config

BOMB = "pager: [&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]" + "".join(
    f", &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")) + "]\n"


def test_a_billion_laughs_config_is_refused_at_once(tmp_path):
    from hang_guard import reviews

    cfg = tmp_path / "bomb.yaml"
    cfg.write_text(BOMB)
    # repr() of the value for the error message expanded 9**9 strings: gigabytes, for minutes
    res = reviews("config", env={**os.environ, "REVIEWS_CONFIG": str(cfg)})
    assert res.returncode == 2 and "key 'pager'" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert len(res.stderr) < 300  # the value is named, not expanded


def test_a_config_that_is_a_fifo_or_too_large_is_refused_not_waited_on(tmp_path, monkeypatch):
    import os
    import threading

    from hang_guard import HANG_SECONDS

    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    monkeypatch.setenv("REVIEWS_CONFIG", str(fifo))
    result: list = []
    t = threading.Thread(target=lambda: result.append(run("config")), daemon=True)
    t.start()
    t.join(HANG_SECONDS)  # only against hanging: a refusal by file type returns at once
    if t.is_alive():  # unblock the reader, then fail: every command hung on the config
        with open(fifo, "w"):
            pass
        t.join(5)
        pytest.fail("reading a FIFO config blocked")
    assert result[0].exit_code == 2 and "not a regular file" in result[0].stderr
    big = tmp_path / "big.yaml"
    big.write_text("pager: less\n" + "#" * (2 << 20) + "\n")
    monkeypatch.setenv("REVIEWS_CONFIG", str(big))
    res = run("config")
    assert res.exit_code == 2 and "too large" in res.stderr
    monkeypatch.setenv("REVIEWS_CONFIG", os.devnull)  # the usual way to say "no settings" still is
    assert run("config").exit_code == 0


# --------------------------------------------------------------------------- terminal size

@pytest.mark.parametrize("columns", ["0", "1", "5"])
def test_a_zero_or_tiny_columns_still_shows_the_results(monkeypatch, columns):
    # COLUMNS=0 printed "1 of 1" and no table at all; COLUMNS=1 a column of borders
    monkeypatch.setenv("COLUMNS", columns)
    res = run("--no-pager", "search", "lottery")
    assert res.exit_code == 0 and "Lottery" in res.stdout and "8d5fd2cd" in res.stdout


def test_a_huge_columns_does_not_pad_lines_to_it(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100000")  # each table line was 100,000 characters wide
    res = run("--no-pager", "search", "lottery")
    assert res.exit_code == 0 and "Lottery" in res.stdout
    assert max(len(line) for line in res.stdout.splitlines()) <= 1000


# ----------------------------------------------------------------------------------- completion

def _complete(shell, *words):
    # fish's COMP_CWORD is the word being completed, bash's and zsh's its index
    env = {"_REVIEWS_COMPLETE": f"{shell}_complete", "COMP_WORDS": " ".join(words),
           "COMP_CWORD": words[-1] if shell == "fish" else str(len(words) - 1)}
    res = CliRunner().invoke(main, [], env=env, prog_name="reviews")
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.fixture
def hostile_names(tmp_path):
    names = ["a$(touch pwned)b.txt", "nl\nname.txt", "esc\x1b[31mred.txt", "bidi\u202etxt.exe", "plain.txt"]
    folder = tmp_path / "names"
    folder.mkdir()
    for i, name in enumerate(names):
        _dump(folder, name, f"Body {i}.", title=f"Paper Number {i} About Sparse Networks", arxiv=f"2104.0000{i}")
    assert run("add", str(folder)).exit_code == 0
    return names


def test_completion_never_hands_the_shell_a_control_character_or_a_newline(hostile_names):
    for shell in ("bash", "zsh", "fish"):
        out = _complete(shell, "reviews", "remove", "")
        assert not has_unsafe(out.replace("\n", "")), shell  # raw ESC and U+202E went to the prompt
        assert "name.txt" not in out  # a newline split one name into two candidates
        assert "plain.txt" in out


def test_bash_completion_quotes_a_source_name_the_shell_would_run(hostile_names):
    import shlex

    values = [ln.split(",", 1)[1] for ln in _complete("bash", "reviews", "remove", "a").splitlines() if ln]
    # bash inserts the value as typed: unquoted, $(touch pwned) ran when the line was entered
    assert values == [shlex.quote("a$(touch pwned)b.txt")]
    assert shlex.split(values[0]) == ["a$(touch pwned)b.txt"]
    assert "a$(touch pwned)b.txt" in _complete("zsh", "reviews", "remove", "a")  # zsh's compadd quotes itself


# ------------------------------------------------------------------------------------- remove

def test_remove_by_a_path_whose_content_was_added_under_another_name(tmp_path):
    first = _dump(tmp_path, "first.txt", "Body.", arxiv="2105.00001")
    copy = tmp_path / "copy.txt"
    copy.write_bytes(first.read_bytes())
    assert run("add", str(first)).exit_code == 0
    res = run("add", str(copy))
    assert res.exit_code == 0 and "already in the library" in res.stdout  # as first.txt
    res = run("remove", str(copy))  # was: "no such source in the library"
    assert res.exit_code == 0, res.stderr
    assert "first.txt" in res.stderr
    assert "2105.00001" not in run("export", "--format", "jsonl").stdout


# ------------------------------------------------------------------------ interrupted export

@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_an_export_ended_by_a_signal_leaves_neither_a_partial_nor_a_temporary_file(tmp_path, signame):
    import os
    import signal
    import subprocess
    import sys
    import time

    home = tmp_path / "home"
    big = tmp_path / "big.txt"  # one dump of many posts: the YAML export takes a few seconds
    posts = "".join(f"Paper Number {i} About Sparse Networks\nAnn Lee, Bo Chen\nMIT\n\n"
                    f"https://arxiv.org/abs/2106.{i:05d}\n\n#t{i % 50}\n\n" + "Review words about pruning. " * 300
                    + "\n\n🔥5\n" for i in range(1500))
    big.write_text("Ch – Telegram\n" + posts, encoding="utf-8")
    env = {**os.environ, "REVIEWS_HOME": str(home)}
    cmd = [sys.executable, "-m", "reviews_cli"]
    assert subprocess.run([*cmd, "add", str(big)], env=env, capture_output=True).returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "all.yaml").write_text("old\n")
    proc = subprocess.Popen([*cmd, "export", "-o", str(out / "all.yaml")], env=env, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while not [p for p in out.iterdir() if p.name.endswith(".tmp")] and time.monotonic() < deadline:
        time.sleep(0.02)  # until the export is writing
    proc.send_signal(getattr(signal, signame))
    proc.wait(30)
    assert proc.returncode != 0
    # SIGTERM and SIGHUP (the terminal closed) left .all.yaml.XXXX.tmp behind
    assert sorted(p.name for p in out.iterdir()) == ["all.yaml"]
    assert (out / "all.yaml").read_text() == "old\n"


# ------------------------------------------------------------------------------------ folders

def test_a_very_deeply_nested_folder_is_walked_without_a_traceback(tmp_path):
    import os

    # os.walk recurses once per level: 1,500 levels raised RecursionError from `add` (Python 3.11)
    fd = os.open(tmp_path, os.O_RDONLY)
    for _ in range(1500):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    with open(os.open("x.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w", encoding="utf-8") as f:
        f.write(_dump(tmp_path, "src.txt", "Body.", arxiv="2109.00001").read_text(encoding="utf-8"))
    os.close(fd)
    (tmp_path / "src.txt").unlink()
    try:
        res = run("add", str(tmp_path / "d"))
        assert res.exit_code == 0, res.stderr
        assert "1 added" in res.stdout
    finally:
        _remove_chain(tmp_path, 1500)


def _remove_chain(top, depth: int) -> None:
    """Remove ``top/d/d/…/d`` (``depth`` levels, a file at the bottom) without recursion:
    shutil.rmtree, which pytest cleans up with, recurses once per level too."""
    import os

    fds = [os.open(top, os.O_RDONLY)]
    for _ in range(depth):
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    for name in os.listdir(fds[-1]):
        os.unlink(name, dir_fd=fds[-1])
    for k in range(depth, 0, -1):
        os.close(fds[k])
        os.rmdir("d", dir_fd=fds[k - 1])
    os.close(fds[0])


def test_library_files_never_write_through_a_symlink(tmp_path, _isolated_home):
    """A library.json turned into a symlink (by hand, by another tool) is replaced by the next
    write, never written through: nothing outside the library folder changes."""
    from click.testing import CliRunner

    from reviews_cli.cli import main

    one = tmp_path / "one.txt"
    one.write_text("Some Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00008\n\nТекст.\n",
                   encoding="utf-8")
    two = tmp_path / "two.txt"
    two.write_text("Other Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00009\n\nТекст два.\n",
                   encoding="utf-8")
    assert CliRunner().invoke(main, ["add", str(one)]).exit_code == 0
    manifest = _isolated_home / "library.json"
    outside = tmp_path / "outside.json"
    outside.write_bytes(manifest.read_bytes())
    before = outside.read_bytes()
    manifest.unlink()
    manifest.symlink_to(outside)
    assert CliRunner().invoke(main, ["add", str(two)]).exit_code == 0
    assert outside.read_bytes() == before
    assert not manifest.is_symlink() and "two.txt" in manifest.read_text(encoding="utf-8")


def test_temporary_file_of_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    """kill -9 during `export -o` leaves `.NAME.<pid>.XXXX.tmp`; the next write of NAME removes it,
    and never a temporary file whose writer still runs."""
    import os
    import subprocess
    import sys

    from reviews_cli.atomic import atomic_write

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    target = tmp_path / "all.yaml"
    abandoned = tmp_path / f".all.yaml.{dead_pid}.abc123.tmp"
    abandoned.write_text("half an export")
    running = tmp_path / f".all.yaml.{os.getpid()}.def456.tmp"  # a writer that is still at work
    running.write_text("being written")
    other = tmp_path / ".other.yaml.1.x.tmp"
    other.write_text("not ours to judge")
    with atomic_write(str(target)) as f:
        f.write("whole\n")
    assert target.read_text() == "whole\n"
    assert not abandoned.exists()
    assert running.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, running.name, other.name])
