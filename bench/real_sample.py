"""Accuracy of the post recognizer on the hand-labelled sample of real public posts (issue 16).

The sample (tests/fixtures/real_posts/*.yaml) is split by source into a training part and a test
part (tests/real_sample.py: a hash of the channel or site). Prints recall, precision and field
accuracy for the posts as copied (``text``) and wrapped as a Telegram Desktop export (``export``):

- on the training part (the weights were fitted there by bench/fit_recognizer.py);
- on the test part (never read while changing rules: only its figures are printed);
- by cross-validation grouped by source over the training part: the weights are refitted
  without each fold's sources and that fold is scored.

``--failures`` lists the TRAINING part's misses only; the test part's failures are never shown.

Usage: python bench/real_sample.py [--failures] [--no-cv] [--folds 5]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from real_sample import MODES, Score, evaluate, load_sample, source_key, split_sample


def _line(name: str, scores: dict[str, Score]) -> None:
    for m in MODES:
        s = scores[m]
        print(f"{name:6} {m:8} {s.recall:8.1%} {s.precision:10.1%} {s.fields:8.1%}   "
              f"found {s.found}/{s.expected}, correct {s.correct}/{s.produced}, fields {s.passed}/{s.checks}")


def grouped_cv(train: list[dict], folds: int, tmp: Path) -> dict[str, Score]:
    """Scores of each fold's entries under weights fitted without that fold's sources."""
    from fit_recognizer import fit, staged_posts
    from sklearn.model_selection import GroupKFold

    from reviews_cli.parsing.recognize import score

    groups = [source_key(e) for e in train]
    total = {m: Score() for m in MODES}
    saved = score.WEIGHTS
    try:
        for k, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(train, groups=groups)):
            data = fit(staged_posts([train[i] for i in tr], tmp))
            path = tmp / f"weights-{k}.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            score.WEIGHTS = path
            score.load.cache_clear()
            got = evaluate(tmp, [train[i] for i in te])
            for m in MODES:
                total[m].add(got[m])
    finally:
        score.WEIGHTS = saved
        score.load.cache_clear()
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--failures", action="store_true", help="list every miss of the TRAINING part")
    ap.add_argument("--no-cv", action="store_true", help="skip the grouped cross-validation")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    entries = load_sample()
    parts = split_sample(entries)
    reviews = sum(len(e.get("reviews") or []) for e in entries)
    sources = {source_key(e) for e in entries}
    by_year = collections.Counter(str(e.get("date") or "?")[:4] for e in entries)
    print(f"sample: {len(entries)} posts/pages ({reviews} labelled reviews, "
          f"{sum(1 for e in entries if not e.get('reviews'))} non-reviews) from {len(sources)} sources, "
          f"years {dict(sorted(by_year.items()))}")
    for name, part in parts.items():
        print(f"  {name}: {len(part)} entries from {len({source_key(e) for e in part})} sources, "
              f"{sum(len(e.get('reviews') or []) for e in part)} reviews, "
              f"{sum(1 for e in part if not e.get('reviews'))} non-reviews")
    print(f"{'part':6} {'mode':8} {'recall':>8} {'precision':>10} {'fields':>8}   counts")
    with tempfile.TemporaryDirectory() as tmp:
        train_scores = evaluate(Path(tmp), parts["train"])
        _line("train", train_scores)
        _line("test", evaluate(Path(tmp), parts["test"]))
        if not args.no_cv:
            try:
                import sklearn  # noqa: F401  (the fit's library: the dev extra only)
            except ImportError:
                print("cv     skipped: grouped cross-validation refits the weights and needs "
                      "pip install '.[dev]' (scikit-learn)")
            else:
                _line("cv", grouped_cv(parts["train"], args.folds, Path(tmp)))
    if args.failures:
        for m in MODES:
            for f in train_scores[m].failures:
                print(f"[train {m}] {f}")


if __name__ == "__main__":
    main()
