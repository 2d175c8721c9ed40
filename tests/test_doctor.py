"""`chidao doctor` finds each kind of disagreement between the manifest, texts, Chroma and the lexical
index, and --repair mends it (on embedded Chroma and on a Chroma server)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from store import doctor
from store.ingest import ingest
from store.units import load_units
from tests.conftest import CORPUS, HashEmbedder, reopen

NAMES = ["003_b8308b7cb78d46d0.txt", "004_6c782aff4e7e5e86.txt"]


@pytest.fixture
def healthy(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(CORPUS / name, folder / name)
    ingest([folder], store, HashEmbedder)
    assert doctor.check(store) == []
    return store


def _ids(store, source):
    return store.collection.get(where={"source": source}, include=[])["ids"]


def _repaired(store, expect: str):
    findings = doctor.check(store)
    assert findings and any(expect in f.problem for f in findings), findings
    fixed = doctor.repair(reopen(store), HashEmbedder)
    assert all(f.repaired for f in fixed)
    assert doctor.check(reopen(store)) == []
    return findings


def test_missing_chunks_are_embedded_again(healthy):
    before = set(_ids(healthy, NAMES[0]))
    healthy.collection.delete(ids=sorted(before)[:3])
    _repaired(healthy, "chunks are in Chroma")
    assert set(_ids(reopen(healthy), NAMES[0])) == before


def test_missing_answer_units_are_cut_and_embedded_again(healthy):
    version = healthy.manifest().documents[NAMES[1]].version
    path = healthy.stored_file(NAMES[1], version, "npz")
    units, vectors = load_units(path)
    path.unlink()
    _repaired(healthy, "answer units are missing")
    again, again_vectors = load_units(path)
    assert (
        again == units and (again_vectors == vectors).all()
    )  # the same units, the same (deterministic) vectors


def test_an_older_store_gets_answer_units_on_the_next_ingest(healthy, tmp_path):
    """A store written before answer units existed: unchanged documents are not re-embedded as
    chunks, only their units are added."""
    for name in NAMES:
        healthy.stored_file(name, healthy.manifest().documents[name].version, "npz").unlink()
    folder = tmp_path / "in"
    report = ingest([folder], reopen(healthy), HashEmbedder)
    assert sorted(report.unchanged) == sorted(NAMES)
    assert doctor.check(reopen(healthy)) == []


def test_a_lost_lexical_index_is_rebuilt(healthy):
    shutil.rmtree(healthy.home / "lexical")
    _repaired(healthy, "lexical index")


def test_stale_chunks_and_files_are_deleted(healthy):
    healthy.collection.upsert(
        ids=["ghost#1@000000000000:0"],
        embeddings=[HashEmbedder().embed_query("x").tolist()],
        documents=["x"],
        metadatas=[{"source": "ghost.txt", "version": "000000000000"}],
    )
    (healthy.docs_dir / "ghost.txt.000000000000.txt").write_text("x", encoding="utf-8")
    _repaired(healthy, "versions no longer in force")
    assert not _ids(reopen(healthy), "ghost.txt")


def test_a_write_cut_short_beside_the_version_in_force_is_deleted(healthy):
    record = healthy.manifest().documents[NAMES[0]]
    cut = healthy.stored_file(NAMES[0], record.version, "json.tmp")
    cut.write_text("[{", encoding="utf-8")
    _repaired(healthy, "versions no longer in force")
    assert not cut.exists() and healthy.stored_file(NAMES[0], record.version, "json").exists()


def test_a_damaged_stored_text_takes_its_document_out_of_force(healthy):
    record = healthy.manifest().documents[NAMES[1]]
    (healthy.docs_dir / f"{NAMES[1]}.{record.version}.txt").write_text("hỏng", encoding="utf-8")
    findings = _repaired(healthy, "does not match its hash")
    assert any(f"ingest {NAMES[1]} again" in f.repair for f in findings)
    assert set(reopen(healthy).manifest().documents) == {NAMES[0]}


def test_an_unreadable_manifest_is_rebuilt_from_the_stored_texts(healthy):
    before = {s: r.version for s, r in healthy.manifest().documents.items()}
    healthy.manifest_path.write_text("{not json", encoding="utf-8")
    env = {
        **os.environ,
        "CHIDAO_HOME": str(healthy.home),
        "CHIDAO_CHROMA_URL": healthy.chroma_url or "",
        "CHIDAO_COLLECTION": healthy.collection_name,
    }
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "chidao"), "docs", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert listed.returncode == 4 and "Traceback" not in listed.stderr
    assert "manifest.json is unreadable" in listed.stderr and "chidao doctor --repair" in listed.stderr
    _repaired(healthy, "manifest.json is unreadable")
    assert {s: r.version for s, r in reopen(healthy).manifest().documents.items()} == before
