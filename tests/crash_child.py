"""One `ingest` run that parks at a named point so tests/test_crash.py can kill -9 it right there.

    python tests/crash_child.py POINT HOME CHROMA_URL COLLECTION PATH...

It prints "ready" once imported and "parked" when it reaches POINT (then sleeps until killed);
POINT "none" runs straight through (the test kills it after a delay instead).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import bm25s

from store import files
from store.index import Store
from store.ingest import ingest
from tests.conftest import HashEmbedder


def park() -> None:
    print("parked", flush=True)
    time.sleep(3600)


def pause(owner, attr: str, when: str, nth: int) -> None:
    """Park before/after the nth call of owner.attr."""
    original = getattr(owner, attr)
    calls = 0

    def wrapper(*args, **kwargs):
        nonlocal calls
        calls += 1
        if when == "before" and calls == nth:
            park()
        result = original(*args, **kwargs)
        if when == "after" and calls == nth:
            park()
        return result

    setattr(owner, attr, wrapper)


def half_written_file(nth: int) -> None:
    """The nth stored file is cut off halfway, as a kill in the middle of write() leaves it."""
    original = files.atomic_write
    calls = 0

    def wrapper(path: Path, data: str) -> None:
        nonlocal calls
        calls += 1
        if calls == nth:
            path.with_name(path.name + ".tmp").write_text(data[: len(data) // 2], encoding="utf-8")
            park()
        original(path, data)

    files.atomic_write = wrapper


POINTS = {
    "half-written-file": lambda: half_written_file(3),  # 2nd document's stored text
    "before-chunks": lambda: pause(Store, "write_chunks", "before", 2),  # its files written, no chunks
    "after-chunks": lambda: pause(Store, "write_chunks", "after", 2),  # its chunks beside the old ones
    "after-switch": lambda: pause(Store, "save_manifest", "after", 2),  # in force; old chunks not yet deleted
    "lexical-saved": lambda: pause(bm25s.BM25, "save", "after", 1),  # index written aside, not renamed
    "none": lambda: None,
}

if __name__ == "__main__":
    point, home, url, collection, *paths = sys.argv[1:]
    POINTS[point]()
    store = Store(Path(home), chroma_url=url, collection=collection or None)
    print("ready", flush=True)
    ingest([Path(p) for p in paths], store, HashEmbedder)
    print("done", flush=True)
