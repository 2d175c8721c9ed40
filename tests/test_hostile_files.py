"""Hostile files (issue 10): each is refused in one line naming it, within a small memory bound,
or read correctly; and one bad file never stops the rest of a folder. Every fixture is made here."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import pytest

from store import extract
from store.index import Store
from store.ingest import ingest
from store.reader import ReadError, discover, read_document
from tests.conftest import ROOT
from tests.documents import NOTICE, docx_file, pdf_file


def refusal(path: Path, **options) -> str:
    """The one-line refusal of `path`, checked to name the file."""
    with pytest.raises(ReadError) as e:
        read_document(path, **options)
    line = str(e.value)
    assert line.startswith(f"{path.name}: ") and "\n" not in line, line
    return line


# --- 1. decompression bombs -------------------------------------------------------------------


def docx_with_empty_paragraphs(path: Path, paragraphs: int) -> Path:
    """A real .docx whose document.xml holds `paragraphs` empty paragraphs, compressed as written
    (never whole in memory)."""
    base = docx_file(path.with_name(f"base-{path.stem}.docx"), ["Thông báo"])
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "word/document.xml":
                out.writestr(info, data)
                continue
            head, rest = data.split(b"<w:body>")
            with out.open("word/document.xml", "w") as xml:
                xml.write(head + b"<w:body>")
                for _ in range(paragraphs // 10_000):
                    xml.write(b"<w:p/>" * 10_000)
                xml.write(b"</w:body>" + rest.split(b"</w:body>")[1])
    base.unlink()
    return path


def declare_size(path: Path, entry: str, size: int) -> None:
    """Make the zip's directory lie: `entry` claims to expand to `size` bytes."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        local = z.getinfo(entry).header_offset
    struct.pack_into("<I", raw, local + 22, size)  # the local header's uncompressed size
    pos = struct.unpack_from("<I", raw, raw.rfind(b"PK\x05\x06") + 16)[0]  # the central directory
    while raw[pos : pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", raw, pos + 28)
        if raw[pos + 46 : pos + 46 + name_len] == entry.encode():
            struct.pack_into("<I", raw, pos + 24, size)
        pos += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(raw))


@pytest.fixture(scope="module")
def bomb_docx(tmp_path_factory) -> Path:
    """About 0.6 MB on disk; document.xml expands to 420 MB of empty paragraphs."""
    path = docx_with_empty_paragraphs(tmp_path_factory.mktemp("bomb") / "bomb.docx", 70_000_000)
    assert path.stat().st_size < 1_500_000
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("word/document.xml").file_size > 400_000_000
    return path


# Reads one file and prints the refusal and the process's peak resident memory. Its address space
# is capped at 3 GB, so a guard that fails makes this test fail rather than the machine swap.
CHILD = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from store.reader import ReadError, read_document
try:
    read_document(Path(sys.argv[1]))
    print("read")
except ReadError as e:
    print(e)
status = Path("/proc/self/status").read_text()
print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
"""


def read_in_child(path: Path) -> tuple[str, int]:
    """(what reading `path` in a fresh process said, its peak RSS in MB)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    said, peak_mb = done.stdout.strip().splitlines()
    return said, int(peak_mb)


def test_docx_bomb_is_refused_by_name_within_500_mb(bomb_docx):
    said, peak_mb = read_in_child(bomb_docx)
    assert (
        said == f"bomb.docx: expands to more than {extract.ZIP_MAX_BYTES // 2**20} MB uncompressed; not read"
    )
    assert peak_mb < 500, f"peak RSS {peak_mb} MB"


def test_docx_bomb_whose_zip_directory_lies_is_refused_within_500_mb(bomb_docx, tmp_path):
    liar = tmp_path / "liar.docx"
    liar.write_bytes(bomb_docx.read_bytes())
    declare_size(liar, "word/document.xml", 2_000)
    with zipfile.ZipFile(liar) as z:
        assert sum(i.file_size for i in z.infolist()) < extract.ZIP_MAX_BYTES  # the directory passes
    said, peak_mb = read_in_child(liar)
    assert said.startswith("liar.docx: not a readable Word document (BadZipFile)"), said
    assert peak_mb < 500, f"peak RSS {peak_mb} MB"


def test_docx_with_too_many_xml_elements_is_refused(tmp_path):
    # 3.6 MB uncompressed, well under the size limit: the element count is what stops it.
    path = docx_with_empty_paragraphs(tmp_path / "paragraphs.docx", extract.XML_MAX_ELEMENTS + 100_000)
    assert refusal(path) == f"paragraphs.docx: more than {extract.XML_MAX_ELEMENTS:,} XML elements; not read"


