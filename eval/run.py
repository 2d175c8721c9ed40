"""`chidao eval`: retrieval, answer, citation and abstention quality on the gold questions.

Gold lines: {"id", "category", "split", "question", "source", "section_contains", "answer_contains"}
for answerable questions — or "relevant": [{"source", "section_contains"}, …] and a list of
"answer_contains" for a question whose answer spans documents — and
{"id", "category", "split", "question", "answerable": false} for the rest.
A dialogue turn adds "history": the earlier questions of the chat, in order; it is asked with them.
"dev" questions were used while tuning; "heldout" ones were written before later tuning; "fresh"
ones were written blind (from the documents only) and committed before the answer-unit work;
"blind2" ones were written blind again (80 lines, 30 near-topic unanswerables, 5 dialogues) and
committed before any later answer or retrieval change; "near-…" lines are 36 blind pairs (a near-topic
unanswerable and its answerable twin): half the pairs, drawn at random, joined "dev" to tune abstention
on, the other half are "blind3"; "blind4" (70 lines: 35 answerable, 35 near-topic unanswerables of
five kinds — wrong period, wrong metric, an official not named, a detail not given, another province)
was written blind and committed before the asked-noun check; "pair-…" lines (40 pairs of an answerable
question and its near-topic twin, by the same five kinds) were written blind for "dev", to tune
abstention on; "blind5" (64 lines: 32 answerable, 32 near-topic unanswerables, half English) was
written blind and committed before the answer-support check — never tune on heldout, fresh, blind2,
blind3, blind4 or blind5.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, model_validator

from assistant.query import detect_language
from assistant.service import CALIBRATION
from store.ingest import sample_corpus

K_RETRIEVE = 10
THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"
# Gated per split; "at most" for rates that must stay low, "at least" for the rest.
AT_MOST = ("false_abstention_rate",)


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, dict[str, float]]:
    """{split: {metric: threshold}}: every split is gated on its own (a tuned split cannot carry another)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {split: {k: float(v) for k, v in metrics.items()} for split, metrics in raw["splits"].items()}


