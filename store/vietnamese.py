"""Vietnamese text: normalisation, diacritic folding, tokens, document numbers, dates, officials.

Both sides use these: the store to index sections, the assistant to normalise questions,
so a question typed without diacritics, in NFD, or with old tone placement meets the text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Old tone placement ("hoà", "thuỷ") versus the new one ("hòa", "thủy"): NFC keeps them
# different, so one canonical form is chosen (the new one, as the corpus mostly uses).
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook, tilde, dot below
# The tone must end the syllable: in NFD a dot below sorts before a circumflex ("luận" = l u a ̣ ̂ n),
# so "no letter and no further combining mark follows" is the test, not just "no letter".
_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([" + _TONES + r"])(?![\w\u0300-\u036f])")


def canonical_tones(text: str) -> str:
    """Move the tone mark of final "oa/oe/uy" to the new-style vowel: hoà→hòa, uỷ→ủy."""
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _OLD_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", decomposed)


def normalize(text: str) -> str:
    """NFC, canonical tone placement, plain spaces, collapsed whitespace."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    text = canonical_tones(text)
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lower-case and strip diacritics; đ/Đ do not decompose under NFD and are mapped by hand."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


_WORD = re.compile(r"[0-9a-z]+")


def syllables(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def lexical_tokens(text: str) -> list[str]:
    """Folded syllables plus adjacent-syllable bigrams: Vietnamese words span syllables."""
    sylls = syllables(text)
    return sylls + [f"{a}_{b}" for a, b in zip(sylls, sylls[1:])]


# ---- document numbers ---------------------------------------------------------------
# Shapes: 1370/QĐ-UBND, 4280 /VP-KGVX, 29 /2023/QĐ-UBND, 99/2021/NĐ-CP, 55-NQ/TW,
# 98-CTr/TU, 150/KH-BCĐ, 14679/BGTVT-KHCN&MT. Matching runs on folded text (Đ→d).
_CODE = r"[a-z][a-z&]*(?:-[a-z][a-z&]*)*"
_DOCNUM = re.compile(
    r"(?<![\w/])(\d{1,6})\s*/\s*(?:(\d{4})\s*/\s*)?(" + _CODE + r")(?![\w])"  # 1370/qd-ubnd, 29/2023/qd-ubnd
    r"|(?<![\w/])(\d{1,6})-(" + _CODE + r")\s*/\s*(" + _CODE + r")(?![\w])"  # 55-nq/tw
)


def find_doc_numbers(text: str) -> list[tuple[str, int, int]]:
    """Document numbers in `text` as (canonical form, start, end), in order of appearance.

    Canonical: the text's own spelling without spaces: `4280 /VP-KGVX` → `4280/VP-KGVX`.
    Offsets index `text`; folding keeps length except for combining marks, so we fold per char.
    """
    folded = "".join(fold(c) or c for c in text)  # one char in, one char out: offsets survive
    found = []
    for m in _DOCNUM.finditer(folded):
        found.append((re.sub(r"\s+", "", text[m.start() : m.end()]), m.start(), m.end()))
    return found


def doc_number_key(number: str) -> str:
    """Matching key, insensitive to case, diacritics and spaces: 1370/QĐ-UBND → 1370/qd-ubnd."""
    return re.sub(r"\s+", "", fold(number))


def leading_number(key: str) -> str:
    """The number a key starts with: "2230/qd-ubnd" → "2230", "55-nq/tw" → "55" ("quyết định 2230")."""
    return re.split(r"[/-]", key, maxsplit=1)[0]


def find_doc_number_keys(text: str) -> list[str]:
    return [doc_number_key(n) for n, _, _ in find_doc_numbers(text)]


# ---- dates ---------------------------------------------------------------------------
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})(?!\d)")
_DMY_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")


def _safe_date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def find_dates(text: str) -> list[date]:
    """Full dates written 30/8/2023 or "ngày 26 tháng 4 năm 2019", in order, deduplicated."""
    folded = fold(text)
    hits = [(m.start(), _safe_date(m[3], m[2], m[1])) for m in _DMY.finditer(folded)]
    hits += [(m.start(), _safe_date(m[3], m[2], m[1])) for m in _DMY_WORDS.finditer(folded)]
    out: list[date] = []
    for _, d in sorted(hits, key=lambda h: h[0]):
        if d and d not in out:
            out.append(d)
    return out


# ---- officials -----------------------------------------------------------------------
_UPPER = "A-ZÀ-ỸĐ"
_NAME = rf"[{_UPPER}][\wÀ-ỹ]*(?: [{_UPPER}][\wÀ-ỹ]*){{1,3}}"
_OFFICIAL = re.compile(rf"(?:[Đđ]ồng chí|Phó Thủ tướng Chính phủ|Thủ tướng Chính phủ)\s+({_NAME})")


def find_officials(text: str) -> list[str]:
    """Names introduced as "đồng chí <Name>" (and the Prime Minister's deputies), deduplicated."""
    names: list[str] = []
    for m in _OFFICIAL.finditer(unicodedata.normalize("NFC", text)):
        name = m.group(1)
        # A title word after the name is not part of it ("Đồng chí Đoàn Thanh Sơn, Phó Chủ tịch").
        if name.split()[0] in {"Phó", "Chủ", "Giám", "Trưởng", "Bí"}:
            continue
        if name not in names:
            names.append(name)
    return names
