import json

from eval.feedback import import_feedback


def test_feedback_becomes_reviewable_candidates_once(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "category": "who", "question": "Ai làm Trưởng Ban?"}) + "\n")
    feedback = tmp_path / "feedback.jsonl"
    lines = [
        {
            "question": "ai lam truong ban?",
            "rating": "up",
            "citations": [{"source": "a.txt", "quote": "x"}],
        },  # known
        {"question": "Giá vé xe buýt?", "rating": "down", "answer": "…", "comment": "sai"},
        {"question": "Dân số Hà Nội?", "rating": "up", "abstained": True, "answer": "Tài liệu không có…"},
        {
            "question": "Bao nhiêu hộ nghèo?",
            "rating": "up",
            "citations": [{"source": "b.txt", "quote": "12.397 hộ"}],
        },
        "not json",
    ]
    feedback.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    )
    candidates = tmp_path / "candidates.jsonl"
    added, skipped, problems = import_feedback(feedback, gold, candidates)
    assert (added, skipped, len(problems)) == (3, 1, 1)
    got = {c["question"]: c for c in map(json.loads, candidates.read_text().splitlines())}
    assert all(c["needs_review"] and c["split"] == "candidate" for c in got.values())
    assert got["Bao nhiêu hộ nghèo?"]["answer_contains"] == "12.397 hộ"
    assert got["Dân số Hà Nội?"]["answerable"] is False
    assert got["Giá vé xe buýt?"]["comment"] == "sai" and "answer_contains" not in got["Giá vé xe buýt?"]
    assert import_feedback(feedback, gold, candidates)[:2] == (0, 4)  # a second import adds nothing
