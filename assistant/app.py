"""The one place that builds the application from settings: store, embedder, assistant.

The CLI, the UI's server, eval and bench all start here, so "open the store, load the embedder,
ingest the sample corpus if the store is empty, build the Assistant" is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.service import Assistant
from embeddings.embedder import Embedder, TextEmbedder
from store.index import Store
from store.settings import Settings, settings


@dataclass
class App:
    settings: Settings
    store: Store
    embedder: TextEmbedder
    assistant: Assistant


def open_store(s: Settings | None = None) -> Store:
    """The store the settings name (CHIDAO_HOME, CHIDAO_CHROMA_URL, CHIDAO_COLLECTION)."""
    s = s or settings()
    return Store(s.home, chroma_url=s.chroma_url or "", collection=s.collection)


def load_embedder(s: Settings | None = None) -> Embedder:
    """The embedder the settings name (CHIDAO_EMBED_MODEL, _EMBED_DTYPE, _EMBED_QUERY_BACKEND, _MODELS,
    _QUERY_CACHE)."""
    s = s or settings()
    return Embedder(
        s.embed_model,
        s.embed_dtype,
        query_cache_size=s.query_cache,
        models_dir=s.models,
        query_backend=s.embed_query_backend,
    )


def build(
    s: Settings | None = None,
    *,
    store: Store | None = None,
    embedder: TextEmbedder | None = None,
    if_empty: Callable[[Store, TextEmbedder], object] | None = None,
) -> App:
    """The application. `if_empty(store, embedder)` runs when no document is ingested yet (the CLI
    ingests the sample corpus there, with its progress bar); a given store or embedder is used as is."""
    s = s or settings()
    store = store or open_store(s)
    model: TextEmbedder = embedder or load_embedder(s)
    if if_empty is not None and not store.manifest().documents:
        if_empty(store, model)
    return App(s, store, model, Assistant(store, model))
