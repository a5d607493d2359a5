"""The worker pool behind `add` and rebuilds: stopping it early never hangs the process.

Regression: a worker terminated halfway through sending a large result left the pool's manager
thread blocked in recv() forever, so the interpreter hung at exit (seen as an `add` that never
ended after SIGTERM)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent("""
    import sys, time
    from reviews_cli.library.ingest import pool_map

    def work(n):
        return b"" if n == 0 else b"x" * (64 << 20)  # sent through the pipe in many writes

    if __name__ == "__main__":
        results = pool_map(work, [0, 1, 2, 3, 4, 5], 2)
        next(results)
        time.sleep(float(sys.argv[1]))  # the others are mid-transfer now
        results.close()  # the consumer stops early: workers are terminated
        print("stopped", flush=True)
""")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores for a worker pool")
@pytest.mark.parametrize("delay", [0.3, 0.5])
def test_pool_stopped_while_workers_send_results_exits(tmp_path, delay):
    script = tmp_path / "stop_early.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(delay)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "stopped"
    assert "Traceback" not in proc.stderr


EARLY_SIGNAL = textwrap.dedent("""
    import os, signal, sys, time
    sys.path.insert(0, sys.argv[1])
    from reviews_cli.library import ingest
    from stress import descendants

    class Terminated(BaseException):
        pass

    def handler(signum, frame):  # what `reviews add` installs in the parent
        raise Terminated

    signal.signal(signal.SIGTERM, handler)
    original = ingest._worker_init

    def slow_init(parent):  # widen the window between fork and the worker's own dispositions
        time.sleep(1.0)
        original(parent)

    ingest._worker_init = slow_init

    def work(n):
        return n

    if __name__ == "__main__":
        results = ingest.pool_map(work, range(4), 2)
        try:
            first = next(results)
        except BaseException as exc:  # the workers were killed: the pool reports it broken
            print("broken", type(exc).__name__, flush=True)
        else:
            print("result", first, flush=True)
""")

KILLER = textwrap.dedent("""
    import os, signal, sys, time
    sys.path.insert(0, sys.argv[1])
    from stress import descendants
    pid = int(sys.argv[2])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        kids = descendants(pid)
        if len(kids) >= 2:
            break
        time.sleep(0.01)
    for k in kids:
        os.kill(k, signal.SIGTERM)
    print(len(kids), flush=True)
""")


@pytest.mark.skipif(not os.path.isdir("/proc") or (os.cpu_count() or 1) < 2,
                    reason="needs /proc and two cores for a worker pool")
def test_worker_signalled_before_its_setup_dies_quietly(tmp_path):
    """SIGTERM reaching a freshly forked worker before it has its own signal dispositions must
    neither run the parent's handler there (a traceback) nor be lost (a worker that outlives its
    kill); it is held until the worker is set up, and then ends it."""
    bench = str(Path(__file__).resolve().parent.parent / "bench")
    (tmp_path / "early.py").write_text(EARLY_SIGNAL, encoding="utf-8")
    (tmp_path / "killer.py").write_text(KILLER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(tmp_path / "early.py"), bench], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    killer = subprocess.run([sys.executable, str(tmp_path / "killer.py"), bench, str(proc.pid)],
                            capture_output=True, text=True, timeout=60)
    out, err = proc.communicate(timeout=60)
    assert killer.stdout.strip() == "2", killer.stderr
    assert "Traceback" not in err and "Exception in initializer" not in err, err
    assert out.startswith("broken"), (out, err)
