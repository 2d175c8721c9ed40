"""Hybrid retrieval: dense chunks (exactly over the vectors embedded Chroma holds, or a Chroma server's
index) + dense answer units + BM25 (folded syllables and bigrams) + exact document numbers, and for a
follow-up the sections the turn before was answered from.

Each retriever ranks chunks or units; they are grouped into their sections (the best one counts)
and the section rankings are fused by weighted reciprocal rank. Filters go into every
retriever's search, so a filtered question still gets its full top k.
"""

from __future__ import annotations

import numpy as np

from assistant.models import Filters, Hit, Query
from store.index import Store, doc_number_index
from store.sectioning import SIGNATURE
from store.vietnamese import fold, leading_number

RRF_K = 60
WEIGHTS = {"dense": 1.0, "units": 1.0, "lexical": 0.7, "number": 2.0, "context": 1.0}
CANDIDATES = 40  # chunks taken from each retriever before grouping


class Retriever:
    def __init__(self, store: Store, embedder):
        self.store = store
        self.embedder = embedder

    # ---- filters (store/filters.py translates them for each index) -----------------------
    def _mask(self, index, filters: Filters | None) -> np.ndarray | None:
        """The rows of a chunk, lexical or unit index that the filters allow."""
        return filters.mask(index, self.store.manifest().documents) if filters else None

    def _allowed(self, section, filters: Filters | None) -> bool:
        if not filters:
            return True
        record = self.store.manifest().documents.get(section.source)
        return record is not None and filters.matches(record)

    # ---- the three retrievers ---------------------------------------------------------
    def dense(
        self, vector: np.ndarray, filters: Filters | None, n: int = CANDIDATES
    ) -> list[tuple[str, float, int, int]]:
        """(section_id, cosine, chunk start, chunk end) per chunk, best first."""
        total = self.store.count_chunks()
        if total == 0:
            return []
        if not self.store.chroma_url:  # embedded: exact, not the HNSW graph (see store.index.ChunkIndex)
            index = self.store.chunk_vectors()
            return [
                (m["section_id"], cosine, m["chunk_start"], m["chunk_start"] + length)
                for m, cosine, length in index.search(vector, n, self._mask(index, filters))
            ]
        # Versions not in force exist only while an ingest runs; they are dropped after the query
        # rather than filtered in it (an $in over every document's version is a scan at scale).
        in_force = set(self.store.versions())
        return [
            (m["section_id"], 1.0 - d, m["chunk_start"], m["chunk_start"] + len(doc))
            for m, d, doc in self.store.query_chunks(vector, min(n + 10, total), filters)
            if m["version"] in in_force
        ][:n]

    def units(
        self,
        vector: np.ndarray,
        filters: Filters | None,
        n: int = CANDIDATES,
        scores: np.ndarray | None = None,
    ) -> list[tuple[str, float]]:
        """Sections ranked by their closest answer unit: a fact inside a long section is found by
        the sentence that states it, not by the section's average. `scores`: the question's unit
        cosines when the caller has them already."""
        index = self.store.units()
        if scores is None or len(scores) != len(index.units):
            scores = index.scores(vector)
        return index.search(scores, n, self._mask(index, filters))

    def lexical(self, query: Query, filters: Filters | None, n: int = CANDIDATES) -> list[tuple[str, float]]:
        index = self.store.lexical()
        hits = index.search(query.tokens, n, self._mask(index, filters))
        meta = dict(zip(index.ids, index.metadatas))
        return [(meta[chunk_id]["section_id"], score) for chunk_id, score in hits]

    def numbers(self, query: Query, filters: Filters | None) -> list[str]:
        """Sections naming a document number of the query: those about it first, then mentions."""
        if not query.doc_number_keys and not query.bare_numbers:
            return []
        sections = self.store.sections()
        index = self.store.derived("doc_numbers", lambda: doc_number_index(sections))
        keys = list(query.doc_number_keys)
        for bare in query.bare_numbers:  # "quyết định 2230" → every number 2230/…
            keys += [k for k in index if leading_number(k) == bare]
        found: list[str] = []
        for key in keys:
            found += [sid for sid in index.get(key, []) if sid not in found]
        found = [sid for sid in found if self._allowed(sections[sid], filters)]

        def is_instrument(sid: str) -> bool:
            s = sections[sid]
            return bool(s.instrument) and any(fold(s.instrument).replace(" ", "") == k for k in keys)

        def of_asked_time(sid: str) -> bool:
            """Issued in a period the question names: "240/KH-UBND năm 2023" is the plan of 2023, not
            the plan of 2024 that has the same number."""
            issued = sections[sid].instrument_date
            return bool(issued) and any(a <= issued <= b for a, b in query.periods)

        # stable: document order within a tier
        return sorted(
            found,
            key=lambda sid: (
                not is_instrument(sid),
                is_instrument(sid) and bool(query.periods) and not of_asked_time(sid),
            ),
        )

    # ---- fusion -------------------------------------------------------------------
    def search(
        self,
        query: Query,
        vector: np.ndarray,
        k: int = 5,
        filters: Filters | None = None,
        unit_scores: np.ndarray | None = None,
    ) -> list[Hit]:
        sections = self.store.sections()
        fused: dict[str, float] = {}
        best: dict[str, Hit] = {}

        def hit(sid: str) -> Hit:
            if sid not in best:
                best[sid] = Hit(section=sections[sid], score=0.0)
            return best[sid]

        seen: set[str] = set()
        for sid, cosine, start, end in self.dense(vector, filters):
            if sid not in sections:
                continue
            h = hit(sid)
            if cosine > h.dense:
                h.dense, h.best_chunk_start, h.best_chunk_end = cosine, start, end
            if sid not in seen:
                seen.add(sid)
                fused[sid] = fused.get(sid, 0.0) + WEIGHTS["dense"] / (RRF_K + len(seen))
        seen = set()
        for sid, cosine in self.units(vector, filters, scores=unit_scores):
            if sid not in sections:
                continue
            seen.add(sid)
            hit(sid).unit_dense = cosine
            fused[sid] = fused.get(sid, 0.0) + WEIGHTS["units"] / (RRF_K + len(seen))
        seen = set()
        for sid, score in self.lexical(query, filters):
            if sid not in sections or sid in seen:
                continue
            seen.add(sid)
            hit(sid).lexical = max(hit(sid).lexical, score)
            fused[sid] = fused.get(sid, 0.0) + WEIGHTS["lexical"] / (RRF_K + len(seen))
        for rank, sid in enumerate(self.numbers(query, filters), start=1):
            hit(sid).exact_number = True
            fused[sid] = fused.get(sid, 0.0) + WEIGHTS["number"] / (RRF_K + rank)
        # A follow-up is most likely about what the turn before it was answered from.
        for rank, sid in enumerate(query.context_sections, start=1):
            if sid in sections and self._allowed(sections[sid], filters):
                hit(sid)
                fused[sid] = fused.get(sid, 0.0) + WEIGHTS["context"] / (RRF_K + rank)
        if query.qtype == "signer" and fused:
            # "Who signed …?" is answered by the signature block of the document the question is about.
            top = sorted(fused, key=fused.get, reverse=True)
            sources = list(dict.fromkeys(sections[sid].source for sid in top[:3]))
            signatures = [s.id for s in sections.values() if s.path == SIGNATURE and s.source in sources]
            signatures.sort(key=lambda sid: sources.index(sections[sid].source))
            for i, sid in enumerate(signatures):
                hit(sid)
                fused[sid] = fused[top[0]] + 0.01 / (1 + i)
        ranked = sorted(fused, key=fused.get, reverse=True)[:k]
        for sid in ranked:
            best[sid].score = fused[sid]
            if best[sid].best_chunk_end == 0:
                best[sid].best_chunk_end = len(best[sid].section.text)
        return [best[sid] for sid in ranked]
