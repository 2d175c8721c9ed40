"""Hybrid retrieval: dense chunks (exactly over the vectors embedded Chroma holds, or a Chroma server's
index) + dense answer units + BM25 (folded syllables and bigrams) + exact document numbers, and for a
follow-up the sections the turn before was answered from.

Each retriever is a small part with one `search(asked, filters, k)` that ranks sections (a chunk
retriever may name a section more than once: its best chunk counts); `fuse` joins the rankings by
weighted reciprocal rank. Filters go into every retriever's search (store/filters.py translates them
for each index), so a filtered question still gets its full top k. A new retriever is one class here
and one weight in WEIGHTS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from assistant.models import Filters, Hit, Query
from store.index import Store, doc_number_index
from store.models import Section
from store.vietnamese import fold, leading_number

RRF_K = 60
WEIGHTS = {"dense": 1.0, "units": 1.0, "lexical": 0.7, "number": 2.0, "context": 1.0}
CANDIDATES = 40  # taken from each retriever before fusion


@dataclass
class Asked:
    """The question as the retrievers see it: parsed, embedded, and its cosine to every answer unit
    (one product, shared with the answer step) when the caller has it."""

    query: Query
    vector: np.ndarray
    unit_scores: np.ndarray | None = None


class Found(NamedTuple):
    """A section a retriever found, with its score; a chunk retriever adds the chunk's span in it."""

    section_id: str
    score: float
    start: int = 0
    end: int = 0
    rank: int = 0  # a rank of its own, when not its place among the distinct sections found


class SectionRetriever(Protocol):
    name: str  # its weight in WEIGHTS

    def search(self, asked: Asked, filters: Filters | None, k: int) -> list[Found]: ...

    def note(self, hit: Hit, found: Found) -> None:
        """Record on the fused hit what this retriever saw of it (the answer step reads it)."""


class _Retriever:
    def __init__(self, store: Store):
        self.store = store

    def _mask(self, index, filters: Filters | None) -> np.ndarray | None:
        """The rows of a chunk, lexical or unit index that the filters allow."""
        return filters.mask(index, self.store.manifest().documents) if filters else None

    def allowed(self, section: Section, filters: Filters | None) -> bool:
        if not filters:
            return True
        record = self.store.manifest().documents.get(section.source)
        return record is not None and filters.matches(record)

    def note(self, hit: Hit, found: Found) -> None:
        pass


class DenseChunks(_Retriever):
    """Chunks by cosine to the question: exact over an embedded store's vectors, a server's index."""

    name = "dense"

    def search(self, asked: Asked, filters: Filters | None, k: int = CANDIDATES) -> list[Found]:
        total = self.store.count_chunks()
        if total == 0:
            return []
        if not self.store.chroma_url:  # embedded: exact, not the HNSW graph (see store.vectors.ChunkIndex)
            index = self.store.chunk_vectors()
            return [
                Found(m["section_id"], cosine, m["chunk_start"], m["chunk_start"] + length)
                for m, cosine, length in index.search(asked.vector, k, self._mask(index, filters))
            ]
        # Versions not in force exist only while an ingest runs; they are dropped after the query
        # rather than filtered in it (an $in over every document's version is a scan at scale).
        in_force = set(self.store.versions())
        return [
            Found(m["section_id"], 1.0 - d, m["chunk_start"], m["chunk_start"] + len(doc))
            for m, d, doc in self.store.query_chunks(asked.vector, min(k + 10, total), filters)
            if m["version"] in in_force
        ][:k]

    def note(self, hit: Hit, found: Found) -> None:
        if found.score > hit.dense:
            hit.dense, hit.best_chunk_start, hit.best_chunk_end = found.score, found.start, found.end


class DenseUnits(_Retriever):
    """Sections ranked by their closest answer unit: a fact inside a long section is found by the
    sentence that states it, not by the section's average."""

    name = "units"

    def search(self, asked: Asked, filters: Filters | None, k: int = CANDIDATES) -> list[Found]:
        index = self.store.units()
        scores = asked.unit_scores
        if scores is None or len(scores) != len(index.units):
            scores = index.scores(asked.vector)
        return [Found(sid, cosine) for sid, cosine in index.search(scores, k, self._mask(index, filters))]

    def note(self, hit: Hit, found: Found) -> None:
        hit.unit_dense = found.score


class LexicalChunks(_Retriever):
    """BM25 over the chunks' folded syllables and bigrams."""

    name = "lexical"

    def search(self, asked: Asked, filters: Filters | None, k: int = CANDIDATES) -> list[Found]:
        index = self.store.lexical()
        hits = index.search(asked.query.tokens, k, self._mask(index, filters))
        meta = dict(zip(index.ids, index.metadatas))
        return [Found(meta[chunk_id]["section_id"], score) for chunk_id, score in hits]

    def note(self, hit: Hit, found: Found) -> None:
        hit.lexical = max(hit.lexical, found.score)


