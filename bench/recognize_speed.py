"""Time the post recognizer on 20,000 real-shaped posts (issue 16 point 7).

The posts are the texts of the labelled real sample (tests/fixtures/real_posts/*.yaml), cycled to ``--posts`` posts; each copy gets its own number in one line so
no two posts are equal. Each is handed to the recognizer as a container would (a ``message``
Post with no hidden links). Prints posts, total seconds (best of ``--repeat`` runs) and
microseconds per post, and with ``--baseline SECONDS`` the ratio to that earlier figure.

The figure before the recognizer became a pipeline of stages (commit a6cfd99, this machine,
2 shared cores) is recorded in BASELINE below. At the end of issue 16's branch: 34.7 s for the
pipeline against 25.4 s for main's one-module recognizer on the same (grown) sample texts, run
back to back: 137 %, over the 120 % target. Branch recognizer2 (line tests remembered per post,
cheaper author-line and lexicon scans), back to back with --repeat 2 on a shared machine: 27.9 s,
against 23.5 s for the pre-pipeline recognizer (a6cfd99) on the same texts (119 %) and 34.0 s for
main before the branch; 114 % of BASELINE.

``REVIEWS_CODE=/work/main python bench/recognize_speed.py`` times main's recognizer on the same texts,
which is the fair comparison once the sample has grown.

Usage: python bench/recognize_speed.py [--posts 20000] [--repeat 3] [--baseline 12.3]
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# REVIEWS_CODE=/path/to/another/checkout times that checkout's recognizer on this sample (same texts)
sys.path.insert(0, os.environ.get("REVIEWS_CODE") or ROOT)

# seconds for 20,000 posts at commit a6cfd99 (before the pipeline), best of 3, measured by this script
BASELINE: float | None = 24.53


def sample_texts() -> list[str]:
    """Every text of the labelled sample, in file order."""
    paths = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "real_posts", "*.yaml")))
    texts = []
    for p in paths:
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                texts += [e["text"] for e in yaml.safe_load(f) or [] if e.get("text")]
    return texts


def posts(n: int) -> list[object]:
    """``n`` message posts cycled from the sample, each made distinct by a numbered line."""
    from reviews_cli.parsing.post import Post

    texts = sample_texts()
    return [Post(text=f"{texts[k % len(texts)]}\n\n#{k}", where=f"message {k}") for k in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=float, default=BASELINE, help="seconds of an earlier run to compare with")
    args = ap.parse_args()
    from reviews_cli.parsing import recognize_posts

    items = posts(args.posts)
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        reviews, skipped = recognize_posts(items, "speed", "text")  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - t0)
    print(f"{args.posts} posts: {best:.2f} s ({best / args.posts * 1e6:.0f} µs/post), "
          f"{len(reviews)} reviews, {len(skipped)} skipped")
    if args.baseline:
        print(f"before the pipeline: {args.baseline:.2f} s; now {best / args.baseline:.0%} of it (target ≤ 120%)")


if __name__ == "__main__":
    main()
