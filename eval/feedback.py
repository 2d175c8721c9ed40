"""Staff feedback → gold candidates.

The UI appends one line per thumbs up/down to CHIDAO_HOME/feedback.jsonl:
{"time", "question", "answer", "abstained", "citations": [{"source", "quote", …}], "rating": "up"|"down", "comment"}.
`chidao eval import-feedback` turns new ones into candidate gold questions in eval/candidates.jsonl,
marked for review: a person confirms the expected section and quote (or that the documents do not
say) and moves the line into eval/gold.jsonl. Feedback never becomes gold by itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from store.vietnamese import fold, normalize

CANDIDATES = Path(__file__).resolve().parent / "candidates.jsonl"


def _key(question: str) -> str:
    return fold(normalize(question))


def import_feedback(feedback: Path, gold: Path, candidates: Path = CANDIDATES) -> tuple[int, int, list[str]]:
    """Append new candidates; returns (added, skipped as already known, one-line problems)."""
    known = set()
    for path in (gold, candidates):
        if path.exists():
            known |= {
                _key(json.loads(line)["question"])
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            }
    added, skipped, problems, out = 0, 0, [], []
    for n, line in enumerate(feedback.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            question = item["question"]
            rating = item["rating"]
        except (json.JSONDecodeError, KeyError, TypeError):
            problems.append(f"{feedback.name}:{n}: not a feedback line (needs question and rating)")
            continue
        if _key(question) in known:
            skipped += 1
            continue
        known.add(_key(question))
        cited = (item.get("citations") or [{}])[0]
        candidate = {
            "id": "fb-" + hashlib.sha256(question.encode()).hexdigest()[:8],
            "category": "feedback",
            "split": "candidate",
            "question": question,
            "needs_review": True,
            "rating": rating,
            "comment": item.get("comment", ""),
        }
        if rating == "up" and cited.get("quote") and not item.get("abstained"):
            # A confirmed answer: its first citation is the proposed expectation.
            candidate |= {
                "source": cited.get("source"),
                "section_contains": cited["quote"][:80],
                "answer_contains": cited["quote"][:80],
            }
        elif rating == "up" and item.get("abstained"):
            candidate["answerable"] = False  # staff agreed the documents do not say
        else:
            candidate["answer_was"] = item.get(
                "answer", ""
            )  # wrong or unhelpful: a person writes the expectation
        out.append(candidate)
        added += 1
    if out:
        with candidates.open("a", encoding="utf-8") as f:
            for c in out:
                f.write(json.dumps(c, ensure_ascii=False) + "\n")
    return added, skipped, problems
