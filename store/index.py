"""The persistent store under CHIDAO_HOME: Chroma (chunk vectors), the lexical index, a manifest.

Layout:
    manifest.json             documents in force: content hash, kind, title, period, counts
    docs/<name>.<v>.txt       the stored source text citations index (v = first 12 hex of sha256)
    docs/<name>.<v>.json      its sections (spans into that text, metadata)
    chroma/                   Chroma collection "chunks": one record per chunk, ids carry v
    lexical/                  bm25s index over the chunks in force, with the manifest fingerprint

A document changes in this order: new files and chunks are added beside the old ones, then the
manifest switches to the new version, then the old version is deleted. Readers only use the
versions the manifest names, so a process killed anywhere leaves each document as before or
as after; the next ingest removes leftovers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from store.models import Chunk, Document, DocumentKind, Section
from store.vietnamese import doc_number_key, lexical_tokens

COLLECTION = "chunks"


def chidao_home() -> Path:
    return Path(os.environ.get("CHIDAO_HOME", ".chidao")).expanduser().resolve()


class DocumentRecord(BaseModel):
    source: str
    version: str
    sha256: str
    kind: DocumentKind
    title: str
    number: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_label: str | None = None
    n_sections: int
    n_chunks: int
    ingested_at: datetime


class Manifest(BaseModel):
    documents: dict[str, DocumentRecord] = {}

    def fingerprint(self) -> str:
        return hashlib.sha256("|".join(f"{k}:{v.version}" for k, v in sorted(self.documents.items())).encode()).hexdigest()[:16]


def _atomic_write(path: Path, data: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _day(d: date | None, default: int) -> int:
    return int(d.strftime("%Y%m%d")) if d else default


class Store:
    def __init__(self, home: Path | None = None):
        import chromadb
        from chromadb.config import Settings

        self.home = home or chidao_home()
        self.docs_dir = self.home / "docs"
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.home / "manifest.json"
        self.client = chromadb.PersistentClient(
            path=str(self.home / "chroma"), settings=Settings(anonymized_telemetry=False)
        )
        # embedding_function=None: Chroma's default would download a model; we pass vectors ourselves.
        self.collection = self.client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self._manifest: tuple[int, Manifest] | None = None  # (mtime_ns, parsed)
        self._derived: dict[str, object] = {}  # sections, lexical index: valid for one manifest fingerprint
        self._derived_for: str | None = None
        self._texts: dict[str, str] = {}

    # ---- manifest ---------------------------------------------------------------------
    def manifest(self) -> Manifest:
        """The documents in force; re-read only when the file changed (another process may ingest)."""
        try:
            mtime = self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return Manifest()
        if self._manifest is None or self._manifest[0] != mtime:
            self._manifest = (mtime, Manifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8")))
        return self._manifest[1]

    def _save_manifest(self, manifest: Manifest) -> None:
        _atomic_write(self.manifest_path, manifest.model_dump_json(indent=1))
        self._manifest = None  # a write within the same mtime tick must still be seen

    def derived(self, key: str, build):
        """A structure derived from the documents in force (sections, lexical index, the question
        side's tables), built once and rebuilt when the manifest changes."""
        fingerprint = self.manifest().fingerprint()
        if self._derived_for != fingerprint:
            self._derived, self._derived_for = {}, fingerprint
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    # ---- writing ---------------------------------------------------------------------
    def put_document(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> DocumentRecord:
        return self.put_documents([(doc, chunks, vectors)])[0]

    def put_documents(self, batch: list[tuple[Document, list[Chunk], np.ndarray]]) -> list[DocumentRecord]:
        """Store new versions beside the old, switch the manifest once, then drop what it no longer names."""
        records = []
        for doc, chunks, vectors in batch:
            version = doc.sha256[:12]
            base = self.docs_dir / f"{doc.source}.{version}"
            _atomic_write(base.with_name(base.name + ".txt"), doc.text)
            _atomic_write(base.with_name(base.name + ".json"),
                          json.dumps([s.model_dump(mode="json") for s in doc.sections], ensure_ascii=False))
            sections = {s.id: s for s in doc.sections}
            metadatas = []
            for c in chunks:
                s = sections[c.section_id]
                metadatas.append({
                    "source": doc.source, "version": version, "kind": doc.kind, "section_id": s.id,
                    "ordinal": s.ordinal, "path": s.path, "title": s.title, "chunk_start": c.start,
                    "period_start": _day(doc.period_start, 0), "period_end": _day(doc.period_end, 99991231),
                })
            for i in range(0, len(chunks), 4096):
                self.collection.upsert(
                    ids=[c.id for c in chunks[i:i + 4096]], embeddings=vectors[i:i + 4096].tolist(),
                    documents=[c.text for c in chunks[i:i + 4096]], metadatas=metadatas[i:i + 4096],
                )
            records.append(DocumentRecord(
                source=doc.source, version=version, sha256=doc.sha256, kind=doc.kind, title=doc.title,
                number=doc.number, period_start=doc.period_start, period_end=doc.period_end,
                period_label=doc.period_label, n_sections=len(doc.sections), n_chunks=len(chunks),
                ingested_at=datetime.now(timezone.utc),
            ))
        manifest = self.manifest().model_copy(deep=True)
        manifest.documents.update({r.source: r for r in records})
        self._save_manifest(manifest)  # the switch: from here on the new versions are in force
        self.collect_garbage([r.source for r in records])
        return records

    def remove_document(self, source: str) -> bool:
        manifest = self.manifest().model_copy(deep=True)
        if source not in manifest.documents:
            return False
        del manifest.documents[source]
        self._save_manifest(manifest)
        self.collect_garbage([source])
        return True

    def collect_garbage(self, sources: list[str] | None = None) -> None:
        """Delete chunks and files of versions the manifest no longer names.

        With `sources`, only those documents are looked at (after a write); without, every chunk
        is (after an interrupted run). Filters stay per source: an $in/$nin over every version
        would exceed SQLite's variable limit on a large store.
        """
        manifest = self.manifest()
        in_force = {r.source: r.version for r in manifest.documents.values()}
        for path in self.docs_dir.iterdir():
            name = path.name.rsplit(".", 2)[0] if path.suffix == ".tmp" else path.name.rsplit(".", 1)[0]
            source, _, version = name.rpartition(".")
            if (sources is None or source in sources) and in_force.get(source) != version:
                path.unlink(missing_ok=True)
        if sources is None:
            got = self.collection.get(include=["metadatas"])
            stale = [i for i, m in zip(got["ids"], got["metadatas"]) if in_force.get(m["source"]) != m["version"]]
        else:
            stale = []
            for source in sources:
                where = ({"$and": [{"source": source}, {"version": {"$ne": in_force[source]}}]}
                         if source in in_force else {"source": source})
                stale += self.collection.get(where=where, include=[])["ids"]
        for i in range(0, len(stale), 4096):
            self.collection.delete(ids=stale[i:i + 4096])

    # ---- reading ---------------------------------------------------------------------
    def source_text(self, source: str) -> str:
        """The stored text of a document in force; quotes are verified against it."""
        record = self.manifest().documents.get(source)
        if record is None:
            raise KeyError(source)
        key = f"{source}.{record.version}"
        if key not in self._texts:
            self._texts[key] = (self.docs_dir / f"{key}.txt").read_text(encoding="utf-8")
        return self._texts[key]

    def sections(self) -> dict[str, Section]:
        def load() -> dict[str, Section]:
            out: dict[str, Section] = {}
            for r in self.manifest().documents.values():
                raw = json.loads((self.docs_dir / f"{r.source}.{r.version}.json").read_text(encoding="utf-8"))
                out.update({s["id"]: Section.model_validate(s) for s in raw})
            return out
        return self.derived("sections", load)

    def section_at(self, source: str, start: int, end: int) -> Section | None:
        """The section whose spans hold [start, end) of a stored source (a citation's section)."""
        for s in self.sections().values():
            if s.source == source and any(sp.start <= start and end <= sp.end for sp in s.spans):
                return s
        return None

    def versions(self) -> list[str]:
        return [r.version for r in self.manifest().documents.values()]

    def count_chunks(self) -> int:
        return sum(r.n_chunks for r in self.manifest().documents.values())

    # ---- lexical index -------------------------------------------------------------
    def lexical(self) -> "LexicalIndex":
        return self.derived("lexical", lambda: LexicalIndex.load_or_build(self))

    def clear(self) -> None:
        """Remove everything under CHIDAO_HOME that chidao wrote (used by tests and `--reset`)."""
        self.client.delete_collection(COLLECTION)
        shutil.rmtree(self.docs_dir, ignore_errors=True)
        shutil.rmtree(self.home / "lexical", ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)


class LexicalIndex:
    """BM25 (bm25s) over folded syllables and bigrams of each chunk and its section title."""

    def __init__(self, retriever, ids: list[str], metadatas: list[dict], fingerprint: str):
        self.retriever = retriever
        self.ids = ids
        self.metadatas = metadatas
        self.fingerprint = fingerprint
        self.vocab = retriever.vocab_dict if retriever is not None else {}
        self.kind = np.array([m["kind"] for m in metadatas])
        self.source = np.array([m["source"] for m in metadatas])
        self.period_start = np.array([m["period_start"] for m in metadatas], dtype=np.int64)
        self.period_end = np.array([m["period_end"] for m in metadatas], dtype=np.int64)

    @classmethod
    def load_or_build(cls, store: Store) -> "LexicalIndex":
        import bm25s

        folder = store.home / "lexical"
        fingerprint = store.manifest().fingerprint()
        meta_path = folder / "chunks.json"
        if meta_path.exists():
            saved = json.loads(meta_path.read_text(encoding="utf-8"))
            if saved["fingerprint"] == fingerprint:
                retriever = bm25s.BM25.load(str(folder), show_progress=False) if saved["ids"] else None
                return cls(retriever, saved["ids"], saved["metadatas"], fingerprint)
        # Paged, and filtered here: a where-clause listing every version exceeds SQLite's variable limit.
        in_force = set(store.versions())
        got: dict[str, list] = {"ids": [], "documents": [], "metadatas": []}
        for offset in range(0, store.collection.count(), 10_000):
            page = store.collection.get(include=["documents", "metadatas"], limit=10_000, offset=offset)
            for i, d, m in zip(page["ids"], page["documents"], page["metadatas"]):
                if m["version"] in in_force:
                    got["ids"].append(i)
                    got["documents"].append(d)
                    got["metadatas"].append(m)
        retriever = None
        if got["ids"]:
            corpus = [lexical_tokens(m["title"] + "\n" + d) for d, m in zip(got["documents"], got["metadatas"])]
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            folder.mkdir(parents=True, exist_ok=True)
            retriever.save(str(folder), show_progress=False)
        _atomic_write(meta_path, json.dumps(
            {"fingerprint": fingerprint, "ids": got["ids"], "metadatas": got["metadatas"]}, ensure_ascii=False))
        return cls(retriever, got["ids"], got["metadatas"], fingerprint)

    def search(self, tokens: list[str], k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        tokens = [t for t in tokens if t in self.vocab]
        if self.retriever is None or not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]  # O(n), then sort only the k
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def doc_number_index(sections: dict[str, Section]) -> dict[str, list[str]]:
    """Document-number key → ids of the sections that mention it (instrument first)."""
    index: dict[str, list[str]] = {}
    for s in sections.values():
        for n in ([s.instrument] if s.instrument else []) + s.doc_numbers:
            ids = index.setdefault(doc_number_key(n), [])
            if s.id not in ids:
                ids.append(s.id)
    return index
