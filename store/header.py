"""The header of a Vietnamese administrative document, and what a title says about its period.

Nghị định 30/2020/NĐ-CP fixes the layout of an administrative document's first lines:

    ỦY BAN NHÂN DÂN                  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    TỈNH LẠNG SƠN                        Độc lập - Tự do - Hạnh phúc
    Số: 240/KH-UBND                  Lạng Sơn, ngày 15 tháng 9 năm 2023
    [V/v … — the trích yếu of an official letter stands here, under the number]

                               KẾ HOẠCH
         Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia
                     trên địa bàn tỉnh Lạng Sơn năm 2023

The left column is the issuing body (under its parent body, if any: "UBND TỈNH LẠNG SƠN / SỞ TÀI
CHÍNH"), the number and symbol; the right column the national motto and the place-and-date line;
then the document type and its trích yếu — the title, wrapped over lines, which copies and PDFs
hard-wrap again. Copied from a web page the two columns come one after the other, or on one line
separated by a tab or a run of spaces; the sectioner has cut those into lines already.

`parse_header` reads these parts from the document's first lines, `read_period` the period a title
(or a digest's heading) names — a week, a day, a month, a quarter, "6 tháng đầu năm", a span of
years or a year — and nothing when it names none: a period is never made up from the posting date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from store.models import KINDS
from store.vietnamese import canonical_tones, doc_number_key, find_doc_numbers, fold
from store.wordlists import DATA, alternation, read_list

# The 63 provinces and centrally-run cities (before the 2025 mergers, whose names they keep).
PROVINCES = (
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Tĩnh",
    "Hải Dương",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
    "Hà Nội",
    "Hải Phòng",
    "Đà Nẵng",
    "Cần Thơ",
    "Hồ Chí Minh",
)
_PROVINCE_BY_FOLD = {re.sub(r"\s*-\s*", " - ", fold(p)): p for p in PROVINCES}
_PROVINCE_ALT = "|".join(sorted((re.escape(k) for k in _PROVINCE_BY_FOLD), key=len, reverse=True))
# "tỉnh Lạng Sơn", "thành phố Hà Nội", "TP. Hồ Chí Minh" (folded)
_PROVINCE_MENTION = re.compile(rf"\b(?:tinh|thanh pho|tp\.?)\s+({_PROVINCE_ALT})\b")
_PROVINCE_NAME = re.compile(rf"^\s*(?:tinh|thanh pho|tp\.?)?\s*({_PROVINCE_ALT})\s*$")

# Document types as their type line is printed, and the kind each is (store.models.KINDS).
TYPE_WORDS = {line: kind for kind, k in KINDS.items() for line in k.type_lines}
_TYPE_LINE = re.compile(r"^(" + "|".join(TYPE_WORDS) + r")\s*$")
# The type code of a symbol ("QĐ" of "QĐ-UBND", "CTr" of "98-CTr/TU"); a symbol without one — "UBND-KT",
# "VP-KGVX" — is an official letter's (công văn).
TYPE_CODES = {code: kind for kind, k in KINDS.items() for code in k.codes}
_MOTTO = re.compile(r"^cong hoa xa hoi chu nghia viet nam\b")
_INDEPENDENCE = re.compile(r"^doc lap\s*-\s*tu do\s*-\s*hanh phuc$")
_NUMBER_LINE = re.compile(r"^(?:Số|SỐ|So|SO)\s*[:.]\s*(.*)$")
_SYMBOL = re.compile(
    r"^\s*(?:\d{1,6}\s*)?(?:/\s*\d{4}\s*)?[/-]\s*([A-Za-zĐđ][\w&]*(?:-[\w&]+)*(?:/[\w&-]+)?)"
)
# Place and date: "Lạng Sơn, ngày 15 tháng 3 năm 2024"; the day and month may be blank in a draft
# ("ngày   tháng 01 năm 2023", "ngày … tháng … năm 2024"). Matched on text folded char for char.
_DATELINE = re.compile(
    r"(?:^|[|\t]\s*|\s)((?:[a-z]+\.? ){0,4}[a-z]+),\s*ngay\s*(\d{1,2})?[\s.…_]*thang\s*(\d{1,2})?[\s.…_]*nam\s*(\d{4})"
)
# The right column's lines, when a PDF's text puts both columns on one line ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …").
_RIGHT_COLUMN = re.compile(
    r"\s*(?:CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*-\s*Tự "
    r"do\s*-\s*Hạnh phúc).*$"
)
_TRICH_YEU_LETTER = re.compile(r"^(?:V/v|V/V|Về việc)\b")
# A line that begins the body, not the title: the legal bases, the addressee, the opening sentence…
_BODY_START = re.compile(rf"^(?:{alternation(DATA / 'body_start_lines.txt')})")
# The authority that enacts ("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" above the legal bases of a decision).
_AUTHORITY = re.compile(rf"^(?:{alternation(DATA / 'authority_lines.txt')})\b")
_DECOR = re.compile(r"^[-_=*.·•\s]{3,}$")
_AGENCY = re.compile(rf"^(?:{alternation(DATA / 'agency_lines.txt')})\b")
_ACRONYMS = frozenset(read_list(DATA / "acronyms.txt"))
_UNITS = tuple(read_list(DATA / "admin_units.txt"))
_HEADS = tuple(read_list(DATA / "agency_heads.txt"))


def _fold_keep(text: str) -> str:
    """Folded char for char, so offsets and lengths match the original."""
    return "".join(fold(c) or c for c in text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def identity_line(text: str) -> bool:
    """A header line that says who issued an instrument, its number, place and date, its type word
    or the national motto — what the instrument is, not what it says ("Số: 240/KH-UBND",
    "Lạng Sơn, ngày 15 tháng 9 năm 2023", "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "KẾ HOẠCH")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_identity(line) for line in lines)


def _identity(line: str) -> bool:
    folded = _squash(_fold_keep(line)).lower()
    if _NUMBER_LINE.match(line) or _MOTTO.match(folded) or _INDEPENDENCE.match(folded) or _DECOR.match(line):
        return True
    dateline = _DATELINE.search(folded)
    if (
        dateline and len(folded) - (dateline.end() - dateline.start()) < 25
    ):  # the dateline, and a "Số: …" beside it
        return True
    # An issuing body or type word in capitals; a long line in capitals is the trích yếu, which says what.
    return _is_upper(line) and len(line.split()) <= 8 and not _starts_body(line)


# ---- provinces and issuing bodies -------------------------------------------------------


def province_of(text: str) -> str | None:
    """The province a phrase names: "TỈNH LẠNG SƠN", "Lạng Sơn", "thành phố Hà Nội" → its name."""
    f = _squash(fold(text))
    if m := _PROVINCE_NAME.match(f):
        return _PROVINCE_BY_FOLD[m.group(1)]
    if m := _PROVINCE_MENTION.search(f):
        return _PROVINCE_BY_FOLD[m.group(1)]
    return None


def named_province(text: str) -> str | None:
    """The first province a phrase names, with or without "tỉnh": "Lạng Sơn triển khai …" → Lạng Sơn."""
    m = re.search(rf"\b({_PROVINCE_ALT})\b", _squash(fold(text)))
    return _PROVINCE_BY_FOLD[m.group(1)] if m else None


def _unmarked(text: str) -> str:
    """Diacritics stripped, case kept: "Cao Bằng" → "Cao Bang"."""
    return (
        fold(text) if text.islower() else "".join(fold(c).upper() if c.isupper() else fold(c) for c in text)
    )


# A province's name as a question writes it, capitalised, with or without marks ("Cao Bằng", "Cao Bang",
# "Bà Rịa – Vũng Tàu"): capitals keep "hòa bình" (peace) from being the province Hòa Bình.
_PROVINCE_CAPS = re.compile(
    r"(?<!\w)("
    + "|".join(
        sorted(
            (re.escape(_unmarked(p)).replace(r"\ \-\ ", r"\s*[-–—]\s*") for p in PROVINCES),
            key=len,
            reverse=True,
        )
    )
    + r")(?!\w)"
)


def provinces_named(text: str) -> set[str]:
    """Every province a question names, written with capitals: "Cao Bằng's turnover" → {"Cao Bằng"}."""
    return {
        _PROVINCE_BY_FOLD[re.sub(r"\s*[-–—]\s*", " - ", fold(m.group(1)))]
        for m in _PROVINCE_CAPS.finditer(_unmarked(text))
    }


def agency(line: str) -> str | None:
    """An agency's name standing alone in capitals (a site's banner: "CỤC THỐNG KÊ TỈNH LẠNG SƠN"), as
    written in running text; None for any other line."""
    t = _squash(line)
    return display_body(t) if _is_upper(t) and len(t) <= 80 and _AGENCY.match(fold(t)) else None


def main_province(text: str) -> str | None:
    """The province a text names ("tỉnh Lạng Sơn" …): the only one it names, or one that clearly
    leads — at least twice, and at least twice as often as the next."""
    counts: dict[str, int] = {}
    for m in _PROVINCE_MENTION.finditer(fold(text)):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and (ranked[0][1] < 2 or ranked[0][1] < 2 * ranked[1][1])):
        return None
    return _PROVINCE_BY_FOLD[ranked[0][0]]


