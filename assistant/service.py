"""The answer function every front end calls: question → Answer, with timings."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

from assistant.answer import Composer
from assistant.diacritics import Restorer, has_diacritics
from assistant.dialogue import Turn, resolve
from assistant.models import Answer, Filters, Retrieved
from assistant.query import parse_question, question_type
from assistant.reader import ExtractiveReader, Reader
from assistant.render import abstention, render
from assistant.retrieval import Retriever
from assistant.verify import verified
from store.errors import StoreDamaged
from store.index import Store
from store.vietnamese import find_doc_numbers

CALIBRATION = (
    Path(__file__).resolve().parent / "calibration.json"
)  # fitted on dev by `chidao eval --calibrate`
DAMAGED = {
    "vi": "Văn bản {source} không đọc được trong kho và đã được bỏ qua; chạy `chidao doctor --repair`.",
    "en": "{source} could not be read from the store and was left out; run `chidao doctor --repair`.",
}
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
        self.use_glossary = True  # the eval's ablation turns it off
        # The answer mode: the extractive reader, unless another is given (the same verification follows).
        self.reader: Callable[[Composer], Reader] = lambda composer: ExtractiveReader(
            composer, self.store.source_text, self.threshold
        )

    def _refresh(self) -> tuple[Composer, Restorer]:
        """Structures derived from the sections; the store rebuilds them when its documents change."""

        def build():
            sections = self.store.sections()
            # The vocabulary for restoring diacritics saturates long before a large store ends.
            sample = itertools.islice(sections.values(), RESTORER_SECTIONS)
            return (
                Composer(sections, self.store.manifest().documents, self.store.units()),
                Restorer(s.text for s in sample),
            )

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

    def ask(self, question: str, k: int = 5, filters: Filters | None = None, id=None, history=None) -> Answer:
        """Raises QuestionError for an empty or over-long question; otherwise always answers or abstains.

        `history`: the chat's earlier turns, oldest first — Answers, or plain questions (asked again
        here to learn what answered them)."""
        return self.assess(question, k, filters, id, history)[0]

    def understand(self, question: str, k: int = 5, filters: Filters | None = None, history=None):
        """Question → (as understood, Query, its abstention baseline, hits, ranked evidence,
        (embedded at, retrieved at))."""
        parse_question(question)  # an empty or over-long question is refused before anything else
        resolved = resolve(question, self.turns(history, filters))
        query = parse_question(resolved.question, glossary=self.use_glossary)
        query = query.model_copy(update={"context_sections": resolved.context_sections})
        composer, restorer = self._refresh()
        if query.language == "vi" and not has_diacritics(query.text):
            query = query.model_copy(update={"search_text": restorer.restore(query.text)})
        vector = self.embedder.embed_query(query.search_text)
        t1 = time.perf_counter()
        # One product with every unit vector serves the unit retriever, the answer step and the baseline.
        unit_scores = composer.units.scores(vector)
        hits = self.retriever.search(query, vector, k=max(k, 5), filters=filters, unit_scores=unit_scores)
        t2 = time.perf_counter()
        evidence = composer.evidence(query, hits, self.store.source_text, unit_scores)
        return resolved, query, composer.baseline(unit_scores), hits, evidence, (t1, t2)

    def turns(self, history, filters: Filters | None = None) -> list[Turn]:
        """Earlier turns as a follow-up may refer to them."""
        turns: list[Turn] = []
        answers: list[Answer] = []
        for item in history or []:
            answer = (
                item if isinstance(item, Answer) else self.ask(str(item), filters=filters, history=answers)
            )
            answers.append(answer)
            turns.append(turn_of(answer))
        return turns

    def assess(
        self, question: str, k: int = 5, filters: Filters | None = None, id=None, history=None
    ) -> tuple[Answer, float]:
        """The answer and the evidence strength it was judged on (the eval calibrates on it)."""
        try:
            answer, strength = self._assess(question, k, filters, id, history)
        except StoreDamaged:  # a stored text vanished under us: it is now left out, ask again without it
            answer, strength = self._assess(question, k, filters, id, history)
        if self.store.damaged:
            answer.warnings = [DAMAGED[answer.language].format(source=s) for s in sorted(self.store.damaged)]
        return answer, strength

    def _assess(self, question: str, k: int, filters: Filters | None, id, history) -> tuple[Answer, float]:
        t0 = time.perf_counter()
        resolved, query, baseline, hits, evidence, (t1, t2) = self.understand(question, k, filters, history)
        composer = self.composer()
        reading = self.reader(composer).read(query, hits, evidence, baseline)
        citations = verified(reading.citations, self.store.source_text)
        abstained = not citations
        t3 = time.perf_counter()
        return Answer(
            id=id,
            question=question,
            language=query.language,
            interpreted_question=resolved.question if resolved.question != question else None,
            answer=abstention(query, evidence, reading.veto, composer.records)
            if abstained
            else render(query, citations, composer.records),
            abstained=abstained,
            citations=citations,
            retrieved=[
                Retrieved(
                    source=h.section.source,
                    section=f"{h.section.path} — {h.section.title}",
                    text=h.section.text,
                    score=round(h.score, 6),
                )
                for h in hits[:k]
            ],
            timings_ms={
                "embed": round((t1 - t0) * 1000, 1),
                "retrieve": round((t2 - t1) * 1000, 1),
                "answer": round((t3 - t2) * 1000, 1),
                "total": round((t3 - t0) * 1000, 1),
            },
        ), (reading.strength if reading.veto is None else 0.0)


def turn_of(answer: Answer) -> Turn:
    """What a follow-up may refer to. "văn bản này" is the instrument the earlier question named, or
    the one its answer found when it asked which instrument; otherwise the earlier question itself."""
    asked = answer.interpreted_question or answer.question
    numbers = _numbers(asked)
    if not numbers and question_type(asked) == "document":
        numbers = [c.doc_number for c in answer.citations if c.doc_number]
    return Turn(
        question=asked,
        doc_numbers=list(dict.fromkeys(numbers)),
        sections=list(dict.fromkeys(c.section_id for c in answer.citations if c.section_id)),
    )


def _numbers(text: str) -> list[str]:
    return [n for n, _, _ in find_doc_numbers(text)]
