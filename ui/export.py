"""Briefing export: an answer as Markdown with its quotations and references; a session as .docx."""

from __future__ import annotations

import html
import tempfile
from datetime import datetime
from pathlib import Path

from assistant.models import Answer

HEADINGS = {
    "vi": {
        "question": "Câu hỏi",
        "refs": "Tài liệu tham khảo",
        "none": "Tài liệu không có thông tin.",
        "title": "Trích dẫn văn bản chỉ đạo, điều hành",
        "understood": "hiểu là",
    },
    "en": {
        "question": "Question",
        "refs": "References",
        "none": "The documents do not say.",
        "title": "Quoted directives",
        "understood": "understood as",
    },
}


def asked(answer: Answer) -> str:
    """The question as asked, and for a follow-up as understood: a briefing reads without the chat."""
    if not answer.interpreted_question:
        return answer.question
    return f"{answer.question} ({HEADINGS[answer.language]['understood']}: {answer.interpreted_question})"


def reference_line(c) -> str:
    """A citation as people name it: document title, number (date), section. The file name and the
    character offsets are for the citation panel, not for the answer or a briefing."""
    number, day = c.doc_number, c.date.strftime("%d/%m/%Y") if c.date else None
    ref = f"{number} ({day})" if number and day else (number or day)
    return " · ".join(x for x in (c.document or c.source, ref, c.section) if x)


def references(answer: Answer) -> list[str]:
    """ "[n] title · number (date) · section" for each citation: the copy text, the Markdown and the .docx."""
    return [f"[{c.n}] {reference_line(c)}" for c in answer.citations]


def answer_pieces(answer: Answer) -> list[tuple[str, bool]]:
    """The answer's own text in order, as (text, is a quote): the lead lines it names its documents
    with ("Theo …:", "According to …:") and each quote “…” [n], cut at the quotes rather than at line
    ends (a quote may hold one). A quote the text does not hold is still given, in its place."""
    pieces, rest = [], answer.answer
    for c in answer.citations:
        quoted = f"“{c.quote}” [{c.n}]"
        before, found, after = rest.partition(quoted)
        if found:
            pieces += [(line, False) for line in before.split("\n") if line.strip()]
            rest = after
        pieces.append((quoted, True))
    return pieces + [(line, False) for line in rest.split("\n") if line.strip()]


def inert(text: str) -> str:
    """Document or user text for Markdown: `&`, `<`, `>` as entities, so a `<script>` or `<img onerror>`
    in a document is shown, not run, where the briefing is pasted, and renders as the document's exact
    characters. Nothing else changes: quotes, numbers ("1370/QĐ-UBND") and dates stay as written
    (no backslashes, unlike the chat's escaping)."""
    return html.escape(text, quote=False)


def answer_markdown(answer: Answer) -> str:
    """Paste-ready Markdown: question, the answer's lead lines with its quotes, and references as the
    copy text and the .docx name them (title, number (date), section; no file name or offsets)."""
    h = HEADINGS[answer.language]
    lines = [f"**{h['question']}:** {inert(asked(answer))}", ""]
    if answer.abstained:
        lines.append(h["none"])
    else:
        lines += [f"> {inert(text)}" if quote else inert(text) for text, quote in answer_pieces(answer)]
        lines += ["", f"**{h['refs']}**", ""]
        lines += [f"{inert(line)}  " for line in references(answer)]
    return "\n".join(lines)


def session_docx(answers: list[Answer], folder: Path | None = None) -> Path:
    """All answers of a chat session as one Word document; quotes verbatim, references per answer."""
    from docx import Document
    from docx.shared import Pt

    language = answers[0].language if answers else "vi"
    h = HEADINGS[language]
    doc = Document()
    doc.add_heading(h["title"], level=1)
    doc.add_paragraph(datetime.now().strftime("%d/%m/%Y %H:%M"))
    for answer in answers:
        hq = HEADINGS[answer.language]
        doc.add_heading(f"{hq['question']}: {asked(answer)}", level=2)
        if answer.abstained:
            doc.add_paragraph(hq["none"])
            continue
        for text, quote in answer_pieces(answer):
            doc.add_paragraph(text, style="Intense Quote" if quote else None)
        doc.add_paragraph(hq["refs"]).runs[0].bold = True
        # Plain paragraphs numbered by the answer's own [n]: a Word numbered list would run on across
        # the answers of the session ("1. [1]", then "2. [1]").
        for line in references(answer):
            doc.add_paragraph(line).runs[0].font.size = Pt(9)
    folder = folder or Path(tempfile.mkdtemp(prefix="chidao-briefing-"))
    path = folder / f"chidao-briefing-{datetime.now():%Y%m%d-%H%M%S}.docx"
    doc.save(path)
    return path
