"""Reading source files into normalised text, refusing what is not a readable text document."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md"}


class ReadError(ValueError):
    """A file that cannot be ingested; the message names the file and the reason in one line."""


def max_bytes() -> int:
    return int(float(os.environ.get("CHIDAO_MAX_FILE_MB", "50")) * 1024 * 1024)


def read_text(path: Path) -> str:
    """UTF-8 (with or without BOM) text, NFC-normalised: the exact text citations index."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > max_bytes():
            raise ReadError(f"{name}: {size / 1e6:.1f} MB is over the {max_bytes() / 1e6:.0f} MB limit (CHIDAO_MAX_FILE_MB)")
        raw = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{name}: cannot be read ({e.strerror or e})") from None
    if b"\x00" in raw[:8192]:
        raise ReadError(f"{name}: binary file (contains NUL bytes), not a text document")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReadError(f"{name}: not valid UTF-8 (byte {e.start}); save it as UTF-8 and ingest again") from None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise ReadError(f"{name}: empty file")
    return text


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Files to ingest under `paths` (folders: their .txt/.md files), and errors for missing paths."""
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors
