"""The persistent store under CHIDAO_HOME: Chroma (chunk vectors), the lexical index, a manifest.

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

import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from pydantic import BaseModel

from store.filters import NO_END, NO_START, Filters, day
from store.lock import write_lock
from store.models import Chunk, Document, DocumentKind, Section
from store.settings import settings
from store.units import Unit, document_units, load_units, save_units
from store.vietnamese import doc_number_key, lexical_tokens


def chidao_home() -> Path:
    return settings().home


class StoreDamaged(ValueError):
    """The store's own files cannot be read; `chidao doctor --repair` mends them."""


class StoreConflict(ValueError):
    """The Chroma collection asked for belongs to another chidao store: using it would mix or delete its data."""


class StoreUnavailable(RuntimeError):
    """The Chroma server cannot be reached or failed; nothing was changed by the failed call."""


class StoreIdentity(BaseModel):
    store_id: str
    collection: str


def _store_identity(home: Path, server: bool) -> StoreIdentity:
    """This store's id and collection (store.json), created once; two processes opening a new home
    at once agree on one (the file is linked into place, never overwritten)."""
    path = home / "store.json"
    if not path.exists():
        store_id = uuid.uuid4().hex[:12]
        # A store from before store.json existed keeps the collection it has always used.
        legacy = (home / "manifest.json").exists() or not server
        fresh = StoreIdentity(store_id=store_id, collection="chunks" if legacy else f"chidao-{store_id}")
        tmp = home / f".store.json.{os.getpid()}.tmp"
        tmp.write_text(fresh.model_dump_json(), encoding="utf-8")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    try:
        return StoreIdentity.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StoreDamaged(
            f"{path} is unreadable: restore it, or delete it to give this store a new id "
            "(its vectors are then embedded again by `chidao doctor --repair`)"
        ) from None


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
    issuer: str | None = None  # "UBND tỉnh Cao Bằng" (store/header.py); None where it could not be read
    province: str | None = None
    issued: date | None = None  # the date of its place-and-date line
    number_key: str | None = None  # number and year of issue: "240/kh-ubnd@2023"
    signer: str | None = None
    signer_role: str | None = None
    n_sections: int
    n_chunks: int
    ingested_at: datetime


class Damage(BaseModel):
    """A document whose stored files could not be read: which version, why, and its files as they were."""

    version: str
    why: str
    files: list[tuple[int, int] | None]


class Manifest(BaseModel):
    documents: dict[str, DocumentRecord] = {}

    def fingerprint(self) -> str:
        return hashlib.sha256(
            "|".join(f"{k}:{v.version}" for k, v in sorted(self.documents.items())).encode()
        ).hexdigest()[:16]


