"""Incremental, safe ingestion: these tests are about our bookkeeping, so vectors come from a hash.

Each runs twice: on embedded Chroma, and against a real Chroma server (`chroma run`).
"""

import shutil

import pytest

from store.index import Store
from store.ingest import ingest
from tests.conftest import CORPUS, reopen

SMALL = ["003_b8308b7cb78d46d0.txt", "004_6c782aff4e7e5e86.txt"]


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in SMALL:
        shutil.copy(CORPUS / name, d / name)
    return d


def chunk_versions(store):
    got = store.collection.get(include=["metadatas"])
    return {(m["source"], m["version"]) for m in got["metadatas"]}


def test_first_ingest_stores_sections_chunks_and_lexical_index(store, folder, fake_embedder):
    report = ingest([folder], store, lambda: fake_embedder)
    assert report.added == SMALL and report.sections == {SMALL[0]: 10, SMALL[1]: 14}
    manifest = store.manifest()
    assert set(manifest.documents) == set(SMALL)
    assert (
        store.collection.count()
        == store.count_chunks()
        == sum(r.n_chunks for r in manifest.documents.values())
    )
    hits = store.lexical().search(["sot", "xuat", "huyet", "sot_xuat", "xuat_huyet"], 3)
    assert hits and hits[0][0].startswith("003_b8308b7cb78d46d0.txt#2@")
    assert store.source_text(SMALL[0]) == (CORPUS / SMALL[0]).read_text(encoding="utf-8")


def test_unchanged_files_cost_nothing(store, folder, fake_embedder):
    ingest([folder], store, lambda: fake_embedder)

    def no_model():
        raise AssertionError("an unchanged corpus must not load the model")

    report = ingest([folder], store, no_model)
    assert report.unchanged == SMALL and not report.added and not report.updated


def test_changed_file_replaces_its_sections(store, folder, fake_embedder):
    ingest([folder], store, lambda: fake_embedder)
    old_version = store.manifest().documents[SMALL[0]].version
    path = folder / SMALL[0]
    path.write_text(path.read_text(encoding="utf-8").replace("sốt xuất huyết", "sốt rét"), encoding="utf-8")
    report = ingest([folder], store, lambda: fake_embedder)
    assert report.updated == [SMALL[0]] and report.unchanged == [SMALL[1]]
    new_version = store.manifest().documents[SMALL[0]].version
    assert new_version != old_version
    assert (SMALL[0], old_version) not in chunk_versions(store)
    assert not list(store.docs_dir.glob(f"{SMALL[0]}.{old_version}.*"))
    assert "sốt rét" in store.sections()[f"{SMALL[0]}#2"].text


def test_duplicates_and_bad_files_are_reported_and_nothing_stored_is_lost(
    store, folder, fake_embedder, tmp_path
):
    ingest([folder], store, lambda: fake_embedder)
    before = (store.manifest().documents.copy(), store.collection.count())
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(folder / SMALL[0], bad / "copy_of_003.txt")
    (bad / "scan.txt").write_bytes(b"%PDF-1.4\x00\x00binary")
    (bad / "legacy.txt").write_bytes("Lạng Sơn, tỉnh".encode("cp1258", errors="replace"))
    (bad / "empty.txt").write_text("")
    report = ingest([bad, tmp_path / "missing"], store, lambda: fake_embedder)
    reasons = "\n".join(report.skipped)
    assert "copy_of_003.txt: same content as 003_b8308b7cb78d46d0.txt" in reasons
    for name in ["scan.txt: binary", "legacy.txt: not UTF-8", "empty.txt: empty", "missing: no such file"]:
        assert name in reasons
    assert not report.added
    assert store.manifest().documents == before[0] and store.collection.count() == before[1]


def test_a_crash_before_the_manifest_switch_leaves_the_document_as_before(
    store, folder, fake_embedder, monkeypatch
):
    ingest([folder], store, lambda: fake_embedder)
    old = store.manifest().documents[SMALL[0]]
    path = folder / SMALL[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nĐoạn mới.\n", encoding="utf-8")

    def killed(self, manifest):
        raise KeyboardInterrupt("killed while switching")

    with monkeypatch.context() as m:
        m.setattr(Store, "save_manifest", killed)
        with pytest.raises(KeyboardInterrupt):
            ingest([folder], store, lambda: fake_embedder)
    reopened = reopen(store)
    assert reopened.manifest().documents[SMALL[0]] == old  # still the old version in force …
    assert len(chunk_versions(reopened)) == 3  # … with the new chunks added beside it, unused
    assert {m["version"] for m in reopened.lexical().metadatas} == set(reopened.versions())
    report = ingest([folder], reopened, lambda: fake_embedder)  # the next run completes the work
    assert report.updated == [SMALL[0]]
    assert chunk_versions(reopened) == {(r.source, r.version) for r in reopened.manifest().documents.values()}


def test_remove_document(store, folder, fake_embedder):
    ingest([folder], store, lambda: fake_embedder)
    assert store.remove_document(SMALL[1]) and not store.remove_document("nope.txt")
    assert set(store.manifest().documents) == {SMALL[0]}
    assert {s for s, _ in chunk_versions(store)} == {SMALL[0]}
    assert not list(store.docs_dir.glob(f"{SMALL[1]}.*"))


def test_a_serving_store_sees_what_another_process_ingested(store, folder, fake_embedder, tmp_path):
    ingest([folder / SMALL[0]], store, lambda: fake_embedder)
    serving = reopen(store)  # e.g. `chidao serve`, while `chidao ingest` runs in another shell
    assert {s.source for s in serving.sections().values()} == {SMALL[0]}
    assert {m["source"] for m in serving.lexical().metadatas} == {SMALL[0]}
    ingest([folder], reopen(store), lambda: fake_embedder)
    assert {s.source for s in serving.sections().values()} == set(SMALL)
    assert {m["source"] for m in serving.lexical().metadatas} == set(SMALL)