def gate(by_split: dict[str, dict], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """The gated metrics past their recorded thresholds, one line each (empty: the gate passes)."""
    failures = []
    for split, metrics in thresholds.items():
        figures = by_split.get(split)
        if figures is None:
            failures.append(f"{split}: no questions of this split were evaluated")
            continue
        for k, t in metrics.items():
            v = figures.get(k)
            if v is None or (v > t if k in AT_MOST else v < t):
                failures.append(
                    f"{split}: {k} = {v} is {'above' if k in AT_MOST else 'below'} the recorded threshold {t}"
                )
    return failures


class Relevant(BaseModel):
    source: str
    section_contains: str


class GoldQuestion(BaseModel):
    id: str
    category: str
    question: str
    split: str = "dev"
    answerable: bool = True
    source: str | None = None
    section_contains: str | None = None
    relevant: list[Relevant] = []
    answer_contains: str | list[str] | None = None
    history: list[str] = []  # earlier questions of the same chat, oldest first
    dialogue: str | None = None
    turn: int | None = None

    @model_validator(mode="after")
    def _one_shape(self):
        if self.source and self.section_contains and not self.relevant:
            self.relevant = [Relevant(source=self.source, section_contains=self.section_contains)]
        if isinstance(self.answer_contains, str):
            self.answer_contains = [self.answer_contains]
        return self

    def answered_by(self, answer) -> bool:
        """Answered, and the citations quote every expected string."""
        quotes = [_squash(c.quote) for c in answer.citations]
        return bool(
            self.answerable
            and not answer.abstained
            and all(any(_squash(a) in quote for quote in quotes) for a in self.answer_contains)
        )

    def is_relevant(self, source: str, text: str) -> bool:
        return any(r.source == source and _squash(r.section_contains) in _squash(text) for r in self.relevant)


def load_gold(path: Path) -> list[GoldQuestion]:
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ValueError(f"cannot read gold file {path}: {e.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = GoldQuestion.model_validate_json(line)
        except Exception as e:  # pydantic's message is long; one line is enough here
            raise ValueError(f"{path}:{n}: not a gold question ({str(e).splitlines()[0]})") from None
        if q.answerable and not (q.relevant and q.answer_contains):
            raise ValueError(
                f"{path}:{n}: an answerable question needs source and section_contains "
                "(or relevant) and answer_contains"
            )
        questions.append(q)
    if not questions:
        raise ValueError(f"{path} holds no questions")
    return questions


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _exact_span(docs_dir: Path, version: str, source: str, quote: str, start: int, end: int) -> bool:
    """Re-check a citation from the stored file itself, not through the answer code."""
    text = (docs_dir / f"{source}.{version}.txt").read_text(encoding="utf-8")
    return 0 <= start < end <= len(text) and text[start:end] == quote


def _in_original(
    originals: dict[str, str | None], source: str, quote: str, start: int, end: int
) -> bool | None:
    """Re-check a citation against the original file as read from the corpus folder (None: no such file),
    so a stored text that drifted from its source cannot vouch for itself."""
    if source not in originals:
        from store.reader import ReadError, read_document

        path = sample_corpus() / source
        try:
            originals[source] = read_document(path)[0] if path.is_file() else None
        except ReadError:
            originals[source] = None
    text = originals[source]
    return None if text is None else text[start:end] == quote


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, rounded to 0.1 (milliseconds here)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 1)


def _best_threshold(strengths: list[tuple[float, bool]]) -> float:
    """The threshold that makes the most right abstain/answer decisions: of the gaps between
    neighbouring strengths where it could go with that many right, the midpoint of the widest
    (the largest margin to the questions on either side)."""
    points = sorted({s for s, _ in strengths})
    gaps = [(points[0] - 1.0, points[0])] + list(zip(points, points[1:])) + [(points[-1], points[-1] + 1.0)]

    def correct(t: float) -> int:
        return sum((s >= t) == should_answer for s, should_answer in strengths)

    scored = [(correct((a + b) / 2), b - a, (a + b) / 2) for a, b in gaps]
    best = max(c for c, _, _ in scored)
    # An open end (below all, above all) counts as no wider than the widest inner gap.
    inner = max((w for c, w, _ in scored[1:-1] if c == best), default=0.0)
    _, threshold = max(
        (min(w, inner) if i in (0, len(scored) - 1) else w, t)
        for i, (c, w, t) in enumerate(scored)
        if c == best
    )
    return round(threshold, 4)


def run_eval(assistant, questions: list[GoldQuestion], calibrate: bool = False) -> dict:
    if calibrate:
        # Fitted on the dev split only, so the held-out figures stay out-of-sample.
        assistant.threshold = 0.0
        judged = [
            (assistant.assess(q.question, k=K_RETRIEVE, history=q.history)[1], q.answerable)
            for q in questions
            if q.split == "dev"
        ]
        threshold = _best_threshold(judged)
        CALIBRATION.write_text(
            json.dumps(
                {
                    "min_evidence": threshold,
                    "questions": len(judged),
                    "split": "dev",
                    "calibrated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "note": "fitted on eval/gold.jsonl by `chidao eval --calibrate`",
                },
                indent=1,
            )
            + "\n"
        )
        assistant.threshold = threshold

    if hasattr(assistant.embedder, "clear_cache"):
        assistant.embedder.clear_cache()  # latencies below include embedding each question
    rows = []
    manifest = assistant.store.manifest().documents
    originals: dict[str, str | None] = {}
    for q in questions:
        answer = assistant.ask(q.question, k=K_RETRIEVE, history=q.history)
        relevant = [q.answerable and q.is_relevant(r.source, r.text) for r in answer.retrieved]
        valid = [
            _exact_span(
                assistant.store.docs_dir, manifest[c.source].version, c.source, c.quote, c.start, c.end
            )
            and _in_original(originals, c.source, c.quote, c.start, c.end) is not False
            for c in answer.citations
        ]
        cited = [assistant.store.section_at(c.source, c.start, c.end) for c in answer.citations]
        rows.append(
            {
                "id": q.id,
                "category": q.category,
                "split": q.split,
                "answerable": q.answerable,
                "abstained": answer.abstained,
                "rank": relevant.index(True) + 1 if any(relevant) else None,
                "ndcg@10": _ndcg(relevant[:10], len(q.relevant)) if q.answerable else None,
                "answer_ok": q.answered_by(answer),
                "citations": len(valid),
                "valid_citations": sum(valid),
                "relevant_citations": sum(
                    bool(s) and q.answerable and q.is_relevant(s.source, s.text) for s in cited
                ),
                "ms": answer.timings_ms["total"],
                "english": detect_language(q.question) == "en",
                "turn": q.turn,
            }
        )
    return {
        "threshold": assistant.threshold,
        "overall": _metrics(rows),
        "english_without_glossary": _glossary_ablation(assistant, questions, rows),
        "dialogue_turns": _metrics([r for r in rows if r["turn"]]),
        "by_split": {
            s: _metrics([r for r in rows if r["split"] == s]) for s in sorted({r["split"] for r in rows})
        },
        "by_category": {
            c: _metrics([r for r in rows if r["category"] == c])
            for c in sorted({r["category"] for r in rows})
        },
        "questions": rows,
    }


def _glossary_ablation(assistant, questions: list[GoldQuestion], rows: list[dict]) -> dict:
    """English answerable questions answered with and without the English→Vietnamese glossary:
    what the embedder's own cross-lingual sense carries."""
    english = [(q, r) for q, r in zip(questions, rows) if r["english"] and q.answerable]
    assistant.use_glossary = False
    try:
        without = [
            q.answered_by(assistant.ask(q.question, k=K_RETRIEVE, history=q.history)) for q, _ in english
        ]
    finally:
        assistant.use_glossary = True
    n = len(english)
    return {
        "questions": n,
        "answer_accuracy_with": round(sum(r["answer_ok"] for _, r in english) / n, 3) if n else None,
        "answer_accuracy_without": round(sum(without) / n, 3) if n else None,
    }


def _ndcg(relevant: list[bool], n_relevant: int) -> float:
    """Binary-relevance nDCG: several retrieved sections may be relevant to one question."""
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(relevant) if r)
    # The relevant set is known only through what matched: at least one per spec, more if more matched.
    n_ideal = min(len(relevant), max(n_relevant, sum(relevant), 1))
    ideal = sum(1 / math.log2(i + 2) for i in range(n_ideal))
    return round(dcg / ideal, 4) if ideal else 0.0


