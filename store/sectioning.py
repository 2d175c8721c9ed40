"""Split a document's text into sections that map back to exact source offsets.

The shapes (docs/CORPUS.md, and tests/fixtures/documents/ for those beyond the sample):
- weekly digests of a portal: item titles listed in one summary line, or (newer portals) each
  item a heading line over its paragraphs;
- administrative documents — decisions, plans, official letters, notices, reports, directives,
  resolutions: a header (store/header.py: issuing body, "Số: …", place and date, type and
  trích yếu), then numbered parts: Chương / Mục / Điều / I. / 1. / 1.1. / a), the recipients and
  the signature, and an attached regulation ("QUY ĐỊNH … (Ban hành kèm theo …)") after it;
- pages of a portal (news) and anything else: the title, then the text.
Page chrome (store/boilerplate.py: skip links, menus, breadcrumbs, widgets, related news, footer)
is left out of every section. Reports and notices come from PDFs: page breaks cut sentences and
drop footnotes in the middle of the running text, so paragraphs are rejoined and each footnote
goes to the section citing it; hard-wrapped lines are rejoined the same way. A line holding table
cells (a tab, or a run of spaces between the columns of a copied header) is cut into its cells.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from store import boilerplate
from store.header import (
    Header,
    agency,
    instrument_key,
    main_province,
    named_province,
    parse_header,
    province_of,
    read_period,
    role_line,
    signer,
)
from store.models import ROLE_PATHS, Document, DocumentKind, Section, Span
from store.vietnamese import find_dates, find_doc_numbers, find_officials, fold

_TERMINAL = tuple('.:;!?…)"”*')
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_DIGEST_TITLE = re.compile(r"Chỉ đạo, điều hành nổi bật", re.I)
# Other portals' digests: "Điểm tin chỉ đạo, điều hành … tuần …", "Thông tin chỉ đạo, điều hành của UBND tỉnh tuần …"
_DIGEST_OTHER = re.compile(
    r"^(?:diem tin |thong tin |ban tin |hoat dong |tin )?(?:noi bat )?(?:cong tac )?chi dao,? dieu hanh\b"
    r".*\btuan\b"
)
_CHAPTER = re.compile(r"^((?:Chương|CHƯƠNG)\s+(?:[IVXLC]{1,6}|\d{1,2}))(?=[.:]?\s|[.:]?$)")
_PART = re.compile(
    r"^((?:Mục|MỤC)\s+(?:\d{1,2}|[IVX]{1,4}))(?=[.:]?\s|[.:]?$)"
)  # "Mục 1. CẤP TỈNH", never "Mục đích"
# A regulation or appendix attached after the signature: its own type line opens it.
_ATTACHMENT = re.compile(
    r"^(QUY ĐỊNH|QUY CHẾ|PHỤ LỤC(?:\s+[IVX\d]+)?|DANH MỤC|HƯỚNG DẪN|ĐIỀU LỆ|CHƯƠNG TRÌNH|ĐỀ ÁN)$"
)
# The parts of a page's or report's title that say it is a report (a statistics office's page has no type line).
_REPORT_TITLE = re.compile(r"^(?:bao cao\b|tinh hinh kinh te\s*-\s*xa hoi\b)")
_NOTICE_TITLE = re.compile(r"^thong bao\b")
_ROMAN = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)\.\s")
_ARTICLE = re.compile(r"^(Điều\s+\d{1,3})[.:]\s")  # decisions: "Điều 1. Thành lập Ban Chỉ đạo …"
_NUM2 = re.compile(r"^(\d{1,2}\.\d{1,2})\.?\s")
_NUM1 = re.compile(r"^(\d{1,2})\.\s")
_LETTER = re.compile(r"^([a-zđ])\)\s")
_SIGNATURE = re.compile(r"^\**\s*(TM\.|KT\.|TL\.|Q\.\s?CHỦ TỊCH)")
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:")
OVERVIEW, HEADER, SIGNATURE, RECIPIENTS = (
    ROLE_PATHS[r] for r in ("overview", "header", "signature", "recipients")
)


@dataclass
class Line:
    start: int
    end: int
    text: str


@dataclass
class Facts:
    """What sectioning reads of a whole document (its header, title, signature), typed; they become
    the Document's fields."""

    title: str | None = None
    number: str | None = None
    issued: date | None = None
    year: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_label: str | None = None
    issuer: str | None = None
    province: str | None = None
    signer: str | None = None
    signer_role: str | None = None


