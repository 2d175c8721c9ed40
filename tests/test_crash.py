"""kill -9 during `ingest`, at several points: each document is as before or as after, the next ingest
completes the work, and a second writer is refused while the first holds the store.

The killed process is a real ingest (tests/crash_child.py) with hash vectors: these tests are about our
bookkeeping across Chroma, the lexical index and the manifest, not about the model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import doctor
from store.ingest import ingest
from store.lock import StoreBusy
from store.reader import read_text
from tests.conftest import CORPUS, ROOT, HashEmbedder, reopen

MARKER = "Giao Văn phòng lưu mã zqxv7 để kiểm tra việc khôi phục sau sự cố."  # zqxv7: in no other text


@pytest.fixture
def scenario(tmp_path, store):
    """The store holds 003 and 004; the new folder has 001 (new) and changed 003 and 004."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    for name in ("003_b8308b7cb78d46d0.txt", "004_6c782aff4e7e5e86.txt"):
        shutil.copy(CORPUS / name, old / name)
        (new / name).write_text(
            (CORPUS / name).read_text(encoding="utf-8") + f"\n{MARKER}\n", encoding="utf-8"
        )
    shutil.copy(CORPUS / "001_2bc3369859cde792.txt", new / "001_2bc3369859cde792.txt")
    ingest([old], store, HashEmbedder)

    def versions(folder):
        return {p.name: hashlib.sha256(read_text(p).encode()).hexdigest()[:12] for p in folder.iterdir()}

    texts = {v: read_text(folder / name) for folder in (old, new) for name, v in versions(folder).items()}
    return store, new, versions(old), versions(new), texts


def run_child(store, point: str, folder, kill_after: float | None = None) -> subprocess.Popen:
    """Start the ingest; return once it is parked at `point` (or `kill_after` s after it is ready)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "crash_child.py"),
            point,
            str(store.home),
            store.chroma_url or "",
            store.collection_name,
            str(folder),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    wanted = "parked" if kill_after is None else "ready"
    for line in proc.stdout:
        if line.strip() == wanted:
            break
        if line.strip() == "done":
            pytest.fail(f"ingest finished before reaching {point}")
    else:
        pytest.fail(f"the ingest died before {wanted}: {proc.stderr.read()[-2000:]}")
    if kill_after is not None:
        time.sleep(kill_after)
    return proc


def kill9(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode in (-signal.SIGKILL, 0)  # 0: it finished before the signal landed


def fresh(store):
    """The store as a new process sees it (no Chroma state cached in this one)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return reopen(store)


def assert_each_document_before_or_after(store, before, after, texts) -> None:
    manifest = store.manifest()
    for source in set(before) | set(after):
        record = manifest.documents.get(source)
        assert (record.version if record else None) in {before.get(source), after[source]}, source
        if record is None:
            continue
        assert store.source_text(source) == texts[record.version]
        got = store.collection.get(
            where={"$and": [{"source": source}, {"version": record.version}]},
            include=["documents"],
            limit=record.n_chunks + 10,
        )
        assert len(got["ids"]) == record.n_chunks, source
        # It answers: the vector of one of its chunks finds that chunk among the versions in force.
        hit = store.collection.query(
            query_embeddings=[HashEmbedder().embed_query(got["documents"][0]).tolist()],
            n_results=1,
            where={"version": {"$in": store.versions()}},
            include=[],
        )
        assert hit["ids"][0] == [got["ids"][0]]
    lexical = store.lexical()
    in_force = {i for i, m in store.chunk_metadata() if m["version"] in set(store.versions())}
    assert set(lexical.ids) == in_force
    changed = [
        s
        for s in ("003_b8308b7cb78d46d0.txt", "004_6c782aff4e7e5e86.txt")
        if manifest.documents[s].version == after[s]
    ]
    hits = {h.split("#")[0] for h, _ in lexical.search(["zqxv7"], 10)}
    assert hits == set(changed)  # the new paragraph is found exactly where the new version is in force
    # Leftovers of the killed run may remain (the next ingest deletes them); no document is damaged.
    assert all(f.source is None for f in doctor.check(store))


def assert_completed(store, after) -> None:
    assert {s: r.version for s, r in store.manifest().documents.items()} == after
    assert doctor.check(store) == []


POINTS = ["half-written-file", "before-chunks", "after-chunks", "after-switch", "lexical-saved"]


@pytest.mark.parametrize("point", POINTS)
def test_kill9_at_a_point_of_ingest_then_the_next_ingest_completes(scenario, point):
    store, new, before, after, texts = scenario
    kill9(run_child(store, point, new))
    store = fresh(store)
    assert_each_document_before_or_after(store, before, after, texts)
    ingest([new], store, HashEmbedder)  # does what the killed run left undone
    assert_completed(fresh(store), after)


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8])
def test_kill9_at_a_moment_in_time(scenario, delay):
    store, new, before, after, texts = scenario
    kill9(run_child(store, "none", new, kill_after=delay))
    store = fresh(store)
    assert_each_document_before_or_after(store, before, after, texts)
    ingest([new], store, HashEmbedder)
    assert_completed(fresh(store), after)


def test_a_serving_process_sees_the_vectors_another_process_ingested(scenario):
    """`chidao serve` stays up while `chidao ingest` runs in another shell: its next question must
    search the new chunks' vectors (embedded Chroma keeps a stale index in the serving process
    unless the store reopens it)."""
    store, new, before, after, texts = scenario
    serving = reopen(store)
    assert serving.manifest().documents  # the serving process has read the store once
    child = run_child(store, "none", new, kill_after=0)
    assert child.wait(timeout=120) == 0
    new_doc = "001_2bc3369859cde792.txt"
    assert new_doc in serving.manifest().documents
    got = serving.collection.get(where={"source": new_doc}, include=["documents"], limit=1)
    hit = serving.collection.query(
        query_embeddings=[HashEmbedder().embed_query(got["documents"][0]).tolist()], n_results=1, include=[]
    )
    assert hit["ids"][0] == got["ids"]


def test_a_second_ingest_is_refused_while_one_runs_and_proceeds_after(scenario, tmp_path):
    store, new, before, after, texts = scenario
    first = run_child(store, "after-chunks", new)
    try:
        with pytest.raises(StoreBusy, match=r"locked by chidao ingest \(pid \d+"):
            ingest([new], reopen(store), HashEmbedder)
        env = {
            **os.environ,
            "CHIDAO_HOME": str(store.home),
            "CHIDAO_CHROMA_URL": store.chroma_url or "",
            "CHIDAO_COLLECTION": store.collection_name,
        }
        chidao = str(Path(sys.executable).parent / "chidao")
        cli = subprocess.run(
            [chidao, "ingest", str(new)], capture_output=True, text=True, env=env, timeout=300
        )
        assert cli.returncode == 3 and "locked by chidao ingest (pid" in cli.stderr, cli.stderr
    finally:
        kill9(first)  # the kernel drops a dead process's lock: no stale lock file to clean by hand
    store = fresh(store)
    ingest([new], store, HashEmbedder)
    assert_completed(fresh(store), after)