def _atomic_write(path: Path, data: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Store:
    """The store under `home`; vectors in embedded Chroma, or on the server `chroma_url` names.

    `collection` (CHIDAO_COLLECTION) overrides the collection named in store.json ("chunks" for
    embedded Chroma, "chidao-<store id>" on a server); it is refused if another store owns it.
    """

    def __init__(
        self, home: Path | None = None, chroma_url: str | None = None, collection: str | None = None
    ):
        self.home = home or chidao_home()
        self.docs_dir = self.home / "docs"
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.home / "manifest.json"
        env = settings()
        self.chroma_url = chroma_url if chroma_url is not None else env.chroma_url
        self.identity = _store_identity(self.home, server=bool(self.chroma_url))
        self.collection_name = collection or env.collection or self.identity.collection
        self.damaged: dict[str, Damage] = {}  # documents left out of answering until mended
        # Chroma opens at its first use: the manifest, `docs list` and doctor's text checks work
        # even where Chroma cannot be opened (a full disk, a server that is down).
        self._collection = None
        self._client_stale = False
        self._chroma_seen = self._manifest_mtime()  # the manifest this Chroma client has seen the writes of
        self._writing = False
        self._manifest: tuple[int, Manifest] | None = None  # (mtime_ns, parsed)
        self._derived: dict[str, object] = {}  # sections, lexical index: valid for one manifest fingerprint
        self._derived_for: str | None = None
        self._texts: dict[Path, str] = {}

    @property
    def collection(self):
        """This store's Chroma collection, opened (and its owner checked) at first use."""
        if self._collection is None:
            self._open_collection(fresh=self._client_stale)
            self._client_stale = False
        return self._collection

    def _open_collection(self, fresh: bool = False) -> None:
        if fresh:
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()  # else the same (stale) system is handed back
        with self.chroma("open the collection"):
            self.client = chroma_client(self.chroma_url, self.home / "chroma")
            # embedding_function=None: Chroma's default would download a model; we pass vectors ourselves.
            collection = self.client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "chidao_store": self.identity.store_id},
            )
            owner = (collection.metadata or {}).get("chidao_store")
            if owner is None:  # made before collections named their store: this store claims it
                collection.modify(
                    metadata={**(collection.metadata or {}), "chidao_store": self.identity.store_id}
                )
        if owner not in (None, self.identity.store_id):
            where = self.chroma_url or self.home / "chroma"
            raise StoreConflict(
                f"the Chroma collection {self.collection_name!r} at {where} belongs to another chidao store "
                f"(id {owner}; this one is {self.identity.store_id}): using it would delete that store's "
                "vectors. Unset CHIDAO_COLLECTION (each store then gets its own) or name an unused collection"
            )
        self._collection = collection

    @contextmanager
    def chroma(self, what: str):
        """A Chroma call; a server that is unreachable or fails, or an embedded store that cannot be
        opened or written (a full disk), becomes one StoreUnavailable line."""
        from chromadb.errors import ChromaError

        try:
            yield
        except (StoreConflict, StoreDamaged):
            raise
        except ChromaError as e:
            if self.chroma_url:
                raise self._unreachable(what, e) from None
            raise StoreUnavailable(
                f"the Chroma store in {self.home / 'chroma'} failed while trying to {what} ({e}); "
                "if the disk is full, free some space and run the command again"
            ) from None
        except Exception as e:  # httpx.ConnectError and the like: plain Exceptions
            if not self.chroma_url:
                raise
            raise self._unreachable(what, e) from None

    def _unreachable(self, what: str, e: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            f"the Chroma server at {self.chroma_url} is unreachable or failed while trying to "
            f"{what} ({type(e).__name__}); nothing was changed by that step — start or check "
            "the server (`chroma run …`) and run the command again"
        )

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
            # Embedded Chroma holds its vector index in this process's memory: what another process
            # wrote (`chidao ingest` beside `chidao serve`) is seen only by a newly opened client.
            self._collection, self._client_stale = None, True
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
        _atomic_write(self.manifest_path, manifest.model_dump_json(indent=1))
        self._manifest = None  # a write within the same mtime tick must still be seen
        self._chroma_seen = self._manifest_mtime()  # our own writes went through our own client

    def derived(self, key: str, build):
        """A structure derived from the documents in force (sections, lexical index, the question
        side's tables), built once and rebuilt when the manifest changes or a damaged document's
        files change (`chidao doctor --repair` mended them)."""
        fingerprint = self.manifest().fingerprint()
        mended = [s for s, d in self.damaged.items() if d.files != self._files_state(s, d.version)]
        for source in mended:
            del self.damaged[source]
        if self._derived_for != fingerprint or mended:
            self._derived, self._derived_for = {}, fingerprint
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    # ---- writing ---------------------------------------------------------------------
    @contextmanager
    def writing(self, what: str):
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
                _atomic_write(self.stored_file(doc.source, doc.version, "txt"), doc.text)
                self.write_sections(doc)
                if unit_vectors is not None:
                    self.write_units(doc, unit_vectors)
                self.write_chunks(doc, chunks, vectors)
                records.append(
                    DocumentRecord(
                        source=doc.source,
                        version=doc.version,
                        sha256=doc.sha256,
                        kind=doc.kind,
                        title=doc.title,
                        number=doc.number,
                        period_start=doc.period_start,
                        period_end=doc.period_end,
                        period_label=doc.period_label,
                        issuer=doc.issuer,
                        province=doc.province,
                        issued=doc.issued,
                        number_key=doc.number_key,
                        signer=doc.signer,
                        signer_role=doc.signer_role,
                        n_sections=len(doc.sections),
                        n_chunks=len(chunks),
                        ingested_at=datetime.now(UTC),
                    )
                )
            manifest = self.manifest().model_copy(deep=True)
            manifest.documents.update({r.source: r for r in records})
            self.save_manifest(manifest)  # the switch: from here on the new versions are in force
            self.collect_garbage([r.source for r in records])
            return records

    def stored_file(self, source: str, version: str, ext: str) -> Path:
        """docs/<source>.<version>.txt (the stored text) or .json (its sections)."""
        return self.docs_dir / f"{source}.{version}.{ext}"

    def write_sections(self, doc: Document) -> None:
        _atomic_write(
            self.stored_file(doc.source, doc.version, "json"),
            json.dumps([s.model_dump(mode="json") for s in doc.sections], ensure_ascii=False),
        )

    def write_units(self, doc: Document, vectors: np.ndarray) -> None:
        units = document_units(doc)
        if len(units) != len(vectors):
            raise ValueError(f"{doc.source}: {len(vectors)} vectors for {len(units)} answer units")
        path = self.stored_file(doc.source, doc.version, "npz")
        tmp = path.with_name(path.name + ".tmp")
        save_units(tmp, units, vectors)
        os.replace(tmp, path)

    def has_units(self, source: str, version: str) -> bool:
        return self.stored_file(source, version, "npz").exists()

    def units(self) -> UnitIndex:
        """The answer units of the documents whose units are stored, with their vectors."""

        def load() -> UnitIndex:
            parts = []
            self.sections()  # finds the damaged documents first
            for r in self.in_force():
                path = self.stored_file(r.source, r.version, "npz")
                if not path.exists():
                    continue  # stored before answer units existed: `chidao ingest` adds them
                try:
                    units, vectors = load_units(path)
                except (OSError, ValueError, KeyError) as e:
                    self._note_damage(r, f"its answer units are unreadable ({type(e).__name__})")
                    continue
                parts.append((r, units, vectors))
            return UnitIndex(parts)

        return self.derived("units", load)

    def write_chunks(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray) -> None:
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
        with self.chroma(f"store the chunks of {doc.source}"):
            for i in range(0, len(chunks), 4096):
                self.collection.upsert(
                    ids=[c.id for c in chunks[i : i + 4096]],
                    embeddings=vectors[i : i + 4096].tolist(),
                    documents=[c.text for c in chunks[i : i + 4096]],
                    metadatas=metadatas[i : i + 4096],
                )

    def chunk_vectors(self) -> ChunkIndex:
        """Every chunk of the documents in force with its vector, read from Chroma once per manifest.
        An embedded store is searched exactly on these (see ChunkIndex); a server's through its index."""

        def load() -> ChunkIndex:
            in_force = set(self.versions())
            metadatas, lengths, vectors = [], [], []
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
        with self.chroma("search the chunks"):
            got = self.collection.query(
                query_embeddings=[vector.tolist()],
                n_results=n,
                where=filters.where(self.manifest().documents) if filters else None,
                include=["metadatas", "distances", "documents"],
            )
        return list(zip(got["metadatas"][0], got["distances"][0], got["documents"][0]))

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
        out = []
        for path in self.docs_dir.iterdir():
            stem = path.name.rsplit(".", 2 if path.suffix == ".tmp" else 1)[0]  # <source>.<version>
            wanted = sources is None or stem.rpartition(".")[0] in sources
            if wanted and (path.suffix == ".tmp" or stem not in in_force):
                out.append(path)
        return out

    def _delete_stale_chunks(self, sources: list[str] | None) -> None:
        in_force = {r.source: r.version for r in self.manifest().documents.values()}
        if sources is None:
            stale = [i for i, m in self.chunk_metadata() if in_force.get(m["source"]) != m["version"]]
        else:
            stale = []
            for source in sources:
                where = (
                    {"$and": [{"source": source}, {"version": {"$ne": in_force[source]}}]}
                    if source in in_force
                    else {"source": source}
                )
                with self.chroma("find the chunks of old versions"):
                    stale += self.collection.get(where=where, include=[])["ids"]
        with self.chroma("delete the chunks of old versions"):
            for i in range(0, len(stale), 4096):
                self.collection.delete(ids=stale[i : i + 4096])

    def chunk_pages(self, include: list[str]):
        """Every chunk in Chroma, as Chroma's `get` results of 10,000 chunks each."""
        with self.chroma("read the chunks"):
            total = self.collection.count()
        for offset in range(0, total, 10_000):
            with self.chroma("read the chunks"):
                page = self.collection.get(include=include, limit=10_000, offset=offset)
            yield page

    def chunk_metadata(self, documents: bool = False):
        """(id, metadata) — or (id, metadata, text) — of every chunk in Chroma, paged."""
        for page in self.chunk_pages(["metadatas", "documents"] if documents else ["metadatas"]):
            if documents:
                yield from zip(page["ids"], page["metadatas"], page["documents"])
            else:
                yield from zip(page["ids"], page["metadatas"])

    # ---- reading ---------------------------------------------------------------------
    def source_text(self, source: str) -> str:
        """The stored text of a document in force; quotes are verified against it."""
        record = self.manifest().documents.get(source)
        if record is None:
            raise KeyError(source)
        path = self.stored_file(source, record.version, "txt")
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                self.mark_damaged(source, f"{path.name} is unreadable ({type(e).__name__})")
                raise StoreDamaged(
                    f"{source}: its stored text {path} is unreadable; run `chidao doctor --repair`"
                ) from None
        return self._texts[path]

    def mark_damaged(self, source: str, why: str) -> None:
        """Leave a document out of answering until its files change (repaired, or ingested anew)."""
        record = self.manifest().documents.get(source)
        if record is not None:
            self.damaged[source] = Damage(
                version=record.version, why=why, files=self._files_state(source, record.version)
            )
        self._derived, self._derived_for = {}, None

    def _note_damage(self, r: DocumentRecord, why: str) -> None:
        """As mark_damaged, while the derived tables are being built (they are built without it)."""
        self.damaged[r.source] = Damage(
            version=r.version, why=why, files=self._files_state(r.source, r.version)
        )

    def _files_state(self, source: str, version: str) -> list[tuple[int, int] | None]:
        out: list[tuple[int, int] | None] = []
        for ext in ("txt", "json", "npz"):
            try:
                st = self.stored_file(source, version, ext).stat()
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return out

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
                path = self.stored_file(r.source, r.version, "json")
                try:
                    if not self.stored_file(r.source, r.version, "txt").is_file():
                        raise FileNotFoundError("stored text missing")
                    raw = json.loads(path.read_text(encoding="utf-8"))
                    sections = {s["id"]: Section.model_validate(s) for s in raw}
                except (OSError, ValueError, KeyError, TypeError) as e:
                    self._note_damage(
                        r, f"its stored text or sections are missing or unreadable ({type(e).__name__})"
                    )
                    continue
                out.update(sections)
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
    def lexical(self) -> LexicalIndex:
        return self.derived("lexical", lambda: LexicalIndex.load_or_build(self))

    def clear(self) -> None:
        """Remove everything under CHIDAO_HOME that chidao wrote (used by tests and `--reset`)."""
        self.collection  # noqa: B018 — opened first: a collection another store owns is refused, not deleted
        with self.chroma("delete the collection"):
            self.client.delete_collection(self.collection_name)
        self._collection = None
        shutil.rmtree(self.docs_dir, ignore_errors=True)
        shutil.rmtree(self.home / "lexical", ignore_errors=True)
        self.manifest_path.unlink(missing_ok=True)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the k highest scores, best first: O(n) to find them, then a sort of the k."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


class ChunkColumns:
    """The chunk metadata the filters read, as columns (assistant.retrieval masks them)."""

    def __init__(self, metadatas: list[dict]):
        self.metadatas = metadatas
        self.source = np.array([m["source"] for m in metadatas])
        self.kind = np.array([m["kind"] for m in metadatas])
        self.period_start = np.array([m["period_start"] for m in metadatas], dtype=np.int64)
        self.period_end = np.array([m["period_end"] for m in metadatas], dtype=np.int64)


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
            for i in _top(scores, n)
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
        _atomic_write(
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
        return [(self.ids[i], float(scores[i])) for i in _top(scores, k) if scores[i] > 0]


def doc_number_index(sections: dict[str, Section]) -> dict[str, list[str]]:
    """Document-number key → ids of the sections that mention it (instrument first)."""
    index: dict[str, list[str]] = {}
    for s in sections.values():
        for n in ([s.instrument] if s.instrument else []) + s.doc_numbers:
            ids = index.setdefault(doc_number_key(n), [])
            if s.id not in ids:
                ids.append(s.id)
    return index
