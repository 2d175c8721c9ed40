"""Per-row document metadata as numpy columns (what store/filters.py masks), and a fast top-k."""

from __future__ import annotations

import numpy as np


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the k highest scores, best first: O(n) to find them, then a sort of the k."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


class ChunkColumns:
    """The chunk metadata the filters read, as columns (assistant.retrieval masks them)."""

    def __init__(self, metadatas: list[dict]):
        self.metadatas = metadatas
        self.source = np.array([m["source"] for m in metadatas])
        self.kind = np.array([m["kind"] for m in metadatas])
        self.period_start = np.array([m["period_start"] for m in metadatas], dtype=np.int64)
        self.period_end = np.array([m["period_end"] for m in metadatas], dtype=np.int64)
