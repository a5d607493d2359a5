"""Running a command that must not hang, without timing it: the child is killed only after
:data:`HANG_SECONDS`, far longer than any correct run takes on a loaded machine, so a test
fails on a hang (a blocking read, an exponential regex) and never on a slow run. How fast
things are is measured in ``bench/`` (bench/slow_inputs.py), not asserted here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HANG_SECONDS = 600


def reviews(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    """``reviews ARGS`` in a child process (the console script beside this interpreter), text
    output captured. Raises ``subprocess.TimeoutExpired`` if it hangs."""
    script = Path(sys.executable).with_name("reviews")
    assert script.exists(), f"install the package first: no {script}"
    return subprocess.run([str(script), *args], env=env if env is not None else dict(os.environ),
                          capture_output=True, text=True, encoding="utf-8", timeout=HANG_SECONDS, **kw)


def python(code: str, stdin: str = "") -> subprocess.CompletedProcess:
    """``python -c CODE`` in a child process with ``stdin`` as its input, text output captured.
    Raises ``subprocess.TimeoutExpired`` if it hangs."""
    return subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", timeout=HANG_SECONDS)
