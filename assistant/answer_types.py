"""Does a passage carry the kind of fact a question asks for?

who → a named person, an office or role, or an agency; how many / how much → a figure (with a
unit, better still one next to a word of the question); when → a date; which document → a
document number. These are shapes of Vietnamese administrative text (Nghị định 30/2020/NĐ-CP
naming, the way figures and dates are written), not answers to particular questions.
"""

from __future__ import annotations

import re

from store.vietnamese import find_doc_numbers, fold

_UPPER = "A-ZÀ-ỸĐ"
# "đồng chí Dương Xuân Huyên", or three or four capitalised syllables in a row (a full name).
_PERSON = re.compile(rf"(?:[Đđ]ồng chí|[Ôô]ng|[Bb]à)\s+[{_UPPER}][\wÀ-ỹ]+(?:\s+[{_UPPER}][\wÀ-ỹ]+){{1,3}}"
                     rf"|(?<![\wÀ-ỹ])[{_UPPER}][a-zà-ỹđ]+(?:\s+[{_UPPER}][a-zà-ỹđ]+){{2,3}}(?![\wÀ-ỹ])")
# Offices and agencies as the documents write them.
_OFFICE = re.compile(
    r"\b(?:Chủ tịch|Phó Chủ tịch|Giám đốc|Phó Giám đốc|Trưởng [Bb]an|Phó [Tt]rưởng [Bb]an|Tổ trưởng|Chánh Văn phòng|"
    r"Bí thư|Thủ tướng|Bộ trưởng|Tổng Biên tập|Chỉ huy trưởng|Cục trưởng|Chánh Thanh tra|"
    r"Sở [A-ZĐ]|UBND (?:tỉnh|huyện|thành phố|các huyện|cấp)|Ủy ban nhân dân|Ban Quản lý|Ban Chỉ đạo|Ban Thi đua|"
    r"Văn phòng|Công an|Bộ Chỉ huy|Bộ [A-ZĐ]|Cục [A-ZĐ]|Chi cục|Trung tâm|Thanh tra|Báo [A-ZĐ]|Đài [A-ZĐ]|"
    r"Công ty|Hội [A-ZĐ]|Kho bạc|Ngân hàng|Liên minh|Tỉnh đoàn|Tỉnh ủy|Hội đồng)")
_FIGURE = re.compile(r"(?<![\w/])\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)?\s*(%|[^\W\d_][\wÀ-ỹ/²³]*)?")
_DATE = re.compile(r"\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|ngày \d{1,2}|\d{1,2}\s*[-–]\s*\d{1,2}/\d{1,2}")
# Words that follow a number without being a unit of it.
_NOT_UNITS = {"năm", "tháng", "ngày", "giờ", "quý"}


def who(text: str, asked: str = "") -> float:
    """1 for a named person, 0.7 for an office or agency only, 0 for neither. An office the question
    itself names ("Who is the head of Ban X?" → "Ban X có Trưởng Ban …") does not answer it."""
    if _PERSON.search(text):
        return 1.0
    asked = fold(asked)
    offices = [m.group(0) for m in _OFFICE.finditer(text)]
    return 0.7 if any(fold(o) not in asked for o in offices) else 0.0


def figures(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, unit word) of each number that is not a date or part of a document number."""
    blocked = [(a, b) for _, a, b in find_doc_numbers(text)] + [(m.start(), m.end()) for m in _DATE.finditer(text)]
    out = []
    for m in _FIGURE.finditer(text):
        if any(a <= m.start() < b for a, b in blocked):
            continue
        unit = m.group(1)
        if unit and unit.lower() in _NOT_UNITS:
            continue
        out.append((m.start(), m.end(), unit))
    return out


def number(text: str, terms: list[str]) -> float:
    """1 for a figure next to a word of the question ("01 lớp", "12.397 hộ"), 0.7 for a figure with a
    unit, 0.4 for a bare figure, 0 for none."""
    best = 0.0
    folded = fold(text)
    wanted = set(terms)
    for a, b, unit in figures(text):
        score = 0.7 if unit else 0.4
        near = set(re.findall(r"[0-9a-z]+", folded[max(0, a - 40):min(len(folded), b + 40)]))
        if wanted & near - {"nam", "thang"}:
            score = 1.0 if unit else 0.7
        best = max(best, score)
    return best


def when(text: str) -> float:
    return 1.0 if _DATE.search(text) else 0.0


def document(text: str) -> float:
    return 1.0 if find_doc_numbers(text) else 0.0


_NAME_ASKED = re.compile(r"\b(?:ten (?:la )?gi|ten cua|ho ten|ho va ten|what is (?:the|his|her) name|name of|named)\b")


def asks_for_a_name(folded_question: str) -> bool:
    """"… tên là gì?", "what is the name of …": only a person's name answers it, not an office."""
    return bool(_NAME_ASKED.search(folded_question))


def carries(qtype: str, text: str, terms: list[str], asked: str = "") -> float | None:
    """How well `text` carries the asked type (0–1); None when the question asks for no particular type.
    `asked` is the question (with its glossary terms): an office it names is no answer to "who"."""
    if qtype in ("who", "signer"):
        found = who(text, asked)
        return found if found == 1.0 or not asks_for_a_name(fold(asked)) else 0.0
    if qtype == "number":
        return number(text, terms)
    if qtype == "date":
        return when(text)
    if qtype == "document":
        return document(text)
    return None
