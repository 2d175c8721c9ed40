"""Incremental ingestion: read → sectionize → chunk → embed → store, one document at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store.chunking import chunk_section
from store.index import Store
from store.reader import ReadError, discover, read_text
from store.sectioning import sectionize


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: "name: reason"
    sections: dict[str, int] = field(default_factory=dict)


def ingest(paths: list[Path], store: Store, embedder_factory: Callable[[], object],
           progress: Callable[[str, int, int], None] | None = None) -> IngestReport:
    """Ingest files; unchanged ones cost nothing, bad ones are reported and skipped.

    `embedder_factory` is called only when something needs embedding, so a re-run over an
    unchanged corpus does not load the model.
    """
    report = IngestReport()
    files, report.skipped = discover(paths)
    manifest = store.manifest()
    by_hash = {r.sha256: r.source for r in manifest.documents.values()}
    embedder = None
    store.collect_garbage()  # finish what an interrupted run left
    for n, path in enumerate(files):
        name = path.name
        try:
            text = read_text(path)
        except ReadError as e:
            report.skipped.append(str(e))
            continue
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        current = manifest.documents.get(name)
        if current is not None and current.sha256 == sha:
            report.unchanged.append(name)
            continue
        if sha in by_hash and by_hash[sha] != name:
            report.skipped.append(f"{name}: same content as {by_hash[sha]}, not stored twice")
            continue
        doc = sectionize(name, text)
        if not doc.sections:
            report.skipped.append(f"{name}: no text to index")
            continue
        version = doc.sha256[:12]
        chunks = [c for s in doc.sections for c in chunk_section(s, version)]
        # The document prompt's title: document › enclosing headings › section (a chunk alone lacks them).
        titles = {s.id: " › ".join(t for t in (doc.title, s.context, s.title) if t and t != s.text) for s in doc.sections}
        if progress:
            progress(name, n, len(files))
        if embedder is None:
            embedder = embedder_factory()
        vectors = embedder.embed_documents([c.text for c in chunks], [titles[c.section_id] for c in chunks])
        store.put_document(doc, chunks, vectors)
        by_hash[sha] = name
        (report.updated if current else report.added).append(name)
        report.sections[name] = len(doc.sections)
    if report.added or report.updated:
        store.lexical()  # rebuild now, not on the first question
    return report
