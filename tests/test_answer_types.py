"""Whether a passage carries the kind of fact a question asks for."""

import pytest

from assistant.answer_types import carries, figures

TERMS = ["lop", "chi", "tieu"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Tổ chức bồi dưỡng tại nước ngoài, dự kiến: 01 lớp với 10 chỉ tiêu.", ["01 lớp", "10 chỉ"]),
        ("tổng số hộ nghèo là 12.397 hộ, chiếm 6,02%", ["12.397 hộ", "6,02%"]),
        ("tiêm vắc xin phòng COVID-19 tại Km18 tuyến 4B", []),  # codes, not quantities
        (
            "giai đoạn 2021 – 2025, kế hoạch năm 2024 (Quyết định số 2230/QĐ-UBND, ngày 28/12/2023)",
            [],
        ),  # years, numbers, dates
    ],
)
def test_figures_are_quantities_not_years_dates_or_codes(text, expected):
    assert [text[a:b] for a, b, _ in figures(text)] == expected


def test_how_many_needs_a_figure():
    assert carries("number", "01 lớp với 10 chỉ tiêu", TERMS) == 1.0  # next to a word of the question
    assert carries("number", "Triển khai kế hoạch năm 2024 trên địa bàn tỉnh.", TERMS) == 0.0


def test_who_needs_a_person_or_an_office_the_question_does_not_name():
    asked = "Ai là Trưởng Ban Ban Quản lý Khu kinh tế cửa khẩu?"
    assert (
        carries(
            "who", "Ban Quản lý Khu kinh tế cửa khẩu có Trưởng Ban và không quá 03 Phó Trưởng Ban.", [], asked
        )
        == 0.0
    )
    assert carries("who", "Đồng chí Đoàn Thanh Sơn làm Trưởng Ban.", [], asked) == 1.0
    assert (
        carries(
            "who",
            "Sở Văn hóa, Thể thao và Du lịch là cơ quan Thường trực.",
            [],
            "Cơ quan nào là cơ quan thường trực?",
        )
        == 0.7
    )


