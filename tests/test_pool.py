"""The worker pool behind `add` and rebuilds: stopping it early never hangs the process.

Regression: a worker terminated halfway through sending a large result left the pool's manager
thread blocked in recv() forever, so the interpreter hung at exit (seen as an `add` that never
ended after SIGTERM)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import sys, time
    from reviews_cli.ingest import pool_map

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
