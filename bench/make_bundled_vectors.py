"""Make ``data/vectors.npz``: the bundled corpus's chunk vectors (and those of
``hybrid.NULL_PASSAGES``), shipped in the package so a new
user's first search by meaning needs no embedding (``vectors.import_bundled`` copies them in when
the model stamp and each record's text hash match; a stale entry is simply not used).

Run after changing the bundled dumps, the chunking rule or the model:

    python bench/make_bundled_vectors.py          # needs the [semantic] extra
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from reviews_cli.library import Library, vectors
from reviews_cli.library.embedder import load, model_stamp
from reviews_cli.search.hybrid import NULL_PASSAGES


def main() -> None:
    emb = load()
    stamp = model_stamp(emb)
    out = os.path.join(os.path.dirname(__file__), "..", "data", vectors.BUNDLED_FILE)
    with tempfile.TemporaryDirectory() as home, Library.open(home) as lib:
        t0 = time.perf_counter()
        vectors.ensure_tables(lib.conn)
        todo, total = vectors.plan(lib.conn, stamp)  # nothing imported: every record embedded here
        hashes, counts, scales, rows = [], [], [], []
        for p in todo:
            m = emb.embed_passages(p.texts)
            s, v = vectors.quantize(m)
            hashes.append(p.hash)
            counts.append(len(p.texts))
            scales.append(np.frombuffer(s, np.float32))
            rows.append(np.frombuffer(v, np.int8).reshape(len(p.texts), emb.dim))
        fixed = list(NULL_PASSAGES)
        fs, fv = vectors.quantize(emb.embed_passages(fixed))
        np.savez_compressed(out, model=np.array(stamp), hashes=np.array(hashes), counts=np.array(counts, np.int32),
                            scales=np.concatenate(scales), vecs=np.concatenate(rows),
                            fixed_hash=np.array("fixed:" + vectors.text_hash(fixed)),
                            fixed_scales=np.frombuffer(fs, np.float32),
                            fixed_vecs=np.frombuffer(fv, np.int8).reshape(len(fixed), emb.dim))
        print(f"{len(hashes)} of {total} records, {sum(counts)} chunks, model {stamp}: "
              f"{os.path.getsize(out) / 1024:.0f} KiB in {time.perf_counter() - t0:.1f} s -> {os.path.relpath(out)}")


if __name__ == "__main__":
    main()
