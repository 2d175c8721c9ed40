"""Word lists and pattern lists are data (store/data/, assistant/data/), one entry per line.

A list is domain knowledge that grows with the documents read — another portal's page chrome,
another family name, another agency — so it is edited as a file, and the code says only how it
is used. `#` starts a comment line; a repeated entry is refused with its line number, so a list
cannot silently carry two spellings of one decision.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from store.vietnamese import fold

DATA = Path(__file__).resolve().parent / "data"


def read_list(path: Path) -> list[str]:
    """The entries of a list file in file order, NFC."""
    entries: dict[str, int] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = unicodedata.normalize("NFC", line.strip())
        if not entry or entry.startswith("#"):
            continue
        if entry in entries:
            raise ValueError(f"{path.name}:{n}: {entry!r} repeats line {entries[entry]}")
        entries[entry] = n
    return list(entries)


def folded_words(path: Path) -> frozenset[str]:
    """A set of words matched on folded text (no marks, lower case): an entry written otherwise could
    never match, and is refused."""
    words = read_list(path)
    for word in words:
        if fold(word) != word:
            raise ValueError(f"{path.name}: {word!r} is matched folded; write it as {fold(word)!r}")
    return frozenset(words)


def alternation(path: Path) -> str:
    """The lines as the alternatives of one regular expression, in file order (the first that matches
    wins, so a longer entry stands before a shorter one it holds). A line that does not compile alone
    is refused with its name."""
    entries = read_list(path)
    for entry in entries:
        try:
            re.compile(entry)
        except re.error as e:
            raise ValueError(f"{path.name}: {entry!r} is not a regular expression: {e}") from None
    return "|".join(entries)
