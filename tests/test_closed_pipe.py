"""A reader that closes the pipe early (`reviews show X | head -1`) ends the run with exit 0 and
no message (issue 8, item 11), for rich output and machine output alike. Real processes: the
pipe's read end is closed before the command writes, so every write meets EPIPE."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("args", [["show", "1803.03635"], ["search", "learning"], ["tags"], ["tag", "ICLR"],
                                  ["list"], ["search", "--json", "learning"], ["export"], ["show", "--json", "8d5fd2cd"]])
def test_closed_pipe_is_exit_0_and_silent(args, tmp_path):
    env = {**os.environ, "REVIEWS_HOME": str(tmp_path / "home")}
    subprocess.run([sys.executable, "-m", "reviews_cli", "tags"], env=env, check=True, capture_output=True)
    r, w = os.pipe()
    os.close(r)
    try:
        proc = subprocess.run([sys.executable, "-m", "reviews_cli", *args], env=env, stdout=w,
                              stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(w)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
