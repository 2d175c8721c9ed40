"""The embedder: EmbeddingGemma-300M through sentence-transformers, on the CPU.

Queries and documents get the prompts of the model's own configuration (`config_sentence_transformers.json`:
`query`, `document`), so another model named by CHIDAO_EMBED_MODEL brings its own. The one override is
EmbeddingGemma's title slot: its document prompt `title: none | text: ` takes a section title in place
of `none`, as its model card allows. Vectors are L2-normalised, so cosine = dot product.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from embeddings.batching import MicroBatcher
from embeddings.onnx_query import OnnxQueryEncoder
from embeddings.onnx_query import export_path as onnx_export_path
from embeddings.weights import DERIVED_SUMS, resolve_model

TITLE_SLOT = "title: none |"  # EmbeddingGemma's document prompt; "none" is where a title goes


@runtime_checkable
class TextEmbedder(Protocol):
    """What the store and the assistant need of an embedder (the real one, or a test's stand-in)."""

    dimension: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(
        self, texts: Sequence[str], titles: Sequence[str | None] | None = None, show_progress: bool = False
    ) -> np.ndarray: ...


def cpu_has_bf16() -> bool:
    """bf16 matmuls are fast only where the CPU has AMX or AVX512-BF16 (2.7x fp32 here)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def default_dtype() -> str:
    return "bfloat16" if cpu_has_bf16() else "float32"


class Embedder:
    """Loads the model once; `embed_query` is cached because staff repeat questions.

    `model`: a folder or hub id (default: the verified weights under `models_dir`); `dtype`: float32
    or bfloat16 (default by the CPU's flags); `query_cache_size`: 0 turns the cache off (the load
    test's uncached run). The settings (CHIDAO_EMBED_*, CHIDAO_MODELS, CHIDAO_QUERY_CACHE) reach here
    through `assistant.app.load_embedder`.
    """

    def __init__(
        self,
        model: str | None = None,
        dtype: str | None = None,
        batch_size: int = 16,
        max_seq_length: int = 512,
        query_cache_size: int = 1024,
        models_dir: Path | None = None,
        query_backend: str = "auto",
    ):
        self.dtype = dtype or default_dtype()
        self.name = resolve_model(model, models_dir, self.dtype)
        # Sections are chunked below ~1,200 characters; 512 tokens covers them and bounds latency.
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self._model = None
        self._model_lock = threading.Lock()
        self.onnx: OnnxQueryEncoder | None = None
        if query_backend not in ("auto", "torch", "onnx"):
            raise ValueError(f"query_backend must be auto, torch or onnx, not {query_backend!r}")
        if query_backend == "onnx" or (query_backend == "auto" and self._onnx_matches()):
            # fp32 questions through ONNX Runtime: torch is imported only when documents are embedded
            self.onnx = OnnxQueryEncoder(onnx_export_path(Path(self.name)), max_seq_length)
            self.dimension: int = self.onnx.dimension
            prompts = self.onnx.prompts
        else:
            self.dimension = self.model.get_embedding_dimension() or 0
            prompts = self.model.prompts or {}
        self.query_backend = "onnx" if self.onnx else "torch"
        self.query_prompt: str = prompts.get("query") or ""
        self.document_prompt: str = prompts.get("document") or ""
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = query_cache_size
        self._cache_lock = threading.Lock()
        self._lock = threading.Lock()  # torch inference from several UI threads at once is slower, not faster
        self.queries = MicroBatcher(self._encode_queries)  # questions asked together: one forward pass

    def _onnx_matches(self) -> bool:
        """ONNX by default only where it gives torch's vectors: fp32 (no fast bf16 on this CPU) and an
        export made by `chidao models fetch` beside the weights."""
        return self.dtype == "float32" and (onnx_export_path(Path(self.name)) / DERIVED_SUMS).is_file()

    @property
    def model(self):  # noqa: ANN201 - a SentenceTransformer; typed loosely so that importing this stays light
        """sentence-transformers, loaded on first use (at once when questions go through torch)."""
        with self._model_lock:
            if self._model is None:
                import torch
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(max(1, os.cpu_count() or 1))
                model = SentenceTransformer(
                    self.name, device="cpu", model_kwargs={"torch_dtype": getattr(torch, self.dtype)}
                )
                model.max_seq_length = self.max_seq_length
                self._model = model
            return self._model

    def document_input(self, text: str, title: str | None) -> str:
        """The passage as the model reads it: its document prompt, the title in EmbeddingGemma's slot."""
        prompt = self.document_prompt
        if title and TITLE_SLOT in prompt:
            prompt = prompt.replace(TITLE_SLOT, f"title: {title.replace('|', '/')} |", 1)
        return prompt + text

    def embed_query(self, text: str) -> np.ndarray:
        with self._cache_lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vector = self.queries(text)
        if self._cache_size > 0:
            with self._cache_lock:
                self._cache[text] = vector
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vector

    def _encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self.onnx is not None:
            return self.onnx.encode([self.query_prompt + t for t in texts])
        with self._lock:
            vectors = self.model.encode(
                list(texts), prompt=self.query_prompt, normalize_embeddings=True, convert_to_numpy=True
            )
        return np.asarray(vectors, dtype=np.float32)

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def embed_documents(
        self, texts: Sequence[str], titles: Sequence[str | None] | None = None, show_progress: bool = False
    ) -> np.ndarray:
        """Embed passages; each may carry a title for the document prompt. A passage given twice (a
        one-sentence section is its own chunk and its own answer unit) is embedded once."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        titles = titles or [None] * len(texts)
        inputs = [self.document_input(x, t) for t, x in zip(titles, texts)]
        unique = list(dict.fromkeys(inputs))
        with self._lock:
            # prompt="" keeps sentence-transformers from adding a second prompt; ours is inline.
            vectors = self.model.encode(
                unique,
                prompt="",
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        row = {x: i for i, x in enumerate(unique)}
        return np.asarray(vectors, dtype=np.float32)[[row[x] for x in inputs]]
