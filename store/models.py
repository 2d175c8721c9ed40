"""Typed values of the ingestion side: files → Document → Section → Chunk."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, computed_field

DocumentKind = Literal["digest", "report", "notice", "text"]


class Span(BaseModel):
    """A half-open range [start, end) of a document's stored text (str indices, NFC)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Section(BaseModel):
    """A directive item, report heading, notice item, footnote-bearing paragraph, signature…

    Its text is made of exact spans of the source; `joiners[i]` is what stands between
    span i and i+1 (" " where a page break cut a sentence, "\\n" between paragraphs).
    """

    id: str
    source: str
    ordinal: int
    path: str
    title: str
    context: str = ""  # titles of the enclosing headings, e.g. "II. TÌNH HÌNH … › 1. Lĩnh vực …"
    spans: list[Span]
    joiners: list[str]
    text: str
    doc_numbers: list[str] = []
    dates: list[date] = []
    officials: list[str] = []
    instrument: str | None = None  # the instrument this section is about, e.g. 1370/QĐ-UBND
    instrument_date: date | None = None

    def source_offset(self, position: int) -> int:
        """Map a position in `text` to the source text (a position inside a joiner maps to the span end)."""
        cursor = 0
        for i, span in enumerate(self.spans):
            length = span.end - span.start
            if position <= cursor + length:
                return span.start + max(0, position - cursor)
            cursor += length + (len(self.joiners[i]) if i < len(self.joiners) else 0)
        return self.spans[-1].end


class Document(BaseModel):
    source: str  # file name: how citations name a document
    kind: DocumentKind
    title: str
    number: str | None = None  # the document's own number, where it has one
    period_start: date | None = None
    period_end: date | None = None
    period_label: str | None = None
    sha256: str
    text: str = Field(repr=False)
    sections: list[Section] = []

    @computed_field
    @property
    def n_sections(self) -> int:
        return len(self.sections)

    @property
    def version(self) -> str:
        """What names this text's stored files and chunk ids: the first 12 hex of its sha256."""
        return self.sha256[:12]


class Chunk(BaseModel):
    """The unit that is embedded and indexed: a whole section, or a piece of a long one."""

    id: str
    section_id: str
    text: str
    start: int  # position of the chunk in its section's text