def display_body(caps: str) -> str:
    """An issuing body as people write it in running text: "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG" → "UBND tỉnh
    Cao Bằng", "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN" → "Sở Nông nghiệp và Phát triển nông thôn"."""
    text = _squash(canonical_tones(caps))
    if not _is_upper(text):
        return text
    words = text.split(" ")
    lowered = [w if w in _ACRONYMS else w.lower() for w in words]
    s = " ".join(lowered)
    s = re.sub(r"\bủy ban nhân dân\b", "UBND", s)
    s = re.sub(r"\bhội đồng nhân dân\b", "HĐND", s)
    # Place names after a unit word: every syllable capitalised ("tỉnh Lạng Sơn", "huyện Cao Lộc").
    unit = "|".join(_UNITS)

    def place(m: re.Match) -> str:
        return m.group(1) + " " + " ".join(w[:1].upper() + w[1:] for w in m.group(2).split(" "))

    s = re.sub(rf"\b({unit}) ((?:(?!{unit}\b)[^\s,]+ ?)+)$", lambda m: place(m).rstrip(), s)
    # The name after a head noun, and each co-ordinated domain, capitalised: "Sở Văn hóa, Thể thao và Du lịch".
    heads = "|".join(sorted(_HEADS, key=len, reverse=True))
    s = re.sub(rf"^({heads}) (\S)", lambda m: m.group(1) + " " + m.group(2).upper(), s)
    if re.match(rf"^({heads}) ", s):
        name_end = re.search(rf" (?:{unit}) [A-ZÀ-ỸĐ]", s)
        head, tail = (s[: name_end.start()], s[name_end.start() :]) if name_end else (s, "")
        head = re.sub(r"(, | và | - )(\w)", lambda m: m.group(1) + m.group(2).upper(), head)
        s = head + tail
    return s[:1].upper() + s[1:]


