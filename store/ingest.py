"""Incremental ingestion: read → sectionize → chunk → embed → store, one document at a time."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from store.chunking import chunk_section
from store.errors import StoreUnavailable
from store.index import Store
from store.models import Chunk, Document
from store.reader import ReadError, discover, read_document
from store.sectioning import sectionize
from store.settings import SettingsError, settings
from store.units import document_units

# The five documents shipped with the project (README, "Sample corpus"); beside the packages in a checkout.
CHECKOUT_CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


def sample_corpus() -> Path:
    """The folder an empty store is filled from: CHIDAO_SAMPLE_CORPUS, else the checkout's data/corpus.
    Neither there (chidao installed without its checkout): a clear error, never an empty store."""
    folder = (settings().sample_corpus or CHECKOUT_CORPUS).expanduser()
    if not folder.is_dir():
        raise SettingsError(
            f"no sample corpus at {folder}: set CHIDAO_SAMPLE_CORPUS to a folder of documents "
            "(a checkout of chidao has it in data/corpus)"
        )
    return folder


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: "name: reason"
    converted: list[str] = field(default_factory=list)  # "name: TCVN3 → Unicode" and the like
    sections: dict[str, int] = field(default_factory=dict)


def ingest(
    paths: list[Path],
    store: Store,
    embedder_factory: Callable[[], object],
    progress: Callable[[str, int, int], None] | None = None,
    timings: dict[str, float] | None = None,
    follow_symlinks: bool = False,
) -> IngestReport:
    """Ingest files; unchanged ones cost nothing, bad ones are reported and skipped.

    `embedder_factory` is called only when something needs embedding, so a re-run over an
    unchanged corpus does not load the model. One ingest at a time per store: a second one
    raises StoreBusy before reading anything. Symbolic links are refused unless `follow_symlinks`.
    """
    with store.writing("ingest"):
        return _ingest(paths, store, embedder_factory, progress, timings, follow_symlinks)


def _ingest(paths, store, embedder_factory, progress, timings, follow_symlinks=False) -> IngestReport:
    report = IngestReport()
    clock = _Clock(timings if timings is not None else {})
    files, report.skipped = discover(paths, follow_symlinks)
    manifest = store.manifest()
    by_hash = {r.sha256: r.source for r in manifest.documents.values()}
    embedder = None
    store.collect_garbage()  # finish what an interrupted run left
    for n, path in enumerate(files):
        name = path.name
        try:
            with clock("read"):
                text, how = read_document(path, follow_symlinks)
        except ReadError as e:
            report.skipped.append(str(e))
            continue
        if how not in ("UTF-8", "docx", "pdf", "html (UTF-8)"):
            report.converted.append(f"{name}: read as {how}")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        current = manifest.documents.get(name)
        if current is not None and current.sha256 == sha:
            if not store.has_units(name, current.version):  # stored before answer units existed
                embedder = embedder or embedder_factory()
                with clock("embed units"):
                    doc = sectionize(name, text)
                    store.write_units(doc, embed_units(embedder, doc))
            report.unchanged.append(name)
            continue
        if sha in by_hash and by_hash[sha] != name:
            report.skipped.append(f"{name}: same content as {by_hash[sha]}, not stored twice")
            continue
        try:
            with clock("parse"):
                doc = sectionize(name, text)
                chunks, titles = chunks_of(doc)
        except Exception as e:  # a sectioning bug must not stop the rest of the folder
            report.skipped.append(
                f"{name}: could not be sectioned ({type(e).__name__}: {e}); please report it"
            )
            continue
        if not doc.sections:
            report.skipped.append(f"{name}: no text to index")
            continue
        if progress:
            progress(name, n, len(files))
        if embedder is None:
            with clock("load model"):
                embedder = embedder_factory()
        with clock("embed"):
            vectors, unit_vectors = embed_document(embedder, doc, chunks, titles)
        try:
            with clock("write"):
                store.put_document(doc, chunks, vectors, unit_vectors)
        except (StoreUnavailable, OSError) as e:  # the store keeps the version it had; leftovers go next run
            report.skipped.append(f"{name}: not stored: {_why(e)}")
            continue
        by_hash[sha] = name
        (report.updated if current else report.added).append(name)
        report.sections[name] = len(doc.sections)
    if report.added or report.updated:
        try:
            with clock("lexical index"):
                store.lexical()  # rebuild now, not on the first question
        except (
            StoreUnavailable,
            OSError,
        ) as e:  # the documents are in; the index is built at the next question
            report.skipped.append(f"lexical index: not rebuilt yet: {_why(e)}")
    return report


def _why(e: Exception) -> str:
    """One line for a failed write: the store's own message, or the system's ("No space left on device")."""
    if isinstance(e, OSError):
        return f"{e.strerror or type(e).__name__}; free space or fix the store folder and ingest again"
    return str(e)


def section_titles(doc: Document) -> dict[str, str]:
    """Section id → the title its chunks and answer units are embedded with: document › enclosing
    headings › section (a passage alone lacks them)."""
    return {
        s.id: " › ".join(t for t in (doc.title, s.context, s.title) if t and t != s.text)
        for s in doc.sections
    }


def chunks_of(doc: Document) -> tuple[list[Chunk], list[str]]:
    """The document's chunks, and the title each is embedded with."""
    titles = section_titles(doc)
    chunks = [c for s in doc.sections for c in chunk_section(s, doc.version)]
    return chunks, [titles[c.section_id] for c in chunks]


def embed_document(embedder, doc: Document, chunks: list[Chunk], titles: list[str]):
    """(chunk vectors, answer-unit vectors) from one pass: the embedder sorts all of them by length
    into batches, and a unit whose text is also a chunk's is embedded once."""
    unit_texts, unit_titles = unit_inputs(doc)
    vectors = embedder.embed_documents([c.text for c in chunks] + unit_texts, titles + unit_titles)
    return vectors[: len(chunks)], vectors[len(chunks) :]


def unit_inputs(doc: Document) -> tuple[list[str], list[str]]:
    """Each answer unit's lead and text, and its section's title (document prompt)."""
    units, titles = document_units(doc), section_titles(doc)
    return [u.matched_text(doc.text) for u in units], [titles[u.section_id] for u in units]


def embed_units(embedder, doc: Document):
    """One vector per answer unit (a document stored before answer units existed, or mended)."""
    return embedder.embed_documents(*unit_inputs(doc))


class _Clock:
    """Adds the time spent in each stage to a dict: where ingestion time goes."""

    def __init__(self, totals: dict[str, float]):
        self.totals = totals

    @contextmanager
    def __call__(self, stage: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            self.totals[stage] = self.totals.get(stage, 0.0) + time.perf_counter() - t
