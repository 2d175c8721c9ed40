"""One writer at a time per store: an advisory lock file, released by the kernel if the process dies."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path


class StoreBusy(RuntimeError):
    """Another process is writing to the store; the message says who and what to do."""


@contextmanager
def write_lock(home: Path, what: str):
    """Hold the store's write lock for `what` ("ingest", "doctor --repair", …) or raise StoreBusy.

    flock, not a pid file: a `kill -9`ed writer cannot leave a stale lock behind.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / "write.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 300, 0).decode("utf-8", "replace").strip() or "another process"
            raise StoreBusy(
                f"the store {home} is locked by {holder}; wait for it to finish and run the command again"
            ) from None
        try:  # who holds it, for a second writer's message; a full disk may refuse even that
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"chidao {what} (pid {os.getpid()}, since {datetime.now():%H:%M:%S})".encode(), 0)
        except OSError:
            pass
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
