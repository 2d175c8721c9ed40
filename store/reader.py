"""Reading source files into the normalised text chidao stores, refusing what is not a document.

Every refusal is a ReadError whose message is one line: "<file name>: <reason, and what to do>".
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from store.encodings import EncodingError, decode, fix_legacy_fonts
from store.extract import ExtractError, docx_text, html_text, pdf_text

TEXT_SUFFIXES = {".txt", ".md"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".html", ".htm"}


class ReadError(ValueError):
    """A file that cannot be ingested; the message names the file and the reason in one line."""


def max_mb() -> float:
    return float(os.environ.get("CHIDAO_MAX_FILE_MB", "50"))


def max_bytes() -> int:
    return int(max_mb() * 1024 * 1024)


def read_text(path: Path) -> str:
    """The document's text (extracted, decoded, legacy fonts converted), NFC with \\n line ends."""
    return read_document(path)[0]


def read_document(path: Path) -> tuple[str, str]:
    """(text, how it was read, e.g. "UTF-8", "docx", "pdf", "html · TCVN3 → Unicode")."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"{name}: {suffix or 'no extension'} is not a supported type ({', '.join(sorted(SUFFIXES))})")
    try:
        size = path.stat().st_size
        if size > max_bytes():
            raise ReadError(f"{name}: {size / 1e6:.1f} MB is over the {max_mb():g} MB limit (CHIDAO_MAX_FILE_MB)")
        raw = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{name}: cannot be read ({e.strerror or e})") from None
    if not raw.strip():
        raise ReadError(f"{name}: empty file")
    try:
        if suffix == ".docx":
            text, how = docx_text(raw), "docx"
        elif suffix == ".pdf":
            text, how = pdf_text(raw), "pdf"
        else:
            text, how = decode(raw)
            if suffix in {".html", ".htm"}:
                text, how = html_text(text), f"html ({how})"
    except (EncodingError, ExtractError) as e:
        raise ReadError(f"{name}: {e}") from None
    text, legacy = fix_legacy_fonts(text)
    if legacy:
        how += f" · {legacy} → Unicode"
    # NFC, one line-end convention, no stray NULs: the stored text every offset refers to.
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", ""))
    if not text.strip():
        raise ReadError(f"{name}: no text in it")
    return text, how


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Files to ingest under `paths` (folders: their supported files), and errors for missing paths."""
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.is_file():
            files.append(p)
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors
