"""Restoring diacritics to a question typed without them, from the corpus's own vocabulary.

"ai lam truong ban chi dao phat trien du lich" embeds poorly: the model reads it as another
language. Folded 1–3-syllable sequences of the stored sections map to their most frequent
written form; the question is rebuilt greedily, longest match first. Lexical search needs
none of this (it works on folded text); the dense side does.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from store.vietnamese import fold

_WORD = re.compile(r"\w+")
MAX_N = 3
# Question words rarely occur in directives; without these "ai" would become "ái".
QUESTION_FORMS = [
    "ai",
    "gì",
    "là gì",
    "nào",
    "bao nhiêu",
    "bao giờ",
    "khi nào",
    "ở đâu",
    "như thế nào",
    "thế nào",
    "mỗi ngày",
    "mỗi năm",
    "có",
    "không",
    "của",
    "về",
    "nói gì",
    "làm gì",
    "ai là",
    "ai ký",
    "người ký",
]


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


class Restorer:
    def __init__(self, texts: Iterable[str]):
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for form in QUESTION_FORMS:
            counts[fold(form)][form] += 1_000_000
        for text in texts:
            words = [w.lower() for w in _WORD.findall(text)]
            folded = [fold(w) for w in words]
            for n in range(1, MAX_N + 1):
                for i in range(len(words) - n + 1):
                    counts[" ".join(folded[i : i + n])][" ".join(words[i : i + n])] += 1
        self.forms = {key: c.most_common(1)[0][0] for key, c in counts.items()}

    def restore(self, text: str) -> str:
        words = _WORD.findall(text)
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_N, len(words) - i), 0, -1):
                form = self.forms.get(" ".join(fold(w) for w in words[i : i + n]))
                if form is not None:
                    out.append(form)
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)
