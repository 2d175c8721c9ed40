"""Word and pattern lists are data files (assistant/data/, store/data/): these check the files, the
one format that reads them, and that each list reaches the code that uses it — not the wording of
any gold question."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import DATA as ASSISTANT_DATA
from assistant.answer import Composer
from assistant.answer_types import who
from assistant.dialogue import _INSTRUMENTS, _NOUNS
from assistant.query import detect_language, parse_question
from store.boilerplate import is_chrome, is_tail
from store.vietnamese import fold
from store.wordlists import DATA as STORE_DATA
from store.wordlists import alternation, folded_words, read_list

ROOT = Path(__file__).resolve().parent.parent
LISTS = sorted([*ASSISTANT_DATA.glob("*.txt"), *ASSISTANT_DATA.glob("*.tsv"), *STORE_DATA.glob("*.txt")])
CODE = "\n".join(
    p.read_text(encoding="utf-8") for d in ("assistant", "store") for p in (ROOT / d).glob("*.py")
)


@pytest.mark.parametrize("path", LISTS, ids=lambda p: p.name)
def test_every_list_parses_and_is_read_by_the_code(path):
    assert read_list(path), path  # no repeats, not empty
    assert f'"{path.name}"' in CODE or f"'{path.name}'" in CODE, f"{path.name} is read by no module"


def test_a_repeat_an_unfolded_word_and_a_broken_pattern_are_refused_with_their_place(tmp_path):
    f = tmp_path / "l.txt"
    f.write_text("# words\nmot\nhai\nmot\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"l\.txt:4: 'mot' repeats line 2"):
        read_list(f)
    f.write_text("mot\nHai\n", encoding="utf-8")
    with pytest.raises(ValueError, match="write it as 'hai'"):
        folded_words(f)
    f.write_text("ok\nba(d\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'ba\\(d' is not a regular expression"):
        alternation(f)


def test_pattern_lines_keep_file_order_so_a_longer_entry_wins():
    f = read_list(STORE_DATA / "chrome_lines.txt")
    assert f.index("in bai(?: viet)?") < f.index("in")


def test_each_list_reaches_its_user():
    # one entry of each file, seen through the code that reads it
    assert (
        is_chrome("Chia sẻ bài viết:")
        and is_tail("Tin liên quan")
        and is_chrome("Cổng thông tin điện tử tỉnh")
    )
    assert who("giao Hoàng Văn Nam, Phó Chủ tịch") == 1.0  # surnames_vi
    assert who("do Phó Chủ tịch UBND tỉnh làm Trưởng ban") == 0.7  # roles_vi, agencies_vi
    assert who("đồng chí Phó Chủ tịch UBND tỉnh phụ trách") == 0.7  # title_words_vi: a post, not a name
    assert (
        detect_language("Who chairs the board?") == "en" and detect_language("Ai chu tri ke hoach?") == "vi"
    )
    assert "quyet dinh" in _INSTRUMENTS and "thang" not in _INSTRUMENTS
    assert all(fold(n) == n for nouns in _NOUNS.values() for n, _ in nouns)


def test_the_home_provinces_name_is_not_an_asked_term(monkeypatch):
    asked = parse_question("Kim ngạch xuất khẩu của tỉnh Cao Bằng là bao nhiêu?")
    assert "cao" in Composer._terms(asked) and "xuat" in Composer._terms(asked)
    monkeypatch.setenv("CHIDAO_HOME_PROVINCE", "Cao Bằng")
    assert "cao" not in Composer._terms(asked) and "bang" not in Composer._terms(asked)
    assert "xuat" in Composer._terms(asked) and "bao" not in Composer._terms(asked)  # question_words


def test_a_wheel_carries_every_list_and_the_gold_questions(tmp_path):
    """An installed chidao (not a checkout) reads the same lists: each is package data. Built from a
    copy, so that no build/ folder left by an earlier build can supply a file the config leaves out."""
    import shutil
    import subprocess
    import sys
    import zipfile

    tree = tmp_path / "tree"
    for name in ("assistant", "store", "embeddings", "ui", "eval"):
        shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            ".",
            "-w",
            tmp_path,
        ],
        check=True,
        capture_output=True,
        cwd=tree,
    )
    names = set(zipfile.ZipFile(next(tmp_path.glob("chidao-*.whl"))).namelist())
    assert {str(p.relative_to(ROOT)) for p in LISTS} <= names
    assert "eval/gold.jsonl" in names and "assistant/unit_weights.json" in names


def test_the_sample_corpus_is_the_checkouts_unless_set_and_a_missing_one_is_named(monkeypatch, tmp_path):
    from store.ingest import CHECKOUT_CORPUS, sample_corpus
    from store.settings import SettingsError

    monkeypatch.delenv("CHIDAO_SAMPLE_CORPUS", raising=False)
    assert sample_corpus() == CHECKOUT_CORPUS and len(list(CHECKOUT_CORPUS.glob("*.txt"))) == 5
    monkeypatch.setenv("CHIDAO_SAMPLE_CORPUS", str(tmp_path))
    assert sample_corpus() == tmp_path
    monkeypatch.setenv("CHIDAO_SAMPLE_CORPUS", str(tmp_path / "gone"))
    with pytest.raises(SettingsError, match="CHIDAO_SAMPLE_CORPUS"):
        sample_corpus()
