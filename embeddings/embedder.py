"""The embedder: EmbeddingGemma-300M through sentence-transformers, on the CPU.

Queries and documents get the model card's prompts; a document's section title goes into
its prompt (`title: <title> | text: `). Vectors are L2-normalised, so cosine = dot product.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from embeddings.weights import resolve_model

QUERY_PROMPT = "task: search result | query: "
DOCUMENT_PROMPT = "title: {title} | text: "


def cpu_has_bf16() -> bool:
    """bf16 matmuls are fast only where the CPU has AMX or AVX512-BF16 (2.7x fp32 here)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


class Embedder:
    """Loads the model once; `embed_query` is cached because staff repeat questions."""

    def __init__(
        self,
        model: str | None = None,
        dtype: str | None = None,
        batch_size: int = 16,
        max_seq_length: int = 512,
        query_cache_size: int | None = None,
    ):
        import torch
        from sentence_transformers import SentenceTransformer

        self.name = resolve_model(model)
        dtype = dtype or os.environ.get("CHIDAO_EMBED_DTYPE") or ("bfloat16" if cpu_has_bf16() else "float32")
        self.dtype = dtype
        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self.model = SentenceTransformer(
            self.name, device="cpu", model_kwargs={"torch_dtype": getattr(torch, dtype)}
        )
        # Sections are chunked below ~1,200 characters; 512 tokens covers them and bounds latency.
        self.model.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.dimension = self.model.get_embedding_dimension()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        # CHIDAO_QUERY_CACHE=0 turns it off (the load test's uncached run).
        self._cache_size = (
            query_cache_size
            if query_cache_size is not None
            else int(os.environ.get("CHIDAO_QUERY_CACHE", "1024"))
        )
        self._lock = threading.Lock()  # torch inference from several UI threads at once is slower, not faster

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
            vector = self.model.encode(
                [text], prompt=QUERY_PROMPT, normalize_embeddings=True, convert_to_numpy=True
            )[0].astype(np.float32)
            if self._cache_size > 0:
                self._cache[text] = vector
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return vector

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def embed_documents(
        self, texts: Sequence[str], titles: Sequence[str | None] | None = None, show_progress: bool = False
    ) -> np.ndarray:
        """Embed passages; each may carry a title for the document prompt."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        titles = titles or [None] * len(texts)
        inputs = [
            DOCUMENT_PROMPT.format(title=(t or "none").replace("|", "/")) + x for t, x in zip(titles, texts)
        ]
        with self._lock:
            # prompt="" keeps sentence-transformers from adding a second prompt; ours is inline.
            vectors = self.model.encode(
                inputs,
                prompt="",
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        return np.asarray(vectors, dtype=np.float32)
