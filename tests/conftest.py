"""Shared fixtures. The end-to-end fixture ingests the sample corpus once per session with the real embedder."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import urllib.request
import uuid
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


def start_chroma(folder: Path, log=subprocess.DEVNULL) -> tuple[subprocess.Popen, str]:
    """A real Chroma server (`chroma run`, shipped with chromadb) on a free loopback port, once it answers."""
    from eval.load import free_port

    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chroma"),
            "run",
            "--path",
            str(folder),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).read()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.3)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """One Chroma server for the session's store tests."""
    folder = tmp_path_factory.mktemp("chroma-server")
    with (folder / "server.log").open("wb") as log:
        proc, url = start_chroma(folder / "data", log)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(params=["embedded", "chroma-server"])
def backend(request) -> dict:
    """Store arguments: embedded Chroma on disk, or a real Chroma server (one collection per test)."""
    if request.param == "embedded":
        return {"chroma_url": ""}
    return {"chroma_url": request.getfixturevalue("chroma_server"), "collection": f"t{uuid.uuid4().hex[:12]}"}


@pytest.fixture
def store(tmp_path, backend):
    from store.index import Store

    return Store(tmp_path / "home", **backend)


def reopen(store):
    """The same store as another process would open it."""
    from store.index import Store

    return Store(store.home, store.chroma_url, store.collection_name)


@pytest.fixture(scope="session")
def embedder():
    from assistant.app import load_embedder

    return load_embedder()  # the real model, as the settings name it; `make test` assembles its weights first


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
