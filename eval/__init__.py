from pathlib import Path

# The gold questions: package data of eval (pyproject), so an installed chidao has them too.
GOLD = Path(__file__).resolve().parent / "gold.jsonl"
