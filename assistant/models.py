"""Typed values of the question side: question → query → hits → evidence → answer.

`Answer` is the output contract of `chidao ask --json` (other tools and the eval read it).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from store.filters import Filters  # noqa: F401  (the question side's filter value is the store's)
from store.models import Section
from store.vietnamese import leading_number

Language = Literal["vi", "en"]
QuestionType = Literal["signer", "who", "number", "date", "document", "other"]

MAX_QUESTION_CHARS = 1000


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long); the message is one line for the user."""


class Query(BaseModel):
    original: str
    text: str  # normalised: NFC, canonical tones, single spaces
    search_text: str  # what the embedder sees: the text, plus Vietnamese terms for an English question
    folded: str  # diacritics folded, lower case
    tokens: list[str]  # lexical tokens (folded syllables + bigrams)
    doc_number_keys: list[str]  # full document numbers, as matching keys
    bare_numbers: list[str]  # "quyết định 2230": a number after an instrument word
    language: Language
    qtype: QuestionType
    periods: list[tuple[date, date]] = []  # the periods the question names (assistant/periods.py)
    context_sections: list[str] = []  # sections the chat's earlier turns were answered from

    def names(self, key: str) -> bool:
        """Whether the question names the instrument of a document-number key: in full, or by its
        number after an instrument word ("quyết định 2230")."""
        return key in self.doc_number_keys or leading_number(key) in self.bare_numbers


class Hit(BaseModel):
    """A section found for a query, with the evidence of each retriever."""

    section: Section
    score: float  # fused
    dense: float = 0.0  # best cosine of the section's chunks
    unit_dense: float = 0.0  # best cosine of the section's answer units
    lexical: float = 0.0
    exact_number: bool = False
    best_chunk_start: int = 0  # where in the section text the best dense chunk starts
    best_chunk_end: int = 0


class Evidence(BaseModel):
    """A candidate quote: an exact span of a document's stored text (an answer unit, or a unit's lead)."""

    hit: Hit
    start: int
    end: int
    quote: str
    score: float
    kind: str = "sentence"  # store.units.UnitKind, or "lead", or "signature"
    lead_start: int | None = None
    lead_end: int | None = None
    features: dict[str, float] = {}


class Citation(BaseModel):
    n: int
    source: str
    section: str
    section_id: str | None = None
    doc_number: str | None
    date: date | None
    quote: str
    start: int
    end: int
    document: str  # the document's title, for people

    def instrument_ref(self) -> list[str]:
        """Number and date as people write them, whichever are known: ["1370/QĐ-UBND", "30/08/2023"]."""
        return [x for x in (self.doc_number, self.date.strftime("%d/%m/%Y") if self.date else None) if x]


class Retrieved(BaseModel):
    source: str
    section: str
    text: str
    score: float


class Answer(BaseModel):
    id: str | int | None = None
    question: str
    interpreted_question: str | None = None  # a follow-up as understood with the chat's earlier turns
    language: Language
    answer: str
    abstained: bool
    citations: list[Citation] = []
    retrieved: list[Retrieved] = []
    timings_ms: dict[str, float] = Field(default_factory=dict)
    warnings: list[str] = []  # documents left out because their stored files are damaged
