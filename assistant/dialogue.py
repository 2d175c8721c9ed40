"""Follow-up questions: a turn that points back ("văn bản này", "this decision", "Còn tháng 2 thì
sao?", "and the deputy?") is rewritten with what the earlier turn was about — its document number,
its period, its topic — and retrieval is steered to the sections that turn was answered from.

The rewriting is shown to the user ("Hiểu là: …" / "Understood as: …"), so it stays a plain,
readable question rather than a bag of keywords.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from assistant import DATA
from assistant.periods import find_periods, months_without_year, period_spans
from assistant.query import detect_language
from store.vietnamese import fold, normalize
from store.wordlists import folded_words, read_list

# "văn bản này", "quyết định đó", "kế hoạch trên", "đồng chí đó", "this decision", "that plan" …


def _reference_nouns(path: Path) -> dict[str, list[tuple[str, bool]]]:
    """Language → (noun, stands for a document?) in file order, from the tab-separated list."""
    nouns: dict[str, list[tuple[str, bool]]] = {"vi": [], "en": []}
    for entry in read_list(path):
        language, noun, *kind = entry.split("\t")
        if language not in nouns or fold(noun) != noun or kind not in ([], ["instrument"]):
            raise ValueError(f"{path.name}: not 'vi|en<TAB>folded noun[<TAB>instrument]': {entry!r}")
        nouns[language].append((noun, kind == ["instrument"]))
    return nouns


# The nouns a follow-up points back with; those that stand for a document can be replaced by its
# number ("quyết định này" → "quyết định 2230/QĐ-UBND").
_NOUNS = _reference_nouns(DATA / "reference_nouns.tsv")
_NOUNS_VI = "|".join(n for n, _ in _NOUNS["vi"])
_NOUNS_EN = "|".join(n for n, _ in _NOUNS["en"])
_INSTRUMENTS = {n for nouns in _NOUNS.values() for n, instrument in nouns if instrument}
_REFERENCE = re.compile(
    rf"\b(?:(?P<vi>{_NOUNS_VI})\s+(?:nay|do|tren|ay|vua neu|noi tren)"
    rf"|(?:this|that|these|those|the same|said|the above)\s+(?P<en>{_NOUNS_EN}))\b"
)
_PRONOUN = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her|no)\b")
_CONTINUE = re.compile(
    r"^\s*(?:(?:con|va)\s+(?P<vi>.+?)\s*(?:thi sao|the nao|ra sao|thi the nao)?"
    r"|(?:and|what about|how about)\s+(?P<en>.+?))\s*[?.!]*\s*$"
)
_WORD = re.compile(r"[0-9a-z]+")
_STOP = folded_words(DATA / "dialogue_stop_words.txt")


class Turn(BaseModel):
    """What a later question may refer to: an earlier question as understood, and what answered it."""

    question: str
    doc_numbers: list[str] = []
    sections: list[str] = []


class Resolved(BaseModel):
    question: str  # as understood; equal to the asked one when it stands alone
    context_sections: list[str] = []  # what answered the turn it refers to


def resolve(question: str, history: list[Turn]) -> Resolved:
    """The question as understood after the chat's earlier turns (the last one is what it refers to)."""
    if not history:
        return Resolved(question=question)
    prev = history[-1]
    text = normalize(question)
    folded = fold(text)
    carry = prev.sections
    m = _CONTINUE.match(folded)
    if m:
        a, b = m.span("vi") if m.group("vi") else m.span("en")
        phrase = text[a:b]
        if len(_content(folded[a:b])) >= 4:  # a question of its own ("Còn mức trợ giá … là bao nhiêu?")
            return Resolved(
                question=f"{phrase[0].upper()}{phrase[1:]} ({_topic(prev)})?", context_sections=carry
            )
        return Resolved(
            question=_continue(prev.question, phrase, folded[a:b], _is_vietnamese(text)),
            context_sections=carry,
        )
    ref = _REFERENCE.search(folded)
    if ref:
        return Resolved(question=_refer(text, ref, prev), context_sections=carry)
    if _PRONOUN.search(folded) or len(_content(folded)) <= 2:
        return Resolved(question=f"{text.rstrip(' ?')} ({_topic(prev)})?", context_sections=carry)
    return Resolved(question=question)


def _content(folded: str) -> list[str]:
    return [w for w in _WORD.findall(folded) if w not in _STOP]


def _topic(prev: Turn) -> str:
    return prev.doc_numbers[0] if prev.doc_numbers else prev.question.rstrip(" ?")


def _refer(text: str, ref: re.Match, prev: Turn) -> str:
    """ "Văn bản này ban hành ngày nào?" → "Văn bản 2230/QĐ-UBND ban hành ngày nào?"; without a
    number the earlier question is added as the topic."""
    noun_span = ref.span("vi") if ref.group("vi") else ref.span("en")
    noun = text[noun_span[0] : noun_span[1]]
    instrument = (ref.group("vi") or ref.group("en")) in _INSTRUMENTS
    period = period_spans(normalize(prev.question))
    if (ref.group("vi") in ("thang", "nam") or ref.group("en") in ("month", "year")) and period:
        a, b = period[0]  # "that month" → the month the earlier question asked about
        start, end = ref.span()
        return f"{text[:start]}{normalize(prev.question)[a:b]}{text[end:]}"
    if instrument and prev.doc_numbers:
        start, end = ref.span()
        return f"{text[:start]}{noun} {prev.doc_numbers[0]}{text[end:]}"
    return f"{text.rstrip(' ?')} ({prev.question.rstrip(' ?')})?"


def _continue(previous: str, phrase: str, folded_phrase: str, vietnamese: bool) -> str:
    """ "Còn tháng 2 thì sao?" after a question about January 2023 → that question about February
    2023; "Còn Phó Trưởng Ban?" after "Ai làm Trưởng Ban …?" → "Ai làm Phó Trưởng Ban …?"."""
    prev = normalize(previous)
    spans = period_spans(prev)
    new_periods = find_periods(phrase)
    months = months_without_year(phrase)
    if spans and (new_periods or months):
        a, b = spans[0]
        if new_periods:
            replacement = phrase
        else:
            year = find_periods(prev[a:b])[0].start.year
            replacement = f"tháng {months[0]}/{year}" if vietnamese else f"{_MONTH_EN[months[0]]} {year}"
        return f"{prev[:a]}{replacement}{prev[b:]}"
    # The longest run of the phrase's words that the earlier question has: replace it there.
    words = _WORD.findall(folded_phrase)
    prev_folded = fold(prev)
    content = [w for w in words if w not in _STOP]
    for size in range(len(words), 0, -1):
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            if 2 * sum(w not in _STOP for w in run) <= len(content):
                continue  # less than half of the phrase would find its place: say it beside the question
            m = re.search(r"\b" + r"\W+".join(map(re.escape, run)) + r"\b", prev_folded)
            if m:
                return f"{prev[: m.start()]}{_strip_article(phrase)}{prev[m.end() :]}"
    joiner = "còn" if vietnamese else "and"
    return f"{prev.rstrip(' ?')} — {joiner} {phrase}?"


def _strip_article(phrase: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.I)


def _is_vietnamese(text: str) -> bool:
    return detect_language(text) == "vi"


_MONTH_EN = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
