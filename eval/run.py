"""`chidao eval`: retrieval, answer, citation and abstention quality on the gold questions.

Gold lines: {"id", "category", "split", "question", "source", "section_contains", "answer_contains"}
for answerable questions — or "relevant": [{"source", "section_contains"}, …] and a list of
"answer_contains" for a question whose answer spans documents — and
{"id", "category", "split", "question", "answerable": false} for the rest.
"dev" questions were used while tuning; "heldout" ones were written before any later tuning.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, model_validator

from assistant.service import CALIBRATION

K_RETRIEVE = 10
THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"
GATED = ("hit@5", "answer_accuracy", "citation_validity", "abstention_accuracy")


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, float]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: float(raw[k]) for k in GATED}


def gate(overall: dict, thresholds: dict[str, float]) -> list[str]:
    """The gated metrics below their recorded thresholds, one line each (empty: the gate passes)."""
    return [f"{k} = {overall[k]} is below the recorded threshold {t}" for k, t in thresholds.items()
            if overall.get(k) is None or overall[k] < t]


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
        return bool(self.answerable and not answer.abstained
                    and all(any(_squash(a) in quote for quote in quotes) for a in self.answer_contains))

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
            raise ValueError(f"{path}:{n}: an answerable question needs source and section_contains "
                             "(or relevant) and answer_contains")
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


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, rounded to 0.1 (milliseconds here)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 1)


def _best_threshold(strengths: list[tuple[float, bool]]) -> float:
    """The threshold that makes the most right abstain/answer decisions; midpoint of the widest tie."""
    points = sorted({s for s, _ in strengths})
    candidates = [0.0] + [(a + b) / 2 for a, b in zip(points, points[1:])] + [points[-1] + 1e-6]

    def correct(t: float) -> int:
        return sum((s >= t) == should_answer for s, should_answer in strengths)
    best = max(correct(t) for t in candidates)
    tied = [t for t in candidates if correct(t) == best]
    return round(tied[len(tied) // 2], 4)


def run_eval(assistant, questions: list[GoldQuestion], calibrate: bool = False) -> dict:
    if calibrate:
        # Fitted on the dev split only, so the held-out figures stay out-of-sample.
        assistant.threshold = 0.0
        judged = [(assistant.assess(q.question, k=K_RETRIEVE)[1], q.answerable) for q in questions if q.split == "dev"]
        threshold = _best_threshold(judged)
        CALIBRATION.write_text(json.dumps({
            "min_evidence": threshold, "questions": len(judged), "split": "dev",
            "calibrated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "note": "fitted on eval/gold.jsonl by `chidao eval --calibrate`",
        }, indent=1) + "\n")
        assistant.threshold = threshold

    if hasattr(assistant.embedder, "clear_cache"):
        assistant.embedder.clear_cache()  # latencies below include embedding each question
    rows = []
    manifest = assistant.store.manifest().documents
    for q in questions:
        answer = assistant.ask(q.question, k=K_RETRIEVE)
        relevant = [q.answerable and q.is_relevant(r.source, r.text) for r in answer.retrieved]
        valid = [_exact_span(assistant.store.docs_dir, manifest[c.source].version, c.source, c.quote, c.start, c.end)
                 for c in answer.citations]
        cited = [assistant.store.section_at(c.source, c.start, c.end) for c in answer.citations]
        rows.append({
            "id": q.id, "category": q.category, "split": q.split, "answerable": q.answerable,
            "abstained": answer.abstained,
            "rank": relevant.index(True) + 1 if any(relevant) else None,
            "ndcg@10": _ndcg(relevant[:10], len(q.relevant)) if q.answerable else None,
            "answer_ok": q.answered_by(answer),
            "citations": len(valid), "valid_citations": sum(valid),
            "relevant_citations": sum(bool(s) and q.answerable and q.is_relevant(s.source, s.text) for s in cited),
            "ms": answer.timings_ms["total"],
        })
    return {"threshold": assistant.threshold, "overall": _metrics(rows),
            "by_split": {s: _metrics([r for r in rows if r["split"] == s]) for s in sorted({r["split"] for r in rows})},
            "by_category": {c: _metrics([r for r in rows if r["category"] == c])
                            for c in sorted({r["category"] for r in rows})},
            "questions": rows}


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
        "mrr": round(statistics.fmean([1 / r["rank"] if r["rank"] else 0.0 for r in answerable]), 3) if answerable else None,
        "ndcg@10": round(statistics.fmean([r["ndcg@10"] for r in answerable]), 3) if answerable else None,
        "answer_accuracy": share([r["answer_ok"] for r in answerable]),
        "citation_validity": round(sum(r["valid_citations"] for r in rows) / citations, 3) if citations else 1.0,
        "citation_precision": round(sum(r["relevant_citations"] for r in rows) / citations, 3) if citations else None,
        "abstention_accuracy": share([r["abstained"] != r["answerable"] for r in rows]),
        "false_abstention_rate": share([r["abstained"] for r in answerable]),
        "unanswerable_abstained": share([r["abstained"] for r in unanswerable]),
        "latency_p50_ms": percentile([r["ms"] for r in rows], 50),
        "latency_p95_ms": percentile([r["ms"] for r in rows], 95),
    }


def print_report(result: dict, console) -> None:
    from rich.table import Table

    columns = ["questions", "hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy", "citation_validity",
               "citation_precision", "abstention_accuracy", "false_abstention_rate", "latency_p50_ms", "latency_p95_ms"]
    table = Table("", *columns, title=f"chidao eval (abstention threshold {result['threshold']})")
    groups = list(result["by_category"].items()) + [("", None)] + \
        [(f"split: {k}", v) for k, v in result["by_split"].items()] + [("overall", result["overall"])]
    for name, m in groups:
        if m is None:
            table.add_section()
            continue
        table.add_row(name, *("–" if m[c] is None else str(m[c]) for c in columns))
    console.print(table)
    misses = [r for r in result["questions"] if (r["answerable"] and not r["answer_ok"]) or (not r["answerable"] and not r["abstained"])]
    if misses:
        console.print("misses: " + ", ".join(f"{r['id']}(rank={r['rank']}, abstained={r['abstained']})" for r in misses))
