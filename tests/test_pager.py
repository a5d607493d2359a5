"""Issue 8, item 1 (the pager) and the terminal half of item 11 (--color): the installed
``reviews`` command run in a pseudo-terminal (stdlib ``pty``) sized by TIOCSWINSZ, with $PAGER
set to small scripts that record they ran."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

LOTTERY = "The Lottery Ticket Hypothesis"
BODY = "winning tickets"  # in the body of 1803.03635's review, far below its first screen
SGR = re.compile(rb"\x1b\[[0-9;]*m")
COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[;m]")
ESCAPES = re.compile(rb"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")  # styles and OSC 8 hyperlinks


def reviews_command() -> list[str]:
    """The console script installed next to this interpreter (pip install -e .)."""
    script = Path(sys.executable).with_name("reviews")
    assert script.exists(), f"install the package first: no {script}"
    return [str(script)]


def base_env(tmp_path, **extra: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "LESS", "PAGER", "TTY_COMPATIBLE"):
        env.pop(k, None)
    env["TERM"] = "xterm-256color"
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


class Tty:
    """``reviews ARGS`` with stdin/stdout/stderr on a new pseudo-terminal of ``rows`` x
    ``cols`` that is its controlling terminal (so ^C sends SIGINT)."""

    def __init__(self, args: list[str], env: dict[str, str], rows: int = 20, cols: int = 100) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

        def controlling_tty() -> None:
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(reviews_command() + args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, preexec_fn=controlling_tty)
        os.close(slave)
        self.master = master
        self.output = b""

    def read(self, seconds: float, until: bytes | None = None) -> None:
        """Collect terminal output for up to ``seconds`` (less once ``until`` has appeared)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (until and until in self.output):
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: every writer has closed the terminal
                    return
                if not data:
                    return
                self.output += data

    def finish(self, timeout: float = 20) -> int:
        """Read until the command exits; its exit status."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read(0.2)
            if self.proc.poll() is not None:
                self.read(0.3)
                break
        else:
            os.killpg(self.proc.pid, signal.SIGKILL)
            pytest.fail(f"still running after {timeout}s; terminal so far: {self.output[-500:]!r}")
        os.close(self.master)
        return self.proc.returncode

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")


def in_tty(args: list[str], env: dict[str, str], rows: int = 20, cols: int = 100) -> tuple[int, Tty]:
    t = Tty(args, env, rows, cols)
    return t.finish(), t


@pytest.fixture
def recorder(tmp_path):
    """A pager script that records its arguments and $LESS in ``called`` and its input in
    ``input``; returns the folder."""
    script = tmp_path / "pager.sh"
    script.write_text(f'#!/bin/sh\nprintf "args=%s LESS=%s\\n" "$*" "$LESS" >> "{tmp_path}/called"\n'
                      f'cat > "{tmp_path}/input"\n', encoding="utf-8")
    script.chmod(0o755)
    return tmp_path


def test_long_show_goes_through_the_pager_with_colours(tmp_path, recorder):
    code, t = in_tty(["show", "1803.03635"], base_env(tmp_path, PAGER=str(recorder / "pager.sh")))
    assert code == 0, t.text
    assert (recorder / "called").read_text() == "args= LESS=FRX\n"  # LESS set as git does, when unset
    shown = (recorder / "input").read_bytes()
    assert LOTTERY.encode() in shown and BODY.encode() in shown
    assert COLOUR.search(shown)  # colours kept for less -R
    assert max(len(ESCAPES.sub(b"", line).decode()) for line in shown.splitlines()) <= 100  # laid out for the terminal
    assert BODY not in t.text  # the pager had it, not the terminal


def test_default_pager_is_less_frx_and_a_set_less_is_kept(tmp_path, recorder):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "less").symlink_to(recorder / "pager.sh")
    env = base_env(tmp_path, PATH=f"{fake_bin}{os.pathsep}{os.environ['PATH']}", LESS="-S")
    code, t = in_tty(["search", "GAN"], env, rows=8)
    assert code == 0, t.text
    assert (recorder / "called").read_text() == "args=-FRX LESS=-S\n"


def test_piped_output_never_runs_the_pager(tmp_path, recorder):
    env = base_env(tmp_path, PAGER=str(recorder / "pager.sh"), LINES="5")
    out = subprocess.run(reviews_command() + ["show", "1803.03635"], env=env, capture_output=True, timeout=60)
    assert out.returncode == 0
    assert BODY.encode() in out.stdout and not SGR.search(out.stdout)
    assert not (recorder / "called").exists()


@pytest.mark.parametrize("how", ["--no-pager", "config"])
def test_no_pager_option_and_config_setting(tmp_path, recorder, how):
    env = base_env(tmp_path, PAGER=str(recorder / "pager.sh"))
    args = ["show", "1803.03635"]
    if how == "--no-pager":
        args = ["--no-pager", *args]
    else:
        (tmp_path / "config.yaml").write_text("pager: false\n", encoding="utf-8")
    code, t = in_tty(args, env)
    assert code == 0 and LOTTERY in t.text and BODY in t.text
    assert not (recorder / "called").exists()


def test_config_pager_command_wins_over_pager_env(tmp_path, recorder):
    other = tmp_path / "other.sh"
    other.write_text('#!/bin/sh\ntouch "$(dirname "$0")/wrong"\ncat >/dev/null\n', encoding="utf-8")
    other.chmod(0o755)
    (tmp_path / "config.yaml").write_text(f"pager: {recorder / 'pager.sh'} --from-config\n", encoding="utf-8")
    code, _ = in_tty(["tags"], base_env(tmp_path, PAGER=str(other)), rows=10)
    assert code == 0
    assert (recorder / "called").read_text().startswith("args=--from-config ")
    assert not (tmp_path / "wrong").exists()


@pytest.mark.parametrize("command", [["search", "GAN"], ["tag", "ICLR"], ["tags"], ["list"], ["show", "SC-FEGAN"]])
def test_every_reading_command_pages_when_taller_than_the_terminal(tmp_path, recorder, command):
    code, _ = in_tty(command, base_env(tmp_path, PAGER=str(recorder / "pager.sh")), rows=6)
    assert code == 0
    assert (recorder / "called").exists()


def test_short_output_is_printed_then_the_status_line(tmp_path, recorder):
    code, t = in_tty(["list", "-n", "3"], base_env(tmp_path, PAGER=str(recorder / "pager.sh")), rows=60)
    assert code == 0
    assert not (recorder / "called").exists()
    table_end = t.text.rindex("└")
    assert "3 of 31" in t.text[table_end:]  # the held status line still follows the table


def test_lines_env_sets_the_height(tmp_path, recorder):
    env = base_env(tmp_path, PAGER=str(recorder / "pager.sh"), LINES="8")
    code, _ = in_tty(["search", "GAN"], env, rows=200)
    assert code == 0 and (recorder / "called").exists()


@pytest.mark.parametrize(("pager", "note"), [
    ("/nonexistent/pager", "reviews: pager '/nonexistent/pager': cannot run (No such file or directory); "
                           "printing instead"),
    ("false", "reviews: pager 'false' failed (exit status 1); printing instead"),
])
def test_a_pager_that_cannot_run_or_fails_falls_back_to_printing(tmp_path, pager, note):
    code, t = in_tty(["show", "1803.03635"], base_env(tmp_path, PAGER=pager))
    assert code == 0
    assert note in t.text and BODY in t.text and "Traceback" not in t.text


def test_missing_default_less_prints_without_a_note(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    code, t = in_tty(["show", "1803.03635"], base_env(tmp_path, PATH=str(empty)))
    assert code == 0 and BODY in t.text and "reviews:" not in t.text


def test_pager_quit_before_reading_is_quiet(tmp_path):
    # `true` exits at once: writing to it is a broken pipe
    code, t = in_tty(["show", "--full", "1803.03635"], base_env(tmp_path, PAGER="true"))
    assert code == 0 and t.text.strip() == ""


def test_ctrl_c_in_the_pager_belongs_to_the_pager(tmp_path):
    """^C reaches the whole foreground group; less ignores it and goes on, so reviews must not
    die of it (leaving the pager orphaned) but wait for the pager and exit quietly."""
    log = tmp_path / "log"
    script = tmp_path / "pager.sh"
    script.write_text(f'#!/bin/sh\ntrap "echo int >> {log}" INT\necho started >> {log}\n'
                      f'cat > /dev/null\nsleep 0.5\necho done >> {log}\n', encoding="utf-8")
    script.chmod(0o755)
    t = Tty(["show", "1803.03635"], base_env(tmp_path, PAGER=str(script)))
    deadline = time.monotonic() + 20
    while not (log.exists() and "started" in log.read_text()) and time.monotonic() < deadline:
        t.read(0.1)
    os.write(t.master, b"\x03")
    code = t.finish()
    assert "int" in log.read_text() and "done" in log.read_text()
    assert code == 0 and "interrupted" not in t.text and "Traceback" not in t.text


# ------------------------------------------------------------------ colours on a terminal

def test_auto_colour_follows_the_terminal_and_no_color(tmp_path):
    _, t = in_tty(["--no-pager", "tags"], base_env(tmp_path))
    assert COLOUR.search(t.output)
    _, t = in_tty(["--no-pager", "tags"], base_env(tmp_path, NO_COLOR="1"))
    assert SGR.search(t.output) and not COLOUR.search(t.output)  # bold stays, colours go
    _, t = in_tty(["--no-pager", "--color", "never", "tags"], base_env(tmp_path))
    assert not SGR.search(t.output) and b"#ICLR" in t.output
    _, t = in_tty(["--no-pager", "--color", "always", "tags"], base_env(tmp_path, NO_COLOR="1"))
    assert COLOUR.search(t.output)


def test_colour_never_reaches_the_pager_plain(tmp_path, recorder):
    code, _ = in_tty(["--color", "never", "show", "1803.03635"], base_env(tmp_path, PAGER=str(recorder / "pager.sh")))
    assert code == 0
    shown = (recorder / "input").read_bytes()
    assert BODY.encode() in shown and b"\x1b" not in shown


def test_colour_always_into_a_pipe(tmp_path):
    out = subprocess.run(reviews_command() + ["--color", "always", "tags"], env=base_env(tmp_path, TERM="dumb"),
                         capture_output=True, timeout=60)
    assert out.returncode == 0 and COLOUR.search(out.stdout)
