"""Timings of the inputs the unit tests only check for hanging (tests/hang_guard.py).

Prints wall seconds for:
- the recognizer on pathological lines (bracket words, footnote runs, capitalized runs, long
  white space), each at 1x and 4x its test size, with the growth ratio (about 4 when linear,
  16 when quadratic);
- `reviews config` on a billion-laughs YAML;
- `reviews parse` refusing a FIFO, /dev/zero, a 5,000-digit number, 50,000 levels of nesting;
- `reviews show` of a post with a 13 MB body;
- `reviews search` while another process holds the library's write lock on a stale index.

Usage: python bench/slow_inputs.py
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

PROSE = ("Авторы предлагают новый метод обучения модели и показывают, что качество растёт на всех "
         "бенчмарках; эксперименты на ImageNet и GLUE, сравнение с сильными бейзлайнами. ") * 3
TITLE = "Some Paper Title Here\n"
LINK = "\nСтатья: https://arxiv.org/abs/1706.03762\n"


def pathological(k: int) -> dict[str, str]:
    """The recognizer's hard inputs (tests/test_recognize.py), ``k`` times their test size."""
    return {
        "bracket words": " ".join(f"[t{i}]" for i in range(40 * k)) + " x\n",
        "footnote run": TITLE + "[1]" * (40000 * k) + "\n\n1 https://arxiv.org/abs/1706.03762\n",
        "capitalized run": "Aaaa " * (20000 * k) + "https://arxiv.org/abs/1706.03762\n",
        "spaced 'the paper'": ("the paper Aaaaaaaaaa" + " " * 150 + "x ") * (400 * k) + "\nавторы предлагают метод\n",
        "quoted titles": "Обзор\n" + "\n".join(f"“Great Paper Title Number {i}” by Smith" for i in range(20000 * k)),
        "space run": TITLE + "a" + " " * (20000 * k) + "b" + LINK + PROSE,
        "nbsp run": TITLE + "\u00a0" * (30000 * k) + "x" + LINK + PROSE,
        "tab run": TITLE + "\t" * (20000 * k) + "x" + LINK + PROSE,
    }


def recognizer() -> None:
    from reviews_cli.parsing.post import Post
    from reviews_cli.parsing.recognize import recognize

    print("recognize() on pathological posts: seconds at 1x, 4x the test size, ratio")
    small, large = pathological(1), pathological(4)
    for name in small:
        times = []
        for text in (small[name], large[name]):
            start = time.perf_counter()
            recognize(Post(text, "p"))
            times.append(time.perf_counter() - start)
        print(f"  {name:<20} {times[0]:7.3f} s {times[1]:7.3f} s  x{times[1] / max(times[0], 1e-6):5.1f}")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    code = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600).returncode
    return time.perf_counter() - start, code


def commands(reviews: str, tmp: str) -> None:
    env = {**os.environ, "REVIEWS_HOME": os.path.join(tmp, "home"), "REVIEWS_CONFIG": os.path.join(tmp, "none.yaml")}
    bomb = os.path.join(tmp, "bomb.yaml")
    with open(bomb, "w") as f:
        f.write("pager: [&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]" + "".join(
            f", &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")) + "]\n")
    fifo = os.path.join(tmp, "fifo.txt")
    os.mkfifo(fifo)
    big = os.path.join(tmp, "bignum.json")
    with open(big, "w") as f:
        f.write('{"name": "c", "type": "public_channel", "messages": [{"id": ' + "9" * 5000 + ', "text": "x"}]}')
    deep = os.path.join(tmp, "deep.json")
    with open(deep, "w") as f:
        f.write('{"name": "c", "type": "public_channel", "messages": [' + '{"a": ' * 50000 + "1" + "}" * 50000 + "]}")
    huge = os.path.join(tmp, "huge.txt")
    with open(huge, "w", encoding="utf-8") as f:
        f.write("Huge Paper Title Here\nAnn Lee, Bo Chen\n\nСтатья: https://arxiv.org/abs/2001.00009\n\n" + "\n\n".join(
            f"Абзац {i}: модель учится на данных, авторы показывают результат." for i in range(200_000)))

    print("\nreviews commands: wall seconds (exit code)")
    rows = [("config, billion laughs", [reviews, "config"], {**env, "REVIEWS_CONFIG": bomb})]
    for what, path in (("a FIFO", fifo), ("/dev/zero", "/dev/zero"), ("a 5,000-digit number", big),
                       ("50,000 levels of nesting", deep)):
        rows.append((f"parse, {what}", [reviews, "parse", path], env))
    for label, cmd, e in rows:
        wall, code = timed(cmd, e)
        print(f"  {label:<34} {wall:6.2f} s ({code})")
    timed([reviews, "add", huge], env)
    wall, code = timed([reviews, "--no-pager", "show", "2001.00009"], env)
    print(f"  {'show, a 13 MB body':<34} {wall:6.2f} s ({code})")

    stored = next(p for p in os.scandir(os.path.join(env["REVIEWS_HOME"], "dumps")))
    os.utime(stored.path, ns=(1, 1))  # the index is now stale for that dump
    index = next(p.path for p in os.scandir(env["REVIEWS_HOME"]) if p.name.endswith(".sqlite"))
    writer = sqlite3.connect(index, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        wall, code = timed([reviews, "--no-pager", "search", "lottery"], env)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    print(f"  {'search, while another add writes':<34} {wall:6.2f} s ({code})")


def main() -> None:
    reviews = shutil.which("reviews") or sys.exit("bench: `reviews` is not on PATH (pip install -e .)")
    recognizer()
    tmp = tempfile.mkdtemp(prefix="slow-inputs-")
    try:
        commands(reviews, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
