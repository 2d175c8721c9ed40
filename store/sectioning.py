"""Split a document's text into sections that map back to exact source offsets.

Three shapes occur (CORPUS.md): weekly digests (item titles listed in one summary line),
reports with numbered headings (I. / 1. / 1.1.) and notices with items (1. / a)). Reports
and notices come from PDFs: page breaks cut sentences and drop footnotes in the middle of
the running text, so paragraphs are rejoined and each footnote goes to the section citing it.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from store.models import Document, DocumentKind, Section, Span
from store.vietnamese import find_dates, find_doc_numbers, find_officials, fold

_TERMINAL = tuple(".:;!?…)\"”*")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NOISE = re.compile(
    r"^(?:https?://\S+|Ảnh minh họa|Ảnh minh hoạ|\d{1,4}|Nhảy đến nội dung|A- A A\+.*"
    r"|Tổng số điểm của bài viết là.*|Click để đánh giá bài viết|Quyết tâm thực hiện thắng lợi Nghị quyết.*)$"
)
_DIGEST_TITLE = re.compile(r"Chỉ đạo, điều hành nổi bật", re.I)
_WEEK = re.compile(r"ngày\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\s+đến\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})")
_ROMAN = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)\.\s")
_ARTICLE = re.compile(r"^(Điều\s+\d{1,3})[.:]\s")  # decisions: "Điều 1. Thành lập Ban Chỉ đạo …"
_NUM2 = re.compile(r"^(\d{1,2}\.\d{1,2})\.?\s")
_NUM1 = re.compile(r"^(\d{1,2})\.\s")
_LETTER = re.compile(r"^([a-zđ])\)\s")
_SIGNATURE = re.compile(r"^\**\s*(TM\.|KT\.|TL\.|Q\.\s?CHỦ TỊCH)")
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:")
OVERVIEW = "Tổng quan"
SIGNATURE = "Chữ ký"
RECIPIENTS = "Nơi nhận"
_MONTH = re.compile(r"tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)


@dataclass
class Line:
    start: int
    end: int
    text: str


@dataclass
class Block:
    """A logical paragraph: one or more source spans (several where a page break cut it)."""

    spans: list[Line]
    role: str = "body"  # body | heading | footnote | marker
    marker: str | None = None  # heading/item marker: "II", "1", "1.1", "a)"

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


def lines_of(text: str) -> list[Line]:
    """Non-empty lines as exact spans, trimmed of surrounding whitespace (incl. U+00A0)."""
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def detect_kind(text: str) -> DocumentKind:
    head = text[:3000]
    if _DIGEST_TITLE.search(head):
        return "digest"
    if re.search(r"^\s*BÁO CÁO\s*$", head, re.M):
        return "report"
    if re.search(r"^\s*THÔNG BÁO\s*$", head, re.M):
        return "notice"
    return "text"


def sectionize(source: str, text: str) -> Document:
    """Build the Document with its sections; every section's text is a join of source spans."""
    kind = detect_kind(text)
    lines = lines_of(text)
    meta: dict = {}
    if kind == "digest":
        drafts = _digest(lines, meta)
    elif kind in ("report", "notice"):
        drafts = _formal(lines, meta)
    elif sum(1 for ln in lines if _marker(ln.text)) >= 2:  # a decision, plan, letter… with numbered items
        drafts = _formal(lines, meta)
    else:
        drafts = _plain(lines, source, meta)
    sections = [_section(source, kind, text, i, d) for i, d in enumerate(drafts) if d.blocks]
    return Document(
        source=source, kind=kind, title=meta.get("title") or source,
        number=meta.get("number"), period_start=meta.get("period_start"), period_end=meta.get("period_end"),
        period_label=meta.get("period_label"), sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text, sections=sections,
    )


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