def _issuer(body_lines: list[str], place: str | None, symbol: str | None) -> tuple[str | None, str | None]:
    """(issuing body as written in running text, its province) from the header's left-column lines."""
    lines = [_squash(t) for t in body_lines if t.strip()]
    province = None
    for t in lines:
        province = province or province_of(t)
    if not province and place:
        province = province_of(place)
    if not lines:  # no issuing-body line (a draft pasted from a PDF): the symbol and the place say it
        if symbol and re.search(r"(?:^|-)UBND$", symbol) and province:
            return f"UBND tỉnh {province}", province
        return None, province
    # A parent body, then the agency: "UBND TỈNH LẠNG SƠN" / "SỞ TÀI CHÍNH" → "Sở Tài chính tỉnh Lạng Sơn".
    folded = [fold(t) for t in lines]
    parent_end = 0
    for i in range(len(folded) - 1):
        if (
            province_of(lines[i])
            and _AGENCY.match(folded[i + 1])
            and not re.match(r"^(?:tinh|huyen|thanh pho)\b", folded[i + 1])
        ):
            parent_end = i + 1
    agency = " ".join(lines[parent_end:]) if parent_end else " ".join(lines)
    shown = display_body(agency)
    if parent_end and province and not province_of(agency):
        shown += f" tỉnh {province}"
    return shown, province


