"""Rendering an answer's text in the question's language: the lead line naming document and
section, the quotes with their numbers — or what an abstention says. Selecting what to quote is the
reader's (assistant/reader.py); this only words it.
"""

from __future__ import annotations

from assistant.models import Citation, Evidence, Query
from assistant.periods import Period, find_periods
from store.catalogue import DocumentRecord, document_province
from store.header import provinces_named
from store.models import UNKNOWN_PERIOD
from store.settings import settings
from store.vietnamese import fold


def render(query: Query, citations: list[Citation], records: dict[str, DocumentRecord]) -> str:
    """One line naming document and section, then its quotes, each with its number."""
    lines: list[str] = []
    previous = None
    for c in citations:
        if (c.source, c.section) != previous:
            previous = (c.source, c.section)
            where = document_label(records.get(c.source), query.language)
            if c.doc_number:
                where = c.doc_number + (f" ({c.date:%d/%m/%Y})" if c.date else "") + f", {where}"
            section = c.section.split(" — ", 1)[-1]
            lines.append(
                f"Theo {where} — mục “{section}”:"
                if query.language == "vi"
                else f"According to {where} — section “{section}”:"
            )
        lines.append(f"“{c.quote}” [{c.n}]")
    return "\n".join(lines)


def document_label(record: DocumentRecord | None, language: str) -> str:
    """How an answer names a document: a digest, a socio-economic report, a meeting's conclusions by
    their period ("chưa rõ kỳ" when it could not be read, never an empty one), anything else by its
    title; with its issuing body when that is not of the home province ("… của UBND tỉnh Cao Bằng")."""
    if record is None:
        return "tài liệu" if language == "vi" else "the document"
    vi = language == "vi"
    period = record.period_label or ""
    unknown = f"({UNKNOWN_PERIOD['vi' if vi else 'en']})"
    title = fold(record.title)
    if record.kind == "digest":
        label = (
            (
                f"bản tin chỉ đạo, điều hành tuần {period}"
                if period
                else f"bản tin chỉ đạo, điều hành {unknown}"
            )
            if vi
            else f"the weekly digest {period or unknown}"
        )
    elif record.kind == "report" and "kinh te - xa hoi" in title:
        label = (
            f"báo cáo tình hình kinh tế - xã hội {period or unknown}"
            if vi
            else f"the socio-economic report {period or unknown}"
        )
    elif record.kind == "notice" and "ket luan" in title:
        label = (
            f"thông báo kết luận phiên họp {period or unknown}"
            if vi
            else f"the meeting conclusions notice {period or unknown}"
        )
    else:
        label = record.title
    if record.province and fold(record.province) != fold(settings().home_province):
        who = record.issuer or (f"tỉnh {record.province}" if vi else f"{record.province} province")
        label += f" của {who}" if vi else f" of {who}"
    return label


ABSTAIN_PERIOD = {
    "vi": "Tài liệu không có thông tin về {asked} để trả lời câu hỏi này; các mục gần nhất nói về {covered}.",
    "en": "The documents have nothing on {asked} that answers this question; the closest sections are about {covered}.",
}

ABSTAIN_PLACE = {
    "vi": "Tài liệu không có thông tin về {asked} để trả lời câu hỏi này; các mục gần nhất là của {covered}.",
    "en": ABSTAIN_PERIOD["en"],  # the same words in English
}

ABSTAIN = {
    "vi": "Tài liệu không có thông tin để trả lời câu hỏi này. Các mục gần nhất được liệt kê bên dưới để tham khảo.",
    "en": "The documents do not contain information that answers this question. The closest "
    "sections are listed below for reference.",
}


def abstention(
    query: Query, evidence: list[Evidence], veto: str | None, records: dict[str, DocumentRecord]
) -> str:
    """Say what the documents do cover when the question names a period or a province they do not."""
    if veto == "place" and evidence:
        places = dict.fromkeys(document_province(records.get(e.hit.section.source)) for e in evidence[:5])
        return ABSTAIN_PLACE[query.language].format(
            asked=", ".join(sorted(provinces_named(query.original))), covered=", ".join(places)
        )
    # Say so when the question's topic is there, but for other periods: the period check removed
    # everything, or the closest unit of all is about another period.
    other_period = veto == "period" or (
        bool(query.periods) and bool(evidence) and evidence[0].features.get("period", 0.0) == -1.0
    )
    if not other_period or not evidence:
        return ABSTAIN[query.language]
    covered: list[str] = []
    for e in [e for e in evidence if e.features.get("period", 0.0) == -1.0][:5]:
        record = records.get(e.hit.section.source)
        whole = (
            [Period(record.period_start, record.period_end)]
            if record and record.period_start and record.period_end
            else []
        )
        for p in find_periods(e.quote, subject_only=True)[:1] or whole:
            label = p.label(query.language)
            if label not in covered:
                covered.append(label)
    asked = ", ".join(Period(a, b).label(query.language) for a, b in query.periods)
    if not covered:
        return ABSTAIN[query.language]
    return ABSTAIN_PERIOD[query.language].format(asked=asked, covered=", ".join(covered[:3]))
