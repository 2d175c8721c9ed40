"""Shared fixtures. The end-to-end fixture ingests the sample corpus once per session with the real embedder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"


@pytest.fixture(scope="session")
def corpus_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


class HashEmbedder:
    """Deterministic stand-in for tests of our own ingestion logic (not of retrieval quality)."""

    dimension = 32

    def __init__(self):
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_documents(self, texts, titles=None, show_progress=False):
        self.calls += 1
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text):
        return self._vector(text)


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def embedder():
    from embeddings.embedder import Embedder
    return Embedder()  # the real model; `make test` assembles its weights first


@pytest.fixture(scope="session")
def ingested_home(tmp_path_factory, embedder) -> Path:
    """A CHIDAO_HOME holding the sample corpus, embedded by the real model (about 2-3 minutes)."""
    from store.index import Store
    from store.ingest import ingest

    home = tmp_path_factory.mktemp("chidao-home")
    report = ingest([CORPUS], Store(home), lambda: embedder)
    assert sorted(report.added) == sorted(p.name for p in CORPUS.glob("*.txt"))
    return home


@pytest.fixture(scope="session")
def assistant(ingested_home, embedder):
    from assistant.service import Assistant
    from store.index import Store
    return Assistant(Store(ingested_home), embedder)


@pytest.fixture
def cli_env(ingested_home) -> dict[str, str]:
    env = dict(os.environ)
    env["CHIDAO_HOME"] = str(ingested_home)
    return env
