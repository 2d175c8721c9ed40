"""Bytes → Unicode for Vietnamese office files: UTF-8/16, Windows-1258, and the legacy TCVN3 / VNI fonts.

Before Unicode, Vietnamese text was typed in 8-bit font encodings: TCVN3 (ABC, the ".Vn" fonts)
gives each toned lower-case vowel one byte; VNI writes a base letter followed by a mark byte.
Such text shows up as bytes in old .txt files and, through the fonts, as Latin-1 characters in
.docx and web pages ("Uû ban nh©n d©n", "UÛy ban nhaân daân"). We convert it when converting
clearly yields Vietnamese, judged by how many very common syllables the result contains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# TCVN3 (ABC): the lower-case table; upper-case toned vowels lived in separate "H" fonts at the same
# codes, so only Ă Â Ê Ô Ơ Ư Đ have capitals of their own.
_TCVN3_CODES = "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u00adõøö÷ùúýûüþ¡¢£¤¥¦§"
_TCVN3_CHARS = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂÊÔƠƯĐ"
_TCVN3 = str.maketrans(_TCVN3_CODES, _TCVN3_CHARS)

# VNI: a base letter followed by one mark byte that carries the shape (â ă) and the tone together;
# ơ and ư are one byte of their own. Tones in the order none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
_VNI_ROWS = {  # Unicode letter → its upper-case VNI spellings, one per tone
    "A": ["A", "AÙ", "AØ", "AÛ", "AÕ", "AÏ"],
    "Â": ["AÂ", "AÁ", "AÀ", "AÅ", "AÃ", "AÄ"],
    "Ă": ["AÊ", "AÉ", "AÈ", "AÚ", "AÜ", "AË"],
    "E": ["E", "EÙ", "EØ", "EÛ", "EÕ", "EÏ"],
    "Ê": ["EÂ", "EÁ", "EÀ", "EÅ", "EÃ", "EÄ"],
    "O": ["O", "OÙ", "OØ", "OÛ", "OÕ", "OÏ"],
    "Ô": ["OÂ", "OÁ", "OÀ", "OÅ", "OÃ", "OÄ"],
    "Ơ": ["Ô", "ÔÙ", "ÔØ", "ÔÛ", "ÔÕ", "ÔÏ"],
    "U": ["U", "UÙ", "UØ", "UÛ", "UÕ", "UÏ"],
    "Ư": ["Ö", "ÖÙ", "ÖØ", "ÖÛ", "ÖÕ", "ÖÏ"],
    "I": ["I", "Í", "Ì", "Æ", "Ó", "Ò"],
    "Y": ["Y", "YÙ", "YØ", "YÛ", "YÕ", "Î"],
    "Đ": ["Ñ"],
}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for letter, codes in _VNI_ROWS.items():
        for tone, code in zip(_TONES, codes):
            if code == letter:
                continue  # a plain letter stays itself
            upper = unicodedata.normalize("NFC", letter + tone)
            table[code], table[code.lower()] = upper, upper.lower()
            if len(code) > 1:
                table[code[0] + code[1:].lower()] = upper  # "Uûy": a capital letter, a small mark
    return table


_VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))

# Very common syllables of administrative Vietnamese: enough of them in a text means it is Vietnamese.
_COMMON = set(
    """của và các có được trong người những cho với không này là một đã theo về tỉnh nhân dân ủy
ban quyết định chỉ đạo thực hiện năm ngày tháng phát triển công tác tại đến việc số sở phòng
đồng thời nội dung báo cáo kế hoạch văn bản quản lý xã hội huyện thành phố cơ quan đơn vị
chủ tịch phó giám đốc trên địa bàn đề nghị yêu cầu tổ chức các cấp ngành liên quan trường
hợp đảm bảo kiểm tra tình hình kết quả để từ khi đó nhằm nước hành chính giao phối biết""".split()
)
_WORDS = re.compile(r"\w+")


def vietnamese_score(text: str) -> int:
    """How many tokens of the text are common Vietnamese syllables with diacritics (plain ASCII
    ones like "ban" read the same in every encoding, so they decide nothing)."""
    return sum(
        1
        for w in _WORDS.findall(unicodedata.normalize("NFC", text).lower())
        if w in _COMMON and not w.isascii()
    )


def from_tcvn3(text: str) -> str:
    return text.translate(_TCVN3)


def from_vni(text: str) -> str:
    return _VNI_PATTERN.sub(lambda m: _VNI[m.group(0)], text)


_LEGACY_HINT = re.compile(r"[\u00a0-\u00ff]")


def fix_legacy_fonts(text: str) -> tuple[str, str | None]:
    """Text typed in TCVN3 or VNI fonts → Unicode; (text, name of the encoding converted from)."""
    if len(_LEGACY_HINT.findall(text)) < 3:
        return text, None
    sample = text[:200_000]
    best: tuple[str, Callable[[str], str]] | None = None
    best_score = vietnamese_score(sample)
    for name, convert in (("TCVN3", from_tcvn3), ("VNI", from_vni)):
        score = vietnamese_score(convert(sample))
        if score >= 3 and score > 2 * best_score:  # clearly better than leaving it alone
            best, best_score = (name, convert), score
    return (best[1](text), best[0]) if best else (text, None)


class EncodingError(ValueError):
    pass


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a BOM: mostly-ASCII text has a NUL in every other byte."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2].count(0) / (len(raw) / 2), raw[1::2].count(0) / (len(raw) / 2)
    codec = "utf-16-le" if odd > 0.3 and even < 0.05 else "utf-16-be" if even > 0.3 and odd < 0.05 else None
    if codec is None:
        return None
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def decode(raw: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding name). Raises EncodingError with what to do when nothing fits."""
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec.upper()
            except UnicodeDecodeError as e:
                raise EncodingError(
                    f"starts like {codec.upper()} but byte {e.start} is not; save it as UTF-8"
                ) from None
    if b"\x00" in raw:
        text = _utf16_without_bom(raw)
        if text is None:
            raise EncodingError("binary file (contains NUL bytes), not a text document")
        return text, "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as e:
        bad = e.start
    # Not UTF-8: an 8-bit Vietnamese encoding, if one of them reads as Vietnamese.
    candidates = [("Windows-1258", raw.decode("cp1258", errors="replace"))]
    latin1 = raw.decode("latin-1")
    candidates += [("TCVN3", from_tcvn3(latin1)), ("VNI", from_vni(raw.decode("cp1252", errors="replace")))]
    scored = [(vietnamese_score(text[:200_000]), name, text) for name, text in candidates]
    score, name, text = max(scored, key=lambda x: x[0])
    if score < 3 or "\ufffd" in text:
        raise EncodingError(
            f"not UTF-8 (byte {bad}) nor Vietnamese Windows-1258/TCVN3/VNI; save it as UTF-8 and ingest again"
        )
    return text, name
