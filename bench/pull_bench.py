"""Figures for `reviews pull` and for the dumps other tools make, on this machine.

Prints:
- a first pull of a channel of N posts from the local stand-in server (tests/tme_server.py) with
  --delay 0: pages, seconds, seconds per page; a second pull after 5 new posts: requests made;
- peak memory (max RSS of a child `reviews parse`) and time of JSON Lines, JSON array and CSV
  dumps of growing size, to show memory stays flat as the file grows (streamed).

Usage: python bench/pull_bench.py [--posts 600] [--sizes 5000,20000,80000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from tme_server import Channel, PreviewServer, real_posts, text_html  # noqa: E402


def pull_figures(n_posts: int) -> None:
    os.environ["REVIEWS_HOME"] = tempfile.mkdtemp(prefix="pull-bench-")
    from reviews_cli.library import Library
    from reviews_cli.pull.client import Client, Politeness
    from reviews_cli.pull.run import pull
    from reviews_cli.pull.target import parse_target

    posts = real_posts()
    srv = PreviewServer()
    ch = Channel("gonzo_ML", "gonzo-обзоры ML статей")
    for k in range(n_posts):
        e = posts[k % len(posts)]
        ch.publish(text_html(e["text"] + f"\n(копия {k})"))
    srv.channels["gonzo_ML"] = ch
    with Library.open() as lib, Client(Politeness(delay=0)) as client:
        t = time.perf_counter()
        r = pull(lib, parse_target(srv.base("gonzo_ML")), client)
        dt = time.perf_counter() - t
        print(f"first pull: {r.stored} posts, {r.pages} pages in {dt:.2f} s ({dt / max(1, r.pages):.3f} s/page "
              f"incl. storing and indexing), {r.reviews} reviews")
        for k in range(5):
            ch.publish(text_html(f"Новый пост {k}"))
        before = len(srv.log)
        t = time.perf_counter()
        r = pull(lib, parse_target(srv.base("gonzo_ML")), client)
        print(f"second pull after 5 new posts: {len(srv.log) - before} request(s), {time.perf_counter() - t:.2f} s")
    srv.close()


def write_dump(path: str, shape: str, n: int) -> None:
    posts = real_posts()
    with open(path, "w", encoding="utf-8") as f:
        if shape == "csv":
            import csv

            w = csv.writer(f)
            w.writerow(["id", "date", "text"])
            for k in range(n):
                w.writerow([k + 1, "2025-01-01 10:00:00", posts[k % len(posts)]["text"]])
            return
        if shape == "array":
            f.write("[")
        for k in range(n):
            obj = {"id": k + 1, "date": 1735725600 + k, "message": posts[k % len(posts)]["text"]}
            if shape == "array":
                f.write(("," if k else "") + json.dumps(obj, ensure_ascii=False))
            else:
                f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        if shape == "array":
            f.write("]")


def memory_figures(sizes: list[int]) -> None:
    code = ("import resource, sys, time; from reviews_cli.parsing import open_dump\n"
            "t = time.perf_counter(); d = open_dump(sys.argv[1]); n = sum(1 for _ in d.posts)\n"
            "print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in ("jsonl", "array", "csv"):
            for n in sizes:
                path = os.path.join(tmp, f"d.{shape}")
                write_dump(path, shape, n)
                out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=True)
                posts, secs, rss = out.stdout.split()
                mb = os.path.getsize(path) / 2**20
                print(f"{shape:5} {int(posts):7d} posts, {mb:7.1f} MB: container read in {float(secs):6.2f} s, "
                      f"peak RSS {int(rss) / 1024:6.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=600)
    ap.add_argument("--sizes", default="5000,20000,80000")
    args = ap.parse_args()
    pull_figures(args.posts)
    memory_figures([int(x) for x in args.sizes.split(",")])


if __name__ == "__main__":
    main()
