"""`chidao doctor`: check that the manifest, the stored texts, Chroma and the lexical index agree; repair.

The manifest is the truth of which version of each document is in force. Everything else can be
rebuilt from the stored texts it names: sections by sectioning the text again, chunks by chunking
and embedding it again, the lexical index from the chunks. Only a stored text that is missing or
does not match its hash cannot be mended here: that document leaves the manifest and must be
ingested again from its file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable

from pydantic import BaseModel

from store.catalogue import DocumentRecord, Manifest
from store.errors import StoreDamaged, StoreUnavailable
from store.index import Store
from store.ingest import chunks_of, embed_units
from store.sectioning import sectionize


class Finding(BaseModel):
    source: str | None = None  # None: the store as a whole
    problem: str
    repair: str  # what `--repair` does about it
    repaired: bool = False


def check(store: Store) -> list[Finding]:
    return _examine(store, repair=False, embedder_factory=None)


def repair(store: Store, embedder_factory: Callable[[], object]) -> list[Finding]:
    """Mend what check() finds, under the write lock; the embedder is loaded only if chunks are missing."""
    with store.writing("doctor --repair"):
        return _examine(store, repair=True, embedder_factory=embedder_factory)


def _examine(store: Store, repair: bool, embedder_factory) -> list[Finding]:
    findings: list[Finding] = []

    def found(source, problem, remedy, mend=None):
        f = Finding(source=source, problem=problem, repair=remedy)
        if repair and mend is not None:
            mend()
            f.repaired = True
        findings.append(f)

    try:
        manifest = store.manifest()
    except (StoreDamaged, OSError) as e:
        found(
            None,
            f"manifest.json is unreadable ({e})" if isinstance(e, OSError) else "manifest.json is unreadable",
            "rebuilt from the stored texts (the newest version of each document)",
            lambda: store.save_manifest(_manifest_from_texts(store)),
        )
        if not repair:
            return findings
        manifest = store.manifest()

    counted: Counter[str] = Counter()
    chunk_counts: Counter[str] | None = counted
    stale_chunks = 0
    in_force = {r.source: r.version for r in manifest.documents.values()}
    try:
        for _, m in store.chunk_metadata():
            if in_force.get(m["source"]) == m["version"]:
                counted[m["source"]] += 1
            else:
                stale_chunks += 1
    except StoreUnavailable as e:  # a full disk, a server that is down: check what can be checked
        chunk_counts = None
        found(None, f"Chroma cannot be read: {e}", "none until Chroma can be opened; then run doctor again")

    embedder = None
    dropped: list[str] = []
    for r in list(manifest.documents.values()):
        text_path = store.stored_file(r.source, r.version, "txt")
        sections_path = store.stored_file(r.source, r.version, "json")
        text = text_path.read_text(encoding="utf-8") if text_path.exists() else None
        if text is None or hashlib.sha256(text.encode("utf-8")).hexdigest() != r.sha256:
            found(
                r.source,
                "stored text is missing or does not match its hash",
                f"removed from the manifest; ingest {r.source} again",
                lambda s=r.source: dropped.append(s),
            )
            continue
        doc = None
        try:
            json.loads(sections_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = sectionize(r.source, text)
            found(
                r.source,
                "sections file is missing or unreadable",
                "sectioned again from the stored text",
                lambda d=doc: store.write_sections(d),
            )
        if chunk_counts is not None and chunk_counts[r.source] != r.n_chunks:

            def rechunk(r=r, text=text):
                nonlocal embedder
                d = sectionize(r.source, text)
                chunks, titles = chunks_of(d)
                embedder = embedder or embedder_factory()
                vectors = embedder.embed_documents([c.text for c in chunks], titles)
                store.write_chunks(d, chunks, vectors)

            found(
                r.source,
                f"{chunk_counts[r.source]} of its {r.n_chunks} chunks are in Chroma",
                "chunked and embedded again from the stored text",
                rechunk,
            )
        if not store.has_units(r.source, r.version):

            def reunit(r=r, text=text):
                nonlocal embedder
                d = sectionize(r.source, text)
                embedder = embedder or embedder_factory()
                store.write_units(d, embed_units(embedder, d))

            found(
                r.source,
                "its answer units are missing (stored before they existed, or deleted)",
                "cut and embedded again from the stored text",
                reunit,
            )
    if repair and dropped:
        fixed = store.manifest().model_copy(deep=True)
        for source in dropped:
            fixed.documents.pop(source, None)
        store.save_manifest(fixed)

    leftovers = store.leftover_files()
    if stale_chunks or leftovers:
        found(
            None,
            f"{stale_chunks} chunk(s) and {len(leftovers)} file(s) of versions no longer in force",
            "deleted",
            lambda: store.collect_garbage(),
        )

    if chunk_counts is None:
        return findings  # the chunks, leftovers and lexical index are compared with Chroma's contents
    lexical_dir = store.home / "lexical" / store.manifest().fingerprint()
    ids_ok = False
    if (lexical_dir / "chunks.json").exists():
        saved = json.loads((lexical_dir / "chunks.json").read_text(encoding="utf-8"))
        versions = set(store.versions())
        expected = {i for i, m in store.chunk_metadata() if m["version"] in versions}
        ids_ok = set(saved["ids"]) == expected
    if not ids_ok:

        def rebuild():
            shutil.rmtree(lexical_dir, ignore_errors=True)
            store.lexical()

        found(None, "the lexical index is missing or does not match the chunks in force", "rebuilt", rebuild)
    return findings


def _manifest_from_texts(store: Store) -> Manifest:
    """A manifest from docs/: for each document the newest stored version whose text matches its name."""
    newest: dict[str, tuple[float, str]] = {}
    for p in store.docs_dir.glob("*.txt"):
        source, _, version = p.name[:-4].rpartition(".")
        if source and (source not in newest or p.stat().st_mtime > newest[source][0]):
            newest[source] = (p.stat().st_mtime, version)
    manifest = Manifest()
    for source, (_, version) in newest.items():
        text = store.stored_file(source, version, "txt").read_text(encoding="utf-8")
        doc = sectionize(source, text)
        if doc.version != version:
            continue
        chunks, _ = chunks_of(doc)  # the count it should have: the chunk check that follows mends a gap
        manifest.documents[source] = DocumentRecord.of(doc, n_chunks=len(chunks))
    return manifest
