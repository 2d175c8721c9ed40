"""Whether a passage carries the kind of fact a question asks for."""

import pytest

from assistant.answer_types import carries, figures

TERMS = ["lop", "chi", "tieu"]


@pytest.mark.parametrize("text, expected", [
    ("Tổ chức bồi dưỡng tại nước ngoài, dự kiến: 01 lớp với 10 chỉ tiêu.", ["01 lớp", "10 chỉ"]),
    ("tổng số hộ nghèo là 12.397 hộ, chiếm 6,02%", ["12.397 hộ", "6,02%"]),
    ("tiêm vắc xin phòng COVID-19 tại Km18 tuyến 4B", []),  # codes, not quantities
    ("giai đoạn 2021 – 2025, kế hoạch năm 2024 (Quyết định số 2230/QĐ-UBND, ngày 28/12/2023)", []),  # years, numbers, dates
])
def test_figures_are_quantities_not_years_dates_or_codes(text, expected):
    assert [text[a:b] for a, b, _ in figures(text)] == expected


def test_how_many_needs_a_figure():
    assert carries("number", "01 lớp với 10 chỉ tiêu", TERMS) == 1.0  # next to a word of the question
    assert carries("number", "Triển khai kế hoạch năm 2024 trên địa bàn tỉnh.", TERMS) == 0.0


def test_who_needs_a_person_or_an_office_the_question_does_not_name():
    asked = "Ai là Trưởng Ban Ban Quản lý Khu kinh tế cửa khẩu?"
    assert carries("who", "Ban Quản lý Khu kinh tế cửa khẩu có Trưởng Ban và không quá 03 Phó Trưởng Ban.", [], asked) == 0.0
    assert carries("who", "Đồng chí Đoàn Thanh Sơn làm Trưởng Ban.", [], asked) == 1.0
    assert carries("who", "Sở Văn hóa, Thể thao và Du lịch là cơ quan Thường trực.", [], "Cơ quan nào là cơ quan thường trực?") == 0.7


def test_a_name_is_needed_when_the_question_asks_for_one_and_a_signer_is_a_person():
    office = "Đồng chí Giám đốc Sở Văn hóa, Thể thao và Du lịch làm Phó trưởng Ban."
    assert carries("who", office, [], "Giám đốc Sở Văn hóa tên là gì?") == 0.0
    assert carries("who", office, [], "Ai làm Phó trưởng Ban?") == 0.7
    assert carries("signer", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", []) == 0.0
    assert carries("signer", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nDương Xuân Huyền", []) == 1.0


def test_who_is_assigned_to_lead_needs_an_assignment():
    asked = "Ai được giao chủ trì tổ chức thực hiện Kế hoạch đào tạo năm 2024?"
    assert carries("who", "UBND tỉnh ban hành Kế hoạch đào tạo năm 2024 (Kế hoạch số 244/KH-UBND).", [], asked) == 0.0
    assert carries("who", "Sở Nội vụ chủ trì, phối hợp với các sở, ngành tổ chức thực hiện.", [], asked) == 0.7


def test_a_place_is_not_a_person():
    assert carries("signer", "tuyến Mai Pha - Na Sầm 180.857 đồng/chuyến; huyện Cao Lộc, Văn Quan", []) == 0.0


def test_a_post_is_not_a_person():
    text = "Ban Chỉ đạo do đồng chí Phó Chủ tịch UBND tỉnh, phụ trách lĩnh vực văn hóa-xã hội là, Trưởng Ban."
    assert carries("signer", text, []) == 0.0
    assert carries("who", text, [], "Ai làm Trưởng Ban Chỉ đạo?") == 0.7  # the post with its agency answers "who heads"


def test_every_typed_question_has_a_check_and_the_rest_none():
    from assistant.answer_types import TYPED
    assert all(carries(t, "x", []) is not None for t in TYPED)
    assert carries("other", "x", []) is None
