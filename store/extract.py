"""Text out of .docx, .pdf and saved .html files: the text chidao stores and cites.

Each extractor returns plain text with one paragraph per line; that text is what gets stored,
sectioned and verified, so a citation's offsets always point into exactly what was extracted.

The files may be hostile: a .docx is a zip that can expand a thousandfold, a PDF stream can
inflate without end, a page can nest elements past any stack. Each extractor checks its limits
before handing the bytes to its library, so a bad file is refused in one line within a small,
fixed amount of memory.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile

MiB = 1024 * 1024

# A .docx is a zip: python-docx decompresses every part into memory and parses its XML into a
# tree, so the uncompressed size and the number of XML elements bound what reading one costs
# (1,000,000 empty paragraphs took python-docx 385 MB and 28 s).
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_BYTES = 100 * MiB
XML_MAX_ELEMENTS = 500_000


class ExtractError(ValueError):
    pass


def check_zip(raw: bytes) -> None:
    """Refuse a zip with too many entries, or that expands past ZIP_MAX_BYTES or XML_MAX_ELEMENTS,
    without ever holding more than 1 MiB of it expanded.

    The sizes in the zip's directory are checked first; then every entry is read through in
    1 MiB pieces and counted: the element count is not in the directory, and a directory that
    lies about the sizes must not get a bomb through (zipfile also stops at a declared size and
    then reports a bad CRC).
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        entries = z.infolist()
        if len(entries) > ZIP_MAX_ENTRIES:
            raise ExtractError(f"holds {len(entries):,} files, more than {ZIP_MAX_ENTRIES:,}; not read")
        if sum(e.file_size for e in entries) > ZIP_MAX_BYTES:
            raise ExtractError(f"expands to more than {ZIP_MAX_BYTES // MiB} MB uncompressed; not read")
        size = elements = 0
        for entry in entries:
            with z.open(entry) as part:
                while piece := part.read(MiB):
                    size += len(piece)
                    if size > ZIP_MAX_BYTES:
                        raise ExtractError(
                            f"expands to more than {ZIP_MAX_BYTES // MiB} MB uncompressed; not read"
                        )
                    if entry.filename.endswith((".xml", ".rels")):
                        elements += piece.count(b"<") - piece.count(b"</")  # start tags, give or take
                        if elements > XML_MAX_ELEMENTS:
                            raise ExtractError(f"more than {XML_MAX_ELEMENTS:,} XML elements; not read")


def docx_text(raw: bytes) -> str:
    """Paragraphs and table rows in document order (python-docx)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        check_zip(raw)
        document = docx.Document(io.BytesIO(raw))
    except ExtractError:
        raise
    except Exception as e:  # a zip that is not a Word document, a truncated file, a bad CRC…
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


# pypdf's own limits allow 75 MB a decompressed stream; a page's text layer is far smaller.
PDF_MAX_STREAM_BYTES = 32 * MiB
PDF_MAX_PAGES = 5_000
PDF_MAX_CHARS = 20_000_000  # of extracted text: about 10,000 full pages


def _pdf_limits():
    """pypdf's decompression limits lowered to PDF_MAX_STREAM_BYTES while we read."""
    try:
        from pypdf import apply_configuration
    except ImportError:  # an older pypdf: only its own fixed limits apply
        return contextlib.nullcontext()
    return apply_configuration(
        **{
            f"{codec}_maximum_output_length": PDF_MAX_STREAM_BYTES
            for codec in ("zlib", "lzw", "run_length", "brotli", "jbig2")
        },
        array_based_stream_maximum_output_length=PDF_MAX_STREAM_BYTES,
    )