# ---- the header --------------------------------------------------------------------------


@dataclass
class Header:
    start: int  # index of the header's first line (issuing body, motto or "Số:")
    title_start: int | None = None  # the type line, or the trích yếu's first line
    title_end: int | None = None  # index after the title's last line
    title: str | None = None  # "KẾ HOẠCH Tổ chức …", "V/v tăng cường …"
    type_word: str | None = None
    kind: str | None = None
    number: str | None = None  # "240/KH-UBND"; None for a draft's "Số: /BC-UBND"
    symbol: str | None = None  # "KH-UBND", even without a number
    issuer: str | None = None
    province: str | None = None
    place: str | None = None
    issued: date | None = None
    year: int | None = None  # the dateline's year, also when its day is left blank
    month: int | None = None
    lines: list[int] = field(default_factory=list)  # the header's lines up to the title's end


def _place(text: str, folded: str, m: re.Match) -> str | None:
    """The place of a place-and-date line: the words before ", ngày" — a province's name where they
    end in one ("Số: 178/KH-UBND Lạng Sơn, ngày …" → Lạng Sơn), else the last two."""
    words = m.group(1).split(" ")
    for k in range(min(len(words), 5), 0, -1):
        if (p := _PROVINCE_BY_FOLD.get(" ".join(words[-k:]))) is not None:
            return p
    written = (
        _squash(text[m.start(1) : m.end(1)]).split(" ")
        if len(text) == len(folded)
        else [w.title() for w in words]
    )
    return " ".join(written[-2:])


def _kind_of_symbol(symbol: str | None) -> str | None:
    if not symbol:
        return None
    first = fold(re.split(r"[-/]", symbol)[0])
    return TYPE_CODES.get(first, "official_letter")


