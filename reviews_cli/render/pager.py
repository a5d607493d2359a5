"""Long human output through a pager, as git does it: the rendered text (colours and all) is
piped to the pager command with ``LESS=FRX`` when ``LESS`` is unset, and the caller prints the
text itself when the pager cannot run or fails. Only the CLI imports this, and only when a
command's output is taller than the terminal.
"""

from __future__ import annotations

import os
import sys


def too_tall(text: str, height: int) -> bool:
    """Whether ``text`` (rendered lines, ``\\n``-terminated) would scroll its first line off a
    terminal ``height`` rows high once the shell prompt is printed below it."""
    return text.count("\n") >= max(height, 1)


def page(text: str, command: str) -> str | None:
    """Show ``text`` through the pager ``command`` (a command line, split like a shell would,
    without running a shell). Waits until the pager exits; Ctrl-C meanwhile belongs to the
    pager (ignored here), and a pager quit before reading everything is no error.

    Returns None when the pager ran, or a one-line reason when it did not show the text (the
    command cannot be split or run, or it exited with a status > 0): the caller then prints
    ``text`` itself."""
    import contextlib
    import shlex
    import signal
    import subprocess

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"pager {command!r}: cannot be read as a command ({exc})"
    if not argv:
        return "the pager command is empty"
    env = dict(os.environ)
    if not env.get("LESS"):
        # -F: quit if one screen; -R: pass colours through; -X: leave the text on the screen
        env["LESS"] = "FRX"
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError as exc:
        return f"pager {command!r}: cannot run ({exc.strerror or exc})"
    # only after the pager started, so it does not inherit the ignored SIGINT
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        data = text.encode(sys.stdout.encoding or "utf-8", errors="backslashreplace")
        assert proc.stdin is not None
        # OSError: the pager quit before reading it all (EPIPE), as `q` in less does
        with contextlib.suppress(OSError):
            proc.stdin.write(data)
        with contextlib.suppress(OSError):
            proc.stdin.close()
        status = proc.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if status > 0:  # a negative status is a signal: the user killed it, nothing to redo
        return f"pager {command!r} failed (exit status {status})"
    return None
