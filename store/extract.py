"""Text out of .docx, .pdf and saved .html files: the text chidao stores and cites.

Each extractor returns plain text with one paragraph per line; that text is what gets stored,
sectioned and verified, so a citation's offsets always point into exactly what was extracted.
"""

from __future__ import annotations

import io
import re


class ExtractError(ValueError):
    pass


def docx_text(raw: bytes) -> str:
    """Paragraphs and table rows in document order (python-docx)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as e:  # a zip that is not a Word document, a truncated file…
        raise ExtractError(f"not a readable Word document ({type(e).__name__})") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each once
                    if not cells or cell.text != cells[-1]:
                        cells.append(cell.text)
                lines.append(" | ".join(c.replace("\n", " ") for c in cells))
    return "\n".join(lines)


def pdf_text(raw: bytes) -> str:
    """The text layer of every page (pypdf); a scanned PDF without one is refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        encrypted = reader.is_encrypted and not reader.decrypt("")
        pages = [] if encrypted else [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise ExtractError(f"not a readable PDF ({type(e).__name__})") from None
    if encrypted:
        raise ExtractError("encrypted PDF; save an unprotected copy")
    if sum(len(re.sub(r"\s", "", p)) for p in pages) < 20 * len(pages):  # page numbers at most
        raise ExtractError(f"scanned PDF with no text layer ({len(pages)} page(s)); run OCR on it first")
    return "\n\n".join(p.strip("\n") for p in pages)  # a blank line at each page break


# Page chrome of a saved web page: menus, banners, scripts, forms.
_CHROME = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
           "iframe", "svg", "button", "select", "head")
_BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "section",
          "article", "main", "blockquote", "pre", "dt", "dd", "ul", "ol", "td", "th"}


def html_text(markup: str) -> str:
    """The readable text of a saved page: <main>/<article> if there is one, without chrome (lxml)."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(markup)
    except Exception as e:  # lxml raises ParserError on an empty or non-HTML document
        raise ExtractError(f"not a readable HTML page ({type(e).__name__})") from None
    for bad in root.xpath("//*[@role='navigation' or @role='banner' or @role='contentinfo'] | //comment()"):
        bad.drop_tree()
    for bad in list(root.iter(*_CHROME)):
        bad.drop_tree()
    content = (root.xpath("//main") or root.xpath("//article") or root.xpath("//body") or [root])[0]
    parts: list[str] = []

    def walk(el) -> None:
        block = isinstance(el.tag, str) and el.tag in _BLOCK
        if block:
            parts.append("\n")
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(content)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
