"""Builders of the office files the format tests read: .docx, .pdf, .html and legacy encodings."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import matplotlib

# A notice in the corpus's shape. No upper-case toned vowels: TCVN3 cannot write them.
NOTICE = (
    "Thông báo kết luận của chủ tịch tỉnh về phát triển du lịch\n"
    "1. Giao sở văn hóa, thể thao và du lịch chủ trì, phối hợp với các sở, ngành liên quan "
    "xây dựng kế hoạch phát triển du lịch năm 2026.\n"
    "2. Đề nghị ủy ban nhân dân các huyện, thành phố đảm bảo an toàn cho du khách; "
    "báo cáo kết quả thực hiện trước ngày 30/11/2026.\n"
)
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"  # has Vietnamese glyphs


def docx_file(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    d.save(path)
    return path


def pdf_file(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_font("dejavu", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 7, text)
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path, pages: int = 2) -> Path:
    """Pages with no text layer, as a scanner makes them."""
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(595, 842)
    with path.open("wb") as f:
        w.write(f)
    return path


def cp1258(text: str) -> bytes:
    """Windows-1258 keeps â ă ê ô ơ ư đ precomposed and writes tones as combining marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize(
                "NFC", "".join(c for c in decomposed if c not in "\u0300\u0301\u0303\u0309\u0323")
            )
            tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def tcvn3(text: str) -> str:
    """The text as TCVN3 (ABC) fonts store it: Latin-1 characters standing for Vietnamese letters."""
    from store.encodings import _TCVN3_CHARS, _TCVN3_CODES

    return text.translate(str.maketrans(_TCVN3_CHARS, _TCVN3_CODES))


def vni(text: str) -> str:
    """The text as VNI fonts store it: base letters followed by mark characters."""
    from store.encodings import _VNI

    inverse: dict[str, str] = {}
    for code, char in _VNI.items():
        if code == code.upper() if char.isupper() else code == code.lower():
            inverse.setdefault(char, code)
    return "".join(inverse.get(c, c) for c in unicodedata.normalize("NFC", text))
