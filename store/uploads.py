"""Files staff add through the chat's library tab: checked, renamed safely, copied into one folder."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

from store.reader import SUFFIXES, ReadError, max_bytes, size_error

_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_name(name: str) -> str:
    """A file name that is one plain component: NFC, no control characters, no path, not hidden.

    Raises ReadError when the name tries to leave the folder ("../x.txt", "/etc/x", "a\\b.txt").
    """
    name = unicodedata.normalize("NFC", name)
    if "/" in name or "\\" in name:  # any path at all: "../x", "/etc/x", "C:\\x", "a/b"
        raise ReadError(f"{name!r}: a path outside the library folder; upload the file itself")
    cleaned = _UNSAFE.sub("_", "".join(c for c in name if unicodedata.category(c)[0] != "C")).strip(" .")
    if not cleaned or Path(cleaned).stem in {"", "_"}:
        raise ReadError(f"{name!r}: no usable file name")
    stem, suffix = Path(cleaned).stem, Path(cleaned).suffix
    # Bytes, not characters: a Vietnamese letter takes 2–3 bytes, and the store adds ".<version>.json.tmp".
    while len(stem.encode("utf-8")) > 120:
        stem = stem[:-1]
    return stem + suffix.lower()


def stage_upload(path: Path, name: str, folder: Path) -> Path:
    """Copy an uploaded file to `folder`/.incoming under a safe name; refuse wrong types and sizes first.

    It joins the folder (`keep`) only once ingested, so a refused upload never replaces a good file
    of the same name.
    """
    target_name = safe_name(name)
    suffix = Path(target_name).suffix
    if suffix not in SUFFIXES:
        raise ReadError(
            f"{target_name}: {suffix or 'no extension'} is not a supported type ({', '.join(sorted(SUFFIXES))})"
        )
    size = path.stat().st_size
    if size > max_bytes():
        raise size_error(target_name, size)
    incoming = folder / ".incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    target = incoming / target_name
    if target.resolve().parent != incoming.resolve():  # belt and braces: symlinks, odd names
        raise ReadError(f"{name!r}: a path outside the library folder; upload the file itself")
    shutil.copyfile(path, target)
    return target


def keep(staged: Path) -> Path:
    """Move an ingested upload from .incoming into its folder (replacing an older copy)."""
    final = staged.parent.parent / staged.name
    staged.replace(final)
    return final
