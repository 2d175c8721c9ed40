"""Nothing lost, nothing crashes: stores sharing one Chroma server, damaged stored files, a Chroma
server lost mid-run, a full disk, and bad input to the CLI — each a clear line, nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from store import doctor
from store.errors import StoreConflict, StoreUnavailable
from store.index import Store
from store.ingest import ingest
from tests.conftest import CORPUS, HashEmbedder, start_chroma

CHIDAO = str(Path(sys.executable).parent / "chidao")
NAMES = ["003_b8308b7cb78d46d0.txt", "004_6c782aff4e7e5e86.txt"]


def _folder(tmp_path: Path, name: str, files: list[str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for f in files:
        shutil.copy(CORPUS / f, folder / f)
    return folder


def _chunks(store: Store) -> set[str]:
    return {i for i, _ in store.chunk_metadata()}


# ---- several stores, one Chroma server ------------------------------------------------------------
def test_two_homes_on_one_chroma_server_keep_their_own_vectors(tmp_path, chroma_server, monkeypatch):
    monkeypatch.delenv("CHIDAO_COLLECTION", raising=False)
    a = Store(tmp_path / "a", chroma_url=chroma_server)
    b = Store(tmp_path / "b", chroma_url=chroma_server)
    assert a.collection_name != b.collection_name  # each store its own collection by default
    ingest([_folder(tmp_path, "in-a", NAMES[:1])], a, HashEmbedder)
    before = _chunks(a)
    ingest([_folder(tmp_path, "in-b", NAMES[1:])], b, HashEmbedder)
    assert doctor.repair(Store(tmp_path / "b", chroma_url=chroma_server), HashEmbedder) == []
    a_again = Store(tmp_path / "a", chroma_url=chroma_server)
    assert _chunks(a_again) == before and doctor.check(a_again) == []
    assert set(b.manifest().documents) == {NAMES[1]} and doctor.check(b) == []


def test_a_collection_owned_by_another_store_is_refused_and_left_alone(tmp_path, chroma_server):
    a = Store(tmp_path / "a", chroma_url=chroma_server)
    ingest([_folder(tmp_path, "in-a", NAMES[:1])], a, HashEmbedder)
    before = _chunks(a)
    intruder = Store(tmp_path / "b", chroma_url=chroma_server, collection=a.collection_name)
    with pytest.raises(StoreConflict, match="belongs to another chidao store"):
        intruder.clear()
    ingest(
        [_folder(tmp_path, "in-b", NAMES[1:])], Store(tmp_path / "b2", chroma_url=chroma_server), HashEmbedder
    )
    with pytest.raises(StoreConflict):
        ingest([tmp_path / "in-b"], intruder, HashEmbedder)
    env = {
        **os.environ,
        "CHIDAO_HOME": str(tmp_path / "c"),
        "CHIDAO_CHROMA_URL": chroma_server,
        "CHIDAO_COLLECTION": a.collection_name,
    }
    run = subprocess.run([CHIDAO, "doctor", "--repair"], capture_output=True, text=True, env=env, timeout=120)
    assert (
        run.returncode == 2
        and "Traceback" not in run.stderr
        and "belongs to another chidao store" in run.stderr
    )
    assert _chunks(Store(tmp_path / "a", chroma_url=chroma_server)) == before


def test_a_home_keeps_its_collection_and_id_across_opens(tmp_path, chroma_server):
    first = Store(tmp_path / "a", chroma_url=chroma_server)
    again = Store(tmp_path / "a", chroma_url=chroma_server)
    assert (again.identity, again.collection_name) == (first.identity, first.collection_name)
    assert first.collection_name == f"chidao-{first.identity.store_id}"


# ---- a damaged store keeps answering ---------------------------------------------------------------
@pytest.fixture
def two_documents(tmp_path):
    store = Store(tmp_path / "home", chroma_url="")
    ingest([_folder(tmp_path, "in", NAMES)], store, HashEmbedder)
    return store


@pytest.mark.parametrize("lost", ["txt", "json"])
def test_a_missing_stored_file_leaves_its_document_out_and_names_it(two_documents, lost):
    from assistant.service import Assistant

    store = two_documents
    damaged = NAMES[1]
    store.stored_file(damaged, store.manifest().documents[damaged].version, lost).unlink()
    answer = Assistant(Store(store.home, chroma_url=""), HashEmbedder()).ask(
        "Kế hoạch phát triển du lịch năm 2024"
    )
    assert (
        answer.warnings and damaged in answer.warnings[0] and "chidao doctor --repair" in answer.warnings[0]
    )
    assert all(c.source != damaged for c in answer.citations)
    assert all(r.source != damaged for r in answer.retrieved)


def test_a_stored_text_lost_while_serving_is_left_out_on_the_next_question(two_documents):
    from assistant.service import Assistant

    store = Store(two_documents.home, chroma_url="")
    assistant = Assistant(store, HashEmbedder())
    assistant.warm_structures()  # sections loaded, texts not read yet
    for name in NAMES:
        store.stored_file(name, store.manifest().documents[name].version, "txt").unlink()
    answer = assistant.ask("kế hoạch")
    assert answer.abstained and sorted(store.damaged) == NAMES and len(answer.warnings) == 2


def test_a_repaired_document_answers_again_without_a_restart(two_documents):
    from assistant.service import Assistant

    store = Store(two_documents.home, chroma_url="")
    name = NAMES[1]
    path = store.stored_file(name, store.manifest().documents[name].version, "json")
    saved = path.read_bytes()
    path.unlink()
    assistant = Assistant(store, HashEmbedder())
    assert assistant.ask("kế hoạch").warnings
    path.write_bytes(saved)  # what `chidao doctor --repair` does: sections written again
    assert assistant.ask("kế hoạch").warnings == [] and name in {s.source for s in store.sections().values()}


def test_docs_remove_then_doctor_is_clean(two_documents):
    env = {**os.environ, "CHIDAO_HOME": str(two_documents.home), "CHIDAO_CHROMA_URL": ""}
    removed = subprocess.run(
        [CHIDAO, "docs", "remove", NAMES[0]], capture_output=True, text=True, env=env, timeout=120
    )
    assert removed.returncode == 0, removed.stderr
    checked = subprocess.run([CHIDAO, "doctor"], capture_output=True, text=True, env=env, timeout=120)
    assert checked.returncode == 0, checked.stderr


# ---- the Chroma server lost mid-run -------------------------------------------------------------------
def test_chroma_server_lost_mid_ingest_is_one_line_per_document(tmp_path):
    proc, url = start_chroma(tmp_path / "chroma-data")
    try:
        store = Store(tmp_path / "home", chroma_url=url)

        def progress(name, i, n):
            if i == 1:  # the first document is stored; the server goes before the second
                proc.terminate()
                proc.wait(timeout=30)

        report = ingest([_folder(tmp_path, "in", NAMES)], store, HashEmbedder, progress)
    finally:
        proc.kill()
    assert report.added == [NAMES[0]]
    assert any(
        line.startswith(f"{NAMES[1]}: not stored: the Chroma server at {url}") for line in report.skipped
    )
    assert set(store.manifest().documents) == {NAMES[0]}  # the second is not half in force


def test_a_lost_chroma_server_is_a_store_unavailable_error_when_asking(tmp_path):
    from assistant.service import Assistant

    proc, url = start_chroma(tmp_path / "chroma-data")
    try:
        store = Store(tmp_path / "home", chroma_url=url)
        ingest([_folder(tmp_path, "in", NAMES[:1])], store, HashEmbedder)
        assistant = Assistant(store, HashEmbedder())
        assert assistant.ask("kế hoạch") is not None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with pytest.raises(StoreUnavailable, match="unreachable"):
        assistant.ask("du lịch")


def test_an_unreachable_chroma_server_exits_5_in_one_line(tmp_path):
    from eval.load import free_port

    env = {
        **os.environ,
        "CHIDAO_HOME": str(tmp_path / "home"),
        "CHIDAO_CHROMA_URL": f"http://127.0.0.1:{free_port()}",
    }
    run = subprocess.run(
        [CHIDAO, "ingest", str(_folder(tmp_path, "in", NAMES[:1]))],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 5 and "Traceback" not in run.stderr
    assert "Chroma server" in run.stderr and "unreachable" in run.stderr
    listed = subprocess.run([CHIDAO, "docs", "list"], capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0  # what needs no vectors works without the server


# ---- a full disk ---------------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs (root can mount one; CI runs as root): a disk that really fills."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> None:
    with (folder / "filler").open("wb", buffering=0) as f:
        for size in (1 << 20, 4096, 1):  # down to the last byte
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass


def test_a_full_disk_refuses_documents_by_name_and_doctor_still_runs(tmp_path, small_disk):
    store = Store(small_disk / "home", chroma_url="")
    ingest([_folder(tmp_path, "in-a", NAMES[:1])], store, HashEmbedder)
    _fill(small_disk)
    report = ingest([_folder(tmp_path, "in-b", NAMES[1:])], store, HashEmbedder)
    assert any(
        line.startswith(f"{NAMES[1]}: not stored: No space left on device") for line in report.skipped
    ), report
    assert set(store.manifest().documents) == {NAMES[0]}
    env = {**os.environ, "CHIDAO_HOME": str(small_disk / "home"), "CHIDAO_CHROMA_URL": ""}
    for command in (["doctor"], ["docs", "list"], ["ingest", str(tmp_path / "in-b")]):
        run = subprocess.run([CHIDAO, *command], capture_output=True, text=True, env=env, timeout=300)
        assert "Traceback" not in run.stderr, (command, run.stderr[-3000:])
        assert run.returncode in (0, 1, 5, 6), (command, run.returncode, run.stderr)
    (small_disk / "filler").unlink()
    again = ingest([tmp_path / "in-b"], Store(small_disk / "home", chroma_url=""), HashEmbedder)
    assert again.added == [NAMES[1]]
    assert doctor.check(Store(small_disk / "home", chroma_url="")) == []


# ---- bad input to the CLI ---------------------------------------------------------------------------------
def test_a_question_that_is_not_utf8_is_one_line_exit_2(tmp_path):
    env = {**os.environ, "CHIDAO_HOME": str(tmp_path / "home")}
    run = subprocess.run(
        [CHIDAO.encode(), b"ask", b"Ai k\xff\xfe?"], capture_output=True, env=env, timeout=120
    )
    err = run.stderr.decode("utf-8", errors="replace")
    assert run.returncode == 2 and "Traceback" not in err and "not valid UTF-8" in err


def test_a_question_that_is_not_text_is_refused():
    from assistant.models import QuestionError
    from assistant.query import parse_question

    for bad in (12345, ["câu hỏi"], {"q": 1}):
        with pytest.raises(QuestionError, match="must be text"):
            parse_question(bad)


@pytest.fixture
def cli(two_documents, monkeypatch):
    """The CLI in this process over a store embedded by the stand-in embedder (the test is about our
    own error handling, not about answers)."""
    from typer.testing import CliRunner

    import assistant.cli as cli_module

    monkeypatch.setenv("CHIDAO_HOME", str(two_documents.home))
    monkeypatch.setenv("CHIDAO_CHROMA_URL", "")
    monkeypatch.setattr(cli_module, "load_embedder", HashEmbedder)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli_module.app, list(args), catch_exceptions=False)


def test_a_batch_answers_every_good_line_around_bad_and_unreachable_ones(cli, tmp_path, monkeypatch):
    from assistant.service import Assistant

    asked = Assistant.ask

    def ask(self, question, *args, **kwargs):
        if question == "máy chủ mất":  # this line finds the Chroma server gone
            raise StoreUnavailable("the Chroma server at http://x is unreachable or failed")
        return asked(self, question, *args, **kwargs)

    monkeypatch.setattr(Assistant, "ask", ask)
    batch = tmp_path / "batch.jsonl"
    lines = [
        {"id": 1, "question": 12345},
        {"id": 2, "question": "máy chủ mất"},
        {"id": 3, "question": "kế hoạch"},
        ["not", "an", "object"],
        {"id": 5, "question": "du lịch", "history": "not a list"},
        {"id": 6, "question": "du lịch"},
    ]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = cli("ask", "--batch", str(batch), "--json")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == [1, 2, 3, None, 5, 6]
    assert "error" in out[0] and "unreachable" in out[1]["error"] and "error" in out[4]
    assert "answer" in out[2] and "answer" in out[5]
    assert result.exit_code == 5


def test_markup_in_titles_and_names_is_shown_as_text(cli, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "[bold]tên.txt").write_text(
        "Báo cáo [/b] về :x: du lịch\n1. Giao sở du lịch chủ trì kế hoạch năm 2026.\n", encoding="utf-8"
    )
    added = cli("ingest", str(folder))
    assert added.exit_code == 0 and "[bold]tên.txt" in added.stderr
    listed = cli("docs", "list")
    assert (
        listed.exit_code == 0
        and "[/b]" in listed.stdout
        and ":x:" in listed.stdout
        and "❌" not in listed.stdout
    )


def test_a_long_vietnamese_upload_name_is_cut_to_what_the_store_can_write(tmp_path):
    from store.uploads import stage_upload

    source = tmp_path / "up.txt"
    source.write_text("Thông báo kết luận\n1. Giao sở du lịch chủ trì.\n", encoding="utf-8")
    staged = stage_upload(
        source, "Thông báo kết luận của Chủ tịch Ủy ban nhân dân tỉnh " * 6 + ".txt", tmp_path / "uploads"
    )
    assert len(staged.name.encode("utf-8")) <= 124 and staged.name.endswith(".txt") and staged.is_file()


def test_ingest_follows_symbolic_links_only_when_asked(cli, tmp_path):
    folder = tmp_path / "links"
    folder.mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text(
        "Thông báo kết luận\n1. Giao Sở Y tế chủ trì kiểm tra an toàn thực phẩm năm 2026.\n", encoding="utf-8"
    )
    (folder / "linked.txt").symlink_to(target)
    refused = cli("ingest", str(folder))
    assert refused.exit_code == 1 and "a symbolic link, not followed" in refused.stderr
    followed = cli("ingest", "--follow-symlinks", str(folder))
    assert followed.exit_code == 0 and "linked.txt" in followed.stderr


def test_ask_filters_by_issuer_and_refuses_an_unknown_kind(cli, tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    name = "cao_bang_chi_thi_05_CT-UBND_2024.txt"
    shutil.copy(Path(__file__).parent / "fixtures" / "documents" / name, folder / name)
    assert cli("ingest", str(folder)).exit_code == 0
    answer = json.loads(cli("ask", "--json", "--issuer", "Cao Bằng", "kế hoạch năm 2024").stdout)
    assert answer["retrieved"] and {r["source"] for r in answer["retrieved"]} == {name}
    refused = cli("ask", "--kind", "bogus", "kế hoạch")
    assert refused.exit_code == 2 and "not a kind" in refused.stderr
