"""Section → answer units: the spans a quote can be made of, each an exact range of the source.

A section answers a question through one of its sentences, not through its topic line. So each
section is cut into units:
- sentence: a sentence of a paragraph (a paragraph cut by a page break gives one unit per piece);
- clause: a piece of an over-long sentence (long enumerations "…; …; …"), cut at ";";
- list: a lead ending in ":" together with the items it introduces (bounded length);
- footnote: a footnote's text.
A unit may have a `lead`: the span that gives it its meaning — the colon lead of a list item or
of a cut enumeration, the sentence carrying a footnote's marker. The lead is embedded and matched
with the unit (and may be quoted beside it) but never merged into it, so every quote stays one
exact span of the stored text.
"""

from __future__ import annotations

import os
import re
from typing import Literal

import numpy as np
from pydantic import BaseModel

from store.models import Document, Section

UnitKind = Literal["sentence", "clause", "list", "footnote"]
UNIT_KINDS: tuple[UnitKind, ...] = ("sentence", "clause", "list", "footnote")

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?[A-ZÀ-ỸĐ0-9])")
_CLAUSE_END = re.compile(r"(?<=;)\s+")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# A numbered or lettered line opens a new item of the document's own outline, not of a "…:" list.
_OUTLINE = re.compile(r"^(?:[a-zđ]\)\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[IVX]{1,4}\.\s)")
MAX_SENTENCE = 420  # longer sentences are also quoted clause by clause
MAX_LIST = 700  # a lead with its items, quoted whole only up to this length
MIN_UNIT = 12


class Unit(BaseModel):
    section_id: str
    kind: UnitKind
    start: int
    end: int
    lead_start: int | None = None
    lead_end: int | None = None

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    def lead(self, source: str) -> str:
        return source[self.lead_start : self.lead_end] if self.lead_start is not None else ""

    def matched_text(self, source: str) -> str:
        """What the unit is embedded and matched as: its lead (if any), then itself."""
        lead = self.lead(source)
        inside = (
            lead
            and self.lead_start is not None
            and self.lead_end is not None
            and self.start <= self.lead_start
            and self.lead_end <= self.end
        )
        return f"{lead} {self.text(source)}" if lead and not inside else self.text(source)


def _pieces(boundary: re.Pattern, text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut where `boundary` matches (the boundary's spaces belong to neither side)."""
    pieces, cursor = [], start
    for m in boundary.finditer(text, start, end):
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, end))
    return [(a, b) for a, b in pieces if b - a >= MIN_UNIT]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return _pieces(_SENTENCE_END, text, start, end)


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return _pieces(_CLAUSE_END, text, start, end)


