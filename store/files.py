"""Writing a file so that a reader sees the old content or the new, never half of it."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, data: str) -> None:
    """Write beside, fsync, rename into place. Callers use `files.atomic_write` (a module lookup),
    so the crash tests can cut a write short at the nth call."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
