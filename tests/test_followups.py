"""Periods named in text, and follow-up questions rewritten with the turn before them."""

from datetime import date

import pytest

from assistant.dialogue import Turn, resolve
from assistant.periods import Period, find_periods, relation
from assistant.query import detect_language


def labels(text, subject_only=False):
    return [p.label() for p in find_periods(text, subject_only)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kim ngạch tháng 1/2023 là bao nhiêu?", ["tháng 01/2023"]),
        ("kim ngach thang 01 nam 2023", ["tháng 01/2023"]),
        ("trong 9 tháng đầu năm 2023", ["01/01/2023–30/09/2023"]),
        ("in the first nine months of 2023", ["01/01/2023–30/09/2023"]),
        ("What was it in January 2023?", ["tháng 01/2023"]),
        ("phiên họp ngày 29 - 31/8/2023", ["29/08/2023–31/08/2023"]),
        ("quý II/2023", ["01/04/2023–30/06/2023"]),
        ("Kế hoạch năm 2024", ["năm 2024"]),
        ("Quyết định số 29 /2023/QĐ-UBND", []),  # a document number is not a year
    ],
)
def test_periods_are_read_in_vietnamese_and_english(text, expected):
    assert labels(text) == expected


def test_what_a_figure_is_compared_with_and_when_an_instrument_was_issued_are_not_what_the_text_is_about():
    text = "Kim ngạch tháng 01/2023 đạt 250 triệu USD, tăng 108% so với cùng kỳ năm 2022 (Kế hoạch số 95/KH-BCĐ ngày 12/12/2022)"
    assert labels(text, subject_only=True) == ["tháng 01/2023"]
    assert "năm 2022" in labels(text) and "12/12/2022" in labels(text)


def test_relation_of_an_asked_period_to_the_periods_a_text_names():
    january = Period(date(2023, 1, 1), date(2023, 1, 31))
    assert relation(january, find_periods("tháng 01/2023")) == "match"
    assert relation(january, find_periods("năm 2023")) == "broader"
    assert relation(january, find_periods("tháng 02/2023")) == "other"
    assert relation(january, []) == "none"


def test_for_a_figure_a_part_of_the_asked_period_is_not_about_it():
    nine_months = Period(date(2023, 1, 1), date(2023, 9, 30))
    assert relation(nine_months, find_periods("tháng 01/2023")) == "match"  # "what happened in …": inside it
    assert relation(nine_months, find_periods("tháng 01/2023"), whole=True) == "other"  # January's revenue
    assert relation(nine_months, find_periods("năm 2023"), whole=True) == "broader"  # nor the year's
    assert relation(nine_months, find_periods("9 tháng đầu năm 2023"), whole=True) == "match"


@pytest.mark.parametrize(
    "question, previous, expected",
    [
        (
            "Văn bản này ban hành ngày nào?",
            Turn(question="Quyết định 2230/QĐ-UBND nói gì?", doc_numbers=["2230/QĐ-UBND"]),
            "Văn bản 2230/QĐ-UBND ban hành ngày nào?",
        ),
        (
            "Ai ký quyết định đó?",
            Turn(
                question="Quyết định thành lập Trung tâm Xúc tiến có số hiệu là gì?",
                doc_numbers=["1725/QĐ-TTg"],
            ),
            "Ai ký quyết định 1725/QĐ-TTg?",
        ),
        (
            "Còn tháng 2 thì sao?",
            Turn(question="Kim ngạch xuất nhập khẩu tháng 1/2023 là bao nhiêu?"),
            "Kim ngạch xuất nhập khẩu tháng 2/2023 là bao nhiêu?",
        ),
        (
            "What about February?",
            Turn(question="What was the export turnover in January 2023?"),
            "What was the export turnover in February 2023?",
        ),
        (
            "Còn Phó Trưởng Ban?",
            Turn(question="Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?"),
            "Ai làm Phó Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?",
        ),
        (
            "How much cement was produced in that month?",
            Turn(question="How did industry do in January 2023?"),
            "How much cement was produced in January 2023?",
        ),
        (
            "and the deputy?",
            Turn(question="Who chairs the tourism steering committee?"),
            "Who chairs the tourism steering committee — and the deputy?",
        ),
    ],
)
def test_a_follow_up_is_rewritten_with_what_the_turn_before_was_about(question, previous, expected):
    resolved = resolve(question, [previous.model_copy(update={"sections": ["s#1"]})])
    assert resolved.question == expected
    assert resolved.context_sections == ["s#1"]  # retrieval is steered to what answered the turn before


def test_a_question_that_stands_alone_is_left_as_asked():
    previous = Turn(
        question="Quyết định 2230/QĐ-UBND nói gì?", doc_numbers=["2230/QĐ-UBND"], sections=["s#1"]
    )
    resolved = resolve("Tổng số hộ nghèo năm 2023 là bao nhiêu?", [previous])
    assert resolved.question == "Tổng số hộ nghèo năm 2023 là bao nhiêu?" and resolved.context_sections == []
    assert resolve("Văn bản này ban hành ngày nào?", []).question == "Văn bản này ban hành ngày nào?"


def test_an_english_question_naming_vietnamese_places_is_english():
    assert (
        detect_language("What was the total export-import turnover through Lạng Sơn in January 2023?") == "en"
    )
    assert detect_language("Ai làm Trưởng Ban Chỉ đạo?") == "vi"
    assert detect_language("bao nhieu ho ngheo nam 2023") == "vi"