def parse_header(texts: list[str], blank_before: list[bool], window: int = 60) -> Header | None:
    """The header of an administrative document among its first lines (`texts`, one per line or
    table cell; `blank_before[i]`: an empty line stands before line i), or None when there is none.

    A header needs two of: the national motto, a "Số:" line, a place-and-date line, a type line —
    within a few lines of each other (a page saved from a portal has its menus before them)."""
    n = min(len(texts), window)
    folded = [_squash(_fold_keep(t)) for t in texts[:n]]
    motto = next(
        (i for i in range(n) if _MOTTO.match(folded[i]) or "cong hoa xa hoi chu nghia viet nam" in folded[i]),
        None,
    )
    number_i = next(
        (i for i in range(n) if _NUMBER_LINE.match(texts[i].strip()) and re.search(r"[/-]", texts[i])), None
    )
    date_i = next((i for i in range(n) if _DATELINE.search(folded[i])), None)
    type_i = next((i for i in range(n) if _TYPE_LINE.match(_squash(canonical_tones(texts[i])))), None)
    anchors = sorted(i for i in (motto, number_i, date_i) if i is not None)
    if type_i is not None and (not anchors or type_i > anchors[0]):
        anchors = sorted(anchors + [type_i])
    if anchors == [type_i] and type_i is not None and type_i < 3:
        anchors = [type_i, type_i]  # a type line opening the text ("THÔNG BÁO" / its title) is a header too
    if len(anchors) < 2 or anchors[1] - anchors[0] > 8:
        return None
    top = anchors[0]
    # The issuing body: the upper-case lines just above the first anchor (the left column comes first).
    body: list[int] = []
    left = {i: _RIGHT_COLUMN.sub("", texts[i]).strip() for i in range(n)}  # a line's left column
    if left[top] and left[top] != texts[top].strip() and _is_upper(left[top]):
        top += 1  # "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …": the issuing body shares the motto's line
        while top < n and left[top] and left[top] != texts[top].strip() and _is_upper(left[top]):
            top += 1  # "TỈNH LẠNG SƠN Độc lập - Tự do - Hạnh phúc"
    i = top - 1
    while i >= 0 and len(body) < 3:
        t = left[i]
        if _DECOR.match(t) or not t:
            i -= 1
            continue
        if (
            _is_upper(t)
            and len(t) <= 80
            and not _MOTTO.match(fold(t))
            and not _TYPE_LINE.match(_squash(canonical_tones(t)))
        ):
            body.insert(0, i)
            i -= 1
            continue
        break
    # …or, in a layout where the motto comes first, the upper-case lines between the motto block and "Số:".
    if not body and motto is not None and number_i is not None and number_i > motto:
        body = [
            j
            for j in range(motto + 1, number_i)
            if _is_upper(texts[j])
            and not _INDEPENDENCE.match(folded[j])
            and not _DECOR.match(texts[j].strip())
        ]
    h = Header(start=body[0] if body else top)
    # Number and symbol.
    if number_i is not None:
        number_line = _NUMBER_LINE.match(texts[number_i].strip())
        assert number_line  # number_i is the line this pattern found
        rest = number_line.group(1)
        rest = re.split(r"\s\|\s|\t|\s{3,}", rest)[0]
        found = find_doc_numbers(rest)
        if found and found[0][1] <= 1:
            h.number = found[0][0]
        if m := _SYMBOL.match(rest):
            h.symbol = m.group(1)
        elif h.number:
            h.symbol = re.split(r"^\d+/(?:\d{4}/)?|^\d+-", h.number)[-1]
    # Place and date.
    if date_i is not None:
        m = _DATELINE.search(folded[date_i])
        assert m  # date_i is the line this pattern found
        h.place = _place(texts[date_i], folded[date_i], m)
        h.year = int(m.group(4))
        h.month = int(m.group(3)) if m.group(3) else None
        if m.group(2) and m.group(3):
            try:
                h.issued = date(h.year, int(m.group(3)), int(m.group(2)))
            except ValueError:
                pass
    h.issuer, h.province = _issuer([left[j] for j in body], h.place, h.symbol)
    # Type and trích yếu.
    last_anchor = max(i for i in (motto, number_i, date_i, type_i) if i is not None)
    if type_i is not None:
        h.type_word = _squash(canonical_tones(texts[type_i]))
        h.kind = TYPE_WORDS[h.type_word]
        parts = _title_lines(texts, blank_before, type_i + 1)
        h.title_start = type_i
        h.title_end = parts[-1] + 1 if parts else type_i + 1
        h.title = " ".join([texts[type_i].strip()] + [texts[j].strip() for j in parts])
    else:
        v = next(
            (
                j
                for j in range((number_i or top), min(n, last_anchor + 4))
                if _TRICH_YEU_LETTER.match(texts[j].strip())
            ),
            None,
        )
        if v is not None:
            parts = [v] + _continuation(texts, blank_before, v + 1)
            h.title_start, h.title_end = v, parts[-1] + 1
            h.title = " ".join(texts[j].strip() for j in parts)
        h.kind = _kind_of_symbol(h.symbol)
    if (
        h.kind in (None, "text")
        and h.symbol
        and _kind_of_symbol(h.symbol) not in (None, "text", "official_letter")
    ):
        h.kind = _kind_of_symbol(h.symbol)
    end = max(last_anchor + 1, h.title_end or 0)
    h.lines = list(range(h.start, end))
    return h


def _title_lines(texts: list[str], blank_before: list[bool], i: int) -> list[int]:
    """The trích yếu's lines after a type line: the first line (an empty line may stand before it),
    then its continuations."""
    while i < len(texts) and not texts[i].strip():
        i += 1
    if i >= len(texts) or _starts_body(texts[i]):
        return []
    return [i] + _continuation(texts, blank_before, i + 1, upper=_is_upper(texts[i]))


