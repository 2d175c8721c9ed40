"""`chidao eval --fit-units`: fit the answer-unit ranking weights on the dev split, and only there.

Each dev question's candidate units (those an answer may quote: right period, asked type) are
scored once; a unit is right when it quotes an expected answer string. The weights maximise how
often the top unit is right (a listwise objective: the rank of the right unit among all the
question's candidates, not each unit judged alone), by coordinate ascent over a grid with the
dense cosine's weight fixed at 1 as the scale. The fit is written as a candidate beside the
weights in force, with the top-1 figures of both and of the dense-only ranking on every split:
a person adopts it (copies it to assistant/unit_weights.json) only if it beats the weights in
force on held-out and fresh, which are never fitted on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.answer import DEFAULT_WEIGHTS, FEATURES, WEIGHTS_FILE, load_weights
from eval.run import _squash

CANDIDATE = Path(__file__).resolve().parent / "unit_weights.candidate.json"

GRID = (-1.0, -0.5, -0.3, -0.2, -0.1, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5)


def collect(assistant, questions) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(split, features [n × f], right [n]) per answerable question that has a right candidate."""
    out = []
    composer = assistant.composer()
    for q in questions:
        if not q.answerable:
            continue
        _, query, _, hits, evidence, _ = assistant.understand(q.question, k=10, history=q.history)
        usable, veto = composer.usable(query, hits, evidence)
        if veto or not usable:
            continue
        keys = [_squash(a) for a in q.answer_contains]
        right = np.array([any(k in _squash(e.quote) for k in keys) for e in usable])
        if right.any():
            out.append(
                (q.split, np.array([[e.features.get(f, 0.0) for f in FEATURES] for e in usable]), right)
            )
    return out


def top1(data, weights: dict[str, float]) -> float:
    if not data:
        return 0.0
    w = np.array([weights[f] for f in FEATURES])
    hits = 0.0
    for _, x, right in data:
        scores = x @ w
        best = scores.max()
        tied = scores >= best - 1e-12
        hits += right[tied].mean()  # ties count as a coin toss, not as a win
    return hits / len(data)


def fit(data, start: dict[str, float] | None = None, rounds: int = 4) -> dict[str, float]:
    weights = dict(start or DEFAULT_WEIGHTS)
    weights["dense"] = 1.0
    best = top1(data, weights)
    for _ in range(rounds):
        improved = False
        for f in FEATURES:
            if f == "dense":
                continue
            for value in GRID:
                trial = {**weights, f: value}
                score = top1(data, trial)
                # Prefer the smaller weight on a tie: a feature earns its weight by what it wins.
                if score > best + 1e-9 or (abs(score - best) <= 1e-9 and abs(value) < abs(weights[f])):
                    weights, best, improved = trial, score, improved or score > best + 1e-9
        if not improved:
            break
    return weights


def run_fit(assistant, questions) -> dict:
    data = collect(assistant, questions)
    by_split = {s: [d for d in data if d[0] == s] for s in sorted({d[0] for d in data})}
    dev = by_split.get("dev", [])
    if not dev:
        raise ValueError("no dev question has a quotable right unit: nothing to fit on")
    fitted = fit(dev)
    dense_only = {f: (1.0 if f == "dense" else 0.0) for f in FEATURES}
    in_force = load_weights()
    report = {
        "weights": {f: round(v, 4) for f, v in fitted.items()},
        "fitted_on": {"split": "dev", "questions": len(dev)},
        "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "top1": {
            s: {
                "fitted": round(top1(d, fitted), 3),
                "in_force": round(top1(d, in_force), 3),
                "dense_only": round(top1(d, dense_only), 3),
                "hand_set": round(top1(d, DEFAULT_WEIGHTS), 3),
                "questions": len(d),
            }
            for s, d in by_split.items()
        },
        "note": "written by `chidao eval --fit-units`; top1 = share of questions whose best quotable unit "
        f"holds an expected answer string, among questions that have one. Adopt by copying to {WEIGHTS_FILE.name} "
        "only if it beats in_force on heldout and fresh.",
    }
    CANDIDATE.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
