"""Figures for the user's marks (issue 17): what stars, notes and read marks cost, whole processes.

Prints, for a generated library of N reviews (plus the bundled ones):
- `mark --all --read` and `--unread` wall time, and the state file's size with every paper read;
- search latency (median of 5) of a word alone, with `is:read`, `is:starred` and `has:note`;
- `note` wall time (the note's words go into the index: one FTS row replaced);
- `export --format jsonl` of the whole library with every record carrying its marks.

Usage: python bench/state_bench.py [--reviews 4000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen_corpus import generate  # noqa: E402

CMD = [sys.executable, "-m", "reviews_cli"]


def timed(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    res = subprocess.run(CMD + list(args), env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if res.returncode not in (0, 1):
        raise SystemExit(f"reviews {' '.join(args)}: exit {res.returncode}: {res.stderr.strip()}")
    return took


def median(env: dict[str, str], *args: str, runs: int = 5) -> float:
    return statistics.median(timed(env, *args) for _ in range(runs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviews", type=int, default=4000)
    n = ap.parse_args().reviews
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "REVIEWS_HOME": os.path.join(tmp, "home"), "REVIEWS_CONFIG": os.devnull}
        files = generate(n, os.path.join(tmp, "corpus"), posts_per_file=2000)
        print(f"library: {n} generated reviews + the bundled ones; add took {timed(env, 'add', *files):.2f} s")
        print(f"mark --all --read     {timed(env, 'mark', '--all', '--read'):.2f} s")
        size = os.path.getsize(os.path.join(tmp, "home", "state.sqlite"))
        print(f"state.sqlite with every paper read: {size / 2**20:.1f} MB")
        timed(env, "star", "1803.03635")
        print(f"note (one paper)      {timed(env, 'note', '1803.03635', 'rewinding matters more'):.2f} s")
        for query in (["модель"], ["модель", "is:read"], ["модель", "is:starred"], ["has:note"]):
            print(f"search {' '.join(query):<22} {median(env, 'search', '--json', *query) * 1000:.0f} ms (median of 5)")
        print(f"export jsonl, all     {timed(env, 'export', '--format', 'jsonl', '-o', os.path.join(tmp, 'a.jsonl')):.2f} s")
        print(f"mark --all --unread   {timed(env, 'mark', '--all', '--unread'):.2f} s")


if __name__ == "__main__":
    main()
