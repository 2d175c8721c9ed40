"""Questions through ONNX Runtime against torch, side by side: `python -m eval.query_backends`.

One `Embedder` per backend (query cache off): load and first question, the first 60 gold questions
one at a time, then 8 in one pass, and the cosine of the two backends' vectors.
"""

from __future__ import annotations

import json
import time

import numpy as np

from embeddings.embedder import Embedder
from eval import GOLD


def main(count: int = 60) -> None:
    questions = [json.loads(line)["question"] for line in GOLD.read_text(encoding="utf-8").splitlines()][
        :count
    ]
    vectors = {}
    for backend in ("onnx", "torch"):
        t = time.perf_counter()
        embedder = Embedder(query_backend=backend, query_cache_size=0)
        embedder.embed_query("warm")
        load = time.perf_counter() - t
        t = time.perf_counter()
        vectors[backend] = np.stack([embedder.embed_query(q) for q in questions])
        single = (time.perf_counter() - t) / len(questions) * 1000
        t = time.perf_counter()
        embedder.queries._encode(questions[:8])
        eight = (time.perf_counter() - t) * 1000
        print(
            f"{backend}: load + first {load:.1f} s, one at a time {single:.0f} ms, 8 in one pass {eight:.0f} ms"
        )
    print("cosine min", float(np.min(np.sum(vectors["onnx"] * vectors["torch"], axis=1))))


if __name__ == "__main__":
    main()