def _colon_lead(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The part of a sentence up to its first ":" (", trong đó: …", "… như sau: …")."""
    i = text.find(":", start, end)
    return (start, i + 1) if start < i < end - 1 and i - start >= MIN_UNIT else None


def section_units(section: Section, source: str) -> list[Unit]:
    """The section's answer units, in reading order; every unit and lead is an exact source span."""
    units: list[Unit] = []
    spans = section.spans
    # Paragraphs: spans joined by " " are one paragraph cut by a page break.
    paragraphs: list[list[int]] = []
    for i in range(len(spans)):
        if i > 0 and section.joiners[i - 1] == " ":
            paragraphs[-1].append(i)
        else:
            paragraphs.append([i])
    footnote_of: dict[int, str] = {}  # span index → its footnote marker
    for para in paragraphs:
        first = source[spans[para[0]].start : spans[para[0]].end]
        marker = first[: len(first) - len(first.lstrip(_SUPERSCRIPTS))]
        if marker:
            footnote_of.update({i: marker for i in para})

    def add(kind: UnitKind, a: int, b: int, lead: tuple[int, int] | None = None) -> None:
        if b - a >= MIN_UNIT:
            units.append(
                Unit(
                    section_id=section.id,
                    kind=kind,
                    start=a,
                    end=b,
                    lead_start=lead[0] if lead else None,
                    lead_end=lead[1] if lead else None,
                )
            )

    list_lead: tuple[int, int] | None = None  # an open "…:" line whose items follow
    list_end: int | None = None  # where its items, as far as they fit in MAX_LIST, end

    def close_list() -> None:
        nonlocal list_lead, list_end
        if list_lead is not None and list_end is not None:
            add("list", list_lead[0], list_end)
        list_lead, list_end = None, None

    for i, span in enumerate(spans):
        line = source[span.start : span.end]
        if i in footnote_of:
            lead = _marker_sentence(section, source, footnote_of[i])
            for a, b in _sentences(source, span.start, span.end):
                add("footnote", a, b, lead)
                if b - a > MAX_SENTENCE:
                    for x, y in _clauses(source, a, b):
                        add("footnote", x, y, lead)
            continue
        if list_lead is not None and _OUTLINE.match(line):
            close_list()  # the list ended where the outline goes on
        lead = list_lead
        for a, b in _sentences(source, span.start, span.end):
            add("sentence", a, b, lead)
            if b - a > MAX_SENTENCE:
                clause_lead = _colon_lead(source, a, b) or lead
                for x, y in _clauses(source, a, b):
                    add("clause", x, y, clause_lead if clause_lead and clause_lead[0] < x else lead)
        if (
            list_lead is not None
            and span.end - list_lead[0] <= MAX_LIST
            and not source[list_end or list_lead[1] : span.start].strip()
        ):
            list_end = span.end  # one more item fits beside its lead, with nothing else between
        if line.endswith(":"):
            close_list()
            last = _sentences(source, span.start, span.end)
            list_lead = last[-1] if last else (span.start, span.end)
    close_list()
    return _dedupe(units)


def _marker_sentence(section: Section, source: str, marker: str) -> tuple[int, int] | None:
    """The sentence of the section that carries a footnote's marker (¹ in "… 3.666 ha¹; …")."""
    for span in section.spans:
        line = source[span.start : span.end]
        if line.startswith(marker):
            continue
        i = line.find(marker)
        while i > 0 and (
            line[i - 1] in _SUPERSCRIPTS
            or (i + len(marker) < len(line) and line[i + len(marker)] in _SUPERSCRIPTS)
        ):
            i = line.find(marker, i + 1)  # ¹ inside ¹² is another marker
        if i > 0:
            for a, b in _sentences(source, span.start, span.end):
                if a <= span.start + i < b + 1:
                    if b - a > MAX_SENTENCE:  # the clause holding the marker says what it annotates
                        for x, y in _clauses(source, a, b):
                            if x <= span.start + i < y + 1:
                                return x, y
                    return a, b
    return None


def _dedupe(units: list[Unit]) -> list[Unit]:
    seen: set[tuple[int, int]] = set()
    out = []
    for u in units:
        if (u.start, u.end) not in seen:
            seen.add((u.start, u.end))
            out.append(u)
    return out


def document_units(doc: Document) -> list[Unit]:
    return [u for s in doc.sections for u in section_units(s, doc.text)]


def save_units(path, units: list[Unit], vectors: np.ndarray) -> None:
    """One .npz per document version: the units' spans and their vectors (float16: half the disk,
    cosines equal to 3 decimals)."""
    none = -1
    with open(path, "wb") as f:
        np.savez(
            f,
            section=np.array([u.section_id for u in units], dtype=str),
            kind=np.array([UNIT_KINDS.index(u.kind) for u in units], dtype=np.int8),
            span=np.array(
                [
                    [
                        u.start,
                        u.end,
                        none if u.lead_start is None else u.lead_start,
                        none if u.lead_end is None else u.lead_end,
                    ]
                    for u in units
                ],
                dtype=np.int64,
            ).reshape(-1, 4),
            vectors=np.asarray(vectors, dtype=np.float16),
        )
        f.flush()
        os.fsync(f.fileno())


def load_units(path) -> tuple[list[Unit], np.ndarray]:
    with np.load(path) as z:
        units = [
            Unit(
                section_id=str(sid),
                kind=UNIT_KINDS[int(k)],
                start=int(a),
                end=int(b),
                lead_start=None if c < 0 else int(c),
                lead_end=None if d < 0 else int(d),
            )
            for sid, k, (a, b, c, d) in zip(z["section"], z["kind"], z["span"])
        ]
        return units, z["vectors"].astype(np.float32)
