"""English → Vietnamese administrative terms, for English questions over Vietnamese text.

Folded English words collide with Vietnamese syllables ("the" ~ "thể", "can" ~ "cần"), so
BM25 on an English question is noise. An English question instead searches the lexical
index with the Vietnamese terms it names (and its names, numbers and acronyms), and the
dense query carries the same terms after the question, which raises cross-lingual cosine.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from assistant import DATA
from store.wordlists import folded_words


def load_terms(path: Path = DATA / "glossary.tsv") -> dict[str, str]:
    """English term (lower case) → Vietnamese as the documents write it; a repeated term is refused."""
    terms: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        english, sep, vietnamese = line.partition("\t")
        if not sep or not english.strip() or not vietnamese.strip() or english in terms:
            raise ValueError(f"{path.name}:{n}: not a new 'english<TAB>vietnamese' line: {line!r}")
        terms[english.strip().lower()] = unicodedata.normalize("NFC", vietnamese.strip())
    return terms


TERMS = load_terms()
STOPWORDS = folded_words(DATA / "stopwords_en.txt")
# Longest phrases first at match time.
_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in sorted(TERMS, key=len, reverse=True)) + r")\b", re.I
)


def vietnamese_terms(english: str) -> list[str]:
    """The Vietnamese terms an English question names, in order, without repeats."""
    return list(dict.fromkeys(TERMS[m.group(1).lower()] for m in _PATTERN.finditer(english)))


def untranslated_words(english: str) -> list[str]:
    """Words outside the lexicon worth matching as they are: names, numbers, acronyms."""
    rest = _PATTERN.sub(" ", english)
    return [
        w
        for w in re.findall(r"[\w/-]+", rest)
        if w.lower() not in STOPWORDS and (w[0].isupper() or any(c.isdigit() for c in w))
    ]