def _digest(lines: list[Line], meta: dict) -> list[Draft]:
    lines = [ln for ln in lines if not _NOISE.match(ln.text)]
    title_i = next((i for i, ln in enumerate(lines) if _DIGEST_TITLE.search(ln.text)), 0)
    title = lines[title_i]
    meta["title"] = title.text
    if m := _WEEK.search(title.text):
        d1, m1, y1, d2, m2, y2 = m.groups()
        end = date(int(y2), int(m2), int(d2))
        start_year = int(y1) if y1 else (end.year - 1 if int(m1) > int(m2) else end.year)
        meta["period_start"], meta["period_end"] = date(start_year, int(m1), int(d1)), end
        meta["period_label"] = f"{meta['period_start']:%d/%m/%Y}–{end:%d/%m/%Y}"
    rest = lines[title_i + 1:]
    summary = next((ln for ln in rest[:3] if ln.text.count(";") >= 2), None)
    items = [p.strip(" .") for p in summary.text.split(";")] if summary else []
    overview = Draft(OVERVIEW, title.text, [Block([title]), Block([summary])] if summary else [Block([title])])
    body = rest[rest.index(summary) + 1:] if summary else rest
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


# ---- reports and notices ----------------------------------------------------------------

def _complete(text: str) -> bool:
    return text.rstrip().endswith(_TERMINAL) or text.rstrip().endswith("./.")


def _marker(text: str) -> tuple[int, str] | None:
    """(level, marker) of a numbered heading or item line."""
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


def _blocks(lines: list[Line]) -> list[Block]:
    """Rejoin paragraphs cut by page breaks; footnote text continued on the next page too.

    Reading order at a page break is: body (cut) → that page's footnotes → next page's body.
    So a plain line right after footnotes continues the open body paragraph; a lower-case line
    while a footnote is still open, elsewhere, is that footnote's continuation.
    """
    blocks: list[Block] = []
    open_body: Block | None = None
    open_foot: Block | None = None
    previous = ""
    for ln in lines:
        t = ln.text
        if t[0] in _SUPERSCRIPTS:
            block = Block([ln], role="footnote", marker=t[: len(t) - len(t.lstrip(_SUPERSCRIPTS))])
            blocks.append(block)
            open_foot = None if _complete(t) else block
            previous = "footnote"
            continue
        mark = _marker(t)
        if _RECIPIENTS.match(t) or _SIGNATURE.match(t):
            blocks.append(Block([ln], role="marker", marker="recipients" if _RECIPIENTS.match(t) else "signature"))
            open_body = None
        elif mark and _is_heading(t):
            blocks.append(Block([ln], role="heading", marker=mark[1]))
            open_body = None
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


def _short_title(text: str) -> str:
    """An item paragraph's title: its marker and first clause, at most ~120 characters."""
    marker = re.match(r"^\S+\s+", text).group(0)
    first = re.split(r"(?<=[.;:])\s", text[len(marker):], maxsplit=1)[0]
    if len(first) > 120:
        first = first[:117].rsplit(" ", 1)[0] + "…"
    return marker + first


def _formal(lines: list[Line], meta: dict) -> list[Draft]:
    # The header (number, place and date, title, opening paragraph) has no page breaks and
    # lines without final stops: keep its lines as they are, rejoin only the body.
    first_marker = next((i for i, ln in enumerate(lines) if _marker(ln.text)), len(lines))
    header = [Block([ln]) for ln in lines[:first_marker]]
    blocks = _blocks(lines[first_marker:])
    header_text = [b.first for b in header]
    kind_i = next((i for i, t in enumerate(header_text) if t in ("BÁO CÁO", "THÔNG BÁO")), None)
    title_parts: list[str] = []
    if kind_i is not None:
        for t in header_text[kind_i:]:
            title_parts.append(t)
            if t.endswith((")", ".")) or len(title_parts) == 3:
                break
    meta["title"] = " ".join(title_parts) if title_parts else header_text[0]
    if m := next((re.match(r"Số:\s*(\S*)", t) for t in header_text if t.startswith("Số:")), None):
        meta["number"] = m.group(1) if re.match(r"\d", m.group(1)) else None  # "Số: /BC-UBND" has no number yet
    header_all = " ".join(header_text)
    dates = find_dates(header_all)
    if dates:  # a notice names its meeting date
        meta["period_start"] = meta["period_end"] = dates[0]
        meta["period_label"] = f"{dates[0]:%d/%m/%Y}"
    elif m := _MONTH.search(header_all):
        month, year = int(m.group(1)), int(m.group(2))
        meta["period_start"] = date(year, month, 1)
        meta["period_end"] = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        meta["period_label"] = f"{month:02d}/{year}"

    drafts = [Draft("Đầu văn bản", meta["title"], header)]
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
        elif b.role == "heading":
            level = _marker(b.first)[0]
            stack = [s for s in stack if s[0] < level]
            title = b.first if _is_heading(b.first) else _short_title(b.first)
            current = Draft(" > ".join([s[1] for s in stack] + [b.marker]), title, [b],
                            context=" › ".join(s[2] for s in stack))
            stack.append((level, b.marker, title))
            drafts.append(current)
        else:
            current.blocks.append(b)
    # A heading followed directly by its first sub-heading has no text of its own.
    kept = [d for i, d in enumerate(drafts)
            if not (len(d.blocks) == 1 and d.blocks[0].role == "heading" and i + 1 < len(drafts)
                    and drafts[i + 1].path.startswith(d.path + " > "))]
    _attach_footnotes(kept, footnotes)
    return kept


