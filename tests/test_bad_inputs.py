"""Every bad input of the README's table: refused by name in one line, and nothing stored changes."""

from __future__ import annotations

import shutil

import pytest

from store.index import Store
from store.ingest import ingest
from store.reader import ReadError
from store.uploads import stage_upload
from tests.conftest import CORPUS
from tests.documents import NOTICE, pdf_file, scanned_pdf

KEPT = "004_6c782aff4e7e5e86.txt"


def _encrypted_pdf(path):
    from pypdf import PdfReader, PdfWriter

    plain = pdf_file(path.with_name("plain.pdf"), [NOTICE])
    w = PdfWriter(clone_from=PdfReader(plain))
    w.encrypt("mật-khẩu")
    with path.open("wb") as f:
        w.write(f)
    plain.unlink()


# (file name, how to make it, the reason the refusal must give)
BAD_FILES = [
    ("empty.txt", lambda p: p.write_bytes(b""), "empty file"),
    ("blank.md", lambda p: p.write_bytes(b" \n\t\r\n"), "empty file"),
    (
        "photo.txt",
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        "binary file",
    ),
    ("setup.exe", lambda p: p.write_bytes(b"MZ\x90\x00"), "is not a supported type"),
    ("russian.txt", lambda p: p.write_bytes("Постановление правительства".encode("cp1251")), "not UTF-8"),
    (
        "broken-utf16.txt",
        lambda p: p.write_bytes(b"\xff\xfe" + "Thông báo".encode("utf-16-le") + b"\x00\xd8"),
        "starts like UTF-16",
    ),
    ("huge.txt", lambda p: p.write_bytes(NOTICE.encode() * 400), "over the 0.1 MB limit"),
    ("scan.pdf", lambda p: scanned_pdf(p, 3), "scanned PDF with no text layer"),
    (
        "truncated.pdf",
        lambda p: p.write_bytes(pdf_file(p, [NOTICE]).read_bytes()[:300]),
        "not a readable PDF",
    ),
    ("locked.pdf", _encrypted_pdf, "encrypted PDF"),
    ("renamed.docx", lambda p: p.write_text(NOTICE, encoding="utf-8"), "not a readable Word document"),
    (
        "menu-only.html",
        lambda p: p.write_text(
            "<html><body><nav>Trang chủ</nav><script>x()</script></body></html>", encoding="utf-8"
        ),
        "no text in it",
    ),
    ("copy-of-004.txt", lambda p: shutil.copy(CORPUS / KEPT, p), f"same content as {KEPT}"),
]


@pytest.fixture
def filled_store(tmp_path, fake_embedder):
    store = Store(tmp_path / "home", chroma_url="")
    ingest([CORPUS / KEPT], store, lambda: fake_embedder)
    return store


def snapshot(store: Store):
    """Everything a reader of the store sees."""
    return (
        store.manifest().model_dump(),
        sorted(p.name for p in store.docs_dir.iterdir()),
        sorted(store.collection.get(include=[])["ids"]),
        store.lexical().ids,
    )


@pytest.mark.parametrize("name,make,reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_by_name_and_nothing_stored_changes(
    filled_store, fake_embedder, tmp_path, monkeypatch, name, make, reason
):
    folder = tmp_path / "in"
    folder.mkdir()
    make(folder / name)
    if name == "huge.txt":
        monkeypatch.setenv("CHIDAO_MAX_FILE_MB", "0.1")
    before = snapshot(filled_store)
    report = ingest([folder / name], filled_store, lambda: fake_embedder)
    assert len(report.skipped) == 1 and not report.added and not report.updated
    line = report.skipped[0]
    assert line.startswith(f"{name}: ") and reason in line and "\n" not in line, line
    assert snapshot(filled_store) == before


def test_missing_path_is_named(filled_store, fake_embedder, tmp_path):
    report = ingest([tmp_path / "nowhere"], filled_store, lambda: fake_embedder)
    assert report.skipped == [f"{tmp_path / 'nowhere'}: no such file or folder"]


@pytest.mark.parametrize(
    "upload_name,reason",
    [
        ("../../etc/passwd.txt", "a path outside the library folder"),
        ("/etc/cron.d/job.txt", "a path outside the library folder"),
        ("..\\..\\Windows\\evil.txt", "a path outside the library folder"),
        ("report.exe", "is not a supported type"),
        ("...", "no usable file name"),
    ],
)
def test_upload_names_that_leave_the_folder_or_wrong_types_are_refused(tmp_path, upload_name, reason):
    src = tmp_path / "src.bin"
    src.write_text(NOTICE, encoding="utf-8")
    uploads = tmp_path / "uploads"
    with pytest.raises(ReadError, match=reason):
        stage_upload(src, upload_name, uploads)
    assert not uploads.exists() or not any(uploads.rglob("*.*"))


def test_upload_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIDAO_MAX_FILE_MB", "0.001")
    src = tmp_path / "big.txt"
    src.write_text(NOTICE * 50, encoding="utf-8")
    with pytest.raises(ReadError, match="over the"):
        stage_upload(src, "big.txt", tmp_path / "uploads")


def test_upload_names_are_sanitised(tmp_path):
    src = tmp_path / "src.txt"
    src.write_text(NOTICE, encoding="utf-8")
    staged = stage_upload(src, "Thông báo <script>\x07 số 12.TXT", tmp_path / "uploads")
    assert staged.name == "Thông báo _script_ số 12.txt"
    assert staged.parent == tmp_path / "uploads" / ".incoming"
