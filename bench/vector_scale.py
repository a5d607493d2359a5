"""Search by meaning at scale: the median whole-process time of a hybrid search that needs the
vectors (a paraphrase: no review has all its words) and of a semantic search, on a library of
N synthetic reviews (default 20,000, gen_corpus.py) whose vectors are synthetic unit vectors
(3 chunks a review, stored as `reviews embed` stores them), next to the same searches on the
bundled library. Target: at most 2x. Needs the [semantic] extra.

Usage: python bench/vector_scale.py [--n 20000] [--runs 7]
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
QUERIES = [
    ("hybrid", ["BERT trained longer, with bigger batches and without next-sentence prediction"]),
    ("semantic", ["--mode", "semantic", "когда мозг перестаёт осознавать то, что видит"]),
]
CHUNKS_PER_REVIEW = 3


def fill_vectors(home: str) -> int:
    """Store synthetic unit vectors for every record without any, under the installed model's
    stamp (so searches use them). Returns the number of records filled."""
    import numpy as np

    from reviews_cli.library import Library, vectors
    from reviews_cli.library.embedder import installed_stamp
    from reviews_cli.library.store import transaction

    stamp = installed_stamp()
    assert stamp
    rng = np.random.default_rng(0)
    with Library.open(home) as lib:
        vectors.ensure_tables(lib.conn)
        ids = [i for (i,) in lib.conn.execute("SELECT id FROM reviews WHERE id NOT IN (SELECT id FROM vec_docs)")]
        with transaction(lib.conn):
            for k, rid in enumerate(ids):
                m = rng.standard_normal((CHUNKS_PER_REVIEW, 384)).astype(np.float32)
                m /= np.linalg.norm(m, axis=1, keepdims=True)
                scales, vecs = vectors.quantize(m)
                h = f"synthetic-{k}"
                lib.conn.execute("INSERT OR REPLACE INTO vec_blobs VALUES(?,?,?,?,?)",
                                 (stamp, h, CHUNKS_PER_REVIEW, scales, vecs))
                lib.conn.execute("INSERT OR REPLACE INTO vec_docs VALUES(?,?,?)", (rid, stamp, h))
        return len(ids)


def timed(args: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(["reviews", "search", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus")
        subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {HERE!r}); import gen_corpus; "
                        f"gen_corpus.generate({args.n}, {corpus!r})"], check=True)
        small = dict(os.environ, REVIEWS_HOME=os.path.join(tmp, "small"))
        big = dict(os.environ, REVIEWS_HOME=os.path.join(tmp, "big"))
        t0 = time.perf_counter()
        subprocess.run(["reviews", "add", "--no-embed", corpus], env=big, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for env in (small, big):  # the bundled vectors come in with the first search by meaning
            subprocess.run(["reviews", "search", "--mode", "semantic", "warm up"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        filled = fill_vectors(big["REVIEWS_HOME"])
        print(f"library of {args.n} synthetic reviews + the bundled ones, {filled} given synthetic vectors "
              f"({filled * CHUNKS_PER_REVIEW} chunks), built in {time.perf_counter() - t0:.0f} s")
        for name, q in QUERIES:
            a = [timed(q, small, 1) for _ in range(1)]  # warm both
            timed(q, big, 1)
            s, b = [], []
            for _ in range(args.runs):  # side by side, so machine load hits both alike
                s.append(timed(q, small, 1))
                b.append(timed(q, big, 1))
            ms, mb = statistics.median(s), statistics.median(b)
            print(f"{name:9} search: bundled {ms * 1000:.0f} ms, {args.n} reviews {mb * 1000:.0f} ms: "
                  f"{mb / ms:.2f}x (target <= 2x)")
            del a


if __name__ == "__main__":
    main()
