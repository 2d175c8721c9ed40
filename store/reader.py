"""Reading source files into the normalised text chidao stores, refusing what is not a document.

Every refusal is a ReadError whose message is one line: "<file name>: <reason, and what to do>".
Whatever a file holds, reading it ends in its text or in such a line, so one bad file never
stops the others.
"""

from __future__ import annotations

import math
import os
import stat
import unicodedata
from pathlib import Path

from store.encodings import EncodingError, decode, fix_legacy_fonts
from store.extract import ExtractError, docx_text, html_text, pdf_text
from store.settings import settings

TEXT_SUFFIXES = {".txt", ".md"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf", ".html", ".htm"}

# The store writes docs/<name>.<12-hex version>.json.tmp, and file systems allow 255 bytes a name.
MAX_NAME_BYTES = 200


class ReadError(ValueError):
    """A file that cannot be ingested; the message names the file and the reason in one line."""


def max_mb() -> float:
    """The size limit, CHIDAO_MAX_FILE_MB, in MB of 1024² bytes."""
    return settings().max_file_mb


def max_bytes() -> int:
    return int(max_mb() * 1024 * 1024)


def size_error(name: str, size: int) -> ReadError:
    """The refusal of a file over the limit, in the limit's own unit; rounded up, so a file just
    over 50 MB never reads as "50.0 MB is over the 50 MB limit"."""
    return ReadError(
        f"{name}: {math.ceil(size / 1024 / 1024 * 10) / 10:.1f} MB is over the {max_mb():g} MB limit "
        "(CHIDAO_MAX_FILE_MB)"
    )


def read_text(path: Path, follow_symlinks: bool = False) -> str:
    """The document's text (extracted, decoded, legacy fonts converted), NFC with \\n line ends."""
    return read_document(path, follow_symlinks)[0]


def read_document(path: Path, follow_symlinks: bool = False) -> tuple[str, str]:
    """(text, how it was read, e.g. "UTF-8", "docx", "pdf", "html · TCVN3 → Unicode").

    Raises ReadError, and nothing else, for any file that cannot be read.
    """
    try:
        return _read_document(path, follow_symlinks)
    except ReadError:
        raise
    except Exception as e:  # a library failing on a hostile file, or a bug of ours: still one line
        raise ReadError(f"{path.name}: could not be read ({type(e).__name__}); not stored") from None


def _read_document(path: Path, follow_symlinks: bool) -> tuple[str, str]:
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(
            f"{name}: {suffix or 'no extension'} is not a supported type ({', '.join(sorted(SUFFIXES))})"
        )
    name_bytes = len(name.encode("utf-8", "surrogateescape"))
    if name_bytes > MAX_NAME_BYTES:
        raise ReadError(
            f"{name}: file name too long ({name_bytes} bytes; at most {MAX_NAME_BYTES}); rename it"
        )
    raw = _read_bytes(path, follow_symlinks)
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
    if not _has_visible_character(text):
        raise ReadError(f"{name}: no text in it")
    return text, how


def _has_visible_character(text: str) -> bool:
    """Anything but spaces, controls and invisible format characters (zero-width spaces, BOMs…)."""
    return any(unicodedata.category(c)[0] not in "ZC" for c in text)


def _read_bytes(path: Path, follow_symlinks: bool) -> bytes:
    """The file's bytes, at most the size limit: only a regular file, never through a symbolic link
    unless asked, and never more than max_bytes() + 1 bytes whatever its size claims to be."""
    name = path.name
    if not follow_symlinks and path.is_symlink():
        raise ReadError(f"{name}: a symbolic link, not followed")
    # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: a link swapped in since.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        with open(os.open(path, flags), "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ReadError(f"{name}: not a regular file (a device, pipe or socket); not read")
            if info.st_size > max_bytes():
                raise size_error(name, info.st_size)
            raw = f.read(max_bytes() + 1)
    except OSError as e:
        raise ReadError(f"{name}: cannot be read ({e.strerror or e})") from None
    if len(raw) > max_bytes():
        raise ReadError(f"{name}: over the {max_mb():g} MB limit (CHIDAO_MAX_FILE_MB)")
    if len(raw) != info.st_size:  # growing, or not a real file: /proc and /sys list size 0
        raise ReadError(
            f"{name}: changed size while read ({info.st_size} bytes listed, {len(raw)} read); "
            "not read, try again once it is complete"
        )
    return raw


def discover(paths: list[Path], follow_symlinks: bool = False) -> tuple[list[Path], list[str]]:
    """Files to ingest under `paths` (folders: their supported files, not hidden ones), and one line
    for each path left out: missing, a symbolic link (unless follow_symlinks), or a second file
    with the name of an earlier one — the store keys documents by file name, so it would replace it.
    """
    found: list[tuple[Path, str]] = []  # (file, how messages name it)
    errors: list[str] = []
    for p in paths:
        if p.is_symlink() and not follow_symlinks:
            errors.append(f"{p}: a symbolic link, not followed")
        elif p.is_dir():
            found += _walk(p, follow_symlinks, errors)
        elif os.path.lexists(p):  # a file, or something read_document refuses by name
            found.append((p, str(p)))
        else:
            errors.append(f"{p}: no such file or folder")
    files: list[Path] = []
    first: dict[str, tuple[Path, str]] = {}
    for path, label in found:
        if path.name not in first:
            first[path.name] = (path, label)
            files.append(path)
        elif first[path.name][0] != path:  # the same file given twice is simply read once
            earlier_path, earlier = first[path.name]
            if earlier == label:  # the same place in two folders given: their full paths tell them apart
                label, earlier = str(path), str(earlier_path)
            errors.append(
                f"{label}: same file name as {earlier} (documents are stored by file name); rename one"
            )
    return files, errors


def _walk(root: Path, follow_symlinks: bool, errors: list[str]) -> list[tuple[Path, str]]:
    """Supported files under `root` in path order, each with its path relative to `root`."""
    found: list[tuple[Path, str]] = []
    seen: set[tuple[int, int]] = set()  # folders walked, so a link back up the tree ends

    def unreadable(e: OSError) -> None:
        errors.append(f"{Path(os.path.relpath(e.filename, root)).as_posix()}: cannot be read ({e.strerror})")

    for folder, dirs, names in os.walk(root, onerror=unreadable, followlinks=follow_symlinks):
        here = Path(folder)
        if follow_symlinks:
            info = here.stat()
            if (info.st_dev, info.st_ino) in seen:
                dirs[:] = []
                continue
            seen.add((info.st_dev, info.st_ino))
        for d in [d for d in dirs if d.startswith(".") or (not follow_symlinks and (here / d).is_symlink())]:
            dirs.remove(d)
            if not d.startswith("."):
                errors.append(f"{(here / d).relative_to(root).as_posix()}: a symbolic link, not followed")
        for n in names:
            f = here / n
            if n.startswith(".") or f.suffix.lower() not in SUFFIXES:
                continue
            if not follow_symlinks and f.is_symlink():
                errors.append(f"{f.relative_to(root).as_posix()}: a symbolic link, not followed")
            else:
                found.append((f, f.relative_to(root).as_posix()))
    return sorted(found)
