"""Office files in every shape the issue names read into the same text, sections and exact offsets."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.verify import is_exact_span
from store.encodings import decode, fix_legacy_fonts, from_tcvn3, from_vni
from store.index import Store
from store.ingest import ingest
from store.reader import read_document
from tests.documents import NOTICE, cp1258, docx_file, pdf_file, tcvn3, vni


def test_known_legacy_strings_convert():
    # Written by hand from the font tables, not by our converter.
    assert from_tcvn3("Uû ban nh©n d©n tØnh Qu¶ng Nam") == "Uỷ ban nhân dân tỉnh Quảng Nam"
    assert from_tcvn3("M\u00adêng Kh\u00ad¬ng") == "Mường Khương"
    assert from_vni("Xin chaøo caùc baïn") == "Xin chào các bạn"
    assert from_vni("UÛY BAN NHAÂN DAÂN TÆNH Ñaø Naüng") == "ỦY BAN NHÂN DÂN TỈNH Đà Nẵng"
    assert from_vni("Uûy ban nhaân daân, Sôû Taøi chính, ngöôøi") == "Ủy ban nhân dân, Sở Tài chính, người"


def test_unicode_text_is_never_converted():
    assert fix_legacy_fonts(NOTICE) == (NOTICE, None)
    assert fix_legacy_fonts("Café Ô Môn — ©2026 «trích dẫn» ±5°") == (
        "Café Ô Môn — ©2026 «trích dẫn» ±5°",
        None,
    )


@pytest.mark.parametrize(
    "label,raw,how",
    [
        ("UTF-8", NOTICE.encode("utf-8"), "UTF-8"),
        ("UTF-8 with BOM", b"\xef\xbb\xbf" + NOTICE.encode("utf-8"), "UTF-8-SIG"),
        ("UTF-16 LE with BOM", NOTICE.encode("utf-16"), "UTF-16"),
        ("UTF-16 BE with BOM", b"\xfe\xff" + NOTICE.encode("utf-16-be"), "UTF-16"),
        ("UTF-16 LE without BOM", NOTICE.encode("utf-16-le"), "UTF-16"),
        ("Windows-1258", cp1258(NOTICE), "Windows-1258"),
        ("TCVN3 bytes", tcvn3(NOTICE).encode("latin-1"), "TCVN3"),
        ("VNI bytes", vni(NOTICE).encode("cp1252"), "VNI"),
    ],
)
def test_encodings_decode_to_the_same_text(label, raw, how):
    text, got = decode(raw)
    assert got == how
    assert unicodedata.normalize("NFC", text) == NOTICE


def _files(tmp_path):
    html = (
        "<html><head><meta charset='utf-8'><title>Cổng thông tin</title><style>p{color:red}</style>"
        "<script>document.write('menu')</script></head><body><nav>Trang chủ | Tin tức | Liên hệ</nav>"
        "<header>Cổng thông tin điện tử tỉnh</header><main>"
        + "".join(f"<p>{line}</p>" for line in NOTICE.splitlines())
        + "</main><aside>Tin liên quan</aside><footer>© 2026 Văn phòng UBND tỉnh</footer></body></html>"
    )
    files = {
        "notice.txt": NOTICE.encode("utf-8"),
        "notice-nfd.md": unicodedata.normalize("NFD", NOTICE).encode("utf-8"),
        "notice-utf16.txt": NOTICE.encode("utf-16"),
        "notice-1258.txt": cp1258(NOTICE),
        "notice-tcvn3.txt": tcvn3(NOTICE).encode("latin-1"),
        "notice-vni.txt": vni(NOTICE).encode("cp1252"),
        "notice.html": html.encode("utf-8"),
    }
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
    docx_file(tmp_path / "notice.docx", NOTICE.splitlines())
    docx_file(tmp_path / "notice-tcvn3.docx", tcvn3(NOTICE).splitlines())  # typed in .VnTime
    pdf_file(tmp_path / "notice.pdf", NOTICE.splitlines()[:2] + [NOTICE.splitlines()[2]])
    return tmp_path


def test_every_format_reads_to_the_notice_text(tmp_path):
    folder = _files(tmp_path)
    for path in sorted(folder.iterdir()):
        text, how = read_document(path)
        if path.suffix == ".pdf":  # the PDF wraps long lines and breaks pages; the words are the same
            assert text.split() == NOTICE.split(), path.name
        else:
            assert text.strip() == NOTICE.strip(), (path.name, how)
        if "tcvn3" in path.name or "vni" in path.name:
            assert "→ Unicode" in how or how in ("TCVN3", "VNI")


def test_ingested_formats_give_sections_whose_quotes_verify(tmp_path, fake_embedder):
    (tmp_path / "in").mkdir()
    folder = _files(tmp_path / "in")
    store = Store(tmp_path / "home", chroma_url="")
    report = ingest([folder], store, lambda: fake_embedder)
    # Same text under several names: the first is stored, the others reported as duplicates.
    assert len(report.added) + len([s for s in report.skipped if "same content as" in s]) == 10
    assert any("TCVN3 → Unicode" in c for c in report.converted) and any("VNI" in c for c in report.converted)
    for name in report.added:
        text = store.source_text(name)
        sections = [s for s in store.sections().values() if s.source == name]
        assert [s.path for s in sections][-2:] == ["1", "2"], name
        for s in sections:
            for span in s.spans:
                assert is_exact_span(text, text[span.start : span.end], span.start, span.end)
            assert s.text.startswith(text[s.spans[0].start : s.spans[0].end])