def _continuation(texts: list[str], blank_before: list[bool], i: int, upper: bool = False) -> list[int]:
    """Lines that go on a title wrapped over several: no empty line before them, no sentence end
    before them, not the start of the body; an upper-case title goes on in upper case."""
    out: list[int] = []
    while i < len(texts) and len(out) < 4:
        t = texts[i].strip()
        previous = texts[out[-1] if out else i - 1].strip()
        if not t or blank_before[i] or (previous.endswith((".", ";", ":")) and not upper):
            break
        if _starts_body(t) or _DECOR.match(t) or _DATELINE.search(_squash(_fold_keep(t))):
            break
        if upper != _is_upper(t) or (upper and _AUTHORITY.match(fold(t))):
            break
        if len(t) > 160:
            break
        out.append(i)
        i += 1
    return out


def _starts_body(text: str) -> bool:
    t = text.strip()
    return bool(
        _BODY_START.match(fold(t))
        or re.match(r"^(?:[IVX]{1,4}|\d{1,2}|Điều \d+)\.\s", t)
        or re.match(r"^[a-zđ]\)\s", t)
        or t.endswith(":")
    )


def instrument_key(number: str | None, year: int | None) -> str | None:
    """A document number as a key that tells instruments apart: the number's own key, with the year
    of issue where the number does not carry one — two plans "240/KH-UBND" of 2023 and 2024 are
    "240/kh-ubnd@2023" and "240/kh-ubnd@2024"; "12/2024/QĐ-UBND" carries its year already."""
    if not number:
        return None
    key = doc_number_key(number)
    if year and not re.search(r"/\d{4}/", key):
        key += f"@{year}"
    return key


# ---- periods -----------------------------------------------------------------------------


@dataclass
class Period:
    start: date
    end: date
    label: str


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_RANGE = re.compile(
    r"(?:\btu\s+)?(?:\bngay\s+)?(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\s*(?:\bden\b|-|–)\s*(?:ngay\s+)?(\d{1,2})/(\d{1,2})/(\d{4})"
)
_QUARTER = re.compile(r"\bquy\s+(iv|i{1,3}|[1-4])\b(?:\s*(?:nam|/)\s*(\d{4}))?")
_MONTHS = re.compile(r"\b(\d{1,2})\s+thang(?:\s+dau)?(?:\s+nam)?(?:\s+(\d{4}))?")
_MONTH = re.compile(r"\bthang\s+(\d{1,2})(?:\s*(?:/|\s+nam\s+)\s*(\d{4}))?")
_YEARS = re.compile(r"(?:giai doan|nhiem ky|thoi ky)\s+(\d{4})\s*(?:-|–|den)\s*(\d{4})")
_YEAR = re.compile(r"(?<!den )(?<!toi )(?<!nhin )\bnam\s+(\d{4})\b")
_NEXT_YEAR = re.compile(r"(?:\bnam\s+|/)(\d{4})\b")
# "Quyết định số 768/QĐ-UBND ngày 26/4/2019" in a title names another instrument, not a period.
_REFERENCE = re.compile(
    r"(?:\bso\s*:?\s*)?\d+[^\s,;]*/[^\s,;]+\s*,?\s*(?:ngay\s+)?\d{1,2}\s*(?:/|thang)\s*\d{1,2}\s*(?:/|nam)\s*\d{4}"
)


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def read_period(title: str, year: int | None = None) -> Period | None:
    """The period a title names, or None. `year`: the dateline's, for a month or quarter named without one.

    In order: a span of days (a digest's week "từ ngày 28/8 đến ngày 03/9/2023", "tuần từ 04/3 đến
    10/3/2024"); a day (a meeting's "(ngày 29 tháng 7 năm 2020)"); then whichever comes first of a
    quarter ("quý I năm 2025"), a month ("tháng 7/2023", "tháng 01, … năm 2023") and a count of months
    ("6 tháng đầu năm 2024"); then a span of years ("giai đoạn 2021 - 2025"); then a year ("năm 2023",
    not "định hướng đến năm 2025")."""
    f = _REFERENCE.sub(" ", _squash(fold(title)))
    if m := _RANGE.search(f):
        d1, m1, y1, d2, m2, y2 = m.groups()
        try:
            end = date(int(y2), int(m2), int(d2))
            start = date(
                int(y1) if y1 else (end.year - 1 if int(m1) > int(m2) else end.year), int(m1), int(d1)
            )
            if start <= end:
                return Period(start, end, f"{start:%d/%m/%Y}–{end:%d/%m/%Y}")
        except ValueError:
            pass
    from store.vietnamese import find_dates

    days = find_dates(f)
    if days:
        return Period(days[0], days[0], f"{days[0]:%d/%m/%Y}")
    candidates: list[tuple[int, Period]] = []

    def year_after(pos: int, own: str | None) -> int | None:
        if own:
            return int(own)
        if m2 := _NEXT_YEAR.search(f, pos):
            return int(m2.group(1))
        return year

    if m := _QUARTER.search(f):
        q = _ROMAN.get(m.group(1)) or int(m.group(1))
        y = year_after(m.end(), m.group(2))
        if y:
            roman = {1: "I", 2: "II", 3: "III", 4: "IV"}[q]
            candidates.append(
                (m.start(), Period(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"quý {roman}/{y}"))
            )
    if m := _MONTH.search(f):
        month = int(m.group(1))
        y = year_after(m.end(), m.group(2))
        if y and 1 <= month <= 12:
            candidates.append(
                (m.start(), Period(date(y, month, 1), _month_end(y, month), f"{month:02d}/{y}"))
            )
    if m := _MONTHS.search(f):
        count = int(m.group(1))
        y = year_after(m.end(), m.group(2))
        if y and 1 <= count <= 12:
            candidates.append(
                (m.start(), Period(date(y, 1, 1), _month_end(y, count), f"{count} tháng đầu năm {y}"))
            )
    if candidates:
        return min(candidates, key=lambda c: c[0])[1]
    if m := _YEARS.search(f):
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b:
            return Period(date(a, 1, 1), date(b, 12, 31), f"{a}–{b}")
    if m := _YEAR.search(f):
        y = int(m.group(1))
        return Period(date(y, 1, 1), date(y, 12, 31), str(y))
    return None


