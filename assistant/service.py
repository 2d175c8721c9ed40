"""The answer function every front end calls: question → Answer, with timings."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

from assistant.answer import ABSTAIN, Composer
from assistant.diacritics import Restorer, has_diacritics
from assistant.models import Answer, Filters, Retrieved
from assistant.query import parse_question
from assistant.retrieval import Retriever
from assistant.verify import verified
from store.index import Store

CALIBRATION = Path(__file__).resolve().parent.parent / "eval" / "calibration.json"
DEFAULT_MIN_EVIDENCE = 0.5
RESTORER_SECTIONS = 1000


def min_evidence() -> float:
    """The abstention threshold, calibrated on the gold set by `chidao eval --calibrate`."""
    try:
        return float(json.loads(CALIBRATION.read_text())["min_evidence"])
    except (OSError, KeyError, ValueError):
        return DEFAULT_MIN_EVIDENCE


class Assistant:
    def __init__(self, store: Store, embedder, threshold: float | None = None):
        self.store = store
        self.embedder = embedder
        self.retriever = Retriever(store, embedder)
        self.threshold = min_evidence() if threshold is None else threshold

    def _refresh(self) -> tuple[Composer, Restorer]:
        """Structures derived from the sections; the store rebuilds them when its documents change."""
        def build():
            sections = self.store.sections()
            # The vocabulary for restoring diacritics saturates long before a large store ends.
            sample = itertools.islice(sections.values(), RESTORER_SECTIONS)
            return Composer(sections, self.store.manifest().documents), Restorer(s.text for s in sample)
        return self.store.derived("answering", build)

    def warm(self) -> None:
        """Build what the first question would otherwise wait for (lexical index, derived tables, model)."""
        self.warm_structures()
        self.embedder.embed_query("chỉ đạo")

    def warm_structures(self) -> None:
        self.store.lexical()
        self._refresh()

    def composer(self) -> Composer:
        return self._refresh()[0]

    def ask(self, question: str, k: int = 5, filters: Filters | None = None, id=None) -> Answer:
        """Raises QuestionError for an empty or over-long question; otherwise always answers or abstains."""
        return self.assess(question, k, filters, id)[0]

    def assess(self, question: str, k: int = 5, filters: Filters | None = None, id=None) -> tuple[Answer, float]:
        """The answer and the evidence strength it was judged on (the eval calibrates on it)."""
        t0 = time.perf_counter()
        query = parse_question(question)
        composer, restorer = self._refresh()
        if query.language == "vi" and not has_diacritics(query.text):
            query = query.model_copy(update={"search_text": restorer.restore(query.text)})
        vector = self.embedder.embed_query(query.search_text)
        t1 = time.perf_counter()
        hits = self.retriever.search(query, vector, k=max(k, 3), filters=filters)
        t2 = time.perf_counter()
        evidence = composer.evidence(query, hits, self.store.source_text)
        strength = composer.strength(query, hits, evidence)
        citations = []
        if strength >= self.threshold:
            chosen = composer.choose(evidence)
            citations = verified([composer.citation(i + 1, e) for i, e in enumerate(chosen)], self.store.source_text)
        abstained = not citations
        t3 = time.perf_counter()
        return Answer(
            id=id, question=question, language=query.language,
            answer=ABSTAIN[query.language] if abstained else composer.render(query, citations),
            abstained=abstained, citations=citations,
            retrieved=[
                Retrieved(source=h.section.source, section=f"{h.section.path} — {h.section.title}",
                          text=h.section.text, score=round(h.score, 6))
                for h in hits[:k]
            ],
            timings_ms={"embed": round((t1 - t0) * 1000, 1), "retrieve": round((t2 - t1) * 1000, 1),
                        "answer": round((t3 - t2) * 1000, 1), "total": round((t3 - t0) * 1000, 1)},
        ), strength
