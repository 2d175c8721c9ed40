import pytest

from assistant.models import MAX_QUESTION_CHARS, QuestionError
from assistant.query import parse_question


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_refused(question):
    with pytest.raises(QuestionError, match="empty"):
        parse_question(question)


def test_over_long_question_is_refused():
    with pytest.raises(QuestionError, match=str(MAX_QUESTION_CHARS)):
        parse_question("a" * (MAX_QUESTION_CHARS + 1))


def test_language_and_type():
    assert parse_question("Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?").language == "vi"
    assert parse_question("ai lam truong ban chi dao du lich").language == "vi"
    q = parse_question("Who chairs the tourism steering committee?")
    assert (q.language, q.qtype) == ("en", "who")
    assert parse_question("Ai ký thông báo này?").qtype == "signer"
    assert parse_question("Bao nhiêu hộ nghèo?").qtype == "number"


def test_english_question_searches_with_vietnamese_terms_not_folded_english():
    q = parse_question("Who chairs the tourism steering committee?")
    assert "du_lich" in q.tokens and "ban_chi" in q.tokens
    assert "the" not in q.tokens  # "the" would fold onto Vietnamese "thể/thế"
    assert "Ban Chỉ đạo" in q.search_text


def test_document_numbers_typed_any_way():
    assert parse_question("QD 2230/QD-UBND").doc_number_keys == ["2230/qd-ubnd"]
    assert parse_question("Quyết định 2230/QĐ-UBND nói gì?").doc_number_keys == ["2230/qd-ubnd"]
    assert parse_question("Công văn 4280 /VP-KGVX").doc_number_keys == ["4280/vp-kgvx"]
    assert parse_question("quyết định số 2230 nói gì").bare_numbers == ["2230"]


def test_a_marked_question_is_held_to_the_marks_of_its_question_words():
    # "Nhân ái" folds to "nhan ai", "máy" to "may": neither asks who / how many when the marks say so
    assert parse_question("Chương trình “Tết Nhân ái” được tổ chức vào dịp nào?").qtype == "other"
    assert parse_question("Tết Nhân ái diễn ra ngày nào?").qtype == "date"
    assert parse_question("Sở đã mua máy chủ cho trung tâm dữ liệu chưa?").qtype == "other"
    assert parse_question("Có mấy xã đạt chuẩn nông thôn mới?").qtype == "number"
    # typed without marks, the folded question words still count — also beside a marked name
    assert parse_question("ai lam truong ban chi dao du lich?").qtype == "who"
    assert parse_question("ai lam truong ban chi dao du lich Lạng Sơn?").qtype == "who"
    assert parse_question("Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?").qtype == "who"


def test_a_province_is_named_by_its_capitalised_name_with_or_without_marks():
    from store.header import provinces_named

    assert provinces_named("What was Cao Bang's turnover, and Lạng Sơn's?") == {"Cao Bằng", "Lạng Sơn"}
    assert provinces_named("Ba Ria – Vung Tau") == {"Bà Rịa - Vũng Tàu"}
    assert provinces_named("giữ vững hòa bình, ổn định biên giới") == set()  # peace, not Hòa Bình
    assert provinces_named("Tỉnh Hòa Bình có bao nhiêu xã?") == {"Hòa Bình"}


def test_a_section_speaks_of_a_province_only_by_its_capitalised_name():
    from assistant.answer import Composer
    from assistant.models import Hit
    from store.models import Section

    section = Section(
        id="s",
        source="x.txt",
        ordinal=0,
        joiners=[],
        path="1",
        title="Y tế",
        text="Dịch sốt xuất huyết có diễn biến phức tạp vì hòa bình.",
        spans=[],
    )
    composer = Composer({}, {})
    hit = Hit(section=section, score=1.0)
    assert not composer._about_place(hit, {"Điện Biên"}) and not composer._about_place(hit, {"Hòa Bình"})
    assert composer._about_place(hit, {"Lạng Sơn"})  # a document without a province is the home province's
    other = Hit(
        section=section.model_copy(update={"id": "t", "text": "Phối hợp với tỉnh Điện Biên."}), score=1.0
    )
    assert composer._about_place(other, {"Điện Biên"})
