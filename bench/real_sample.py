"""Accuracy of the post recognizer on the hand-labelled sample of real public posts.

Prints, for the posts as copied (``text``) and the same posts wrapped as a Telegram Desktop
export with ``text_link`` entities (``export``): recall, precision and field accuracy (targets:
each at least 95%), the sample's size by channel and year, and with ``--failures`` every miss.

With ``--out-of-scope`` it also scores the pages collected alongside but outside what ``reviews``
reads (tests/fixtures/real_posts_out_of_scope.yaml: machine-generated summary pages, SEO
listicles, news portals, English web newsletters), for information; no target applies there.

Usage: python bench/real_sample.py [--failures] [--out-of-scope]
The labelled sample lives in tests/fixtures/real_posts/*.yaml (see tests/real_sample.py).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

from real_sample import MODES, evaluate, load_sample


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--failures", action="store_true", help="list every missed, extra or wrong record")
    ap.add_argument("--out-of-scope", action="store_true", help="also score the out-of-scope pages (no target)")
    args = ap.parse_args()
    entries = load_sample()
    reviews = sum(len(e.get("reviews") or []) for e in entries)
    by_channel = collections.Counter(e.get("channel") for e in entries)
    by_year = collections.Counter(str(e.get("date") or "?")[:4] for e in entries)
    print(f"sample: {len(entries)} posts ({reviews} labelled reviews, "
          f"{sum(1 for e in entries if not e.get('reviews'))} non-reviews) "
          f"from {len(by_channel)} channels/sites, years {dict(sorted(by_year.items()))}")
    print("channels: " + ", ".join(f"{c} {n}" for c, n in by_channel.most_common()))
    with tempfile.TemporaryDirectory() as tmp:
        from pathlib import Path

        scores = evaluate(Path(tmp), entries)
    print(f"{'mode':8} {'recall':>8} {'precision':>10} {'fields':>8}   counts")
    for m in MODES:
        s = scores[m]
        print(f"{m:8} {s.recall:8.1%} {s.precision:10.1%} {s.fields:8.1%}   "
              f"found {s.found}/{s.expected}, correct {s.correct}/{s.produced}, fields {s.passed}/{s.checks}")
    if args.failures:
        for m in MODES:
            for f in scores[m].failures:
                print(f"[{m}] {f}")
    if args.out_of_scope:
        from pathlib import Path

        import yaml
        from real_sample import FIXTURES

        extra = yaml.safe_load((FIXTURES.parent / "real_posts_out_of_scope.yaml").read_text(encoding="utf-8"))
        for k, e in enumerate(extra):
            e["file"], e["n"] = "out_of_scope", k
        with tempfile.TemporaryDirectory() as tmp:
            s = evaluate(Path(tmp), extra)["text"]
        print(f"out of scope ({len(extra)} pages, no target): recall {s.recall:.1%}, precision {s.precision:.1%}, "
              f"fields {s.fields:.1%}")


if __name__ == "__main__":
    main()
