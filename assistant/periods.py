"""Periods named in text — a day, a month, a quarter, "the first nine months", a year, a span of
years — in Vietnamese (with or without diacritics) and English, as date ranges.

A question that names a period must be answered from text about that period: a unit's own
periods decide first, then its section's headings and its document's period (a monthly report
is about its month), and a unit only about other periods is not an answer.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Literal, NamedTuple

from store.vietnamese import find_doc_numbers, fold

Relation = Literal["match", "broader", "other", "none"]


class Period(NamedTuple):
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def label(self, language: str = "vi") -> str:
        if self.days == 1:
            return f"{self.start:%d/%m/%Y}"
        last = calendar.monthrange(self.end.year, self.end.month)[1]
        if self.start.day == 1 and self.end.day == last:
            if (self.start.year, self.start.month) == (self.end.year, self.end.month):
                return f"{'tháng ' if language == 'vi' else ''}{self.start:%m/%Y}"
            if self.start.month == 1 and self.end.month == 12 and self.start.year == self.end.year:
                return f"{'năm ' if language == 'vi' else ''}{self.start.year}"
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


_MONTHS_EN = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4}
_COUNT = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_MONTH_NAMES = "|".join(sorted(_MONTHS_EN, key=len, reverse=True))
YEAR = r"((?:19|20)\d{2})"

# Order matters: each pattern consumes what it matched, so "tháng 01/2023" is not also "2023".
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("day_range", re.compile(rf"\b(\d{{1,2}})\s*[-–]\s*(\d{{1,2}})\s*/\s*(\d{{1,2}})\s*/\s*{YEAR}\b")),
    ("dmy", re.compile(rf"\b(\d{{1,2}})\s*/\s*(\d{{1,2}})\s*/\s*{YEAR}\b")),
    ("dmy_words", re.compile(rf"\bngay\s+(\d{{1,2}})\s+thang\s+(\d{{1,2}})\s+nam\s+{YEAR}\b")),
    ("dmy_en", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})\.?,?\s+{YEAR}\b")),
    ("mdy_en", re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s*{YEAR}\b")),
    ("months_vi", re.compile(rf"\b(\d{{1,2}}) thang(?: dau nam| nam)?\s*(?:nam\s+)?{YEAR}\b")),
    (
        "months_en",
        re.compile(rf"\bfirst (\d{{1,2}}|{'|'.join(_COUNT)}) months(?: of(?: the year)?)?\s*{YEAR}\b"),
    ),
    ("quarter_vi", re.compile(rf"\bquy\s+(i{{1,3}}|iv|[1-4])\s*(?:/|nam|-)?\s*{YEAR}\b")),
    (
        "quarter_en",
        re.compile(rf"\b(?:(first|second|third|fourth|last) quarter|q([1-4]))(?: of)?\s*{YEAR}\b"),
    ),
    ("month_vi", re.compile(rf"\bthang\s+(\d{{1,2}})\s*(?:/|nam|-)\s*{YEAR}\b")),
    ("month_en", re.compile(rf"\b({_MONTH_NAMES})\.?,?\s+(?:of\s+)?{YEAR}\b")),
    ("my", re.compile(rf"(?<![\d/])(\d{{1,2}})\s*/\s*{YEAR}\b")),
    ("years", re.compile(rf"\b{YEAR}\s*[-–]\s*{YEAR}\b")),
    ("year", re.compile(rf"\b{YEAR}\b")),
]


def _month(y: int, m: int) -> Period | None:
    if not 1 <= m <= 12:
        return None
    return Period(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))


def _months(y: int, first: int, last: int) -> Period | None:
    """Months first..last of year y ("quý 5" or "13 tháng" is no period)."""
    a, b = _month(y, first), _month(y, last)
    return Period(a.start, b.end) if a and b else None


def _day(y: int, m: int, d: int) -> Period | None:
    try:
        return Period(date(y, m, d), date(y, m, d))
    except ValueError:
        return None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _COUNT[word]


def _convert(kind: str, g: tuple[str, ...]) -> Period | None:
    if kind == "day_range":
        a, b = _day(int(g[3]), int(g[2]), int(g[0])), _day(int(g[3]), int(g[2]), int(g[1]))
        return Period(a.start, b.end) if a and b and a.start <= b.start else None
    if kind in ("dmy", "dmy_words"):
        return _day(int(g[2]), int(g[1]), int(g[0]))
    if kind == "dmy_en":
        return _day(int(g[2]), _MONTHS_EN[g[1]], int(g[0]))
    if kind == "mdy_en":
        return _day(int(g[2]), _MONTHS_EN[g[0]], int(g[1]))
    if kind in ("months_vi", "months_en"):
        return _months(int(g[1]), 1, _number(g[0]))
    if kind == "quarter_vi":
        q = _ROMAN.get(g[0]) or int(g[0])
        return _months(int(g[1]), 3 * q - 2, 3 * q)
    if kind == "quarter_en":
        q = _ORDINAL[g[0]] if g[0] else int(g[1])
        return _months(int(g[2]), 3 * q - 2, 3 * q)
    if kind == "month_vi" or kind == "my":
        return _month(int(g[1]), int(g[0]))
    if kind == "month_en":
        return _month(int(g[1]), _MONTHS_EN[g[0]])
    if kind == "years":
        first, last = int(g[0]), int(g[1])
        return Period(date(first, 1, 1), date(last, 12, 31)) if first <= last else None
    return Period(date(int(g[0]), 1, 1), date(int(g[0]), 12, 31))


def find_periods(text: str, subject_only: bool = False, year: int | None = None) -> list[Period]:
    """Every period the text names, most specific patterns first; document numbers
    ("29/2023/QĐ-UBND") are not periods. `subject_only` leaves out the periods a figure is compared
    with ("tăng 12,6% so với cùng kỳ năm 2022") and the dates instruments were issued ("Kế hoạch số
    95/KH-BCĐ ngày 12/12/2022"): what remains is what the text is about. With `year` (the
    document's, or another the question names), "tháng 8" and "9 tháng đầu năm" count in it."""
    return [p for p, _, _ in _scan(text, subject_only, year)]


def period_spans(text: str) -> list[tuple[int, int]]:
    """Where in `text` its periods are named, in reading order."""
    return sorted((a, b) for _, a, b in _scan(text))


_BASELINE = re.compile(
    r"\b(?:so voi|compared (?:with|to)|than|over)\s+(?:cung ky|the same period)?[^,;.()]{0,40}"
)
_ISSUED = re.compile(r"\s*,?\s*(?:ngay|dated|of|issued on)?\s*\d{1,2}\s*/\s*\d{1,2}\s*/\s*(?:19|20)\d{2}")


_MONTH_NO_YEAR = r"\bthang\s+(\d{1,2})\b(?!\s*(?:/|nam|-)\s*\d)"  # "tháng 8" with no year after it
# Read only when a year is known from elsewhere; each takes it as its last group.
_YEARLESS: list[tuple[str, re.Pattern]] = [
    ("months_vi", re.compile(r"\b(\d{1,2}) thang dau nam\b")),
    ("months_en", re.compile(rf"\bfirst (\d{{1,2}}|{'|'.join(_COUNT)}) months\b")),
    ("my", re.compile(_MONTH_NO_YEAR)),
]


def _scan(text: str, subject_only: bool = False, year: int | None = None) -> list[tuple[Period, int, int]]:
    chars = list(text)
    numbers = find_doc_numbers(text)
    for _, a, b in numbers:
        chars[a:b] = " " * (b - a)
    folded = fold("".join(chars))
    if len(folded) != len(text):  # fold keeps one character per character of NFC text; guard anyway
        return []
    if subject_only:
        for _, _, b in numbers:
            m = _ISSUED.match(folded, b)
            if m:
                folded = folded[:b] + " " * (m.end() - b) + folded[m.end() :]
        folded = _BASELINE.sub(lambda m: " " * len(m.group(0)), folded)
    found: list[tuple[Period, int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            period = _convert(kind, m.groups())
            if period is not None:
                found.append((period, m.start(), m.end()))
        folded = pattern.sub(lambda m: " " * len(m.group(0)), folded)
    for kind, pattern in _YEARLESS if year else []:
        for m in pattern.finditer(folded):
            period = _convert(kind, (*m.groups(), str(year)))
            if period is not None:
                found.append((period, m.start(), m.end()))
        folded = pattern.sub(lambda m: " " * len(m.group(0)), folded)
    return found


_MONTH_ALONE = re.compile(rf"{_MONTH_NO_YEAR}|\b({_MONTH_NAMES})\b(?!\.?,?\s+(?:of\s+)?\d)")


def months_without_year(text: str) -> list[int]:
    """ "tháng 2", "February" with no year: a follow-up takes the year from the turn before."""
    out = []
    for m in _MONTH_ALONE.finditer(fold(text)):
        month = int(m.group(1)) if m.group(1) else _MONTHS_EN[m.group(2)]
        if 1 <= month <= 12 and (m.group(1) or len(m.group(2)) > 3 or m.group(2) in ("may",)):
            out.append(month)
    return [x for x in out if x]


def relation(asked: Period, periods: list[Period], whole: bool = False) -> Relation:
    """How text naming `periods` stands to the asked period: about it (as specific or more),
    about a wider span holding it, about other periods only, or naming none. With `whole` (a
    figure is asked for), a period inside the asked one is not about it: January's revenue does
    not answer "the first nine months"."""
    if not periods:
        return "none"
    slack = 1.2 if whole else 1.5  # a year's total does not answer "the first nine months" either
    specific = [p for p in periods if p.days <= max(asked.days * slack, asked.days + 7)]
    if any(p.overlaps(asked) and (not whole or 2 * p.days >= asked.days) for p in specific):
        return "match"
    if any(p.overlaps(asked) for p in periods):
        return "broader" if not specific else "other"  # "tháng 01/2023 … năm 2023": about January
    return "other"
