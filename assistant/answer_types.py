"""Does a passage carry the kind of fact a question asks for?

who → a named person, an office or role, or an agency; how many / how much → a figure (with a
unit, better still one next to a word of the question); when → a date; which document → a
document number. These are shapes of Vietnamese administrative text (Nghị định 30/2020/NĐ-CP
naming, the way figures and dates are written), not answers to particular questions.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from assistant import DATA
from store.models import KINDS
from store.vietnamese import find_doc_numbers, fold
from store.wordlists import alternation, read_list

# Vietnamese capitals and small letters, spelled out: a range such as À-Ỹ holds both cases.
_LATIN = [chr(c) for c in [*range(0x41, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]]
_UPPER = "".join(c for c in _LATIN if c.isalpha() and c.isupper())
_LOWER = "".join(c for c in _LATIN if c.isalpha() and c.islower())
# Vietnamese family names: a small closed class (these cover nearly all people). A run of three or four
# capitalised words is a name only when it starts with one — "Phó Trưởng Ban" is a title, "Mai Pha"
# (two words) a place. The lists are data: assistant/data/*_vi.txt.
_SURNAME = "|".join(sorted(read_list(DATA / "surnames_vi.txt"), key=len, reverse=True))
# "đồng chí Phó Chủ tịch UBND tỉnh" names a post, not a person: a title word cannot start a name.
_TITLE_WORDS = rf"(?:{alternation(DATA / 'title_words_vi.txt')})\b"
_PERSON = re.compile(
    rf"(?<!\w)(?:[Đđ]ồng chí|[Ôô]ng|[Bb]à)\s+(?!{_TITLE_WORDS})[{_UPPER}][{_LOWER}]+(?:\s+[{_UPPER}][{_LOWER}]+){{1,3}}"
    rf"|(?<!\w)(?:{_SURNAME})(?:\s+[{_UPPER}][{_LOWER}]+){{2,3}}(?!\w)"
)
# Offices and agencies as the documents write them.
# Agencies as the documents write them; a role (title) names a holder only with its agency
# ("Giám đốc Sở Tài chính", "Chủ tịch UBND tỉnh") or as "đồng chí <role>" — a bare "Trưởng Ban"
# describes how a body is made, not who holds the post.
_AGENCY = alternation(DATA / "agencies_vi.txt")
_ROLES = read_list(DATA / "roles_vi.txt")
_ROLE = "|".join(_ROLES)
_HOLDER = re.compile(
    rf"\b(?:(?:[Đđ]ồng chí\s+)(?:{_ROLE})(?:\s+(?:{_AGENCY}))?|(?:{_ROLE})\s+(?:{_AGENCY})|{_AGENCY})"
)
# A number not glued to a code ("COVID-19", "Km18", "4B"), with the word after it as its unit.
_FIGURE = re.compile(
    r"(?<![\w/\-–])\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)?(?![A-ZĐ])\s*(%|[^\W\d_][\wÀ-ỹ/²³]*)?"
)
_YEARS = re.compile(r"(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?")
_DATE = re.compile(r"\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|ngày \d{1,2}|\d{1,2}\s*[-–]\s*\d{1,2}/\d{1,2}")
# Words that follow a number without being a unit of it.
_NOT_UNITS = {"năm", "tháng", "ngày", "giờ", "quý"}


def who(text: str, asked: str = "") -> float:
    """1 for a named person, 0.7 for an office or agency only, 0 for neither. An office the question
    itself names ("Who is the head of Ban X?" → "Ban X có Trưởng Ban …") does not answer it."""
    if _PERSON.search(text):
        return 1.0
    asked = fold(asked)
    offices = [m.group(0) for m in _HOLDER.finditer(text)]
    return 0.7 if any(fold(o) not in asked for o in offices) else 0.0


# A post the question names ("Giám đốc Sở Kế hoạch và Đầu tư", "Phó Chủ tịch UBND tỉnh"): the answer must
# name that post, a deputy's post being another one. A named agency is kept to its first three words
# ("Sở Kế hoạch", "Sở Tài chính" vs "Sở Tài nguyên"); "tỉnh", "huyện" after a name are not part of it.
_BASE_ROLE = "|".join(r for r in _ROLES if not r.startswith("Phó"))  # a deputy's is another post
_ASKED_POST = re.compile(
    rf"(?<!\w)((?:Phó\s+)?)({_BASE_ROLE})\s+({_AGENCY})((?:\s+(?!tỉnh|huyện|thành|xã|phường)[^\W\d_]+)?)"
)


def _post_key(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).replace("uy ban nhan dan", "ubnd")


@lru_cache(maxsize=256)
def _asked_posts(asked: str) -> tuple[tuple[bool, re.Pattern, str], ...]:
    """(deputy?, the title as a pattern, the body's folded key) of each post `asked` names: once per
    question, not once per unit."""
    posts = []
    for deputy, role, agency, more in _ASKED_POST.findall(asked):
        # "Sở Kế" is the start of a name and takes its next word; "UBND tỉnh" is whole
        words = (agency + (more if agency.split()[-1][0].isupper() else "")).split()
        title = re.escape(role).replace(r"\ ", r"\s+")
        posts.append(
            (bool(deputy), re.compile(rf"(?<!\w){title}(?!\w)", re.I), _post_key(" ".join(words[:3])))
        )
    return tuple(posts)


def holds_asked_post(text: str, asked: str) -> bool | None:
    """Whether `text` names the post `asked` names (True); names that title bare ("… làm Trưởng Ban.",
    the body being the section's): None; else False — the title nowhere, or only other posts of it:
    the deputy's, or the same title of another body ("Giám đốc Sở Tài chính" for "Giám đốc Sở Kế
    hoạch"). None too when `asked` names no post."""
    verdict = None
    for deputy, title, body in _asked_posts(asked):
        bare = False
        for m in title.finditer(text):
            same_rank = fold(text[max(0, m.start() - 8) : m.start()]).rstrip().endswith("pho") == deputy
            after = text[m.end() :].lstrip()
            if _post_key(after).startswith(body):
                if same_rank:
                    return True
            elif same_rank and not after[:1].isupper():  # a capital starts another body's name
                bare = True
        if not bare:
            verdict = False  # only other posts of that title, or the title nowhere: not about that post
    return verdict


def figures(text: str) -> list[tuple[int, int, str | None]]:
    """(start, end, unit word) of each number that is not a date or part of a document number."""
    blocked = [(a, b) for _, a, b in find_doc_numbers(text)] + [
        (m.start(), m.end()) for m in _DATE.finditer(text)
    ]
    out = []
    for m in _FIGURE.finditer(text):
        if any(a <= m.start() < b for a, b in blocked):
            continue
        unit = m.group(1)
        if unit and unit.lower() in _NOT_UNITS:
            continue
        number = m.group(0)[: len(m.group(0)) - len(unit or "")].strip()
        if _YEARS.fullmatch(number):
            continue  # "năm 2023", "giai đoạn 2021 – 2025": a year is not a quantity
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
        near = set(re.findall(r"[0-9a-z]+", folded[max(0, a - 40) : min(len(folded), b + 40)]))
        if wanted & near - {"nam", "thang"}:
            score = 1.0 if unit else 0.7
        best = max(best, score)
    return best


# "Quyết định số 1370/QĐ-UBND, ngày 30/8/2023": the date after a document number is the instrument's own.
_INSTRUMENT_DATE = re.compile(r"\s*,?\s*(?:ngày\s*)?\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}")
# A question about an instrument (its kind named, in either language, or its issuing or signing)
# is answered by the instrument's date; a question about an event is not.
_INSTRUMENT_ASKED = re.compile(
    r"\b(?:"
    + "|".join(
        sorted(
            {re.escape(fold(w)) for kind, k in KINDS.items() if kind != "text" for w in (k.vi, k.en)},
            key=len,
            reverse=True,
        )
    )
    + r"|ban hanh|issued?|issuance|signed|signing|van ban|document)\b"
)


@lru_cache(maxsize=256)
def _asks_about_an_instrument(asked: str) -> bool:
    return bool(find_doc_numbers(asked) or _INSTRUMENT_ASKED.search(fold(asked)))


def when(text: str, asked: str = "") -> float:
    """1 for a date; a date that only dates a cited instrument answers a question about an
    instrument, not "when will the ceremony be held?" (0)."""
    dates = list(_DATE.finditer(text))
    if not dates:
        return 0.0
    if not asked or _asks_about_an_instrument(asked):
        return 1.0
    cited = [(b, m.end()) for _, _, b in find_doc_numbers(text) if (m := _INSTRUMENT_DATE.match(text, b))]
    return 1.0 if any(not any(a <= d.start() < b for a, b in cited) for d in dates) else 0.0


# Numbers a question states that are not periods, dates, years or document numbers: "giai đoạn 3",
# "phase 3", "tuyến số 5". A passage about "giai đoạn 1, giai đoạn 2" does not answer about phase 3.
_STANDALONE = re.compile(r"(?<![\w/.,\-–])\d{1,4}(?![\w/\-–]|[.,]\d)")
_MONTHS = "|".join(m.lower() for m in calendar.month_name if m)
_NOT_STATED = re.compile(
    rf"\d{{1,2}}\s*/\s*\d{{4}}|(?:thang|quy|ngay|nam|month|quarter|q|week|tuan|{_MONTHS})\s*\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s*(?:thang|quy|ngay|nam|months?|quarters?|days?|years?|weeks?|tuan"
    rf"|{_MONTHS})(?!\w)"
)  # matched on the folded question


def _numbers(text: str, skip: list[tuple[int, int]]) -> set[str]:
    return {
        str(int(m.group(0)))
        for m in _STANDALONE.finditer(text)
        if not _YEARS.fullmatch(m.group(0)) and not any(a <= m.start() < b for a, b in skip)
    }


def stated_numbers(question: str) -> set[str]:
    """The numbers a question states as part of what it asks about (see above), as plain integers."""
    skip = [(a, b) for _, a, b in find_doc_numbers(question)] + [m.span() for m in _DATE.finditer(question)]
    skip += [m.span() for m in _NOT_STATED.finditer(fold(question))]  # fold keeps an NFC text's offsets
    return _numbers(question, skip)


def numbers_in(text: str) -> set[str]:
    return _numbers(text, [(a, b) for _, a, b in find_doc_numbers(text)])


def document(text: str) -> float:
    return 1.0 if find_doc_numbers(text) else 0.0


_NAME_ASKED = re.compile(
    r"\b(?:ten (?:la )?gi|ten cua|ho ten|ho va ten|what is (?:the|his|her) name|name of|named)\b"
)


def asks_for_a_name(folded_question: str) -> bool:
    """ "… tên là gì?", "what is the name of …": only a person's name answers it, not an office."""
    return bool(_NAME_ASKED.search(folded_question))


_ASSIGNMENT_ASKED = re.compile(
    r"\b(?:chu tri|duoc giao|giao cho|phu trach|dau moi|chiu trach nhiem|in charge|assigned"
    r"|responsible|to lead|leads?|take the lead)\b"
)
# How the documents assign a task: "Sở X chủ trì", "giao Sở X", "Sở X phụ trách", "… làm Trưởng ban".
_ASSIGNMENT = re.compile(
    r"chủ trì|[Gg]iao |phụ trách|chịu trách nhiệm|đầu mối|làm (?:Trưởng|Tổ trưởng|Chủ tịch)|là,? Trưởng"
    r"|[Tt]hường trực|thực hiện|tham mưu"
)


TYPED = ("signer", "who", "number", "date", "document")  # question types that ask for a kind of fact


def carries(qtype: str, text: str, terms: list[str], asked: str = "") -> float | None:
    """How well `text` carries the asked type (0–1); None when the question asks for no particular type.
    `asked` is the question (with its glossary terms): an office it names is no answer to "who";
    "who signed" needs a name; "who is assigned to lead" needs an assignment."""
    if qtype == "signer":
        return 1.0 if _PERSON.search(text) else 0.0
    if qtype == "who":
        found = who(text, asked)
        if asks_for_a_name(fold(asked)) and found < 1.0:
            return 0.0
        if _ASSIGNMENT_ASKED.search(fold(asked)) and not _ASSIGNMENT.search(text):
            return 0.0
        if holds_asked_post(text, asked) is False:
            return 0.0
        return found
    if qtype == "number":
        return number(text, terms)
    if qtype == "date":
        return when(text, asked)
    if qtype == "document":
        return document(text)
    return None
