"""The lexical backend: BM25 (bm25s) over the chunks in force, saved per manifest fingerprint."""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import TYPE_CHECKING

import numpy as np

from store import files
from store.columns import ChunkColumns, top_rows
from store.vietnamese import lexical_tokens

if TYPE_CHECKING:
    from store.index import Store


class LexicalIndex(ChunkColumns):
    """BM25 (bm25s) over folded syllables and bigrams of each chunk and its section title."""

    def __init__(self, retriever, ids: list[str], metadatas: list[dict], fingerprint: str):
        super().__init__(metadatas)
        self.retriever = retriever
        self.ids = ids
        self.fingerprint = fingerprint
        self.vocab = retriever.vocab_dict if retriever is not None else {}

    @classmethod
    def load_or_build(cls, store: Store) -> LexicalIndex:
        """Load the index saved for the manifest in force, or build and save it.

        One folder per manifest fingerprint, written aside and renamed into place: a reader (or a
        second serve worker) never sees a half-written index, and a killed build leaves only a
        temporary folder that the next build ignores.
        """
        import bm25s

        fingerprint = store.manifest().fingerprint()
        root = store.home / "lexical"
        folder = root / fingerprint
        if (folder / "chunks.json").exists():
            saved = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
            retriever = bm25s.BM25.load(str(folder), show_progress=False) if saved["ids"] else None
            return cls(retriever, saved["ids"], saved["metadatas"], fingerprint)
        in_force = set(store.versions())
        ids, texts, metadatas = [], [], []
        for i, m, d in store.chunk_metadata(documents=True):
            if (
                m["version"] in in_force
            ):  # filtered here: a where-clause of every version exceeds SQLite's limit
                ids.append(i)
                texts.append(d)
                metadatas.append(m)
        retriever = None
        tmp = root / f".tmp-{fingerprint}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if ids:
            retriever = bm25s.BM25()
            retriever.index(
                [lexical_tokens(m["title"] + "\n" + d) for d, m in zip(texts, metadatas)], show_progress=False
            )
            retriever.save(str(tmp), show_progress=False)
        files.atomic_write(
            tmp / "chunks.json",
            json.dumps({"fingerprint": fingerprint, "ids": ids, "metadatas": metadatas}, ensure_ascii=False),
        )
        try:
            tmp.rename(folder)
        except OSError:  # another process saved the same index first
            shutil.rmtree(tmp, ignore_errors=True)
        for old in root.iterdir():  # indexes of earlier manifests, and builds killed long ago
            building = old.name.startswith(".tmp-") and time.time() - old.stat().st_mtime < 600
            if old.name != fingerprint and not building:
                shutil.rmtree(old, ignore_errors=True)
        return cls(retriever, ids, metadatas, fingerprint)

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        tokens = [t for t in tokens if t in self.vocab]
        if self.retriever is None or not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        return [(self.ids[i], float(scores[i])) for i in top_rows(scores, k) if scores[i] > 0]
