"""The glossary and the English stop words are data (assistant/data/); these check the files and what
reads them, not the wording of any gold question."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.glossary import DATA, STOPWORDS, TERMS, load_terms, untranslated_words, vietnamese_terms


def test_every_term_is_lower_case_english_with_a_vietnamese_nfc_value():
    assert len(TERMS) > 100
    for english, vietnamese in TERMS.items():
        assert english == english.lower().strip() and english.isascii(), english
        assert vietnamese and unicodedata.is_normalized("NFC", vietnamese), english


def test_no_stop_word_is_a_term_and_the_files_parse_as_written():
    assert not STOPWORDS & set(TERMS)
    lines = [ln for ln in (DATA / "glossary.tsv").read_text(encoding="utf-8").splitlines() if ln[:1] != "#"]
    assert len([ln for ln in lines if ln.strip()]) == len(TERMS)  # no line lost, none merged


def test_a_repeated_or_malformed_line_is_refused_with_its_line_number(tmp_path):
    bad = tmp_path / "g.tsv"
    bad.write_text("chair\tTrưởng ban\nchair\tChủ tịch\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.tsv:2"):
        load_terms(bad)
    bad.write_text("# a comment\nchairman Chủ tịch\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.tsv:2"):
        load_terms(bad)


def test_the_longest_term_wins_and_names_and_numbers_are_kept():
    assert vietnamese_terms("Who is the deputy director?") == ["Phó Giám đốc"]
    # "decision" is a term; the number and the names are matched as written
    assert untranslated_words("What does Decision 2230/QĐ-UBND say about Lang Son?") == [
        "2230/QĐ-UBND",
        "Lang",
        "Son",
    ]
