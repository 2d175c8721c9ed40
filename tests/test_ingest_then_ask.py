"""A document added in this process is found by the next question in this process, as after an upload
in the chat. Real embedder and embedded Chroma: the failure this guards against lived in Chroma's HNSW
graph (vectors added by a client were, about one run in three, unreachable for that client's queries),
so it cannot be seen with hash vectors. Repeated, because it did not happen every time."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.test_security import INJECTION

# The text that showed it: the planted document of test_security (4 chunks, close to each other).
ADDED = "huong_dan_he_thong.txt"
TEXT = INJECTION
QUESTION = "Hướng dẫn xử lý văn bản đến của hệ thống nói gì?"


def exact_nearest(store, vector, k: int) -> list[tuple[str, int]]:
    """(section, start) of the k stored chunks nearest to `vector`, by cosine over every stored vector."""
    got = store.collection.get(include=["embeddings", "metadatas"])
    vectors = np.asarray(got["embeddings"])
    cosine = vectors @ vector / np.linalg.norm(vectors, axis=1) / np.linalg.norm(vector)
    return [
        (got["metadatas"][i]["section_id"], got["metadatas"][i]["chunk_start"])
        for i in np.argsort(-cosine)[:k]
    ]


@pytest.mark.parametrize("attempt", range(8))
def test_a_document_just_ingested_answers_the_next_question(attempt, tmp_path, ingested_home, embedder):
    from assistant.retrieval import Asked
    from assistant.service import Assistant
    from store.index import Store
    from store.ingest import ingest

    home = tmp_path / "home"
    shutil.copytree(ingested_home, home)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / ADDED).write_text(TEXT, encoding="utf-8")
    writer = Store(home, chroma_url="")
    assert ingest([folder], writer, lambda: embedder).added == [ADDED]

    vector = embedder.embed_query(QUESTION)
    for store in (writer, Store(home, chroma_url="")):  # the Store that wrote, and one opened after
        dense = Assistant(store, embedder).retriever.retriever("dense").search(Asked(None, vector), None, 5)
        assert [(f.section_id, f.start) for f in dense] == exact_nearest(store, vector, 5)
    answer = Assistant(writer, embedder).ask(QUESTION)
    assert not answer.abstained and {c.source for c in answer.citations} == {ADDED}
