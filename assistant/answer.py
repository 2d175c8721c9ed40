"""Hits → Evidence (exact sentence spans) → a short extractive Answer, or an abstention.

Sentences of the top sections are scored by how much of the question they cover (folded
syllables and bigrams, IDF-weighted), whether they lie in the chunk the embedder found
closest, the section's fused rank, and cues of the question type (who → a person or role,
how many → a figure, when → a date, which document → a number). The answer quotes the best
one to three of them; nothing is paraphrased, so every claim is a verifiable quote.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from assistant.models import Citation, Evidence, Hit, Query
from store.index import DocumentRecord
from store.sectioning import OVERVIEW, SIGNATURE
from store.vietnamese import fold, lexical_tokens, syllables

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?[A-ZÀ-ỸĐ0-9])")
_CLAUSE_END = re.compile(r"(?<=;)\s+")
MAX_SENTENCE = 420
_QUESTION_WORDS = set(
    "ai gi nao bao nhieu khi dau la co khong cua ve the nhu sao hay cho biet duoc nhung cac "
    "who what which when where how many much is are was were the of in on for to a an and does did do about say said "
    "tinh lang son ubnd".split()
)
_CUES = {
    # A role being assigned ("… làm Trưởng ban", "là, Trưởng Ban"), a named comrade, or a bare name (a signature).
    "who": re.compile(r"\blàm (?:Trưởng|Tổ [Tt]rưởng|Chủ tịch|Phó|thành viên)|\blà,? Trưởng|[Đđ]ồng chí [A-ZĐ]\w* [A-ZĐ]"
                      r"|ký ban hành|^[A-ZĐ]\w+ [A-ZĐ]\w+ [A-ZĐ]\w+$"),
    "number": re.compile(r"\d+(?:[.,]\d+)*\s*(?:%|ha|tỷ|triệu|nghìn|hộ|chuyến|lượt|con|lớp|chỉ tiêu|xã|doanh nghiệp|dự án|cây cầu|TTHC|người|đối tượng|vụ)"),
    "date": re.compile(r"\d{1,2}/\d{1,2}(?:/\d{4})?|ngày \d{1,2}|năm \d{4}|tháng \d{1,2}"),
    "document": re.compile(r"\d+\s*/\s*[A-ZĐ]|\d+-[A-Z]+/"),
}

MAX_QUOTES = 3


def _spans_of(hit: Hit, text: str) -> list[tuple[int, int, bool, bool]]:
    """(start, end, is_heading, is_lead) of each sentence of the section, in source offsets."""
    out = []
    section = hit.section
    for i, span in enumerate(section.spans):
        segment = text[span.start:span.end]
        # A title line above its body restates the topic; it answers nothing by itself.
        heading = i == 0 and len(section.spans) > 1 and len(segment) < 160 and not segment.endswith(".")
        pieces, cursor = [], 0
        for m in _SENTENCE_END.finditer(segment):
            pieces.append((cursor, m.start()))
            cursor = m.end()
        pieces.append((cursor, len(segment)))
        for a, b in pieces:
            if b - a > MAX_SENTENCE:  # long enumerations: quote clause by clause
                sub, c = [], a
                for m in _CLAUSE_END.finditer(segment, a, b):
                    sub.append((c, m.start()))
                    c = m.end()
                sub.append((c, b))
            else:
                sub = [(a, b)]
            for x, y in sub:
                if y - x >= 12:
                    out.append((span.start + x, span.start + y, heading, i == 1))
    return out


class Composer:
    def __init__(self, sections: dict, records: dict[str, DocumentRecord]):
        self.records = records
        df: Counter[str] = Counter()
        for s in sections.values():
            df.update(set(lexical_tokens(s.text)))
        self.n = max(1, len(sections))
        self.df = df

    def idf(self, token: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(token, 0)))

    def _coverage(self, terms: list[str], sentence: str) -> float:
        """IDF-weighted share of the question's syllables and bigrams that the sentence contains."""
        if not terms:
            return 0.0
        s = set(lexical_tokens(sentence))
        unigrams = set(terms)
        bigrams = {f"{a}_{b}" for a, b in zip(terms, terms[1:])}
        uni = sum(self.idf(t) for t in unigrams if t in s) / sum(self.idf(t) for t in unigrams)
        bi = sum(self.idf(b) for b in bigrams if b in s) / sum(self.idf(b) for b in bigrams) if bigrams else uni
        return 0.5 * uni + 0.5 * bi

    @staticmethod
    def _terms(query: Query) -> list[str]:
        # query.tokens: the question's syllables, or for an English question its Vietnamese terms.
        return [t for t in query.tokens if "_" not in t and t not in _QUESTION_WORDS]

    def evidence(self, query: Query, hits: list[Hit], source_text, top_sections: int = 3) -> list[Evidence]:
        if not hits:
            return []
        if query.qtype == "signer":
            block = next((h for h in hits if h.section.path == SIGNATURE), None)
            if block is not None:  # the whole block, title and name: consecutive lines, one exact span
                text = source_text(block.section.source)
                start, end = block.section.spans[0].start, block.section.spans[-1].end
                return [Evidence(hit=block, start=start, end=end, quote=text[start:end], score=1.0)]
        terms = self._terms(query)
        found: list[Evidence] = []
        for rank, hit in enumerate(hits[:top_sections]):
            text = source_text(hit.section.source)
            # Words the section's title already explains pick the section; the rest pick the sentence.
            title = set(syllables(hit.section.title))
            residual = [t for t in terms if t not in title]
            dense_lo = hit.section.source_offset(hit.best_chunk_start)
            dense_hi = hit.section.source_offset(hit.best_chunk_end)
            for start, end, is_heading, is_lead in _spans_of(hit, text):
                quote = text[start:end]
                coverage = self._coverage(terms, quote)
                score = (
                    (0.5 * coverage + 0.8 * self._coverage(residual, quote) if residual else 1.0 * coverage)
                    - 0.08 * max(0.0, math.log2(len(quote) / 200))  # long sentences cover by size alone
                    + 0.30 / (1 + rank)  # RRF scores are too close to compare; their order is not
                    + 0.15 * (start < dense_hi and end > dense_lo)
                    + 0.10 * is_lead
                    - 0.30 * (is_heading or hit.section.path == OVERVIEW)  # titles restate, they do not answer
                )
                if query.qtype in _CUES and _CUES[query.qtype].search(quote):
                    score += 0.35 if query.qtype == "who" else 0.25
                folded_quote = fold(quote).replace(" ", "")
                if any(k in folded_quote for k in query.doc_number_keys):
                    score += 0.4
                found.append(Evidence(hit=hit, start=start, end=end, quote=quote, score=score))
        return sorted(found, key=lambda e: e.score, reverse=True)

    def strength(self, query: Query, hits: list[Hit], evidence: list[Evidence]) -> float:
        """How well the best evidence supports an answer; compared with a calibrated threshold."""
        if not hits or not evidence:
            return 0.0
        if any(h.exact_number for h in hits[:3]) and (query.doc_number_keys or query.bare_numbers):
            return 1.0
        if query.doc_number_keys:
            return 0.0  # a question about a numbered instrument no document names: it is not here
        return max(h.dense for h in hits[:3]) + 0.25 * self._coverage(self._terms(query), evidence[0].quote)

    def choose(self, evidence: list[Evidence]) -> list[Evidence]:
        """The best quote, plus close runners-up: at most 3 quotes, best section first.

        Another section must be nearly as strong as the best (0.95): a neighbouring committee's
        decision quoted beside the right one reads as part of the answer.
        """
        if not evidence:
            return []
        top = evidence[0]
        chosen = [top]
        for e in evidence[1:]:
            if len(chosen) == MAX_QUOTES:
                break
            if any(e.start < c.end and e.end > c.start for c in chosen):
                continue
            same_section = e.hit.section.id == top.hit.section.id
            adjacent = any(e.hit.section.id == c.hit.section.id and 0 <= e.start - c.end <= 3 for c in chosen)
            if (same_section and (e.score >= 0.85 * top.score or (adjacent and e.score >= 0.7 * top.score))) \
                    or (not same_section and e.score >= 0.95 * top.score):
                chosen.append(e)
        order = list(dict.fromkeys(e.hit.section.id for e in chosen))
        return sorted(chosen, key=lambda e: (order.index(e.hit.section.id), e.start))

    def citation(self, n: int, e: Evidence) -> Citation:
        s = e.hit.section
        record = self.records.get(s.source)
        number = s.instrument or (record.number if record else None)
        when = s.instrument_date
        if when is None and record and record.period_start and record.period_start == record.period_end:
            when = record.period_start  # a notice's meeting date
        return Citation(
            n=n, source=s.source, section=f"{s.path} — {s.title}" if s.title != s.path else s.path,
            doc_number=number, date=when, quote=e.quote, start=e.start, end=e.end,
            document=record.title if record else s.source,
        )

    def render(self, query: Query, citations: list[Citation]) -> str:
        """One line naming document and section, then its quotes, each with its number."""
        lines: list[str] = []
        previous = None
        for c in citations:
            if (c.source, c.section) != previous:
                previous = (c.source, c.section)
                where = _document_label(self.records.get(c.source), query.language)
                if c.doc_number:
                    where = c.doc_number + (f" ({c.date:%d/%m/%Y})" if c.date else "") + f", {where}"
                section = c.section.split(" — ", 1)[-1]
                lines.append(f"Theo {where} — mục “{section}”:" if query.language == "vi"
                             else f"According to {where} — section “{section}”:")
            lines.append(f"“{c.quote}” [{c.n}]")
        return "\n".join(lines)


def _document_label(record: DocumentRecord | None, language: str) -> str:
    if record is None:
        return "tài liệu" if language == "vi" else "the document"
    vi = language == "vi"
    period = record.period_label or ""
    if record.kind == "digest":
        return f"bản tin chỉ đạo, điều hành tuần {period}" if vi else f"the weekly digest {period}"
    if record.kind == "report":
        return f"báo cáo tình hình kinh tế - xã hội {period}" if vi else f"the socio-economic report {period}"
    if record.kind == "notice":
        return f"thông báo kết luận phiên họp {period}" if vi else f"the meeting conclusions notice {period}"
    return record.title


ABSTAIN = {
    "vi": "Tài liệu không có thông tin để trả lời câu hỏi này. Các mục gần nhất được liệt kê bên dưới để tham khảo.",
    "en": "The documents do not contain information that answers this question. The closest sections are listed below for reference.",
}
