"""The answer function every front end calls: question → Answer, with timings."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

from assistant.answer import ABSTAIN, ABSTAIN_PERIOD, Composer
from assistant.diacritics import Restorer, has_diacritics
from assistant.dialogue import Turn, resolve
from assistant.models import Answer, Filters, Query, Retrieved
from assistant.periods import Period, find_periods
from assistant.query import parse_question, question_type
from assistant.retrieval import Retriever
from assistant.verify import verified
from store.index import Store, StoreDamaged
from store.vietnamese import find_doc_numbers

CALIBRATION = Path(__file__).resolve().parent.parent / "eval" / "calibration.json"
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
        usable, strength, veto = composer.decide(query, hits, evidence, baseline)
        citations = []
        if veto is None and strength >= self.threshold:
            chosen = composer.choose(usable, self.store.source_text, query)
            citations = verified(
                [composer.citation(i + 1, e) for i, e in enumerate(chosen)], self.store.source_text
            )
        abstained = not citations
        t3 = time.perf_counter()
        return Answer(
            id=id,
            question=question,
            language=query.language,
            interpreted_question=resolved.question if resolved.question != question else None,
            answer=_abstention(query, evidence, veto, composer.records)
            if abstained
            else composer.render(query, citations),
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
        ), (strength if veto is None else 0.0)


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


def _abstention(query: Query, evidence, veto: str | None, records) -> str:
    """Say what the documents do cover when the question names a period they do not."""
    # Say so when the question's topic is there, but for other periods: the period check removed
    # everything, or the closest unit of all is about another period.
    other_period = veto == "period" or (
        bool(query.periods) and bool(evidence) and evidence[0].features.get("period", 0.0) == -1.0
    )
    if not other_period or not evidence:
        return ABSTAIN[query.language]
    covered: list[str] = []
    for e in [e for e in evidence if e.features.get("period", 0.0) == -1.0][:5]:
        record = records.get(e.hit.section.source)
        whole = (
            [Period(record.period_start, record.period_end)]
            if record and record.period_start and record.period_end
            else []
        )
        for p in find_periods(e.quote, subject_only=True)[:1] or whole:
            label = p.label(query.language)
            if label not in covered:
                covered.append(label)
    asked = ", ".join(Period(a, b).label(query.language) for a, b in query.periods)
    if not covered:
        return ABSTAIN[query.language]
    return ABSTAIN_PERIOD[query.language].format(asked=asked, covered=", ".join(covered[:3]))