def pdf_text(raw: bytes) -> str:
    """The text layer of every page (pypdf); a scanned PDF without one is refused."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, LimitReachedError

    try:
        with _pdf_limits():
            reader = PdfReader(io.BytesIO(raw))
            # An owner password only restricts editing: the empty user password opens the file.
            if reader.is_encrypted and not reader.decrypt(""):
                raise ExtractError("encrypted PDF with a password to open it; save an unprotected copy")
            if len(reader.pages) > PDF_MAX_PAGES:
                raise ExtractError(f"{len(reader.pages):,} pages, more than {PDF_MAX_PAGES:,}; split it")
            pages: list[str] = []
            chars = 0
            for page in reader.pages:
                pages.append(page.extract_text() or "")
                chars += len(pages[-1])
                if chars > PDF_MAX_CHARS:
                    raise ExtractError(f"more than {PDF_MAX_CHARS:,} characters of text; split it")
    except ExtractError:
        raise
    except DependencyError:  # AES encryption, and the `cryptography` package is not installed
        raise ExtractError(
            "AES-encrypted PDF and the cryptography package is missing; pip install cryptography"
        ) from None
    except LimitReachedError as e:  # a stream that inflates past the limit, a page tree without end…
        raise ExtractError(f"over a safety limit of the PDF reader ({_one_line(e)}); not read") from None
    except Exception as e:  # whatever else a damaged or hostile file makes pypdf raise
        raise ExtractError(f"not a readable PDF ({type(e).__name__})") from None
    if sum(len(re.sub(r"\s", "", p)) for p in pages) < 20 * len(pages):  # page numbers at most
        raise ExtractError(f"scanned PDF with no text layer ({len(pages)} page(s)); run OCR on it first")
    return "\n\n".join(p.strip("\n") for p in pages)  # a blank line at each page break


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:160] or type(e).__name__


# Page chrome of a saved web page: menus, banners, scripts, forms.
_CHROME = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "head",
)
_BLOCK = {
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "table",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "ul",
    "ol",
    "td",
    "th",
}


# A saved page has a few thousand elements; lxml needs about 300 bytes each (3,000,000 <p>
# took 860 MB), so the element count is checked on the markup before parsing it.
HTML_MAX_ELEMENTS = 200_000
# An XML declaration with an encoding: lxml refuses it in a str (the bytes are decoded already).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def html_text(markup: str) -> str:
    """The readable text of a saved page, one paragraph a line: its main content as trafilatura finds
    it (any portal's menus, banners, breadcrumbs, share and rating widgets, related news and footer
    left out), or — when trafilatura finds none, as on a short page — <main>/<article> if there is
    one, without scripts, menus, headers, footers, asides and forms (lxml)."""
    import lxml.html

    if markup.count("<") - markup.count("</") > HTML_MAX_ELEMENTS:  # start tags, give or take
        raise ExtractError(f"more than {HTML_MAX_ELEMENTS:,} HTML elements; not read (save its text as .txt)")
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup, count=1), parser=parser)
    except Exception as e:  # lxml raises ParserError on an empty or non-HTML document
        root, error = None, e
    # libxml2 stops at 256 levels of nesting and returns what it had (often nothing): say so.
    limits = [e.message.split(",")[0] for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]
    if limits:
        raise ExtractError(f"beyond the HTML parser's limits ({limits[0]}); not read (save its text as .txt)")
    if root is None:
        raise ExtractError(f"not a readable HTML page ({type(error).__name__})") from None
    for bad in root.xpath("//*[@role='navigation' or @role='banner' or @role='contentinfo'] | //comment()"):
        bad.drop_tree()
    for bad in list(root.iter(*_CHROME)):
        # An article's own <header> (its title) and <footer> stay; the page's go.
        if bad.tag in ("header", "footer") and any(a.tag in ("main", "article") for a in bad.iterancestors()):
            continue
        bad.drop_tree()
    main = _main_content(root)
    if main is not None:
        return main
    content = (root.xpath("//main") or root.xpath("//article") or root.xpath("//body") or [root])[0]
    parts: list[str] = []
    # Depth first with a stack of our own, not recursion: nesting depth cannot overflow it.
    stack = [(content, False)]
    while stack:
        el, closing = stack.pop()
        block = isinstance(el.tag, str) and el.tag in _BLOCK
        if block:
            parts.append("\n")
        if closing:
            if el is not content and el.tail:
                parts.append(el.tail)
            continue
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


# trafilatura's main-content tree: paragraphs, headings, list items, table cells are lines; <lb/> a line break.
_CONTENT_LINES = {
    "p",
    "head",
    "item",
    "quote",
    "code",
    "cell",
    "row",
    "list",
    "table",
    "div",
    "lb",
    "fw",
    "note",
    "graphic",
}


def _main_content(root) -> str | None:
    """The page's main content found by trafilatura (its own scoring, with readability and jusText
    as fallbacks), rendered one paragraph a line; None when it finds too little (a short page: the
    caller's own reading keeps it) or fails on the page.

    trafilatura's own text output joins a table row's cells, the paragraphs inside them and their
    line breaks into one line; an administrative document's header and signature are such tables
    (issuing body | motto, number | place and date), so its tree is rendered here instead: each
    paragraph and line break of a cell is a line, and a row whose cells are one line each (a table
    of figures; "Số: … | Lạng Sơn, ngày …", which the sectioner cuts again) is one line with its
    cells joined by " | ", as .docx tables are: a figure stays beside its label.
    """
    import copy
    import logging

    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its warnings are about pages, not our state
    try:
        found = trafilatura.bare_extraction(
            copy.deepcopy(root),
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            with_metadata=True,
            deduplicate=False,
        )
    except RecursionError:  # a deep page: the caller's own walk needs no recursion
        return None
    except Exception:  # noqa: BLE001 — whatever a hostile page makes it raise, the caller still reads it
        return None
    body = getattr(found, "body", None)
    if body is None:
        return None
    lines = _lines_of_tree(body)
    if not lines:
        return None
    # The article's title, when trafilatura kept it as metadata only: put back when the page shows it as a heading.
    title = re.sub(r"\s+", " ", getattr(found, "title", None) or "").strip()
    if (
        title
        and title not in lines
        and any(re.sub(r"\s+", " ", h.text_content()).strip() == title for h in root.iter("h1", "h2"))
    ):
        lines.insert(0, title)
    return "\n".join(lines)


def _lines_of_tree(body) -> list[str]:
    parts: list[str] = []
    stack = [(body, False)]
    while stack:  # depth first with a stack of our own, as in html_text
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if closing:
            if tag in _CONTENT_LINES:
                parts.append("\n")
            if el is not body and el.tail:
                parts.append(el.tail)
            continue
        if tag == "row":
            cells = [c for c in el if c.tag == "cell"]
            flat = [re.sub(r"\s+", " ", "".join(c.itertext())).strip() for c in cells]
            one_line = all(len(c.findall(".//lb")) == 0 and len(c.findall("p")) <= 1 for c in cells)
            if len(cells) >= 2 and one_line:
                parts.append("\n" + " | ".join(f for f in flat if f) + "\n")  # trafilatura pads short rows
                if el.tail:
                    parts.append(el.tail)
                continue
        if tag in _CONTENT_LINES:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parts).split("\n"))
    return [line for line in lines if line]