class DocumentNumbers(_Retriever):
    """Sections naming a document number of the query: those about it first, then mentions."""

    name = "number"

    def search(self, asked: Asked, filters: Filters | None, k: int = CANDIDATES) -> list[Found]:
        query = asked.query
        if not query.doc_number_keys and not query.bare_numbers:
            return []
        sections = self.store.sections()
        index = self.store.derived("doc_numbers", lambda: doc_number_index(sections))
        keys = list(query.doc_number_keys)
        for bare in query.bare_numbers:  # "quyết định 2230" → every number 2230/…
            keys += [key for key in index if leading_number(key) == bare]
        found: list[str] = []
        for key in keys:
            found += [sid for sid in index.get(key, []) if sid not in found]
        found = [sid for sid in found if self.allowed(sections[sid], filters)]

        def is_instrument(sid: str) -> bool:
            instrument = sections[sid].instrument
            if not instrument:
                return False
            return any(fold(instrument).replace(" ", "") == key for key in keys)

        def of_asked_time(sid: str) -> bool:
            """Issued in a period the question names: "240/KH-UBND năm 2023" is the plan of 2023, not
            the plan of 2024 that has the same number."""
            issued = sections[sid].instrument_date
            return issued is not None and any(a <= issued <= b for a, b in query.periods)

        # stable: document order within a tier; every section naming the number (no cut at k)
        ranked = sorted(
            found,
            key=lambda sid: (
                not is_instrument(sid),
                is_instrument(sid) and bool(query.periods) and not of_asked_time(sid),
            ),
        )
        return [Found(sid, 1.0) for sid in ranked]

    def note(self, hit: Hit, found: Found) -> None:
        hit.exact_number = True


class EarlierTurn(_Retriever):
    """A follow-up is most likely about what the turn before it was answered from."""

    name = "context"

    def search(self, asked: Asked, filters: Filters | None, k: int = CANDIDATES) -> list[Found]:
        sections = self.store.sections()
        # Each keeps its place in the earlier turn's answer, though one before it is filtered out.
        return [
            Found(sid, 1.0, rank=rank)
            for rank, sid in enumerate(asked.query.context_sections, start=1)
            if sid in sections and self.allowed(sections[sid], filters)
        ]


def fuse(
    rankings: list[tuple[SectionRetriever, list[Found]]], sections: dict[str, Section]
) -> tuple[dict[str, float], dict[str, Hit]]:
    """Weighted reciprocal rank over each retriever's distinct sections, in its order; the hits
    carry what each retriever noted of them."""
    fused: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for retriever, found in rankings:
        seen: set[str] = set()
        for f in found:
            if f.section_id not in sections:
                continue
            hit = hits.setdefault(f.section_id, Hit(section=sections[f.section_id], score=0.0))
            retriever.note(hit, f)
            if f.section_id not in seen:
                seen.add(f.section_id)
                rank = f.rank or len(seen)
                fused[f.section_id] = fused.get(f.section_id, 0.0) + WEIGHTS[retriever.name] / (RRF_K + rank)
    return fused, hits


class Retriever:
    """The hybrid: every retriever's ranking, fused; "who signed …?" brings in signature blocks."""

    def __init__(self, store: Store, embedder=None):
        self.store = store
        self.embedder = embedder
        self.retrievers: list[SectionRetriever] = [
            DenseChunks(store),
            DenseUnits(store),
            LexicalChunks(store),
            DocumentNumbers(store),
            EarlierTurn(store),
        ]

    def retriever(self, name: str) -> SectionRetriever:
        return next(r for r in self.retrievers if r.name == name)

    def search(
        self,
        query: Query,
        vector: np.ndarray,
        k: int = 5,
        filters: Filters | None = None,
        unit_scores: np.ndarray | None = None,
    ) -> list[Hit]:
        sections = self.store.sections()
        asked = Asked(query, vector, unit_scores)
        fused, best = fuse([(r, r.search(asked, filters, CANDIDATES)) for r in self.retrievers], sections)
        if query.qtype == "signer" and fused:
            # "Who signed …?" is answered by the signature block of the document the question is about.
            top = sorted(fused, key=lambda sid: fused[sid], reverse=True)
            sources = list(dict.fromkeys(sections[sid].source for sid in top[:3]))
            signatures = [s.id for s in sections.values() if s.role == "signature" and s.source in sources]
            signatures.sort(key=lambda sid: sources.index(sections[sid].source))
            for i, sid in enumerate(signatures):
                best.setdefault(sid, Hit(section=sections[sid], score=0.0))
                fused[sid] = fused[top[0]] + 0.01 / (1 + i)
        ranked = sorted(fused, key=lambda sid: fused[sid], reverse=True)[:k]
        for sid in ranked:
            best[sid].score = fused[sid]
            if best[sid].best_chunk_end == 0:
                best[sid].best_chunk_end = len(best[sid].section.text)
        return [best[sid] for sid in ranked]
