"""Typed values of the ingestion side: files → Document → Section → Chunk."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, Field, computed_field


class Kind(NamedTuple):
    """A kind of document: how people say it (Vietnamese, English), and how a document shows it —
    its type line as printed ("KẾ HOẠCH") and the type code of its number's symbol, folded ("kh" of
    "…/KH-UBND"), which store/header.py reads."""

    vi: str
    en: str
    type_lines: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


# The kinds of document, each once: adding a kind is one entry here (docs/ARCHITECTURE.md). The
# sectioner (store/sectioning.py) reads a kind from a document's type line, its number's symbol or its
# title; "text" is a document whose kind could not be read, or one of a type with no kind of its own
# (its title says what it is). A number's symbol without a type code ("UBND-KT") is a công văn's.
KINDS: dict[str, Kind] = {
    "digest": Kind("bản tin chỉ đạo, điều hành", "weekly digest"),
    "report": Kind("báo cáo", "report", ("BÁO CÁO",), ("bc",)),
    "notice": Kind("thông báo", "notice", ("THÔNG BÁO",), ("tb",)),
    "decision": Kind("quyết định", "decision", ("QUYẾT ĐỊNH",), ("qd",)),
    "plan": Kind("kế hoạch", "plan", ("KẾ HOẠCH",), ("kh",)),
    "official_letter": Kind("công văn", "official letter", ("CÔNG VĂN",), ("cv",)),
    "directive": Kind("chỉ thị", "directive", ("CHỈ THỊ",), ("ct",)),
    "resolution": Kind("nghị quyết", "resolution", ("NGHỊ QUYẾT",), ("nq",)),
    "news": Kind("tin bài", "news article"),
    "text": Kind(
        "chưa rõ loại",
        "kind unknown",
        ("TỜ TRÌNH", "CHƯƠNG TRÌNH", "ĐỀ ÁN", "QUY ĐỊNH", "QUY CHẾ", "HƯỚNG DẪN", "GIẤY MỜI", "CÔNG ĐIỆN")
        + ("KẾT LUẬN", "PHƯƠNG ÁN"),
        ("ttr", "ctr", "da", "qc", "hd", "gm", "cd", "kl", "pa", "qyd", "bb", "tt"),
    ),
}


def _known_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind; use one of: {', '.join(KINDS)}")
    return kind


DocumentKind = Annotated[str, AfterValidator(_known_kind)]  # a key of KINDS: "digest", "report", …
# What the library says of a document whose period could not be read (never a made-up one).
UNKNOWN_PERIOD = {"vi": "chưa rõ kỳ", "en": "period unknown"}


def kind_label(kind: str, language: str = "vi") -> str:
    k = KINDS.get(kind, KINDS["text"])
    return k.vi if language == "vi" else k.en


class Span(BaseModel):
    """A half-open range [start, end) of a document's stored text (str indices, NFC)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


# The parts every document may have besides its own items, and the path such a section is stored
# under (shown as its section name in both languages: these are the documents' own words).
SectionRole = Literal["overview", "header", "signature", "recipients", "item"]
ROLE_PATHS: dict[str, str] = {
    "overview": "Tổng quan",  # a digest's title and summary list
    "header": "Đầu văn bản",  # an instrument's header: issuing body, number, place and date, type and trích yếu
    "signature": "Chữ ký",
    "recipients": "Nơi nhận",
}
_ROLE_OF_PATH = {path: role for role, path in ROLE_PATHS.items()}


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

    @property
    def role(self) -> SectionRole:
        """What part of the document this is: one of ROLE_PATHS, or one of its own items."""
        return _ROLE_OF_PATH.get(self.path, "item")  # type: ignore[return-value]

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
    issuer: str | None = None  # the issuing body as written in running text: "UBND tỉnh Cao Bằng"
    province: str | None = None  # its province, where it can be read: "Cao Bằng"
    issued: date | None = None  # the date of the place-and-date line, when its day is filled in
    number_key: str | None = (
        None  # number and year of issue: "240/kh-ubnd@2023" (store/header.instrument_key)
    )
    signer: str | None = None
    signer_role: str | None = None  # "Phó Chủ tịch"
    sha256: str
    text: str = Field(repr=False)
    sections: list[Section] = []

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
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
