"""Issue 9: an `add` killed or terminated mid-run leaves the library as it was, no worker process
behind, and (for SIGTERM) one line and exit 143. Driven through real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from gen_corpus import generate
from stress import alive as _alive
from stress import descendants as _children


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    return generate(4000, str(out), posts_per_file=500)  # 8 files, ~12 MB: parsed on a worker pool


@pytest.mark.skipif(not os.path.isdir("/proc") or (os.cpu_count() or 1) < 2,
                    reason="needs /proc and two cores for a worker pool")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_add_killed_mid_run_leaves_library_and_no_workers(corpus, tmp_path, sig):
    home = tmp_path / "home"
    env = {**os.environ, "REVIEWS_HOME": str(home)}
    cmd = [sys.executable, "-m", "reviews_cli"]
    subprocess.run(cmd + ["tags"], env=env, check=True, capture_output=True)  # the bundled library
    proc = subprocess.Popen(cmd + ["add", *corpus], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while time.monotonic() < deadline and not workers:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert workers, "the add never started its worker pool"
    time.sleep(0.3)
    if sig == signal.SIGINT:  # Ctrl-C goes to the whole foreground process group, workers included
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    time.sleep(1.5)  # PR_SET_PDEATHSIG is immediate; the watchdog thread polls every second
    assert [w for w in workers if _alive(w)] == []
    if sig == signal.SIGTERM:
        assert proc.returncode == 143
        assert err.decode().strip().splitlines() == ["reviews: terminated"]
    elif sig == signal.SIGINT:
        assert proc.returncode == 130
        assert err.decode().strip().splitlines() == ["reviews: interrupted"]
    else:
        assert proc.returncode == -signal.SIGKILL
    manifest = home / "library.json"
    assert not manifest.exists() or json.loads(manifest.read_text())["sources"] == []
    res = subprocess.run(cmd + ["sources", "--json"], env=env, capture_output=True, text=True)
    assert res.returncode == 0 and len(json.loads(res.stdout)) == 5  # only the bundled dumps
    one = tmp_path / "one.txt"
    one.write_text("Some Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00008\n\nТекст.\n",
                   encoding="utf-8")
    subprocess.run(cmd + ["add", str(one)], env=env, check=True, capture_output=True)
    assert [n.split("-", 1)[1] for n in os.listdir(home / "dumps")] == ["one.txt"]  # copies of the killed add cleaned
