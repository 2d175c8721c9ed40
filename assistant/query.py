"""Question → Query: normalisation, language, question type, document numbers."""

from __future__ import annotations

import re

from assistant import DATA
from assistant.glossary import untranslated_words, vietnamese_terms
from assistant.models import MAX_QUESTION_CHARS, Language, Query, QuestionError, QuestionType
from assistant.periods import find_periods
from store.vietnamese import find_doc_number_keys, fold, lexical_tokens, normalize
from store.wordlists import folded_words

_VI_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
# Function and question words of each language: a question with more English ones is English.
_EN_WORDS = folded_words(DATA / "language_en.txt")
_VI_WORDS = folded_words(DATA / "language_vi.txt")

# Question words as Vietnamese writes them, with their marks; a question typed without marks is
# matched folded. A marked question is held to the marks: "Tết Nhân ái" does not ask "ai" (who),
# "máy" (machine) is not "mấy" (how many).
_SIGNER = r"\b(ai ký|người ký|ký bởi|ký tên|who signed|signed by|signatory|signature|who signs)\b"
_WHO = (
    r"\b(ai|who|whom|chairs?|heads?|leads?|signed|trưởng ban|chủ trì|tổ trưởng|người nào|cơ quan nào"
    r"|đơn vị nào|sở nào|đồng chí nào|which (agency|authority|department|body|office|official|unit"
    r"|organi[sz]ation|ministry|comrade|vice[ -]chairman|leader|company|newspaper))\b"
)
_NUMBER = (
    r"\b(bao nhiêu|mấy|how many|how much|number of|số lượng|tỷ lệ|percent|percentage|rate|total"
    r"|tổng số|mức|what (share|proportion|volume|value|size|amount|target|minimum|maximum)"
    r"|what (is|was|are|were) (the |[\w'’ -]{1,40}?)(total|amount|value|revenue|turnover|number|rate|share"
    r"|volume|output|size|budget|figure))\b"
)
_DATE = (
    r"\b(khi nào|ngày nào|bao giờ|thời gian|when|what date|which dates?|until|deadline|hạn"
    r"|từ ngày nào|trước ngày)\b"
)
_DOCUMENT = (
    r"\b(văn bản nào|quyết định nào|kế hoạch nào|công văn nào|số hiệu|số văn bản|số mấy"
    r"|which (decision|document|plan|dispatch|letter)|what (decision|document)|instrument"
    r"|document number|number of the (decision|document|report|plan|notice|letter))\b"
)
_ASKED: list[tuple[QuestionType, str]] = [
    ("signer", _SIGNER),
    ("who", _WHO),
    ("document", _DOCUMENT),
    ("number", _NUMBER),
    ("date", _DATE),
]
_ASKS = [(qtype, re.compile(p), re.compile(fold(p))) for qtype, p in _ASKED]
# "Quyết định 2230", "QĐ số 2230", "decision 2230": a number standing for a document.
_BARE = re.compile(
    r"\b(?:quyet dinh|qd|cong van|cv|ke hoach|kh|thong bao|tb|nghi quyet|nq|decision|plan|notice|dispatch|document)"
    r"\s*(?:so\s*:?\s*|no\.?\s*|number\s*)?(\d{2,6})\b"
)


def detect_language(text: str) -> Language:
    """English when English function words lead and most words carry no Vietnamese letter: an
    English question naming "Lạng Sơn" or "Sở Tài chính" is still English."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    marked = sum(bool(_VI_LETTERS.search(w)) for w in words)
    en = sum(w in _EN_WORDS for w in words)
    vi = sum(fold(w) in _VI_WORDS for w in words)
    if en >= 2 and en > vi and 2 * marked < len(words):
        return "en"
    if marked:
        return "vi"
    return "en" if en > vi else "vi"


def question_type(text: str) -> QuestionType:
    """The kind of fact asked, by the first question word found (signer, who, document, number,
    date), else "other". A match on the folded text counts where the question wrote it without
    marks or with the question word's own marks (fold keeps positions: NFC text, đ → d)."""
    text = normalize(text).lower()
    folded = fold(text)
    aligned = len(folded) == len(text)  # not so for a rare letter that folds into two ("İ")
    for qtype, marked, plain in _ASKS:
        for m in plain.finditer(folded):
            written = text[m.start() : m.end()]
            if not aligned or not _VI_LETTERS.search(written) or marked.fullmatch(written):
                return qtype
    return "other"


def parse_question(question: str, glossary: bool = True) -> Query:
    """Validate and normalise a question; raise QuestionError with a one-line reason.

    `glossary=False` leaves an English question to the embedder's cross-lingual sense alone
    (the eval's ablation)."""
    if question is not None and not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    if question is not None and any("\ud800" <= c <= "\udfff" for c in question):
        # Bytes that are not UTF-8 reach Python's argv as lone surrogates.
        raise QuestionError(
            "The question is not valid UTF-8 text: check the terminal's encoding and type it again."
        )
    if question is None or not question.strip():
        raise QuestionError(
            'The question is empty: type a question, e.g. "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?"'
        )
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}. "
            f"Ask a shorter question."
        )
    text = normalize(question)
    folded = fold(text)
    keys = find_doc_number_keys(text)
    bare = [n for n in _BARE.findall(folded) if not any(k.startswith(n + "/") for k in keys)]
    language = detect_language(text)
    search_text, tokens = text, lexical_tokens(text)
    if language == "en":
        terms = vietnamese_terms(text) if glossary else []
        if terms:
            search_text = f"{text} ({', '.join(terms)})"
        tokens = [t for phrase in terms + untranslated_words(text) for t in lexical_tokens(phrase)]
    return Query(
        original=question,
        text=text,
        search_text=search_text,
        folded=folded,
        tokens=tokens,
        doc_number_keys=keys,
        bare_numbers=bare,
        language=language,
        qtype=question_type(text),
        periods=[(p.start, p.end) for p in question_periods(text)],
    )


def question_periods(text: str):
    """The periods a question names; "tháng 8 và tháng 12 năm 2023": a month without its year takes
    the year the question names elsewhere."""
    found = find_periods(text)
    years = {p.end.year for p in found}
    return find_periods(text, year=years.pop()) if len(years) == 1 else found
