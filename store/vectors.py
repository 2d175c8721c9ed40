"""The vector backend: chunk vectors in Chroma (embedded on disk, or a server), and the exact
in-memory indexes the question side searches (every chunk of an embedded store; every answer unit).

Nothing outside store/ speaks Chroma: this module owns the client, the collection, its ownership
check, and the translation of Chroma's failures into StoreUnavailable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from store.catalogue import DocumentRecord, StoreIdentity
from store.columns import ChunkColumns, top_rows
from store.errors import StoreConflict, StoreDamaged, StoreUnavailable
from store.filters import NO_END, NO_START, day
from store.models import Chunk, Document
from store.units import Unit

PAGE = 10_000  # chunks per `get` when reading them all
BATCH = 4096  # chunks per upsert or delete


def chroma_client(url: str | None, path: Path):
    """Embedded Chroma on disk, or the Chroma server at `url` (several machines share one)."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"CHIDAO_CHROMA_URL must look like http://host:port, not {url!r}")
    return chromadb.HttpClient(
        host=u.hostname,
        port=u.port or (443 if u.scheme == "https" else 8000),
        ssl=u.scheme == "https",
        settings=settings,
    )


class ChromaChunks:
    """This store's Chroma collection: one record per chunk, ids carrying the document version.

    Opened at first use, so the manifest, `docs list` and doctor's text checks work even where
    Chroma cannot be opened (a full disk, a server that is down)."""

    def __init__(self, home: Path, url: str | None, name: str, identity: StoreIdentity):
        self.home, self.url, self.name, self.identity = home, url, name, identity
        self._collection = None
        self._stale = False

    def reopen(self) -> None:
        """Embedded Chroma holds its index in this process's memory: what another process wrote is
        seen only by a newly opened client."""
        self._collection, self._stale = None, True

    @property
    def collection(self):
        """The collection, opened (and its owner checked) at first use."""
        if self._collection is None:
            self._open(fresh=self._stale)
            self._stale = False
        return self._collection

    def _open(self, fresh: bool = False) -> None:
        if fresh:
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()  # else the same (stale) system is handed back
        with self.guard("open the collection"):
            self.client = chroma_client(self.url, self.home / "chroma")
            # embedding_function=None: Chroma's default would download a model; we pass vectors ourselves.
            collection = self.client.get_or_create_collection(
                self.name,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "chidao_store": self.identity.store_id},
            )
            owner = (collection.metadata or {}).get("chidao_store")
            if owner is None:  # made before collections named their store: this store claims it
                collection.modify(
                    metadata={**(collection.metadata or {}), "chidao_store": self.identity.store_id}
                )
        if owner not in (None, self.identity.store_id):
            where = self.url or self.home / "chroma"
            raise StoreConflict(
                f"the Chroma collection {self.name!r} at {where} belongs to another chidao store "
                f"(id {owner}; this one is {self.identity.store_id}): using it would delete that store's "
                "vectors. Unset CHIDAO_COLLECTION (each store then gets its own) or name an unused collection"
            )
        self._collection = collection

    @contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """A Chroma call; a server that is unreachable or fails, or an embedded store that cannot be
        opened or written (a full disk), becomes one StoreUnavailable line."""
        from chromadb.errors import ChromaError

        try:
            yield
        except (StoreConflict, StoreDamaged):
            raise
        except ChromaError as e:
            if self.url:
                raise self._unreachable(what, e) from None
            raise StoreUnavailable(
                f"the Chroma store in {self.home / 'chroma'} failed while trying to {what} ({e}); "
                "if the disk is full, free some space and run the command again"
            ) from None
        except Exception as e:  # httpx.ConnectError and the like: plain Exceptions
            if not self.url:
                raise
            raise self._unreachable(what, e) from None

    def _unreachable(self, what: str, e: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            f"the Chroma server at {self.url} is unreachable or failed while trying to "
            f"{what} ({type(e).__name__}); nothing was changed by that step — start or check "
            "the server (`chroma run …`) and run the command again"
        )

    def write(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Upsert a version's chunks (ids carry the version: writing them twice is harmless)."""
        sections = {s.id: s for s in doc.sections}
        metadatas = []
        for c in chunks:
            s = sections[c.section_id]
            metadatas.append(
                {
                    "source": doc.source,
                    "version": doc.version,
                    "kind": doc.kind,
                    "section_id": s.id,
                    "ordinal": s.ordinal,
                    "path": s.path,
                    "title": s.title,
                    "chunk_start": c.start,
                    "period_start": day(doc.period_start, NO_START),
                    "period_end": day(doc.period_end, NO_END),
                }
            )
        with self.guard(f"store the chunks of {doc.source}"):
            for i in range(0, len(chunks), BATCH):
                self.collection.upsert(
                    ids=[c.id for c in chunks[i : i + BATCH]],
                    embeddings=vectors[i : i + BATCH].tolist(),
                    documents=[c.text for c in chunks[i : i + BATCH]],
                    metadatas=metadatas[i : i + BATCH],
                )

    def query(self, vector: np.ndarray, n: int, where: dict | None) -> list[tuple[dict, float, str]]:
        """(metadata, cosine distance, text) of the n chunks nearest to `vector` that `where` allows."""
        with self.guard("search the chunks"):
            got = self.collection.query(
                query_embeddings=[vector.tolist()],
                n_results=n,
                where=where,
                include=["metadatas", "distances", "documents"],
            )
        return list(zip(got["metadatas"][0], got["distances"][0], got["documents"][0]))

    def pages(self, include: list[str]) -> Iterator[dict]:
        """Every chunk, as Chroma's `get` results of PAGE chunks each."""
        with self.guard("read the chunks"):
            total = self.collection.count()
        for offset in range(0, total, PAGE):
            with self.guard("read the chunks"):
                page = self.collection.get(include=include, limit=PAGE, offset=offset)
            yield page

    def ids_of_other_versions(self, source: str, version: str | None) -> list[str]:
        """The chunks of `source` that are not of `version` (all of them for None)."""
        where = (
            {"$and": [{"source": source}, {"version": {"$ne": version}}]} if version else {"source": source}
        )
        with self.guard("find the chunks of old versions"):
            return self.collection.get(where=where, include=[])["ids"]

    def delete(self, ids: list[str]) -> None:
        with self.guard("delete the chunks of old versions"):
            for i in range(0, len(ids), BATCH):
                self.collection.delete(ids=ids[i : i + BATCH])

    def drop(self) -> None:
        """Delete the whole collection (opened first: one another store owns is refused, not deleted)."""
        self.collection  # noqa: B018
        with self.guard("delete the collection"):
            self.client.delete_collection(self.name)
        self._collection = None


class ChunkIndex(ChunkColumns):
    """Every chunk vector of an embedded store as one matrix, searched by an exact product.

    Embedded Chroma's HNSW graph (1.5.9) missed chunks added in the same process: the 4 chunks of a
    document just ingested were absent from the 50 nearest about one run in three, though `get`
    returned their vectors (tests/test_ingest_then_ask.py). The price grows with the archive: at 100k
    chunks 292 MB and 93 ms per question (measured on this 2-core machine while busy); a Chroma
    server keeps its own index."""

    def __init__(self, metadatas: list[dict], lengths: list[int], vectors: np.ndarray):
        super().__init__(metadatas)
        self.lengths = lengths
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self.vectors = vectors / np.where(norms == 0, 1.0, norms)

    def search(
        self, vector: np.ndarray, n: int, mask: np.ndarray | None = None
    ) -> list[tuple[dict, float, int]]:
        """(metadata, cosine, text length) of the n chunks nearest to `vector` that `mask` allows."""
        if not self.metadatas:
            return []
        scores = self.vectors @ (vector / (np.linalg.norm(vector) or 1.0))
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        return [
            (self.metadatas[i], float(scores[i]), self.lengths[i])
            for i in top_rows(scores, n)
            if np.isfinite(scores[i])
        ]


class UnitIndex:
    """Every stored answer unit: one matrix of unit vectors for a brute-force dense search (the
    product of a few thousand rows costs well under a millisecond), and per section its units."""

    def __init__(self, parts: list[tuple[DocumentRecord, list[Unit], np.ndarray]]):
        self.units: list[Unit] = [u for _, units, _ in parts for u in units]
        dim = parts[0][2].shape[1] if parts else 0
        self.vectors = np.concatenate([v for _, _, v in parts]) if parts else np.zeros((0, dim), np.float32)
        rows = [(r, len(units)) for r, units, _ in parts]
        self.source = np.array([r.source for r, n in rows for _ in range(n)])
        self.kind = np.array([r.kind for r, n in rows for _ in range(n)])
        self.period_start = np.array(
            [day(r.period_start, NO_START) for r, n in rows for _ in range(n)], dtype=np.int64
        )
        self.period_end = np.array(
            [day(r.period_end, NO_END) for r, n in rows for _ in range(n)], dtype=np.int64
        )
        self.rows: dict[str, list[int]] = {}
        for i, u in enumerate(self.units):
            self.rows.setdefault(u.section_id, []).append(i)

    def of_section(self, section_id: str) -> tuple[list[Unit], list[int]] | None:
        """The section's units and their rows (in `vectors`, and in the scores of a question)."""
        idx = self.rows.get(section_id)
        if not idx:
            return None
        return [self.units[i] for i in idx], idx

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of every unit to a question: computed once per question, read by retrieval, the
        answer step and the abstention baseline."""
        if not len(self.units):  # a store whose units are not stored yet
            return np.zeros(0, dtype=np.float32)
        return self.vectors @ vector

    def search(self, scores: np.ndarray, n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(section id, best unit cosine) of the n sections whose units are closest, best first."""
        if not len(self.units):
            return []
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        order = np.argsort(-scores)
        out: dict[str, float] = {}
        for i in order:
            if not np.isfinite(scores[i]) or len(out) == n:
                break
            out.setdefault(self.units[i].section_id, float(scores[i]))
        return list(out.items())
