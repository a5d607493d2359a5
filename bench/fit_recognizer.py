"""Fit the recognizer's weights (issue 16 point 2) on the TRAINING part of the labelled sample.

What it does:

1. Every training entry (tests/fixtures/real_posts/*.yaml, split by source in tests/real_sample.py)
   is read as the file a user would give (same containers as ``reviews parse``); each post that
   reaches the whole-post stage (no headed section) yields the post's features and, for each
   title candidate, the candidate's features. Labels: a post is a review when one of its entry's
   labelled reviews is in it (its arXiv id or title occurs in the post); a candidate is right
   when it matches a labelled title the way tests/real_sample.py scores titles.
2. Two logistic regressions (scikit-learn, the ``dev`` extra): candidates (which one names the
   paper) and posts (is it a review), the post model seeing the best candidate's score. The
   post threshold maximizes F1 over out-of-fold predictions of a cross-validation grouped by
   source (the post model's regularization C too); the candidate threshold maximizes right titles (a post whose paper is named only by
   its link wants no candidate, so ``arXiv:<id>``).
3. Layout: the posts of each source form one dump; with the first fit, the layout its confident
   reviews teach is applied (reviews_cli/parsing/recognize/layout.py) and both models are
   fitted again with the layout features set.
4. Writes reviews_cli/parsing/recognize/weights.json, the one data file the runtime reads (dot
   product and sigmoid; no scikit-learn at run time).

Usage: python bench/fit_recognizer.py [--out PATH] [--C C]
Test figures are printed by bench/real_sample.py (never used here).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # before bench/: tests/real_sample.py is the module meant

from real_sample import load_sample, norm_title, source_key, split_sample  # noqa: E402

from reviews_cli.parsing.recognize.evidence import CANDIDATE_FEATURES, POST_FEATURES  # noqa: E402

WEIGHTS = ROOT / "reviews_cli" / "parsing" / "recognize" / "weights.json"


def _title_match(a: str, b: str) -> bool:
    a, b = norm_title(a), norm_title(b)
    return bool(a) and (a == b or (len(a) > 12 and (a in b or b in a) and min(len(a), len(b)) > 0.6 * max(len(a), len(b))))


def staged_posts(entries: list[dict], tmp: Path) -> list[dict]:
    """Every post of every entry as the containers cut it, staged (weights-independent):
    ``{'entry', 'source', 'stage', 'label', 'titles', 'arxiv'}``."""
    from reviews_cli.errors import DumpError
    from reviews_cli.parsing import open_dump
    from reviews_cli.parsing.common import Skipped
    from reviews_cli.parsing.recognize import stage

    out = []
    for k, e in enumerate(entries):
        path = tmp / f"fit-{k}.txt"
        path.write_text(e["text"], encoding="utf-8")
        try:
            posts = [p for p in open_dump(path).posts if not isinstance(p, Skipped)]
        except DumpError:
            continue
        exp = e.get("reviews") or []
        for p in posts:
            folded = norm_title(p.text)
            mine = [r for r in exp if (r.get("arxiv_id") and str(r["arxiv_id"]) in p.text)
                    or (r.get("title") and norm_title(r["title"]) in folded)]
            if len(posts) == 1:
                mine = exp
            out.append({"entry": e, "source": source_key(e), "stage": stage(p), "label": bool(mine),
                        "titles": [r["title"] for r in mine if r.get("title")],
                        "arxiv_only": bool(mine) and all(not r.get("title") for r in mine)})
    return out


def _rows(posts: list[dict]) -> tuple[list, list, list, list, list, list]:
    """Feature rows: candidates (X, y, group) of review posts, posts (X, y, group)."""
    cx, cy, cg, px, py, pg = [], [], [], [], [], []
    for p in posts:
        a = p["stage"].analysis
        if a is None or a.roundup:
            continue
        for c, f in zip(a.candidates, a.cand_features):
            if p["label"]:
                cx.append([f.get(n, 0.0) for n in CANDIDATE_FEATURES])
                cy.append(int(any(_title_match(t, c.text) for t in p["titles"])))
                cg.append(p["source"])
        px.append(p)
        py.append(int(p["label"]))
        pg.append(p["source"])
    return cx, cy, cg, px, py, pg


def _post_vector(p: dict, cand_model) -> list[float]:
    a = p["stage"].analysis
    feats = dict(a.features)
    if a.cand_features:
        scores = [cand_model.probability(f) for f in a.cand_features]
        k = max(range(len(scores)), key=lambda i: (scores[i], -i))
        feats["title_score"] = scores[k]
        feats["title_paper_like"] = a.cand_features[k].get("paper_like", 0.0)
    return [feats.get(n, 0.0) for n in POST_FEATURES]


def _logreg(x, y, C: float):
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    m.fit(x, y)
    return m


def _as_model(m, names, threshold: float):
    from reviews_cli.parsing.recognize.score import Model

    return Model(float(m.intercept_[0]), {n: round(float(w), 4) for n, w in zip(names, m.coef_[0])}, threshold)


def _best_f1_threshold(probs: list[float], y: list[int]) -> float:
    best, best_t = -1.0, 0.5
    for t in [x / 100 for x in range(20, 91)]:
        tp = sum(1 for p, lab in zip(probs, y) if p >= t and lab)
        fp = sum(1 for p, lab in zip(probs, y) if p >= t and not lab)
        fn = sum(1 for p, lab in zip(probs, y) if p < t and lab)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best + 1e-9 or (abs(f1 - best) < 1e-9 and abs(t - 0.5) < abs(best_t - 0.5)):
            best, best_t = f1, t
    return best_t


def _cand_threshold(posts: list[dict], cand_model) -> float:
    best, best_t = -1, 0.5
    for t in [x / 100 for x in range(5, 91, 5)]:
        right = 0
        for p in posts:
            a = p["stage"].analysis
            if not p["label"] or a is None or a.roundup:
                continue
            scored = sorted(((cand_model.probability(f), -k, k) for k, f in enumerate(a.cand_features)), reverse=True)
            if scored and scored[0][0] >= t:
                right += any(_title_match(tt, a.candidates[scored[0][2]].text) for tt in p["titles"])
            else:
                right += p["arxiv_only"]
        if right > best:
            best, best_t = right, t
    return best_t


def _f1(probs: list[float], y: list[int], t: float) -> float:
    tp = sum(1 for p, lab in zip(probs, y) if p >= t and lab)
    fp = sum(1 for p, lab in zip(probs, y) if p >= t and not lab)
    fn = sum(1 for p, lab in zip(probs, y) if p < t and lab)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _oof(xs: list, y: list[int], groups: list[str], C: float, folds: int) -> list[float]:
    """Out-of-fold probabilities of a post model, folds grouped by source."""
    from sklearn.model_selection import GroupKFold

    oof = [0.0] * len(xs)
    for tr, te in GroupKFold(n_splits=min(folds, len(set(groups)))).split(xs, y, groups):
        if len({y[i] for i in tr}) < 2:
            continue
        m = _logreg([xs[i] for i in tr], [y[i] for i in tr], C)
        for i, pr in zip(te, m.predict_proba([xs[i] for i in te])[:, 1]):
            oof[i] = float(pr)
    return oof


def fit(posts: list[dict], C: float = 1.0, folds: int = 5, fixed_c: bool = False) -> dict:
    """The weights file's content fitted on ``posts`` (see the module docstring)."""
    from reviews_cli.parsing.recognize import layout as lay
    from reviews_cli.parsing.recognize import verdict
    from reviews_cli.parsing.recognize.whole import decide

    for rnd in range(2):
        cx, cy, _, px, py, pg = _rows(posts)
        cm = _as_model(_logreg(cx, cy, C), CANDIDATE_FEATURES, 0.5)
        ct = _cand_threshold(posts, cm)
        cm = type(cm)(cm.bias, cm.weights, ct)
        xs = [_post_vector(p, cm) for p in px]
        # C and the threshold from out-of-fold probabilities, folds grouped by source
        best = (-1.0, C, 0.5)
        for c in ([C] if fixed_c else [0.1, 0.3, 1.0, 3.0, 10.0]):
            oof = _oof(xs, py, pg, c, folds)
            t = _best_f1_threshold(oof, py)
            f1 = _f1(oof, py, t)
            if f1 > best[0] + 1e-9:
                best = (f1, c, t)
        _, c_post, threshold = best
        pm_fit = _logreg(xs, py, c_post)
        pm = _as_model(pm_fit, POST_FEATURES, threshold)
        if rnd == 1:
            break
        # layout: each source's posts are one dump; learn from the first fit, then refit
        by_source: dict[str, list[dict]] = {}
        for p in posts:
            by_source.setdefault(p["source"], []).append(p)
        for group in by_source.values():
            pairs = []
            for p in group:
                st = p["stage"]
                v = decide(st.analysis, pm, cm) if st.analysis is not None else verdict(st)
                pairs.append((st.analysis, v, st.title_rank))
            layout = lay.learn(pairs)
            for p in group:
                a = p["stage"].analysis
                if a is not None and not a.roundup:
                    lay.apply(layout, a)
    return {
        "post": {"bias": round(pm.bias, 4), "weights": pm.weights, "threshold": pm.threshold},
        "candidate": {"bias": round(cm.bias, 4), "weights": cm.weights, "threshold": cm.threshold},
        "fitted": {"by": "bench/fit_recognizer.py", "posts": len(px), "reviews": sum(py),
                   "candidates": len(cx), "right_candidates": sum(cy), "sources": len(set(pg)), "C_candidate": C, "C_post": c_post},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(WEIGHTS))
    ap.add_argument("--C", type=float, default=None,
                    help="inverse regularization strength of the post model (default: chosen by grouped CV)")
    args = ap.parse_args()
    train = split_sample(load_sample())["train"]
    with tempfile.TemporaryDirectory() as tmp:
        posts = staged_posts(train, Path(tmp))
    data = fit(posts, args.C or 1.0, fixed_c=args.C is not None)
    Path(args.out).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    f = data["fitted"]
    print(f"fitted on {len(train)} training entries: {f['posts']} whole posts ({f['reviews']} reviews) from "
          f"{f['sources']} sources, {f['candidates']} title candidates ({f['right_candidates']} right); "
          f"post threshold {data['post']['threshold']}, candidate threshold {data['candidate']['threshold']}")
    top = sorted(data["post"]["weights"].items(), key=lambda x: -abs(x[1]))[:10]
    print("post weights (largest): " + ", ".join(f"{n} {w:+.2f}" for n, w in top))
    print(f"wrote {os.path.relpath(args.out)}")


if __name__ == "__main__":
    main()
