import unicodedata
from datetime import date

from store.vietnamese import (
    canonical_tones,
    doc_number_key,
    find_dates,
    find_doc_numbers,
    find_officials,
    fold,
    lexical_tokens,
    normalize,
)


def test_fold_strips_diacritics_and_maps_d_bar():
    assert fold("Đường Quyết định Ủy ban") == "duong quyet dinh uy ban"
    # NFD input (macOS) folds the same as NFC
    assert fold(unicodedata.normalize("NFD", "Tỉnh Lạng Sơn")) == "tinh lang son"


def test_old_tone_placement_is_made_canonical_without_touching_other_syllables():
    assert canonical_tones("hoà thuỷ Tỉnh uỷ khoẻ") == "hòa thủy Tỉnh ủy khỏe"
    for word in ["luận", "thuận", "huyện", "tuần", "quý", "quả", "hoàn", "khuyến"]:
        assert canonical_tones(word) == word


def test_normalize_nfc_nbsp_and_spaces():
    assert normalize(unicodedata.normalize("NFD", "  Hoà\u00a0Bình  ")) == "Hòa Bình"


def test_document_numbers_in_every_shape_are_found_and_canonicalised():
    text = "Công văn số 4280 /VP-KGVX; 29 /2023/QĐ-UBND; 99/2021/NĐ-CP; 55-NQ/TW; 98-CTr/TU; 150/KH-BCĐ; 14679/BGTVT-KHCN&MT"
    numbers = [n for n, _, _ in find_doc_numbers(text)]
    assert numbers == [
        "4280/VP-KGVX",
        "29/2023/QĐ-UBND",
        "99/2021/NĐ-CP",
        "55-NQ/TW",
        "98-CTr/TU",
        "150/KH-BCĐ",
        "14679/BGTVT-KHCN&MT",
    ]
    for n, start, end in find_doc_numbers(text):  # offsets point at the written form
        assert text[start:end].replace(" ", "") == n


def test_document_number_keys_match_typed_without_diacritics():
    assert doc_number_key("2230/QĐ-UBND") == doc_number_key("2230/QD-UBND") == "2230/qd-ubnd"
    assert [n for n, _, _ in find_doc_numbers("28 chuyến/ngày, 840 chuyến/tháng, ngày 26/4/2019")] == []


def test_dates_in_both_spellings():
    assert find_dates("ngày 30/8/2023 và ngày 26 tháng 4 năm 2019; 31/02/2023") == [
        date(2023, 8, 30),
        date(2019, 4, 26),
    ]


def test_officials_skip_titles():
    text = "Đồng chí Dương Xuân Huyên, Phó Chủ tịch; đồng chí Phó Chủ tịch UBND; Phó Thủ tướng Chính phủ Trần Lưu Quang ký"
    assert find_officials(text) == ["Dương Xuân Huyên", "Trần Lưu Quang"]


def test_lexical_tokens_have_syllables_and_bigrams():
    assert lexical_tokens("Trưởng ban") == ["truong", "ban", "truong_ban"]