def test_a_name_is_needed_when_the_question_asks_for_one_and_a_signer_is_a_person():
    office = "Đồng chí Giám đốc Sở Văn hóa, Thể thao và Du lịch làm Phó trưởng Ban."
    assert carries("who", office, [], "Giám đốc Sở Văn hóa tên là gì?") == 0.0
    assert carries("who", office, [], "Ai làm Phó trưởng Ban?") == 0.7
    assert carries("signer", "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", []) == 0.0
    assert carries("signer", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nDương Xuân Huyền", []) == 1.0


def test_who_is_assigned_to_lead_needs_an_assignment():
    asked = "Ai được giao chủ trì tổ chức thực hiện Kế hoạch đào tạo năm 2024?"
    assert (
        carries("who", "UBND tỉnh ban hành Kế hoạch đào tạo năm 2024 (Kế hoạch số 244/KH-UBND).", [], asked)
        == 0.0
    )
    assert (
        carries("who", "Sở Nội vụ chủ trì, phối hợp với các sở, ngành tổ chức thực hiện.", [], asked) == 0.7
    )


def test_a_place_is_not_a_person():
    assert carries("signer", "tuyến Mai Pha - Na Sầm 180.857 đồng/chuyến; huyện Cao Lộc, Văn Quan", []) == 0.0


def test_a_post_is_not_a_person():
    text = "Ban Chỉ đạo do đồng chí Phó Chủ tịch UBND tỉnh, phụ trách lĩnh vực văn hóa-xã hội là, Trưởng Ban."
    assert carries("signer", text, []) == 0.0
    assert (
        carries("who", text, [], "Ai làm Trưởng Ban Chỉ đạo?") == 0.7
    )  # the post with its agency answers "who heads"


def test_every_typed_question_has_a_check_and_the_rest_none():
    from assistant.answer_types import TYPED

    assert all(carries(t, "x", []) is not None for t in TYPED)
    assert carries("other", "x", []) is None


def test_a_named_post_is_answered_by_that_post_not_its_deputy_nor_another_agencys():
    asked = "Giám đốc Sở Kế hoạch và Đầu tư tỉnh Lạng Sơn hiện là ai?"
    assert (
        carries(
            "who", "Đồng chí Dương Thị Hoan, Phó Giám đốc Sở Kế hoạch và Đầu tư làm thành viên.", [], asked
        )
        == 0.0
    )
    assert (
        carries("who", "Đồng chí Nguyễn Văn An, Giám đốc Sở Tài chính làm Phó Trưởng ban.", [], asked) == 0.0
    )
    assert (
        carries(
            "who", "Đồng chí Nguyễn Văn An, Giám đốc Sở Kế hoạch và Đầu tư làm Phó Trưởng ban.", [], asked
        )
        == 1.0
    )
    assert (
        carries("who", "Ban Chỉ đạo do đồng chí Phó Chủ tịch UBND tỉnh làm Trưởng ban.", [], asked) == 0.0
    )  # no such title
    chair = "Chủ tịch UBND tỉnh Lạng Sơn là ai?"
    assert (
        carries(
            "who",
            "Đồng chí Đoàn Thanh Sơn, Phó Chủ tịch UBND tỉnh làm Chủ tịch Hội đồng quản lý Quỹ.",
            [],
            chair,
        )
        == 0.0
    )
    assert (
        carries("who", "Đồng chí Hồ Tiến Thiệu, Chủ tịch Ủy ban nhân dân tỉnh chủ trì phiên họp.", [], chair)
        == 1.0
    )
    deputy = "Ai là Phó Chủ tịch UBND tỉnh phụ trách văn hóa?"
    assert (
        carries(
            "who",
            "Ban Chỉ đạo do đồng chí Phó Chủ tịch UBND tỉnh phụ trách lĩnh vực văn hóa làm Trưởng ban.",
            [],
            deputy,
        )
        > 0
    )
    # a question naming no post is not held to one
    assert (
        carries("who", "Đồng chí Đoàn Thanh Sơn làm Trưởng Ban.", [], "Ai làm Trưởng Ban Chỉ đạo du lịch?")
        == 1.0
    )


def test_the_date_of_a_cited_instrument_answers_a_question_about_the_instrument_not_an_event():
    cited = "UBND tỉnh Quyết định thành lập Tổ công tác phối hợp tổ chức Lễ khởi công (Quyết định số 1544/QĐ-UBND, ngày 25/8/2023)."
    assert carries("date", cited, [], "Lễ khởi công dự án dự kiến tổ chức vào ngày nào?") == 0.0
    assert carries("date", cited, [], "Quyết định thành lập Tổ công tác được ban hành ngày nào?") == 1.0
    assert carries("date", cited, [], "When was Decision 1544/QĐ-UBND issued?") == 1.0
    assert (
        carries(
            "date", cited + " Lễ khởi công tổ chức ngày 05/9/2023.", [], "Lễ khởi công tổ chức vào ngày nào?"
        )
        == 1.0
    )
    assert carries("date", "Hoàn thành trước ngày 06/8/2020.", [], "Hạn hoàn thành là ngày nào?") == 1.0


@pytest.mark.parametrize(
    "question, stated",
    [
        ("What years does phase 3 of the lifelong-learning emulation movement cover?", {"3"}),
        ("Which social networks are named for the 04 channels of the plan?", {"4"}),
        ("Thu ngan sach thang 1 nam 2023 uoc duoc bao nhieu?", set()),  # a month, folded
        ("By 31 January 2023, how much had been disbursed?", set()),  # a date
        ("Kế hoạch 146/KH-UBND giai đoạn 2021-2025 đặt mục tiêu gì?", set()),  # a document number, years
        ("Còn tháng 2 thì sao?", set()),
    ],
)
def test_stated_numbers_are_what_the_question_asks_about_not_its_periods(question, stated):
    from assistant.answer_types import stated_numbers

    assert stated_numbers(question) == stated
