"""The persistent store under CHIDAO_HOME: the catalogue (manifest, versions, lock, garbage
collection) over its three backends — the vectors (store/vectors.py: Chroma), the lexical index
(store/lexical.py: bm25s) and the stored texts (store/texts.py).

Layout:
    manifest.json             documents in force: content hash, kind, title, period, counts
    docs/<name>.<v>.txt       the stored source text citations index (v = first 12 hex of sha256)
    docs/<name>.<v>.json      its sections (spans into that text, metadata)
    docs/<name>.<v>.npz       its answer units (spans) and their vectors (store/units.py)
    chroma/                   Chroma collection "chunks": one record per chunk, ids carry v
                              (or a Chroma server: CHIDAO_CHROMA_URL=http://host:port)
    lexical/<fingerprint>/    bm25s index over the chunks in force for one manifest fingerprint
    store.json                this store's id and the Chroma collection it owns
    write.lock                held by the one process writing (store/lock.py)

A document changes in this order: new files and chunks are added beside the old ones, then the
manifest switches to the new version, then the old version is deleted. Readers only use the
versions the manifest names, so a process killed anywhere leaves each document as before or
as after; the next ingest removes leftovers.

Stores never share a collection: each has an id (store.json) that its collection's metadata
records, a server-mode store gets a collection named after its id, and opening a collection that
another store owns is refused. Every write, garbage collection and repair therefore touches only
this store's own chunks, even with several homes on one Chroma server.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from store import files
from store.catalogue import Damage, DocumentRecord, Manifest, store_identity
from store.errors import StoreDamaged
from store.filters import Filters
from store.lexical import LexicalIndex
from store.lock import write_lock
from store.models import Chunk, Document, Section
from store.settings import settings
from store.texts import StoredTexts
from store.vectors import ChromaChunks, ChunkIndex, UnitIndex
from store.vietnamese import doc_number_key

T = TypeVar("T")


def chidao_home() -> Path:
    return settings().home


class Store:
    """The store under `home`; vectors in embedded Chroma, or on the server `chroma_url` names.

    `collection` (CHIDAO_COLLECTION) overrides the collection named in store.json ("chunks" for
    embedded Chroma, "chidao-<store id>" on a server); it is refused if another store owns it.
    """

    def __init__(
        self, home: Path | None = None, chroma_url: str | None = None, collection: str | None = None
    ):
        self.home = home or chidao_home()
        self.texts = StoredTexts(self.home / "docs")
        self.docs_dir = self.texts.docs_dir
        self.manifest_path = self.home / "manifest.json"
        env = settings()
        self.chroma_url = chroma_url if chroma_url is not None else env.chroma_url
        self.identity = store_identity(self.home, server=bool(self.chroma_url))
        self.collection_name = collection or env.collection or self.identity.collection
        self.vectors = ChromaChunks(self.home, self.chroma_url, self.collection_name, self.identity)
        self.damaged: dict[str, Damage] = {}  # documents left out of answering until mended
        self._chroma_seen = self._manifest_mtime()  # the manifest this Chroma client has seen the writes of
        self._writing = False
        self._manifest: tuple[int, Manifest] | None = None  # (mtime_ns, parsed)
        self._derived: dict[str, Any] = {}  # sections, lexical index: valid for one manifest fingerprint
        self._derived_for: str | None = None

    @property
    def collection(self):
        """This store's Chroma collection (for doctor and the tests; the rest go through `vectors`)."""
        return self.vectors.collection

    # ---- manifest ---------------------------------------------------------------------
    def _manifest_mtime(self) -> int | None:
        try:
            return self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def manifest(self) -> Manifest:
        """The documents in force; re-read only when the file changed (another process may ingest)."""
        mtime = self._manifest_mtime()
        if mtime is None:
            return Manifest()
        if mtime != self._chroma_seen and not self.chroma_url:
            # `chidao ingest` beside `chidao serve`: this process's embedded Chroma must reopen to see it.
            self.vectors.reopen()
        self._chroma_seen = mtime
        if self._manifest is None or self._manifest[0] != mtime:
            try:
                parsed = Manifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8"))
            except ValueError as e:  # pydantic's ValidationError, a bad byte
                raise StoreDamaged(
                    f"{self.manifest_path} is unreadable ({type(e).__name__}); run `chidao doctor --repair`"
                ) from None
            self._manifest = (mtime, parsed)
        return self._manifest[1]

    def save_manifest(self, manifest: Manifest) -> None:
        files.atomic_write(self.manifest_path, manifest.model_dump_json(indent=1))
        self._manifest = None  # a write within the same mtime tick must still be seen
        self._chroma_seen = self._manifest_mtime()  # our own writes went through our own client

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """A structure derived from the documents in force (sections, lexical index, the question
        side's tables), built once and rebuilt when the manifest changes or a damaged document's
        files change (`chidao doctor --repair` mended them)."""
        fingerprint = self.manifest().fingerprint()
        mended = [s for s, d in self.damaged.items() if d.files != self.texts.files_state(s, d.version)]
        for source in mended:
            del self.damaged[source]
        if self._derived_for != fingerprint or mended:
            self._derived, self._derived_for = {}, fingerprint
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    # ---- writing ---------------------------------------------------------------------
    @contextmanager
    def writing(self, what: str) -> Iterator[None]:
        """Hold the store's write lock (re-entrant within this Store); StoreBusy if another holds it."""
        if self._writing:
            yield
            return
        with write_lock(self.home, what):
            self._writing = True
            try:
                yield
            finally:
                self._writing = False

    def put_document(
        self, doc: Document, chunks: list[Chunk], vectors: np.ndarray, unit_vectors: np.ndarray | None = None
    ) -> DocumentRecord:
        return self.put_documents([(doc, chunks, vectors, unit_vectors)])[0]

    def put_documents(
        self, batch: list[tuple[Document, list[Chunk], np.ndarray, np.ndarray | None]]
    ) -> list[DocumentRecord]:
        """Store new versions beside the old, switch the manifest once, then drop what it no longer names.

        `unit_vectors` (one per unit of `document_units(doc)`, in order) may be None: such a document
        is answered with units cut at question time and its sections' chunk vectors."""
        with self.writing("ingest"):
            records = []
            for doc, chunks, vectors, unit_vectors in batch:
                self.texts.write(doc, unit_vectors)
                self.write_chunks(doc, chunks, vectors)
                records.append(DocumentRecord.of(doc, n_chunks=len(chunks)))
            manifest = self.manifest().model_copy(deep=True)
            manifest.documents.update({r.source: r for r in records})
            self.save_manifest(manifest)  # the switch: from here on the new versions are in force
            self.collect_garbage([r.source for r in records])
            return records

    def stored_file(self, source: str, version: str, ext: str) -> Path:
        """docs/<source>.<version>.txt (the stored text), .json (its sections) or .npz (its units)."""
        return self.texts.path(source, version, ext)

    def write_sections(self, doc: Document) -> None:
        self.texts.write_sections(doc)

    def write_units(self, doc: Document, vectors: np.ndarray) -> None:
        self.texts.write_units(doc, vectors)

    def has_units(self, source: str, version: str) -> bool:
        return self.texts.has_units(source, version)

    def write_chunks(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self.vectors.write(doc, chunks, vectors)

    def remove_document(self, source: str) -> bool:
        with self.writing("remove"):
            manifest = self.manifest().model_copy(deep=True)
            if source not in manifest.documents:
                return False
            del manifest.documents[source]
            self.save_manifest(manifest)
            self.collect_garbage([source])
            self.lexical()  # the index of the documents now in force, as after an ingest
            return True

    def collect_garbage(self, sources: list[str] | None = None) -> None:
        """Delete chunks and files of versions the manifest no longer names.

        With `sources`, only those documents are looked at (after a write); without, every chunk
        is (after an interrupted run). Filters stay per source: an $in/$nin over every version
        would exceed SQLite's variable limit on a large store.
        """
        with self.writing("cleanup"):
            for path in self.leftover_files(sources):
                path.unlink(missing_ok=True)
            self._delete_stale_chunks(sources)

    def leftover_files(self, sources: list[str] | None = None) -> list[Path]:
        """Files in docs/ that no reader uses: versions the manifest no longer names, and .tmp files
        (writes cut short — when no writer holds the lock, as under collect_garbage)."""
        in_force = {f"{r.source}.{r.version}" for r in self.manifest().documents.values()}
        return self.texts.leftovers(in_force, sources)

    def _delete_stale_chunks(self, sources: list[str] | None) -> None:
        in_force = {r.source: r.version for r in self.manifest().documents.values()}
        if sources is None:
            stale = [i for i, m in self.chunk_metadata() if in_force.get(m["source"]) != m["version"]]
        else:
            stale = [i for s in sources for i in self.vectors.ids_of_other_versions(s, in_force.get(s))]
        self.vectors.delete(stale)

    # ---- reading ---------------------------------------------------------------------
    def chunk_pages(self, include: list[str]) -> Iterator[dict]:
        """Every chunk in Chroma, as Chroma's `get` results of 10,000 chunks each."""
        return self.vectors.pages(include)

    def chunk_metadata(self, documents: bool = False) -> Iterator[tuple]:
        """(id, metadata) — or (id, metadata, text) — of every chunk in Chroma, paged."""
        for page in self.chunk_pages(["metadatas", "documents"] if documents else ["metadatas"]):
            if documents:
                yield from zip(page["ids"], page["metadatas"], page["documents"])
            else:
                yield from zip(page["ids"], page["metadatas"])

    def chunk_vectors(self) -> ChunkIndex:
        """Every chunk of the documents in force with its vector, read from Chroma once per manifest.
        An embedded store is searched exactly on these (see ChunkIndex); a server's through its index."""

        def load() -> ChunkIndex:
            in_force = set(self.versions())
            metadatas: list[dict] = []
            lengths: list[int] = []
            vectors = []
            for page in self.chunk_pages(["metadatas", "documents", "embeddings"]):
                keep = [i for i, m in enumerate(page["metadatas"]) if m["version"] in in_force]
                metadatas += [page["metadatas"][i] for i in keep]
                lengths += [len(page["documents"][i]) for i in keep]
                vectors.append(np.asarray(page["embeddings"], dtype=np.float32)[keep])
            matrix = (
                np.concatenate([v for v in vectors if v.size]) if metadatas else np.zeros((0, 0), np.float32)
            )
            return ChunkIndex(metadatas, lengths, matrix)

        return self.derived("chunk_vectors", load)

    def query_chunks(
        self, vector: np.ndarray, n: int, filters: Filters | None
    ) -> list[tuple[dict, float, str]]:
        """(metadata, cosine distance, text) of the n chunks nearest to `vector` that `filters` allow."""
        where = filters.where(self.manifest().documents) if filters else None
        return self.vectors.query(vector, n, where)

    def source_text(self, source: str) -> str:
        """The stored text of a document in force; quotes are verified against it."""
        record = self.manifest().documents.get(source)
        if record is None:
            raise KeyError(source)
        try:
            return self.texts.text(source, record.version)
        except (OSError, UnicodeDecodeError) as e:
            path = self.stored_file(source, record.version, "txt")
            self.mark_damaged(source, f"{path.name} is unreadable ({type(e).__name__})")
            raise StoreDamaged(
                f"{source}: its stored text {path} is unreadable; run `chidao doctor --repair`"
            ) from None

    def mark_damaged(self, source: str, why: str) -> None:
        """Leave a document out of answering until its files change (repaired, or ingested anew)."""
        record = self.manifest().documents.get(source)
        if record is not None:
            self._note_damage(record, why)
        self._derived, self._derived_for = {}, None

    def _note_damage(self, r: DocumentRecord, why: str) -> None:
        """As mark_damaged, while the derived tables are being built (they are built without it)."""
        self.damaged[r.source] = Damage(
            version=r.version, why=why, files=self.texts.files_state(r.source, r.version)
        )

    def in_force(self) -> list[DocumentRecord]:
        """The documents answers may come from: those the manifest names, less the damaged ones."""
        return [
            r
            for r in self.manifest().documents.values()
            if r.source not in self.damaged or self.damaged[r.source].version != r.version
        ]

    def sections(self) -> dict[str, Section]:
        """Every section of the documents in force. A document whose stored text or sections file is
        missing or unreadable is left out (and named in `damaged`): the others still answer."""

        def load() -> dict[str, Section]:
            out: dict[str, Section] = {}
            for r in self.in_force():
                try:
                    sections = self.texts.sections(r.source, r.version)
                except (OSError, ValueError, KeyError, TypeError) as e:
                    self._note_damage(
                        r, f"its stored text or sections are missing or unreadable ({type(e).__name__})"
                    )
                    continue
                out.update(sections)
            return out

        return self.derived("sections", load)

    def units(self) -> UnitIndex:
        """The answer units of the documents whose units are stored, with their vectors."""

        def load() -> UnitIndex:
            parts = []
            self.sections()  # finds the damaged documents first
            for r in self.in_force():
                try:
                    stored = self.texts.units(r.source, r.version)
                except (OSError, ValueError, KeyError) as e:
                    self._note_damage(r, f"its answer units are unreadable ({type(e).__name__})")
                    continue
                if stored is not None:  # None: stored before answer units existed (`chidao ingest` adds them)
                    parts.append((r, *stored))
            return UnitIndex(parts)

        return self.derived("units", load)

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

    def lexical(self) -> LexicalIndex:
        return self.derived("lexical", lambda: LexicalIndex.load_or_build(self))

    def clear(self) -> None:
        """Remove everything under CHIDAO_HOME that chidao wrote (used by tests and `--reset`)."""
        self.vectors.drop()
        self.texts.forget()
        shutil.rmtree(self.docs_dir, ignore_errors=True)
        shutil.rmtree(self.home / "lexical", ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)


def doc_number_index(sections: dict[str, Section]) -> dict[str, list[str]]:
    """Document-number key → ids of the sections that mention it (instrument first)."""
    index: dict[str, list[str]] = {}
    for s in sections.values():
        for n in ([s.instrument] if s.instrument else []) + s.doc_numbers:
            ids = index.setdefault(doc_number_key(n), [])
            if s.id not in ids:
                ids.append(s.id)
    return index
