from pathlib import Path

# The glossary and the word lists the assistant reads (store/wordlists.py's format).
DATA = Path(__file__).resolve().parent / "data"