def _attach_footnotes(drafts: list[Draft], footnotes: list[Block]) -> None:
    """Append each footnote to the first section whose text carries its marker (¹, ⁸ …)."""
    for note in footnotes:
        pattern = re.compile(rf"(?<![{_SUPERSCRIPTS}]){re.escape(note.marker)}(?![{_SUPERSCRIPTS}])")
        home = next(
            (d for d in drafts if any(pattern.search(s.text) for b in d.blocks if b.role != "footnote" for s in b.spans)),
            drafts[-1],
        )
        home.blocks.append(note)


# ---- anything else ------------------------------------------------------------------

def _plain(lines: list[Line], source: str, meta: dict) -> list[Draft]:
    """Unknown shape: the first line is the title, paragraphs are grouped into sections by the splitter later."""
    if not lines:
        return []
    meta["title"] = lines[0].text[:200]
    return [Draft("Toàn văn", meta["title"], [Block([ln]) for ln in lines])]


# ---- metadata ---------------------------------------------------------------------

_IN_PARENS = re.compile(r"\([^()]*số\s*:?\s*$", re.I)
_ISSUED = re.compile(r"ban hành\s*\(?\s*(?:Quyết định|Kế hoạch|Công văn|Thông báo|Chỉ thị)\s+số\s*:?\s*$", re.I)


def _section(source: str, kind: DocumentKind, text: str, ordinal: int, draft: Draft) -> Section:
    spans: list[Span] = []
    joiners: list[str] = []
    for bi, block in enumerate(draft.blocks):
        for si, ln in enumerate(block.spans):
            if spans:
                joiners.append(" " if si > 0 else "\n")
            spans.append(Span(start=ln.start, end=ln.end))
    body = "".join(
        (joiners[i - 1] if i else "") + text[s.start:s.end] for i, s in enumerate(spans)
    )
    numbers = find_doc_numbers(body)
    instrument, instrument_date = None, None
    if kind == "digest" and draft.path.startswith("Mục") and len(draft.blocks) > 1:
        lead = text[draft.blocks[1].spans[0].start:draft.blocks[1].spans[0].end]
        instrument, instrument_date = _instrument(lead)
    return Section(
        id=f"{source}#{ordinal}", source=source, ordinal=ordinal, path=draft.path, title=draft.title,
        context=draft.context,
        spans=spans, joiners=joiners, text=body,
        doc_numbers=list(dict.fromkeys(n for n, _, _ in numbers)), dates=find_dates(body),
        officials=find_officials(body), instrument=instrument, instrument_date=instrument_date,
    )


def _instrument(lead: str) -> tuple[str | None, date | None]:
    """The instrument a digest item is about, named in its lead paragraph:
    "(Quyết định số 1370/QĐ-UBND, ngày 30/8/2023)" or "ban hành Quyết định số 2193/QĐ-UBND".
    An item that only mentions other documents (a meeting, say) has none: better no number than a wrong one.
    """
    for number, start, end in find_doc_numbers(lead):
        before = lead[max(0, start - 60):start]
        if _IN_PARENS.search(before) or _ISSUED.search(before):
            dates = find_dates(lead[end:end + 40])
            return number, dates[0] if dates else None
    return None, None