@dataclass
class Block:
    """A logical paragraph: one or more source spans (several where a page break cut it)."""

    spans: list[Line]
    role: str = "body"  # body | heading | footnote | marker
    marker: str = ""  # heading/item marker: "II", "1", "1.1", "a)"; "" for body text

    @property
    def first(self) -> str:
        return self.spans[0].text

    @property
    def last(self) -> str:
        return self.spans[-1].text


@dataclass
class Draft:
    path: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    context: str = ""  # titles of the enclosing headings


_CELL_GAP = re.compile(r"\t+| {3,}")


def lines_of(text: str) -> list[Line]:
    """Non-empty lines as exact spans, trimmed of surrounding whitespace (incl. U+00A0). A line
    holding table cells — a tab, or three or more spaces between two columns, as a header copied
    from a web page or a PDF lays them out — gives one Line per cell, in reading order."""
    out, pos = [], 0
    for raw in text.split("\n"):
        cursor = 0
        for piece in [*_CELL_GAP.split(raw)] if ("\t" in raw or "   " in raw) else [raw]:
            at = raw.index(piece, cursor) if piece else cursor
            cursor = at + len(piece)
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                out.append(Line(pos + at + lead, pos + at + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


_HEADER_ROW = re.compile(
    r"cong hoa xa hoi chu nghia viet nam|^so\s*[:.]|, ngay .{0,12}thang .{0,12}nam \d{4}"
)


def _header_rows(lines: list[Line], first: int = 40) -> list[Line]:
    """A .docx header table reads as rows "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN | CỘNG HÒA XÃ HỘI …" and
    "Số: 12/2024/QĐ-UBND | Lạng Sơn, ngày …": among the first lines, such a row is cut into its cells.
    (Elsewhere " | " joins the cells of a table of figures, which stay one line.)"""
    out: list[Line] = []
    for i, ln in enumerate(lines):
        if i < first and " | " in ln.text and _HEADER_ROW.search(fold(ln.text)):
            cursor = ln.start
            for cell in ln.text.split(" | "):
                at = cursor + (len(cell) - len(cell.lstrip()))
                if cell.strip():
                    out.append(Line(at, at + len(cell.strip()), cell.strip()))
                cursor += len(cell) + 3
        else:
            out.append(ln)
    return out


def _blank_before(text: str, lines: list[Line]) -> list[bool]:
    """Whether an empty line stands between each line and the one before it."""
    return [i > 0 and text.count("\n", lines[i - 1].end, ln.start) >= 2 for i, ln in enumerate(lines)]


def detect_kind(text: str, source: str = "") -> DocumentKind:
    return _shape(source, text, _header_rows(lines_of(text)))[0]


@dataclass
class _Shape:
    lines: list[
        Line
    ]  # the document's lines: chrome, the site's tail and what stands before the document left out
    header: Header | None = None
    title_i: int | None = None  # the digest's or page's title line (index into `lines`)
    chrome: list[Line] = field(default_factory=list)  # what was left out: where a page names its publisher


def _shape(source: str, text: str, all_lines: list[Line]) -> tuple[DocumentKind, _Shape]:
    """The document's kind, and its lines without the page around it."""
    kept = [ln for ln in all_lines if not boilerplate.is_chrome(ln.text)]
    tail = boilerplate.tail_start([ln.text for ln in kept])
    lines = kept[:tail]
    shape = _Shape(lines=lines)
    web = source.lower().endswith((".html", ".htm")) or len(kept) < len(all_lines) or tail < len(kept)
    digest_i = next((i for i, ln in enumerate(lines[:40]) if _DIGEST_TITLE.search(ln.text)), None)
    kind = _read_kind(shape, text, lines, digest_i, web)
    content = {id(ln) for ln in shape.lines}
    shape.chrome = [ln for ln in all_lines if id(ln) not in content]
    return kind, shape


def _read_kind(shape: _Shape, text: str, lines: list[Line], digest_i: int | None, web: bool) -> DocumentKind:
    if digest_i is not None or _DIGEST_TITLE.search(text[:3000]):
        shape.title_i = digest_i if digest_i is not None else 0
        return "digest"
    header = parse_header([ln.text for ln in lines], _blank_before(text, lines))
    if header is None:  # another portal's digest: "Điểm tin chỉ đạo, điều hành … tuần …" as a title line
        other = next((i for i, ln in enumerate(lines[:40]) if _digest_title(ln.text)), None)
        if other is not None:
            shape.title_i = other
            return "digest"
    if header is not None:
        shape.header = header
        shape.lines = lines[header.start :]
        _shift(header, header.start)
        return header.kind or "text"
    title_i = _page_title(lines, web)
    shape.lines = lines[title_i:]
    shape.title_i = 0
    title = fold(shape.lines[0].text) if shape.lines else ""
    if _REPORT_TITLE.match(title):
        return "report"
    if _NOTICE_TITLE.match(title):
        return "notice"
    return "news" if web and shape.lines else "text"


def _digest_title(line: str) -> bool:
    return len(line) < 200 and not line.endswith((".", ";", ":")) and bool(_DIGEST_OTHER.match(fold(line)))


def _shift(header: Header, by: int) -> None:
    """Header indices relative to its first line."""
    if header.title_start is not None:
        header.title_start -= by
    if header.title_end is not None:
        header.title_end -= by
    header.lines = [i - by for i in header.lines]
    header.start = 0


def _page_title(lines: list[Line], web: bool) -> int:
    """Where a page without a header starts: after its menu entries, and after a banner line in
    capitals (the site's agency) that menu entries follow. A text that is not a saved page
    starts at its first line."""
    if not web:
        return 0
    i = 0
    while i < len(lines) - 1:
        t = lines[i].text
        if boilerplate.is_menu_item(t):
            i += 1
            continue
        letters = [c for c in t if c.isalpha()]
        banner = letters and all(c.isupper() for c in letters) and len(t) <= 80
        if banner and any(boilerplate.is_menu_item(ln.text) for ln in lines[i + 1 : i + 3]):
            i += 1
            continue
        break
    return i if i < len(lines) else 0


def sectionize(source: str, text: str) -> Document:
    """Build the Document with its sections; every section's text is a join of source spans."""
    kind, shape = _shape(source, text, _header_rows(lines_of(text)))
    lines = shape.lines
    meta = Facts()
    instrument = False
    if kind == "digest":
        drafts = _digest(lines, meta)
    elif shape.header is not None or kind in ("report", "notice"):
        drafts = _formal(lines, meta, shape.header, text)
        instrument = shape.header is not None
    elif sum(1 for ln in lines if _marker(ln.text)) >= 2:  # a decision, plan, letter… with numbered items
        drafts = _formal(lines, meta, None, text)
    else:
        drafts = _plain(lines, source, meta)
    _issuing(kind, shape, text, meta)
    number = meta.number
    key = instrument_key(number, meta.issued.year if meta.issued else meta.year)
    own = (number, meta.issued) if instrument and number else None
    sections = [_section(source, kind, text, i, d, own) for i, d in enumerate(drafts) if d.blocks]
    return Document(
        source=source,
        kind=kind,
        title=meta.title or source,
        number=number,
        period_start=meta.period_start,
        period_end=meta.period_end,
        period_label=meta.period_label,
        issuer=meta.issuer,
        province=meta.province,
        issued=meta.issued,
        number_key=key,
        signer=meta.signer,
        signer_role=meta.signer_role,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        sections=sections,
    )


def _issuing(kind: str, shape: _Shape, text: str, meta: Facts) -> None:
    """Who issued the document: its header's issuing body; for a digest, the UBND of the province it
    keeps naming; for a page, a "Nguồn: …" line or the agency its banner names."""
    h = shape.header
    if h is not None:
        meta.issuer, meta.province = h.issuer, h.province
        return
    province = main_province(text) or (named_province(meta.title) if meta.title else None)
    issuer = None
    if kind == "digest":
        issuer = f"UBND tỉnh {province}" if province else None
    else:
        for ln in shape.chrome:
            if m := re.match(r"^(?:Nguồn|Theo)\s*:\s*(.{3,80})$", ln.text):
                issuer = m.group(1).strip().rstrip(".")
                break
        issuer = issuer or next((a for ln in shape.chrome[:12] if (a := agency(ln.text))), None)
        if issuer:
            province = province_of(issuer) or province
    meta.issuer, meta.province = issuer, province


# ---- digests --------------------------------------------------------------------------


def _key(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", fold(s))


def _same_title(item: str, line: str) -> bool:
    a, b = _key(item), _key(line)
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) > 20 and (a.startswith(b) or b.startswith(a))):
        return True
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


def _digest(lines: list[Line], meta: Facts) -> list[Draft]:
    # The digest cleaner of the sample's portal (image URLs, "Ảnh minh họa", a stray "123", the rating
    # widget, the banner slogan) is now store/boilerplate.py's, for every page: `lines` come without them.
    title_i = next((i for i, ln in enumerate(lines) if _DIGEST_TITLE.search(ln.text)), None)
    if title_i is None:
        title_i = next((i for i, ln in enumerate(lines) if _digest_title(ln.text)), 0)
    title = lines[title_i]
    meta.title = title.text
    if period := read_period(title.text):
        meta.period_start, meta.period_end, meta.period_label = (
            period.start,
            period.end,
            period.label,
        )
    rest = lines[title_i + 1 :]
    summary = next((ln for ln in rest[:3] if ln.text.count(";") >= 2), None)
    if summary is None:
        return _digest_by_headings(title, rest)
    items = [p.strip(" .") for p in summary.text.split(";")] if summary else []
    overview = Draft(
        OVERVIEW, title.text, [Block([title]), Block([summary])] if summary else [Block([title])]
    )
    body = rest[rest.index(summary) + 1 :] if summary else rest
    drafts, current, next_item = [overview], None, 0
    for ln in body:
        # Titles appear in summary order; a short line matching the next expected item opens it.
        if next_item < len(items) and len(ln.text) < 400 and _same_title(items[next_item], ln.text):
            next_item += 1
            current = Draft(f"Mục {next_item}", ln.text, [Block([ln], role="heading")])
            drafts.append(current)
        elif current is not None:
            current.blocks.append(Block([ln]))
        else:
            overview.blocks.append(Block([ln]))
    return drafts


def _digest_by_headings(title: Line, rest: list[Line]) -> list[Draft]:
    """A digest without a summary line (newer portals): each item is a heading line — short, no
    sentence end — over its paragraphs. Its overview is what stands before the first item; the
    title alone is no section (it would be quoted as the answer to any question about the week)."""
    overview = Draft(OVERVIEW, title.text, [])
    drafts, current = [overview], None
    for i, ln in enumerate(rest):
        t = ln.text
        following = rest[i + 1].text if i + 1 < len(rest) else ""
        heading = (
            len(t) < 200
            and not t.endswith(tuple(".;:!?…,"))
            and t[:1].isupper()
            and bool(following)
            and len(following) > len(t)
            and following.endswith((".", ";", ":", "./."))
        )
        if heading:
            current = Draft(f"Mục {len(drafts)}", t, [Block([ln], role="heading")])
            drafts.append(current)
        else:
            (current or overview).blocks.append(Block([ln]))
    return drafts


# ---- reports and notices ----------------------------------------------------------------


def _complete(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL) or text.rstrip().endswith("./.")


def _marker(text: str) -> tuple[int, str] | None:
    """(level, marker) of a numbered heading or item line. Chương and Mục stand above Điều (and I.)."""
    if m := _CHAPTER.match(text):
        return -2, m.group(1)
    if m := _PART.match(text):
        return -1, m.group(1)
    if m := _ROMAN.match(text) or _ARTICLE.match(text):
        return 1, m.group(1)
    if m := _NUM2.match(text):
        return 3, m.group(1)
    if m := _NUM1.match(text):
        return 2, m.group(1)
    if m := _LETTER.match(text):
        return 3, m.group(1) + ")"
    return None


def _is_heading(text: str) -> bool:
    """A short numbered line without a final stop is a heading; a long one is an item paragraph."""
    return len(text) < 160 and not text.endswith(".")


def _upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _wrap_width(lines: list[Line]) -> int | None:
    """The width a hard-wrapped text was wrapped at, or None: most long lines stop short of a
    sentence end and none is much longer than the rest (a PDF's text, or a file wrapped at ~80)."""
    long = [ln.text for ln in lines if len(ln.text) >= 40]
    if len(long) < 8:
        return None
    width = max(len(t) for t in long)
    open_lines = sum(1 for t in long if not _complete(t))
    # …and the next line goes on in lower case after many of them
    # ("…của Ban Chấp hành Đảng bộ tỉnh" / "về chuyển đổi số …")
    going_on = sum(
        1
        for a, b in zip(lines, lines[1:])
        if len(a.text) >= 40 and not _complete(a.text) and b.text[:1].islower()
    )
    return width if width <= 110 and open_lines >= 0.3 * len(long) and going_on >= 0.15 * len(long) else None


def _blocks(lines: list[Line], wrap: int | None = None) -> list[Block]:
    """Rejoin paragraphs cut by page breaks; footnote text continued on the next page too.

    Reading order at a page break is: body (cut) → that page's footnotes → next page's body.
    So a plain line right after footnotes continues the open body paragraph; a lower-case line
    while a footnote is still open, elsewhere, is that footnote's continuation.

    In a hard-wrapped text (`wrap`: its width) a numbered line as long as the wrap and without a
    sentence end is an item paragraph going on, not a heading. A heading in capitals goes on in
    capitals ("II. NHIỆM VỤ … CHUYỂN ĐỔI SỐ" / "NĂM 2023"; "Chương I" / "QUY ĐỊNH CHUNG"). After the
    signature, a type line of its own ("QUY ĐỊNH") opens an attached regulation or appendix; a
    signer's post alone ("CHỦ TỊCH", "GIÁM ĐỐC") opens the signature of a document signed without
    "TM." / "KT.".
    """
    blocks: list[Block] = []
    open_body: Block | None = None
    open_foot: Block | None = None
    open_heading: Block | None = (
        None  # a heading in capitals (or a Chương / Mục line) its next line may go on
    )
    open_attachment: Block | None = None
    signed = False
    previous = ""
    for ln in lines:
        t = ln.text
        if t[0] in _SUPERSCRIPTS:
            block = Block([ln], role="footnote", marker=t[: len(t) - len(t.lstrip(_SUPERSCRIPTS))])
            blocks.append(block)
            open_foot = None if _complete(t) else block
            open_heading = open_attachment = None
            previous = "footnote"
            continue
        mark = _marker(t)
        heading_goes_on = (
            open_heading is not None
            and not mark
            and _upper(t)
            and len(t) < 160
            and not (_RECIPIENTS.match(t) or _SIGNATURE.match(t) or role_line(t))
        )
        if heading_goes_on:
            assert open_heading is not None
            open_heading.spans.append(ln)
            open_heading = None
            continue
        if open_attachment is not None and not mark and (_upper(t) or t.startswith("(")) and len(t) < 300:
            open_attachment.spans.append(ln)  # its title in capitals, "(Ban hành kèm theo Quyết định số …)"
            open_attachment = None if t.startswith("(") else open_attachment
            continue
        open_heading = open_attachment = None
        if _RECIPIENTS.match(t) or _SIGNATURE.match(t):
            blocks.append(
                Block([ln], role="marker", marker="recipients" if _RECIPIENTS.match(t) else "signature")
            )
            open_body = None
            signed = signed or bool(_SIGNATURE.match(t))
        elif role_line(t) and not _signing(blocks) and (signed or _after_recipients(blocks)):
            blocks.append(Block([ln], role="marker", marker="signature"))
            open_body = None
            signed = True
        elif signed and _ATTACHMENT.match(t):
            block = Block([ln], role="attachment", marker=t[:1] + t[1:].lower())
            blocks.append(block)
            open_body, open_attachment = None, block
        elif mark and _is_heading(t) and not (wrap and len(t) >= 0.7 * wrap and not _complete(t)):
            block = Block([ln], role="heading", marker=mark[1])
            blocks.append(block)
            open_body = None
            if _upper(t[len(mark[1]) :]) or mark[0] < 0:
                open_heading = block
        elif mark:
            block = Block([ln], role="heading", marker=mark[1])  # an item paragraph opens its section
            blocks.append(block)
            open_body = None if _complete(t) else block
        elif previous == "footnote" and open_body is not None:
            open_body.spans.append(ln)
            open_body = None if _complete(t) else open_body
        elif open_foot is not None and (t[0].islower() or t[0].isdigit()):
            open_foot.spans.append(ln)
            open_foot = None if _complete(t) else open_foot
        elif open_body is not None:
            open_body.spans.append(ln)
            open_body = None if _complete(t) else open_body
        else:
            block = Block([ln])
            blocks.append(block)
            open_body = None if _complete(t) else block
        previous = "body"
    return blocks


def _signing(blocks: list[Block]) -> bool:
    """Whether the signature block is open: a "TM." / "KT." line stands among the last lines."""
    return any(b.role == "marker" and b.marker == "signature" for b in blocks[-3:])


def _after_recipients(blocks: list[Block]) -> bool:
    return any(b.role == "marker" and b.marker == "recipients" for b in blocks[-12:])


def _short_title(text: str) -> str:
    """An item paragraph's title: its marker and first clause, at most ~120 characters."""
    m = _CHAPTER.match(text) or _PART.match(text) or _ARTICLE.match(text)
    lead = (r"^[.:]?\s*", text[m.end() :]) if m else (r"^\S+\s+", text)
    marker = (text[: m.end()] if m else "") + (found.group(0) if (found := re.match(*lead)) else "")
    first = re.split(r"(?<=[.;:])\s", text[len(marker) :], maxsplit=1)[0]
    if len(first) > 120:
        first = first[:117].rsplit(" ", 1)[0] + "…"
    return marker + first


def _block_text(b: Block) -> str:
    return " ".join(s.text for s in b.spans)


def _formal(lines: list[Line], meta: Facts, header: Header | None = None, text: str = "") -> list[Draft]:
    # The header (issuing body, number, place and date, type and title) keeps its lines as they are;
    # what follows it up to the first numbered line (legal bases, addressees, opening paragraph) and
    # the body are rejoined where page breaks or hard wrapping cut them.
    wrap = _wrap_width(lines)
    title_end = 0
    if header is not None:
        title_end = max([header.title_end or 0] + [i + 1 for i in header.lines])
    title_end = min(title_end, len(lines))
    first_marker = next((i for i, ln in enumerate(lines) if i >= title_end and _marker(ln.text)), len(lines))
    head = [Block([ln]) for ln in lines[:title_end]]
    if header is None:  # no header: the first line (the title) as it is, then the opening lines one by one
        head = [Block([ln]) for ln in lines[:first_marker]]
    elif title_end < first_marker:
        head += _header_blocks(lines[title_end:first_marker], wrap)
    blocks = _blocks(lines[first_marker:], wrap)
    if header is not None:
        meta.number, meta.issued, meta.year = header.number, header.issued, header.year
        meta.title = header.title or _untitled(header, lines, title_end)
        year = header.year
    else:
        header_text = [b.first for b in head]
        meta.title = header_text[0] if header_text else ""
        year = None
    if period := read_period(meta.title, year):
        meta.period_start, meta.period_end, meta.period_label = (
            period.start,
            period.end,
            period.label,
        )

    drafts = [Draft(HEADER, meta.title, head)]
    stack: list[tuple[int, str, str]] = []  # (level, marker, title)
    footnotes: list[Block] = []
    current = drafts[0]
    for b in blocks:
        if b.role == "footnote":
            footnotes.append(b)
        elif b.role == "marker":
            label = RECIPIENTS if b.marker == "recipients" else SIGNATURE
            if current.path != label:  # "TM. …" then "KT. CHỦ TỊCH" is one signature block
                title = "Người ký văn bản (chữ ký)" if label == SIGNATURE else "Nơi nhận văn bản"
                current = Draft(label, title)
                drafts.append(current)
            current.blocks.append(b)
        elif b.role == "attachment":  # the regulation a decision issues: its parts go under it
            title = " ".join(s.text for s in b.spans if not s.text.startswith("("))
            current = Draft(b.marker, title, [b])
            stack = [(-10, b.marker, title)]
            drafts.append(current)
        elif b.role == "heading":
            level = mark[0] if (mark := _marker(b.first)) else 0
            stack = [s for s in stack if s[0] < level]
            whole = (
                _block_text(b)
                if (len(b.spans) > 1 and (wrap or level < 0 or _upper(b.first[len(b.marker) :])))
                else b.first
            )
            title = whole if _is_heading(whole) else _short_title(whole)
            current = Draft(
                " > ".join([s[1] for s in stack] + [b.marker]),
                title,
                [b],
                context=" › ".join(s[2] for s in stack),
            )
            stack.append((level, b.marker, title))
            drafts.append(current)
        else:
            current.blocks.append(b)
    # A heading followed directly by its first sub-heading has no text of its own.
    kept = [
        d
        for i, d in enumerate(drafts)
        if not (
            len(d.blocks) == 1
            and d.blocks[0].role == "heading"
            and i + 1 < len(drafts)
            and drafts[i + 1].path.startswith(d.path + " > ")
        )
    ]
    _attach_footnotes(kept, footnotes)
    signature = next((d for d in kept if d.path == SIGNATURE), None)
    if signature is not None:
        meta.signer, meta.signer_role = signer([s.text for b in signature.blocks for s in b.spans])
    return kept


def _header_blocks(lines: list[Line], wrap: int | None) -> list[Block]:
    """What stands between the title and the first numbered part, rejoined where wrapped; a line in
    capitals ("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "QUYẾT ĐỊNH:") stands alone, never joined to the next."""
    out: list[Block] = []
    run: list[Line] = []
    for ln in lines:
        if _upper(ln.text):
            out += _blocks(run, wrap) if run else []
            out.append(Block([ln]))
            run = []
        else:
            run.append(ln)
    return out + (_blocks(run, wrap) if run else [])


def _untitled(header: Header, lines: list[Line], title_end: int) -> str:
    """The title of a document whose header has no trích yếu: its type and number, never the
    issuing body ("Công văn số 1520/UBND-KT"), or else its first line of text."""
    from store.models import kind_label

    if header.number:
        word = header.type_word.capitalize() if header.type_word else kind_label(header.kind or "text")
        if (header.kind or "text") == "text" and not header.type_word:
            word = "Văn bản"
        return f"{word[:1].upper()}{word[1:]} số {header.number}"
    rest = [ln.text for ln in lines[title_end:]]
    return rest[0][:200] if rest else (header.type_word or "")


def _attach_footnotes(drafts: list[Draft], footnotes: list[Block]) -> None:
    """Append each footnote to the first section whose text carries its marker (¹, ⁸ …)."""
    for note in footnotes:
        pattern = re.compile(rf"(?<![{_SUPERSCRIPTS}]){re.escape(note.marker)}(?![{_SUPERSCRIPTS}])")
        home = next(
            (
                d
                for d in drafts
                if any(pattern.search(s.text) for b in d.blocks if b.role != "footnote" for s in b.spans)
            ),
            drafts[-1],
        )
        home.blocks.append(note)


# ---- anything else ------------------------------------------------------------------


def _plain(lines: list[Line], source: str, meta: Facts) -> list[Draft]:
    """Unknown shape: the first line is the title, paragraphs are grouped into sections by the splitter later."""
    if not lines:
        return []
    meta.title = lines[0].text[:200]
    if period := read_period(meta.title):
        meta.period_start, meta.period_end, meta.period_label = (
            period.start,
            period.end,
            period.label,
        )
    return [Draft("Toàn văn", meta.title, [Block([ln]) for ln in lines])]


# ---- metadata ---------------------------------------------------------------------

_IN_PARENS = re.compile(r"\([^()]*số\s*:?\s*$", re.I)
_ISSUED = re.compile(
    r"ban hành\s*\(?\s*(?:Quyết định|Kế hoạch|Công văn|Thông báo|Chỉ thị)\s+số\s*:?\s*$", re.I
)
# Newer portals open an item with the instrument itself: "Tại Công văn số 245/UBND-KT …",
# "… ký Quyết định số 398/QĐ-UBND".
_LEAD_NAMES = re.compile(
    r"(?:^(?:Tại|Theo)\s+|\bký\s+(?:ban hành\s+)?)(?:Quyết định|Kế hoạch|Công văn|Thông báo|Chỉ thị)\s+số\s*:?\s*$"
)


def _section(
    source: str,
    kind: DocumentKind,
    text: str,
    ordinal: int,
    draft: Draft,
    own: tuple[str, date | None] | None = None,
) -> Section:
    """`own`: the number and date of the instrument the document is — every section of a numbered
    decision or plan is about it, so a question naming it is answered from any of its parts."""
    spans: list[Span] = []
    joiners: list[str] = []
    for block in draft.blocks:
        for si, ln in enumerate(block.spans):
            if spans:
                joiners.append(" " if si > 0 else "\n")
            spans.append(Span(start=ln.start, end=ln.end))
    body = "".join((joiners[i - 1] if i else "") + text[s.start : s.end] for i, s in enumerate(spans))
    numbers = find_doc_numbers(body)
    instrument, instrument_date = None, None
    if kind == "digest" and draft.path.startswith("Mục") and len(draft.blocks) > 1:
        lead = text[draft.blocks[1].spans[0].start : draft.blocks[1].spans[0].end]
        instrument, instrument_date = _instrument(lead)
    elif own is not None:
        instrument, instrument_date = own
    return Section(
        id=f"{source}#{ordinal}",
        source=source,
        ordinal=ordinal,
        path=draft.path,
        title=draft.title,
        context=draft.context,
        spans=spans,
        joiners=joiners,
        text=body,
        doc_numbers=list(dict.fromkeys(n for n, _, _ in numbers)),
        dates=find_dates(body),
        officials=find_officials(body),
        instrument=instrument,
        instrument_date=instrument_date,
    )


def _instrument(lead: str) -> tuple[str | None, date | None]:
    """The instrument a digest item is about, named in its lead paragraph:
    "(Quyết định số 1370/QĐ-UBND, ngày 30/8/2023)" or "ban hành Quyết định số 2193/QĐ-UBND".
    An item that only mentions other documents (a meeting, say) has none: better no number than a wrong one.
    """
    for number, start, end in find_doc_numbers(lead):
        before = lead[max(0, start - 60) : start]
        if _IN_PARENS.search(before) or _ISSUED.search(before) or _LEAD_NAMES.search(lead[:start]):
            dates = find_dates(lead[end : end + 40])
            return number, dates[0] if dates else None
    return None, None