def _metrics(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    citations = sum(r["citations"] for r in rows)

    def share(xs: list[bool]) -> float | None:
        return round(sum(xs) / len(xs), 3) if xs else None

    return {
        "questions": len(rows),
        "hit@1": share([r["rank"] == 1 for r in answerable]),
        "hit@5": share([r["rank"] is not None and r["rank"] <= 5 for r in answerable]),
        "mrr": round(statistics.fmean([1 / r["rank"] if r["rank"] else 0.0 for r in answerable]), 3)
        if answerable
        else None,
        "ndcg@10": round(statistics.fmean([r["ndcg@10"] for r in answerable]), 3) if answerable else None,
        "answer_accuracy": share([r["answer_ok"] for r in answerable]),
        "citation_validity": round(sum(r["valid_citations"] for r in rows) / citations, 3)
        if citations
        else 1.0,
        "citation_precision": round(sum(r["relevant_citations"] for r in rows) / citations, 3)
        if citations
        else None,
        "abstention_accuracy": share([r["abstained"] != r["answerable"] for r in rows]),
        "false_abstention_rate": share([r["abstained"] for r in answerable]),
        "unanswerable_abstained": share([r["abstained"] for r in unanswerable]),
        "latency_p50_ms": percentile([r["ms"] for r in rows], 50),
        "latency_p95_ms": percentile([r["ms"] for r in rows], 95),
    }


def print_report(result: dict, console) -> None:
    from rich.table import Table

    columns = [
        "questions",
        "hit@1",
        "hit@5",
        "mrr",
        "ndcg@10",
        "answer_accuracy",
        "citation_validity",
        "citation_precision",
        "abstention_accuracy",
        "unanswerable_abstained",
        "false_abstention_rate",
        "latency_p50_ms",
        "latency_p95_ms",
    ]
    table = Table("", *columns, title=f"chidao eval (abstention threshold {result['threshold']})")
    groups = (
        list(result["by_category"].items())
        + [("", None)]
        + [(f"split: {k}", v) for k, v in result["by_split"].items()]
        + [("dialogue turns", result["dialogue_turns"]), ("overall", result["overall"])]
    )
    for name, m in groups:
        if m is None:
            table.add_section()
            continue
        table.add_row(name, *("–" if m[c] is None else str(m[c]) for c in columns))
    console.print(table)
    g = result["english_without_glossary"]
    console.print(
        f"English questions ({g['questions']}): answer accuracy {g['answer_accuracy_with']} with the glossary, "
        f"{g['answer_accuracy_without']} without it"
    )
    misses = [
        r
        for r in result["questions"]
        if (r["answerable"] and not r["answer_ok"]) or (not r["answerable"] and not r["abstained"])
    ]
    if misses:
        console.print(
            "misses: " + ", ".join(f"{r['id']}(rank={r['rank']}, abstained={r['abstained']})" for r in misses)
        )
