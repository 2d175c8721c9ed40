"""The answer step: from the ranked evidence of a question, the quotes to cite — or none.

A reader proposes citations; the service verifies each against the stored text (assistant/verify.py)
and renders what survives (assistant/render.py), so any answer mode — this extractive one, or a
generative one that quotes — is held to the same exact-span rule. A second mode implements `read`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

from assistant.answer import Composer
from assistant.models import Citation, Evidence, Hit, Query


class Reading(NamedTuple):
    citations: list[Citation]  # proposed, not yet verified
    strength: float  # the evidence strength the decision was judged on (the eval calibrates on it)
    veto: str | None  # why nothing may be quoted ("period", "type", …), if so


class Reader(Protocol):
    def read(self, query: Query, hits: list[Hit], evidence: list[Evidence], baseline: float) -> Reading: ...


class ExtractiveReader:
    """Quotes answer units as they are: judged by period and answer type, then by evidence strength
    against the calibrated threshold; the best unit, its lead, close runners-up (assistant/answer.py)."""

    def __init__(self, composer: Composer, source_text: Callable[[str], str], threshold: float):
        self.composer, self.source_text, self.threshold = composer, source_text, threshold

    def read(self, query: Query, hits: list[Hit], evidence: list[Evidence], baseline: float) -> Reading:
        usable, strength, veto = self.composer.decide(query, hits, evidence, baseline)
        if veto is not None or strength < self.threshold:
            return Reading([], strength, veto)
        chosen = self.composer.choose(usable, self.source_text, query)
        return Reading([self.composer.citation(i + 1, e) for i, e in enumerate(chosen)], strength, veto)
