"""Sections of each sample document: counts, titles, metadata, and exact offsets into the source."""

from datetime import date

import pytest

from store.sectioning import sectionize

EXPECTED_SECTIONS = {
    "000_aaa0102457e11305.txt": 19,
    "001_2bc3369859cde792.txt": 41,
    "002_bbcbd673d8c3e626.txt": 29,
    "003_b8308b7cb78d46d0.txt": 10,
    "004_6c782aff4e7e5e86.txt": 14,
}


@pytest.fixture(scope="module")
def documents(corpus_texts):
    return {name: sectionize(name, text) for name, text in corpus_texts.items()}


def by_path(doc, path):
    return next(s for s in doc.sections if s.path == path)


@pytest.mark.parametrize("name", sorted(EXPECTED_SECTIONS))
def test_every_section_is_made_of_exact_source_spans(documents, corpus_texts, name):
    doc, text = documents[name], corpus_texts[name]
    assert len(doc.sections) == EXPECTED_SECTIONS[name]
    previous_start = -1
    for s in doc.sections:
        assert len(s.joiners) == len(s.spans) - 1
        rebuilt = "".join(
            (s.joiners[i - 1] if i else "") + text[sp.start : sp.end] for i, sp in enumerate(s.spans)
        )
        assert s.text == rebuilt
        for sp in s.spans:
            assert 0 <= sp.start < sp.end <= len(text)
            assert (
                text[sp.start : sp.end] == text[sp.start : sp.end].strip()
            )  # trimmed, never cut inside a word edge
        assert s.spans[0].start > previous_start, s.id  # sections keep the document's order
        previous_start = s.spans[0].start
        # every position of the section text maps back into the source
        for pos in (0, len(s.text) // 2, len(s.text)):
            assert 0 <= s.source_offset(pos) <= len(text)


@pytest.mark.parametrize(
    "name,week,items",
    [
        ("000_aaa0102457e11305.txt", (date(2023, 8, 28), date(2023, 9, 3)), 18),
        ("001_2bc3369859cde792.txt", (date(2023, 12, 25), date(2023, 12, 31)), 40),
        ("003_b8308b7cb78d46d0.txt", (date(2022, 6, 20), date(2022, 6, 26)), 9),
    ],
)
def test_digest_items_follow_the_summary_list(documents, corpus_texts, name, week, items):
    doc = documents[name]
    assert doc.kind == "digest" and (doc.period_start, doc.period_end) == week
    overview = doc.sections[0]
    assert overview.path == "Tổng quan" and overview.title.startswith("Chỉ đạo, điều hành nổi bật")
    listed = [t.strip(" .").lower() for t in overview.text.split("\n")[1].split(";")]
    titles = [s.title for s in doc.sections[1:]]
    assert [s.path for s in doc.sections[1:]] == [f"Mục {i}" for i in range(1, items + 1)]
    assert len(listed) == len(titles) == items
    for title in titles:  # site chrome and image lines never become part of an item
        assert "http" not in title and title != "Ảnh minh họa"
    assert all("Tổng số điểm" not in s.text and "langson.gov.vn/upload" not in s.text for s in doc.sections)


def test_digest_item_metadata(documents):
    doc = documents["000_aaa0102457e11305.txt"]
    tourism = next(
        s for s in doc.sections if s.title == "Kiện toàn Ban Chỉ đạo phát triển du lịch tỉnh Lạng Sơn"
    )
    assert (tourism.instrument, tourism.instrument_date) == ("1370/QĐ-UBND", date(2023, 8, 30))
    safety = next(s for s in doc.sections if "an toàn thông tin mạng" in s.title)
    assert safety.instrument == "4280/VP-KGVX"  # written "4280 /VP-KGVX" in the source
    assert "Dương Xuân Huyên" in safety.officials
    meeting = doc.sections[1]
    assert meeting.instrument is None  # a meeting item mentions decisions but is about none
    assert "Hồ Tiến Thiệu" in meeting.officials


def test_report_headings_page_breaks_and_footnotes(documents):
    doc = documents["002_bbcbd673d8c3e626.txt"]
    assert doc.kind == "report" and doc.period_label == "01/2023"
    assert doc.title.startswith("BÁO CÁO Tình hình kinh tế - xã hội tháng 01")
    agri = by_path(doc, "II > 1 > 1.1")
    assert agri.title == "1.1. Sản xuất nông, lâm nghiệp và xây dựng nông thôn mới"
    assert (
        agri.context.startswith("II. TÌNH HÌNH KINH TẾ") and "1. Lĩnh vực phát triển kinh tế" in agri.context
    )
    # the sentence cut by a page break reads whole again, joined by one space …
    assert (
        "Ban hành kế hoạch thực hiện Chương trình mục tiêu quốc gia xây dựng nông thôn mới năm 2023"
        in agri.text
    )
    # … and the page's footnotes ride along with the section that cites them
    assert (
        "¹ Trong đó: 2.128 ha rau, 548 ha khoai tây" in agri.text
        and "² Tổng đàn trâu khoảng 67.800 con" in agri.text
    )
    infra = by_path(doc, "II > 1 > 1.3")
    assert "⁴ Trong đó: Vốn ngân sách tỉnh: 1.226,1 tỷ đồng" in infra.text
    assert "đạt 85,6% kế hoạch giao đầu năm, Cụ thể" in infra.text  # footnote continued on the next page
    firms = by_path(doc, "II > 1 > 1.5")
    assert (
        "tính từ đầu năm đến ngày 16/01/2023, toàn tỉnh đã đăng ký thành lập mới được 25 doanh nghiệp"
        in firms.text
    )
    assert (
        "⁸ Công văn số 602/BGTVT-KHĐT" in by_path(doc, "III > 4").text
    )  # cited in item 4, printed after item 5 began
    assert "⁸" not in by_path(doc, "III > 5").text
    assert by_path(doc, "Chữ ký").text.endswith("Dương Xuân Huyền")
    assert by_path(doc, "Nơi nhận").text.startswith("Nơi nhận:")


def test_notice_items_and_sub_items(documents):
    doc = documents["004_6c782aff4e7e5e86.txt"]
    assert doc.kind == "notice" and doc.period_start == date(2020, 7, 29)
    assert doc.title.startswith("THÔNG BÁO Kết luận phiên họp UBND tỉnh thường kỳ tháng 7 năm 2020")
    paths = [s.path for s in doc.sections]
    assert paths == [
        "Đầu văn bản",
        "1",
        "1 > a)",
        "1 > b)",
        "1 > c)",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "Nơi nhận",
        "Chữ ký",
    ]
    assert by_path(doc, "2").title.startswith(
        "2. Dự thảo Quyết định của UBND tỉnh ban hành quy chế tổ chức tuyển dụng"
    )
    assert "trình UBND tỉnh trước ngày 10/8/2020" in by_path(doc, "2").text
    assert by_path(doc, "Chữ ký").text.endswith("Phạm Hùng Trường")
    assert "Ngày 29/7/2020, UBND tỉnh đã tổ chức phiên họp thường kỳ" in doc.sections[0].text