# ---- the signature ---------------------------------------------------------------------

_ROLE = re.compile(rf"^(?:KT\.\s*|TL\.\s*|TM\.\s*|Q\.\s*)?({alternation(DATA / 'signer_roles.txt')})$")
_PERSON = re.compile(r"^[A-ZÀ-ỸĐ][a-zà-ỹđ]+(?: [A-ZÀ-ỸĐ][a-zà-ỹđ]+){1,4}$")


def role_line(text: str) -> str | None:
    """The signer's post on a signature line: "PHÓ CHỦ TỊCH", "KT. CHỦ TỊCH" → "CHỦ TỊCH"."""
    m = _ROLE.match(_squash(canonical_tones(text)).strip("* "))
    return m.group(1) if m else None


def signer(texts: list[str]) -> tuple[str | None, str | None]:
    """(name, post) from a signature block's lines: the last post line and the name after it
    ("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Đoàn Thu Hà" → Đoàn Thu Hà, Phó Chủ tịch)."""
    name, post = None, None
    for t in texts:
        for piece in re.split(r"\s{2,}", t.strip().strip("*").strip()):
            if r := role_line(piece):
                post = r
            elif post and _PERSON.match(piece):
                name = piece
    if post:
        post = post[:1] + post[1:].lower()
        post = post.replace("chủ tịch", "Chủ tịch") if post.startswith("Phó") else post
    return name, post


def issuer_matches(issuer: str | None, province: str | None, wanted: str) -> bool:
    """Whether a document issued by `issuer` (in `province`) is one a filter `wanted` asks for:
    the filter names its province ("Cao Bằng", "tỉnh Cao Bằng") or a part of its issuing body
    ("Sở Tài chính", "UBND tỉnh Lạng Sơn"), in any case and with or without diacritics."""
    w = _squash(fold(wanted))
    if not w:
        return False
    if province and (w == fold(province) or province_of(wanted) == province and not _AGENCY.match(w)):
        return True
    return issuer is not None and w in _squash(fold(issuer))