def test_zip_with_too_many_entries_is_refused(tmp_path):
    path = docx_file(tmp_path / "entries.docx", ["Thông báo"])
    with zipfile.ZipFile(path, "a") as z:
        for n in range(extract.ZIP_MAX_ENTRIES):
            z.writestr(f"extra/part{n}.xml", b"<a/>")
    assert "more than 5,000; not read" in refusal(path)


# --- 2. PDF ---------------------------------------------------------------------------------


def encrypted_pdf(path: Path, user_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = pdf_file(path.with_name(f"plain-{path.stem}.pdf"), [NOTICE])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password="chủ-sở-hữu", algorithm="AES-256")
    with path.open("wb") as f:
        writer.write(f)
    plain.unlink()
    return path


def pdf_with_content_stream(path: Path, content: bytes) -> Path:
    """A one-page PDF written by hand, its page content the given FlateDecode stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_aes_pdf_with_an_owner_password_only_is_read(tmp_path):
    text, how = read_document(encrypted_pdf(tmp_path / "owner-only.pdf", user_password=""))
    assert how == "pdf" and text.split() == NOTICE.split()


def test_aes_pdf_with_a_user_password_is_refused(tmp_path):
    assert (
        refusal(encrypted_pdf(tmp_path / "locked.pdf", user_password="mật-khẩu"))
        == "locked.pdf: encrypted PDF with a password to open it; save an unprotected copy"
    )


def test_pdf_stream_that_inflates_past_the_limit_is_refused(tmp_path):
    page = b"BT /F1 12 Tf 72 720 Td (Thong bao) Tj ET\n" * 1600  # 64 KB of text operators
    packer = zlib.compressobj(9)
    content = b"".join(packer.compress(page) for _ in range(1_000)) + packer.flush()  # 64 MB inflated
    path = pdf_with_content_stream(tmp_path / "inflating.pdf", content)
    assert path.stat().st_size < 1_000_000
    assert "over a safety limit of the PDF reader (Limit reached while decompressing" in refusal(path)


def test_pdf_hand_written_like_the_bomb_but_small_is_read(tmp_path):
    # The same construction with a short stream reads: the refusal above is about the size alone.
    path = pdf_with_content_stream(
        tmp_path / "small.pdf",
        zlib.compress(b"BT /F1 12 Tf 72 720 Td (Thong bao ket luan cua chu tich tinh) Tj ET\n"),
    )
    assert read_document(path)[0] == "Thong bao ket luan cua chu tich tinh"


def test_pdf_with_too_many_pages_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(extract, "PDF_MAX_PAGES", 2)
    path = pdf_file(tmp_path / "long.pdf", [NOTICE] * 3)
    assert refusal(path) == "long.pdf: 3 pages, more than 2; split it"


def test_pdf_with_too_much_text_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(extract, "PDF_MAX_CHARS", 200)
    path = pdf_file(tmp_path / "wordy.pdf", [NOTICE] * 2)
    assert refusal(path) == "wordy.pdf: more than 200 characters of text; split it"


def test_any_pypdf_exception_becomes_one_line(tmp_path, monkeypatch):
    import pypdf

    def broken(*args, **kwargs):
        raise RuntimeError("deep inside pypdf\nsecond line")

    monkeypatch.setattr(pypdf, "PdfReader", broken)
    assert refusal(pdf_file(tmp_path / "odd.pdf", [NOTICE])) == "odd.pdf: not a readable PDF (RuntimeError)"


# --- 3. HTML ------------------------------------------------------------------------------------


def test_deeply_nested_html_is_refused_by_name(tmp_path):
    path = tmp_path / "nested.html"
    path.write_text(
        "<html><body>" + "<div>" * 100_000 + "sâu" + "</div>" * 100_000 + "</body></html>", encoding="utf-8"
    )
    try:
        text, _ = read_document(path)
    except ReadError as e:  # libxml2 2.14 stops at 256 levels: refused, and the reason given
        assert str(e).startswith("nested.html: beyond the HTML parser's limits (Excessive depth"), str(e)
    else:  # a libxml2 without that limit: read, without recursion
        assert text == "sâu"


def test_html_nesting_needs_no_python_recursion(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text(
        "<html><body>" + "<div>" * 250 + "Thông báo" + "</div>" * 250 + "<p>hết</p></body></html>",
        encoding="utf-8",
    )
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # fewer frames than the page has levels
    try:
        text, _ = read_document(path)
    finally:
        sys.setrecursionlimit(limit)
    assert text == "Thông báo\nhết"


def test_html_with_too_many_elements_is_refused(tmp_path):
    path = tmp_path / "many.html"
    path.write_text(
        "<html><body>" + "<p>x</p>" * (extract.HTML_MAX_ELEMENTS + 1) + "</body></html>", encoding="utf-8"
    )
    assert refusal(path) == (
        f"many.html: more than {extract.HTML_MAX_ELEMENTS:,} HTML elements; not read (save its text as .txt)"
    )


def test_xhtml_with_an_encoding_declaration_is_read(tmp_path):
    path = tmp_path / "page.xhtml.html"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Cổng</title></head><body>'
        + "".join(f"<p>{line}</p>" for line in NOTICE.splitlines())
        + "</body></html>",
        encoding="utf-8",
    )
    text, how = read_document(path)
    assert how == "html (UTF-8)" and text == NOTICE.strip()


# --- 4. encodings and the size message ----------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [NOTICE.encode("utf-32"), b"\x00\x00\xfe\xff" + NOTICE.encode("utf-32-be")],
    ids=["little-endian", "big-endian"],
)
def test_utf32_with_a_bom_is_read_as_utf32(tmp_path, raw):
    path = tmp_path / "utf32.txt"
    path.write_bytes(raw)
    assert read_document(path) == (NOTICE, "UTF-32")


def test_broken_utf32_is_refused_as_utf32(tmp_path):
    path = tmp_path / "broken32.txt"
    path.write_bytes(NOTICE.encode("utf-32") + b"\x00\x00\x11\x00")  # past U+10FFFF
    assert "starts like UTF-32 but byte" in refusal(path)


def test_a_file_of_invisible_characters_only_is_refused(tmp_path):
    path = tmp_path / "invisible.txt"
    path.write_text("\ufeff\u200b\u200c\u200d\u2060\ufeff \n\u00a0\u3000\u200b\n", encoding="utf-8")
    assert refusal(path) == "invisible.txt: no text in it"


@pytest.mark.parametrize("size,said", [(3 * 2**19, "1.5 MB"), (2**20 + 1, "1.1 MB")])
def test_size_message_is_in_the_limits_unit(tmp_path, monkeypatch, size, said):
    monkeypatch.setenv("CHIDAO_MAX_FILE_MB", "1")  # 1024² bytes, as the limit is applied
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * size)
    assert refusal(path) == f"big.txt: {said} is over the 1 MB limit (CHIDAO_MAX_FILE_MB)"


# --- 5. symbolic links and files that are not files ---------------------------------------------


@pytest.fixture
def linked_folder(tmp_path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.txt").write_text(NOTICE, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "real.txt").write_text(NOTICE + "Bản thật.\n", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "elsewhere.txt")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "linked-folder").symlink_to(outside, target_is_directory=True)
    return folder


def test_symbolic_links_are_not_followed_unless_asked(linked_folder):
    files, skipped = discover([linked_folder])
    assert files == [linked_folder / "real.txt"]
    assert sorted(skipped) == [
        "link.txt: a symbolic link, not followed",
        "linked-folder: a symbolic link, not followed",
        "passwd.txt: a symbolic link, not followed",
    ]
    files, skipped = discover([linked_folder], follow_symlinks=True)
    assert [f.relative_to(linked_folder).as_posix() for f in files] == [
        "link.txt",
        "linked-folder/elsewhere.txt",
        "passwd.txt",
        "real.txt",
    ] and not skipped


def test_a_symbolic_link_given_directly_is_refused_unless_asked(linked_folder):
    assert discover([linked_folder / "link.txt"]) == (
        [],
        [f"{linked_folder / 'link.txt'}: a symbolic link, not followed"],
    )
    assert refusal(linked_folder / "passwd.txt") == "passwd.txt: a symbolic link, not followed"
    assert read_document(linked_folder / "link.txt", follow_symlinks=True)[0] == NOTICE


def test_a_link_to_etc_passwd_is_not_ingested(linked_folder, tmp_path, fake_embedder):
    store = Store(tmp_path / "home", chroma_url="")
    report = ingest([linked_folder], store, lambda: fake_embedder)
    assert report.added == ["real.txt"]
    assert "passwd.txt: a symbolic link, not followed" in report.skipped
    assert "root:" not in store.source_text("real.txt")


@contextmanager
def deadline(seconds: int):
    """Fail instead of hanging if reading blocks (opening a FIFO waits for a writer)."""

    def expired(*_):
        raise TimeoutError("reading blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_pipes_and_devices_are_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    with deadline(10):
        assert (
            refusal(tmp_path / "pipe.txt")
            == "pipe.txt: not a regular file (a device, pipe or socket); not read"
        )
        assert (
            refusal(tmp_path / "zero.txt", follow_symlinks=True)
            == "zero.txt: not a regular file (a device, pipe or socket); not read"
        )
    files, _ = discover([tmp_path])  # reported by name when ingested, not silently left out
    assert tmp_path / "pipe.txt" in files


def test_a_proc_file_cannot_pass_the_size_limit(tmp_path, monkeypatch):
    (tmp_path / "environ.txt").symlink_to("/proc/self/environ")  # lists size 0, holds much more
    monkeypatch.setenv("CHIDAO_MAX_FILE_MB", "0.0001")  # 104 bytes
    assert (
        refusal(tmp_path / "environ.txt", follow_symlinks=True)
        == "environ.txt: over the 0.0001 MB limit (CHIDAO_MAX_FILE_MB)"
    )
    monkeypatch.delenv("CHIDAO_MAX_FILE_MB")
    assert refusal(tmp_path / "environ.txt", follow_symlinks=True).startswith(
        "environ.txt: changed size while read (0 bytes listed, "
    )


# --- 6. a file name too long for the store ------------------------------------------------------


def test_a_file_name_too_long_is_refused_before_anything_is_embedded(tmp_path, fake_embedder):
    name = "a" * 4 + "ậ" * 80 + ".txt"  # 248 bytes of UTF-8
    assert len(name.encode()) == 248
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(NOTICE, encoding="utf-8")
    report = ingest([folder], Store(tmp_path / "home", chroma_url=""), lambda: fake_embedder)
    assert report.skipped == [f"{name}: file name too long (248 bytes; at most 200); rename it"]
    assert not report.added and fake_embedder.calls == 0


# --- 7. the same file name in two folders -------------------------------------------------------


def test_the_same_file_name_in_two_folders_is_refused_not_replaced(tmp_path, fake_embedder):
    folder = tmp_path / "in"
    (folder / "sub1").mkdir(parents=True)
    (folder / "sub2").mkdir()
    (folder / "sub1" / "report.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "sub2" / "report.txt").write_text("Một dòng.\n", encoding="utf-8")
    store = Store(tmp_path / "home", chroma_url="")
    report = ingest([folder], store, lambda: fake_embedder)
    assert report.added == ["report.txt"]
    assert report.skipped == [
        "sub2/report.txt: same file name as sub1/report.txt (documents are stored by file name); rename one"
    ]
    assert store.source_text("report.txt") == NOTICE


def test_the_same_place_in_two_folders_given_is_named_by_full_path(tmp_path):
    for root in ("a", "b"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "report.txt").write_text(NOTICE, encoding="utf-8")
    files, skipped = discover([tmp_path / "a", tmp_path / "b", tmp_path / "a" / "report.txt"])
    assert files == [tmp_path / "a" / "report.txt"]  # the same file given twice is read once
    assert skipped == [
        f"{tmp_path / 'b' / 'report.txt'}: same file name as {tmp_path / 'a' / 'report.txt'} "
        "(documents are stored by file name); rename one"
    ]


# --- 8. one bad file never stops the rest -------------------------------------------------------


def test_one_bad_file_never_stops_the_rest_of_a_folder(bomb_docx, tmp_path, fake_embedder, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "bomb.docx").write_bytes(bomb_docx.read_bytes())
    encrypted_pdf(folder / "locked.pdf", user_password="mật-khẩu")
    (folder / "page.html").write_text("<p>Thông báo</p>", encoding="utf-8")

    def failing(markup):  # an extractor failing in a way nobody foresaw
        raise KeyError("unforeseen")

    monkeypatch.setattr("store.reader.html_text", failing)
    report = ingest([folder], Store(tmp_path / "home", chroma_url=""), lambda: fake_embedder)
    assert report.added == ["good.txt"]
    assert sorted(report.skipped) == [
        f"bomb.docx: expands to more than {extract.ZIP_MAX_BYTES // 2**20} MB uncompressed; not read",
        "locked.pdf: encrypted PDF with a password to open it; save an unprotected copy",
        "page.html: could not be read (KeyError); not stored",
    ]
