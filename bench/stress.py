"""Stress figures for the installed `reviews`: faults and hostile input, whole processes.

Prints:
- kill -9 and SIGTERM during `add` (N runs each): library intact (the manifest and index as
  before, `sources` still answers), worker processes left behind, exit codes;
- overlapping `add`s of different dumps: every dump ends up in the library;
- searches while an `add` runs: errors and the worst latency;
- hostile inputs (a 100 000-deep JSON, a 5 000-digit number, a FIFO, /dev/zero, a 10 MB post):
  time and peak memory of `reviews parse`, and the time of `reviews show` of the 10 MB post.

Usage: python bench/stress.py [--runs 5] [--reviews 4000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen_corpus import generate  # noqa: E402

CMD = [sys.executable, "-m", "reviews_cli"]


def descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (read from /proc)."""
    parents = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            fields = st[st.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents[int(e)] = int(fields[1])
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        out |= kids
        todo += kids
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run(args, env, **kw):
    return subprocess.run(CMD + args, env=env, capture_output=True, text=True, **kw)


def library_state(env) -> tuple:
    res = run(["sources", "--json"], env)
    return res.returncode, sorted(s["name"] for s in json.loads(res.stdout or "[]"))


def kills(corpus, runs: int, sig: int) -> None:
    intact = orphans = landed = 0
    codes = []
    for k in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "REVIEWS_HOME": os.path.join(tmp, "home")}
            before = library_state(env)
            p = subprocess.Popen(CMD + ["add", *corpus], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            workers: set[int] = set()
            t0 = time.monotonic()
            while not workers and time.monotonic() - t0 < 30:
                workers = descendants(p.pid)
                time.sleep(0.02)
            time.sleep(0.2 + 0.3 * k)  # at different points of the run
            p.send_signal(sig)
            p.communicate(timeout=60)
            codes.append(p.returncode)
            time.sleep(1.5)
            orphans += sum(alive(w) for w in workers)
            after = library_state(env)
            # intact: as before the add, or (when the kill came after its commit) with every dump
            # added; never half of it, and `sources` still answers
            full = (0, sorted(before[1] + [os.path.basename(c) for c in corpus]))
            intact += after in (before, full)
            landed += after == full
    name = "kill -9" if sig == signal.SIGKILL else "SIGTERM"
    print(f"  {name:8} during add: {runs} runs, library intact {intact}/{runs} ({landed} had committed), "
          f"workers left {orphans}, exit codes {sorted(set(codes))}")


def overlapping_adds(corpus) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "REVIEWS_HOME": os.path.join(tmp, "home")}
        run(["tags"], env)
        procs = [subprocess.Popen(CMD + ["add", f], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for f in corpus[:4]]
        codes = [p.wait(timeout=300) for p in procs]
        _, names = library_state(env)
        added = sum(os.path.basename(f) in names for f in corpus[:4])
        print(f"  4 overlapping adds: exit codes {codes}, dumps in the library {added}/4")


def searches_during_add(corpus) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "REVIEWS_HOME": os.path.join(tmp, "home")}
        run(["tags"], env)
        p = subprocess.Popen(CMD + ["add", *corpus], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        errors, worst, n = 0, 0.0, 0
        while p.poll() is None:
            t = time.monotonic()
            res = run(["search", "lottery"], env)
            worst = max(worst, time.monotonic() - t)
            errors += res.returncode != 0 or "Traceback" in res.stderr
            n += 1
        print(f"  {n} searches during an add: errors {errors}, worst latency {worst * 1000:.0f} ms")


def timed(args, env) -> tuple[float, float, int]:
    """(seconds, peak MB of the child, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.monotonic()
    try:
        res = run(args, env, timeout=120)
        code = res.returncode
    except subprocess.TimeoutExpired:
        code = -1
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return time.monotonic() - t, max(peak, before) / 1024, code


def hostile() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "REVIEWS_HOME": os.path.join(tmp, "home")}
        deep = os.path.join(tmp, "deep.json")
        with open(deep, "w") as f:
            f.write('{"name": "c", "type": "public_channel", "messages": [' + "[" * 100_000 + "]" * 100_000 + "]}")
        big = os.path.join(tmp, "bignum.json")
        with open(big, "w") as f:
            f.write('{"name": "c", "type": "public_channel", "messages": [{"id": ' + "9" * 5000 + "}]}")
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        huge = os.path.join(tmp, "huge.txt")
        with open(huge, "w", encoding="utf-8") as f:
            f.write("Huge Paper Title Here\nAnn Lee, Bo Chen\n\nСтатья: https://arxiv.org/abs/2001.00009\n\n")
            f.write("\n\n".join(f"Абзац {i}: модель учится на данных, авторы показывают результат." for i in
                                range(160_000)))
        for label, path in (("JSON 100 000 deep", deep), ("5 000-digit number", big), ("FIFO", fifo),
                            ("/dev/zero", "/dev/zero"), (f"{os.path.getsize(huge) >> 20} MB post", huge)):
            secs, peak, code = timed(["parse", path], env)
            print(f"  parse {label:20} {secs * 1000:7.0f} ms  exit {code}  (peak of any child so far {peak:.0f} MB)")
        run(["add", huge], env)
        secs, _, code = timed(["show", "2001.00009"], env)
        print(f"  show of the long post    {secs * 1000:7.0f} ms  exit {code}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reviews", type=int, default=4000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = generate(a.reviews, tmp, posts_per_file=max(100, a.reviews // 8))
        print(f"corpus: {a.reviews} reviews in {len(corpus)} channel pages, "
              f"{sum(os.path.getsize(f) for f in corpus) >> 20} MB; {os.cpu_count()} cores")
        kills(corpus, a.runs, signal.SIGKILL)
        kills(corpus, a.runs, signal.SIGTERM)
        overlapping_adds(corpus)
        searches_during_add(corpus)
    hostile()


if __name__ == "__main__":
    main()
