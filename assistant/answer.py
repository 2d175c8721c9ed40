"""Hits → Evidence (answer units, ranked) → a short extractive Answer, or an abstention.

The answer units (store/units.py) of the top sections are the candidates. Two checks decide which
of them an answer may quote at all, whatever the ranking: a unit about another period than the
one asked (assistant/periods.py) is out, and so is one that does not carry the asked kind of fact
(assistant/answer_types.py: who → a person or office, how many → a figure, when → a date, which
document → a number). The rest are ranked by a weighted sum of features — the embedder's cosine
between the question and the unit (with its lead), lexical coverage, type, period, section rank
and a few shapes. The weights live in assistant/unit_weights.json; `chidao eval --fit-units` fits
candidates on the dev split, and one is adopted only if it beats the weights in force on held-out
and fresh (so far none has: the cosine alone ranks best). The answer quotes the best unit, its
lead when it has one (a footnote's marker sentence, a list's "…:" line), and close runners-up;
nothing is paraphrased.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

from assistant import DATA, answer_types
from assistant.models import Citation, Evidence, Hit, Query
from assistant.periods import Period, find_periods, relation
from store.catalogue import DocumentRecord, document_province
from store.header import identity_line, provinces_named
from store.settings import settings
from store.units import Unit, section_units
from store.vietnamese import doc_number_key, fold, lexical_tokens, syllables
from store.wordlists import folded_words

WEIGHTS_FILE = Path(__file__).resolve().parent / "unit_weights.json"
FEATURES = ("dense", "coverage", "residual", "type", "rank", "period", "docnum", "length", "heading", "lead")
DEFAULT_WEIGHTS = {
    "dense": 1.0,
    "coverage": 0.3,
    "residual": 0.3,
    "type": 0.15,
    "rank": 0.1,
    "period": 0.15,
    "docnum": 0.3,
    "length": -0.03,
    "heading": -0.2,
    "lead": 0.0,
}
TOP_SECTIONS = 5  # sections whose units are ranked: the same five that hit@5 counts
MAX_QUOTES = 3
# Words of a question that are not what it asks about; the home province's name is one of them.
_QUESTION_WORDS = folded_words(DATA / "question_words.txt")


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))["weights"]
        return {f: float(saved.get(f, DEFAULT_WEIGHTS[f])) for f in FEATURES}
    except (OSError, KeyError, ValueError):
        return dict(DEFAULT_WEIGHTS)


class Composer:
    def __init__(self, sections: dict, records: dict[str, DocumentRecord], units=None):
        self.records = records
        self.units = units  # store.vectors.UnitIndex: the answer units stored at ingest, with vectors
        self.weights = load_weights()
        df: Counter[str] = Counter()
        for s in sections.values():
            df.update(set(lexical_tokens(s.text)))
        self.n = max(1, len(sections))
        self.df = df
        self._tokens: dict[tuple[str, int, int], set[str]] = {}
        self._periods: dict[object, list[Period]] = {}
        self._stated: dict[str, set[str]] = {}  # section id → the numbers its text states
        self._places: dict[str, set[str]] = {}  # section id → the provinces it names

    def idf(self, token: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(token, 0)))

    def _coverage(self, terms: list[str], sentence: str, key=None) -> float:
        """IDF-weighted share of the question's syllables and bigrams that the sentence contains."""
        if not terms:
            return 0.0
        s = self._tokens.get(key) if key is not None else None
        if s is None:
            s = set(lexical_tokens(sentence))
            if key is not None:
                self._tokens[key] = s
        unigrams = set(terms)
        bigrams = {f"{a}_{b}" for a, b in zip(terms, terms[1:])}
        uni = sum(self.idf(t) for t in unigrams if t in s) / sum(self.idf(t) for t in unigrams)
        bi = (
            sum(self.idf(b) for b in bigrams if b in s) / sum(self.idf(b) for b in bigrams)
            if bigrams
            else uni
        )
        return 0.5 * uni + 0.5 * bi

    @staticmethod
    def _terms(query: Query) -> list[str]:
        # query.tokens: the question's syllables, or for an English question its Vietnamese terms.
        skip = _QUESTION_WORDS | set(fold(settings().home_province).split())
        return [t for t in query.tokens if "_" not in t and t not in skip]

    def _periods_of(self, key, text: str, source: str | None = None) -> list[Period]:
        """Periods a unit or heading is about; "tháng 8", "9 tháng đầu năm" in the year of its document."""
        if key not in self._periods:
            record = self.records.get(source) if source else None
            year = record.period_end.year if record and record.period_end else None
            self._periods[key] = find_periods(text, subject_only=True, year=year)
        return self._periods[key]

    def period_fit(self, query: Query, hit: Hit, unit_key, matched: str) -> float:
        """1: the unit names the asked period; 0.5: its headings or document are about it; 0: its
        section speaks of that period somewhere (a plan for that year); -1: it, or else its headings,
        or else its document, is about other periods (the answer to another question). The nearest
        says first; a wider period ("năm 2023") does not answer a month, and for a figure a part
        ("tháng 01") does not answer the whole ("9 tháng đầu năm")."""
        if not query.periods:
            return 0.0
        asked = [Period(a, b) for a, b in query.periods]
        whole = query.qtype == "number"  # a figure must be of the whole asked period

        def rel(q: Period, periods: list[Period]) -> str:
            return relation(q, periods, whole)

        own = self._periods_of(unit_key, matched, hit.section.source)
        if any(rel(q, own) == "match" for q in asked):
            return 1.0
        if all(rel(q, own) == "other" for q in asked):
            return -1.0  # names only other periods, as specific as the asked one or more
        s = hit.section
        headings = self._periods_of(("heading", s.id), f"{s.context}\n{s.title}", s.source)
        if any(rel(q, headings) == "match" for q in asked):
            return 0.5
        around = self._periods_of(("section", s.id), s.text, s.source)
        if any(rel(q, around) == "match" for q in asked):
            return 0.0  # its section names the asked period ("trong 9 tháng đầu năm …" a sentence before)
        if all(rel(q, headings) == "other" for q in asked):
            return -1.0  # its title is about another period ("Kế hoạch … năm 2024" for a 2023 question)
        record = self.records.get(s.source)
        context = list(headings)
        if record and record.period_start and record.period_end:
            context.append(Period(record.period_start, record.period_end))
        if any(rel(q, context) == "match" for q in asked):
            return 0.5
        return -1.0 if context and all(rel(q, context) in ("other", "none") for q in asked) else 0.0

    def evidence(
        self,
        query: Query,
        hits: list[Hit],
        source_text,
        unit_scores: np.ndarray | None = None,
        top_sections: int = TOP_SECTIONS,
    ) -> list[Evidence]:
        """Every answer unit of the top sections, scored, best first. `unit_scores`: the question's
        cosine to every unit of `self.units` (UnitIndex.scores)."""
        if not hits:
            return []
        if query.qtype == "signer":
            # A signature block signs its own document only: "who signed 2230/QĐ-UBND?" is not answered by
            # the block of a digest that reports on it (the units may still say who signed it).
            block = next((h for h in hits if h.section.role == "signature" and self._signs(h, query)), None)
            if block is not None:  # the whole block, title and name: consecutive lines, one exact span
                text = source_text(block.section.source)
                start, end = block.section.spans[0].start, block.section.spans[-1].end
                quote = text[start:end]
                return [
                    Evidence(
                        hit=block,
                        start=start,
                        end=end,
                        quote=quote,
                        score=1.0,
                        kind="signature",
                        features={
                            "type": answer_types.who(quote),
                            "dense": 1.0,
                            "period": self.period_fit(query, block, (block.section.id, start, end), quote),
                        },
                    )
                ]
        terms = self._terms(query)
        w = self.weights
        found: list[Evidence] = []
        for rank, hit in enumerate(hits[:top_sections]):
            s = hit.section
            text = source_text(s.source)
            stored = self.units.of_section(s.id) if self.units is not None else None
            if stored is not None and unit_scores is not None:
                units, rows = stored
                dense = unit_scores[rows]
            else:  # a document stored before units existed: cut now, score with the section's cosine
                units = section_units(s, text)
                dense = np.full(len(units), hit.dense, dtype=np.float32)
            # Words the section's title already explains pick the section; the rest pick the unit.
            title = set(syllables(s.title))
            residual = [t for t in terms if t not in title]
            for unit, cosine in zip(units, dense):
                quote = text[unit.start : unit.end]
                matched = unit.matched_text(text)
                key = (s.id, unit.start, unit.end)
                coverage = self._coverage(terms, matched, key)
                carried = answer_types.carries(query.qtype, quote, terms, query.search_text)
                f = {
                    "dense": float(cosine),
                    "coverage": coverage,
                    "residual": self._coverage(residual, matched, key) if residual else coverage,
                    "type": carried if carried is not None else 0.0,
                    "rank": 1 / (1 + rank),
                    "period": self.period_fit(query, hit, key, matched),
                    "docnum": float(any(k in fold(quote).replace(" ", "") for k in query.doc_number_keys)),
                    "length": max(0.0, math.log2(len(quote) / 200)),
                    "heading": float(_is_heading(s, unit, quote) or s.role == "overview"),
                    "lead": float(unit.lead_start is not None),
                }
                found.append(
                    Evidence(
                        hit=hit,
                        start=unit.start,
                        end=unit.end,
                        quote=quote,
                        kind=unit.kind,
                        lead_start=unit.lead_start,
                        lead_end=unit.lead_end,
                        score=sum(w[k] * f[k] for k in FEATURES),
                        features=f,
                    )
                )
        return sorted(found, key=lambda e: e.score, reverse=True)

    @staticmethod
    def _names(hit: Hit, query: Query) -> bool:
        """The section is about, or names, an instrument the question names."""
        s = hit.section
        return any(
            query.names(doc_number_key(n)) for n in ([s.instrument] if s.instrument else []) + s.doc_numbers
        )

    def _signs(self, hit: Hit, query: Query) -> bool:
        """A signature block answers "who signed X" only when X is its own document."""
        if not (query.doc_number_keys or query.bare_numbers):
            return True
        record = self.records.get(hit.section.source)
        return record is not None and bool(record.number) and query.names(doc_number_key(record.number or ""))

    def decide(
        self, query: Query, hits: list[Hit], evidence: list[Evidence], baseline: float = 0.0
    ) -> tuple[list[Evidence], float, str | None]:
        """The evidence an answer may use (best first), the strength to compare with the calibrated
        threshold, and why not to answer whatever the strength: "period" (only other periods are
        spoken of), "type" (nothing carries the asked kind of fact), "number" (the asked instrument
        is named nowhere), "place" (another province's question), "stated" (a number it states, unstated).

        The strength is the best unit's cosine above `baseline`, the question's typical cosine to any
        unit (the median, `baseline()`): an English question sits lower on the cosine scale than a
        Vietnamese one, and this puts both on one scale."""
        usable, veto = self.usable(query, hits, evidence)
        if veto:
            return [], 0.0, veto
        if self.exact(query, hits):
            return usable, 2.0, None
        dense = usable[0].features.get("dense", 0.0)
        return usable, dense - baseline, None

    @staticmethod
    def baseline(unit_scores: np.ndarray | None) -> float:
        return float(np.median(unit_scores)) if unit_scores is not None and len(unit_scores) else 0.0

    @staticmethod
    def exact(query: Query, hits: list[Hit]) -> bool:
        return any(h.exact_number for h in hits[:3]) and bool(query.doc_number_keys or query.bare_numbers)

    def usable(
        self, query: Query, hits: list[Hit], evidence: list[Evidence]
    ) -> tuple[list[Evidence], str | None]:
        """The candidates an answer may quote, whatever the weights: about the asked period (or not
        about another) and carrying the asked type of fact."""
        if not hits or not evidence:
            return [], "weak"
        exact = self.exact(query, hits)
        if query.doc_number_keys and not exact:
            return [], "number"  # a question about a numbered instrument no document names
        usable = evidence
        if exact:
            # A question naming an instrument is answered from the sections about it (or naming it);
            # a signature block signs only its own document.
            about = [
                e
                for e in usable
                if self._names(e.hit, query)
                and (e.hit.section.role != "signature" or self._signs(e.hit, query))
            ]
            usable = about or usable
        if query.qtype in ("number", "other"):
            # "Số: 240/KH-UBND" or the dateline names the instrument the question is about; it says
            # nothing it was asked about ("what does it decide?", "how many …?").
            usable = [e for e in usable if not (e.hit.section.role == "header" and identity_line(e.quote))]
            if not usable:
                return [], "weak"
        if query.periods:
            usable = [e for e in usable if e.features.get("period", 0.0) > -1.0]
            if not usable:
                return [], "period"
        # A question naming its instrument still asks for a fact of the asked type ("Quyết định X
        # công bố bao nhiêu thủ tục?"); only "which document" is answered by the number itself.
        if query.qtype in answer_types.TYPED and not (exact and query.qtype == "document"):
            usable = [e for e in usable if e.features.get("type", 0.0) > 0.0]
            if not usable:
                return [], "type"
        # "Cao Bằng's turnover": a province the question names is the document's own, or its section's
        # subject; another province's figure is not the answer.
        if places := provinces_named(query.original):
            usable = [e for e in usable if self._about_place(e.hit, places)]
            if not usable:
                return [], "place"
        # "phase 3", "tuyến số 5": a section that never states the number speaks of another one.
        if stated := answer_types.stated_numbers(query.text):
            usable = [e for e in usable if stated <= self._numbers_about(e.hit.section)]
            if not usable:
                return [], "stated"
        return usable, None

    def _about_place(self, hit: Hit, places: set[str]) -> bool:
        """The document is of a province asked about, or its section names one the way a question does
        (capitalised: "diễn biến" is not Điện Biên, "hòa bình" not Hòa Bình)."""
        s = hit.section
        record = self.records.get(s.source)
        own = fold(document_province(record))
        if any(fold(p) == own for p in places):
            return True
        if s.id not in self._places:
            self._places[s.id] = provinces_named(f"{s.context}\n{s.title}\n{s.text}")
        return bool(self._places[s.id] & places)

    def _numbers_about(self, section) -> set[str]:
        if section.id not in self._stated:
            self._stated[section.id] = answer_types.numbers_in(
                f"{section.context}\n{section.title}\n{section.text}"
            )
        return self._stated[section.id]

    def choose(
        self, evidence: list[Evidence], source_text=None, query: Query | None = None
    ) -> list[Evidence]:
        """The best unit (after its lead, when it has one), plus close runners-up: at most 3 units.

        A runner-up from another section must be nearly as strong as the best: a neighbouring
        committee's decision quoted beside the right one reads as part of the answer. A question
        asking about several periods ("tháng 01/2023 và 9 tháng năm 2023") gets the best unit
        about each."""
        if not evidence:
            return []
        top = evidence[0]
        chosen = [top]
        if query is not None and len(query.periods) > 1:
            for period in query.periods[:MAX_QUOTES]:
                alone = query.model_copy(update={"periods": [period]})
                about = [
                    e
                    for e in evidence
                    if self.period_fit(alone, e.hit, (e.hit.section.id, e.start, e.end), e.quote) > 0
                ]
                # "9 tháng năm 2023" is answered by a nine-month figure, not by January's.
                asked = Period(*period)
                whole = [
                    e
                    for e in about
                    if any(
                        p.overlaps(asked) and 2 * p.days >= asked.days
                        for p in self._periods_of(
                            (e.hit.section.id, e.start, e.end), e.quote, e.hit.section.source
                        )
                    )
                ]
                best = next(iter(whole or about), None)
                if (
                    best is not None
                    and len(chosen) < MAX_QUOTES
                    and not any(_overlap(best, c) for c in chosen)
                ):
                    chosen.append(best)
        if (
            top.lead_start is not None
            and source_text is not None
            and not (top.start <= top.lead_start < top.end)
        ):
            text = source_text(top.hit.section.source)
            chosen.insert(
                0,
                top.model_copy(
                    update={
                        "start": top.lead_start,
                        "end": top.lead_end,
                        "kind": "lead",
                        "quote": text[top.lead_start : top.lead_end],
                    }
                ),
            )
        for e in evidence[1:]:
            if len(chosen) >= MAX_QUOTES:
                break
            if any(_overlap(e, c) for c in chosen):
                continue
            same_section = e.hit.section.id == top.hit.section.id
            adjacent = same_section and any(
                0 <= e.start - c.end <= 3 or 0 <= c.start - e.end <= 3 for c in chosen
            )
            gap = top.score - e.score
            if (
                (adjacent and gap <= 0.06)
                or (same_section and gap <= 0.03)
                or (not same_section and gap <= 0.01)
            ):
                chosen.append(e)
        order = list(dict.fromkeys(e.hit.section.id for e in chosen))
        return sorted(chosen, key=lambda e: (order.index(e.hit.section.id), e.start))

    def citation(self, n: int, e: Evidence) -> Citation:
        s = e.hit.section
        record = self.records.get(s.source)
        number = s.instrument or (record.number if record else None)
        when = s.instrument_date
        if when is None and record and record.period_start and record.period_start == record.period_end:
            when = record.period_start  # a notice's meeting date
        return Citation(
            n=n,
            source=s.source,
            section=f"{s.path} — {s.title}" if s.title != s.path else s.path,
            section_id=s.id,
            doc_number=number,
            date=when,
            quote=e.quote,
            start=e.start,
            end=e.end,
            document=record.title if record else s.source,
        )


def _overlap(a: Evidence, b: Evidence) -> bool:
    return a.hit.section.source == b.hit.section.source and a.start < b.end and b.start < a.end


def _is_heading(section, unit: Unit, quote: str) -> bool:
    """A title line above its body restates the topic; it answers nothing by itself."""
    return (
        unit.start == section.spans[0].start
        and len(section.spans) > 1
        and len(quote) < 160
        and not quote.endswith(".")
    )
