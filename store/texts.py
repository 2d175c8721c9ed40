"""The stored texts: each document version's text, sections and answer units under docs/.

docs/<name>.<v>.txt    the text citations index (v = first 12 hex of its sha256)
docs/<name>.<v>.json   its sections (spans into that text, metadata)
docs/<name>.<v>.npz    its answer units and their vectors (store/units.py)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from store import files
from store.models import Document, Section
from store.units import Unit, document_units, load_units, save_units

EXTENSIONS = ("txt", "json", "npz")


class StoredTexts:
    def __init__(self, docs_dir: Path):
        self.docs_dir = docs_dir
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self._texts: dict[Path, str] = {}

    def path(self, source: str, version: str, ext: str) -> Path:
        """docs/<source>.<version>.<ext>."""
        return self.docs_dir / f"{source}.{version}.{ext}"

    def write(self, doc: Document, unit_vectors: np.ndarray | None) -> None:
        """A version's text, sections and (when given) answer units, each written whole."""
        files.atomic_write(self.path(doc.source, doc.version, "txt"), doc.text)
        self.write_sections(doc)
        if unit_vectors is not None:
            self.write_units(doc, unit_vectors)

    def write_sections(self, doc: Document) -> None:
        files.atomic_write(
            self.path(doc.source, doc.version, "json"),
            json.dumps([s.model_dump(mode="json") for s in doc.sections], ensure_ascii=False),
        )

    def write_units(self, doc: Document, vectors: np.ndarray) -> None:
        units = document_units(doc)
        if len(units) != len(vectors):
            raise ValueError(f"{doc.source}: {len(vectors)} vectors for {len(units)} answer units")
        path = self.path(doc.source, doc.version, "npz")
        tmp = path.with_name(path.name + ".tmp")
        save_units(tmp, units, vectors)
        os.replace(tmp, path)

    def has_units(self, source: str, version: str) -> bool:
        return self.path(source, version, "npz").exists()

    def text(self, source: str, version: str) -> str:
        """The stored text, read once; OSError or UnicodeDecodeError where it cannot be read."""
        path = self.path(source, version, "txt")
        if path not in self._texts:
            self._texts[path] = path.read_text(encoding="utf-8")
        return self._texts[path]

    def sections(self, source: str, version: str) -> dict[str, Section]:
        """The version's sections by id; OSError, ValueError, KeyError or TypeError where its text is
        missing or its sections file cannot be read."""
        if not self.path(source, version, "txt").is_file():
            raise FileNotFoundError("stored text missing")
        raw = json.loads(self.path(source, version, "json").read_text(encoding="utf-8"))
        return {s["id"]: Section.model_validate(s) for s in raw}

    def units(self, source: str, version: str) -> tuple[list[Unit], np.ndarray] | None:
        """The version's answer units and vectors; None if stored before answer units existed."""
        path = self.path(source, version, "npz")
        return load_units(path) if path.exists() else None

    def files_state(self, source: str, version: str) -> list[tuple[int, int] | None]:
        """(mtime, size) of each of the version's files: a damaged document is looked at again when
        these change."""
        out: list[tuple[int, int] | None] = []
        for ext in EXTENSIONS:
            try:
                st = self.path(source, version, ext).stat()
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return out

    def leftovers(self, in_force: set[str], sources: list[str] | None = None) -> list[Path]:
        """Files no reader uses: versions not in `in_force` ("<source>.<version>"), and .tmp files
        (writes cut short)."""
        out = []
        for path in self.docs_dir.iterdir():
            stem = path.name.rsplit(".", 2 if path.suffix == ".tmp" else 1)[0]  # <source>.<version>
            wanted = sources is None or stem.rpartition(".")[0] in sources
            if wanted and (path.suffix == ".tmp" or stem not in in_force):
                out.append(path)
        return out

    def forget(self) -> None:
        self._texts.clear()
