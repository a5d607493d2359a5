"""Peak memory and time of `reviews add` on Telegram Desktop JSON exports of 1, 10 and 100 MB.

Each export is one channel of generated review posts in the shape Telegram Desktop writes
(``json.dump(..., indent=1)``; ``text`` as a list of strings and entities, ``text_entities``,
reactions, photos; one service message, announcement or photo-only post in eleven), varied
titles, authors, tags and Russian prose (tests/exports.py ``write_review_channel``). For each, a
fresh REVIEWS_HOME gets ``reviews add EXPORT``; printed: the export's size and posts, the
records that reached the library, wall time, and the peak RSS of the `reviews add` process
(``os.wait4`` rusage: the largest of it and its worker processes). The peak should not grow
with the export's size; the 100 MB export should stay under 300 MB.

Usage: python bench/export_memory.py [--sizes 1,10,100] [--escapes] [--out DIR]
  --escapes  write the exports with \\u escapes only (``ensure_ascii=True``, about twice as large
             for the same posts)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "tests")
# Bytes per generated post (its message and a share of the other messages), measured.
BYTES_PER_POST = {False: 3480, True: 6780}


def generate(path: str, posts: int, escapes: bool) -> None:
    """Write the export in a child process: Linux counts a child's peak memory from the process
    it was forked from, so this process must stay small."""
    code = (f"import sys, pathlib; sys.path.insert(0, {TESTS!r}); import exports; "
            f"exports.write_review_channel(pathlib.Path({path!r}), {posts}, ensure_ascii={escapes})")
    subprocess.run([sys.executable, "-c", code], check=True)


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB, and exit code of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,10,100", help="export sizes in MB, comma-separated")
    ap.add_argument("--escapes", action="store_true", help="write \\u escapes only (ensure_ascii=True)")
    ap.add_argument("--out", help="where the exports are written (default: a temporary folder, removed)")
    a = ap.parse_args()
    reviews = shutil.which("reviews") or sys.exit("bench: `reviews` is not on PATH (pip install -e .)")
    out = a.out or tempfile.mkdtemp(prefix="export-memory-")
    os.makedirs(out, exist_ok=True)
    encoding = "\\u escapes only" if a.escapes else "UTF-8"
    print(f"reviews add on one Telegram Desktop export ({encoding})")
    print(f"  {'size':>8} {'posts':>7} {'in library':>10} {'wall':>8} {'peak RSS':>9}")
    try:
        for mb in (float(s) for s in a.sizes.split(",") if s):
            posts = max(1, round(mb * 1e6 / BYTES_PER_POST[a.escapes]))
            path = os.path.join(out, f"result-{mb:g}MB.json")
            generate(path, posts, a.escapes)
            home = tempfile.mkdtemp(prefix="home-", dir=out)
            env = {**os.environ, "REVIEWS_HOME": home, "REVIEWS_CONFIG": os.path.join(home, "none.yaml")}
            empty = json.loads(subprocess.run([reviews, "stats", "--json"], env=env, capture_output=True,
                                              check=True).stdout)["total"]  # the bundled sample
            wall, peak, code = run([reviews, "add", path], env)
            total = json.loads(subprocess.run([reviews, "stats", "--json"], env=env, capture_output=True,
                                              check=True).stdout)["total"] - empty
            flag = "" if code == 0 else f"  (exit {code})"
            print(f"  {os.path.getsize(path) / 1e6:6.1f} MB {posts:>7,} {total:>10,} {wall:>6.1f} s {peak:>6.0f} MB{flag}",
                  flush=True)
            shutil.rmtree(home, ignore_errors=True)
            os.remove(path)
    finally:
        if not a.out:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
