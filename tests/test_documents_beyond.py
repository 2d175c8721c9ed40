"""Documents beyond the sample corpus (issue 11): pages of other portals, legal instruments copied
from a legal library, hard-wrapped plans, statistics reports, other provinces' documents.

tests/fixtures/documents/ holds one small, realistic file per shape; each is read as chidao reads it
(store.reader: HTML through trafilatura) and sectioned, and its title, number, date, kind, period,
issuer and sections are checked. The sample corpus must section exactly as before the change.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pytest

from store.header import instrument_key, parse_header, read_period
from store.models import KINDS, kind_label
from store.reader import read_document
from store.sectioning import sectionize

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"

# sha256 of each sample document's sections (ids, paths, titles, context, spans, joiners, text and
# metadata) and of its kind, title, number and period, as the sectioner made them before issue 11.
SAMPLE_BEFORE = {
    "000_aaa0102457e11305.txt": "e88273126048d1c6fc8448e43b2b884beb75e0e64e413ca908007d2bffdac1a8",
    "001_2bc3369859cde792.txt": "0f12f9139c343f7ba92e66b75f140e83534bfc1c2a5f6cefe64dcc1e656f702d",
    "002_bbcbd673d8c3e626.txt": "b77f744c7445c2e705e48b3b53bb4fb13189b4bae28880ceb7a0f99f208b3ea1",
    "003_b8308b7cb78d46d0.txt": "8aa1c4ab0cf2b8be39ba97d10472304ec0400de5b4bc82604feef3ff3ca55cf8",
    "004_6c782aff4e7e5e86.txt": "9484c6bd99b86af289581d2f5e0f2284ffa153cff3cef41a688d86d05b98e7b6",
}
_SECTION_FIELDS = (
    "id",
    "source",
    "ordinal",
    "path",
    "title",
    "context",
    "spans",
    "joiners",
    "text",
    "doc_numbers",
    "dates",
    "officials",
    "instrument",
    "instrument_date",
)


def sections_digest(doc) -> str:
    document = {
        "kind": doc.kind,
        "title": doc.title,
        "number": doc.number,
        "period_start": str(doc.period_start),
        "period_end": str(doc.period_end),
        "period_label": doc.period_label,
    }
    sections = [
        {k: v for k, v in s.model_dump(mode="json").items() if k in _SECTION_FIELDS} for s in doc.sections
    ]
    blob = json.dumps({"document": document, "sections": sections}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


@pytest.mark.parametrize("name", sorted(SAMPLE_BEFORE))
def test_the_sample_corpus_sections_exactly_as_before(corpus_texts, name):
    doc = sectionize(name, corpus_texts[name])
    assert sections_digest(doc) == SAMPLE_BEFORE[name], (
        f"{name}: sections differ from before issue 11; dump them with sectionize() and compare"
    )
    # New metadata only: every sample document is the provincial People's Committee's own.
    assert (doc.issuer, doc.province) == ("UBND tỉnh Lạng Sơn", "Lạng Sơn")


# ---- the fixture corpus -----------------------------------------------------------------------


def read(name: str):
    text, _ = read_document(FIXTURES / name)
    return text, sectionize(name, text)


def week(a: date, b: date) -> tuple[date, date, str]:
    return a, b, f"{a:%d/%m/%Y}–{b:%d/%m/%Y}"


# Plan 240/KH-UBND of 2023 and of 2024: one number, two years, the same outline.
PLAN_240_PATHS = [
    "Đầu văn bản",
    "I > 1",
    "I > 2",
    "II > 1",
    "II > 2",
    "II > 3",
    "III",
    "IV",
    "Nơi nhận",
    "Chữ ký",
]
# name → kind, title, number, number key, issued, (period start, end, label) or None, issuer, province, section paths
EXPECTED = {
    "portal_news_langson.html": dict(
        kind="news",
        title="Lạng Sơn triển khai tiêm vắc xin phòng bệnh Dịch tả lợn Châu Phi đợt 1 năm 2024",
        number=None,
        key=None,
        issued=None,
        period=(date(2024, 1, 1), date(2024, 12, 31), "2024"),
        issuer=None,
        province="Lạng Sơn",
        paths=["Toàn văn"],
    ),
    "portal_page_congvan_1520.txt": dict(
        kind="official_letter",
        title="V/v tăng cường phòng, chống bệnh Dịch tả lợn Châu Phi trên địa bàn tỉnh",
        number="1520/UBND-KT",
        key="1520/ubnd-kt@2024",
        issued=date(2024, 5, 12),
        period=None,
        issuer="UBND tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=["Đầu văn bản", "1 > a)", "1 > b)", "2", "3", "4", "Nơi nhận", "Chữ ký"],
    ),
    "thuvienphapluat_qd_12_2024_QD-UBND.txt": dict(
        kind="decision",
        title="QUYẾT ĐỊNH BAN HÀNH QUY ĐỊNH PHÂN CẤP QUẢN LÝ NHÀ NƯỚC VỀ AN TOÀN THỰC PHẨM TRÊN ĐỊA BÀN TỈNH LẠNG SƠN",
        number="12/2024/QĐ-UBND",
        key="12/2024/qd-ubnd",
        issued=date(2024, 3, 15),
        period=None,
        issuer="UBND tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=[
            "Đầu văn bản",
            "Điều 1",
            "Điều 2",
            "Điều 3",
            "Nơi nhận",
            "Chữ ký",
            "Quy định",
            "Quy định > Chương I > Điều 1",
            "Quy định > Chương I > Điều 2",
            "Quy định > Chương II > Mục 1 > Điều 3 > 1 > a)",
            "Quy định > Chương II > Mục 1 > Điều 3 > 1 > b)",
            "Quy định > Chương II > Mục 1 > Điều 3 > 2",
            "Quy định > Chương II > Mục 1 > Điều 4",
            "Quy định > Chương II > Mục 2 > Điều 5 > 1",
            "Quy định > Chương II > Mục 2 > Điều 5 > 2",
            "Quy định > Chương II > Mục 2 > Điều 6",
            "Quy định > Chương III > Điều 7",
        ],
    ),
    "ke_hoach_178_KH-UBND_2023_wrapped.txt": dict(
        kind="plan",
        title="KẾ HOẠCH Triển khai thực hiện Chương trình chuyển đổi số tỉnh Lạng Sơn năm 2023, định hướng đến năm 2025",
        number="178/KH-UBND",
        key="178/kh-ubnd@2023",
        issued=date(2023, 7, 20),
        period=(date(2023, 1, 1), date(2023, 12, 31), "2023"),
        issuer="UBND tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=[
            "Đầu văn bản",
            "I > 1",
            "I > 2",
            "II > 1 > a)",
            "II > 1 > b)",
            "II > 2 > a)",
            "II > 2 > b)",
            "II > 3",
            "III",
            "IV > 1",
            "IV > 2",
            "Nơi nhận",
            "Chữ ký",
        ],
    ),
    "cuc_thong_ke_ktxh_thang_7_2023.txt": dict(
        kind="report",
        title="Tình hình kinh tế - xã hội tỉnh Lạng Sơn tháng 7 và 7 tháng năm 2023",
        number=None,
        key=None,
        issued=None,
        period=(date(2023, 7, 1), date(2023, 7, 31), "07/2023"),
        issuer="Cục Thống kê tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=["Đầu văn bản", "1 > a)", "1 > b)", "2", "3 > a)", "3 > b)", "4"],
    ),
    "vbpl_bc_85_BC-STC_quy_i_2025.html": dict(
        kind="report",
        title="BÁO CÁO Tình hình thu hút đầu tư và phát triển doanh nghiệp quý I năm 2025",
        number="85/BC-STC",
        key="85/bc-stc@2025",
        issued=date(2025, 4, 5),
        period=(date(2025, 1, 1), date(2025, 3, 31), "quý I/2025"),
        issuer="Sở Tài chính tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=["Đầu văn bản", "I > 1", "I > 2", "II > 1", "II > 2", "III", "Nơi nhận", "Chữ ký"],
    ),
    "ban_tin_tuan_cong_moi_2024.html": dict(
        kind="digest",
        title="Chỉ đạo, điều hành nổi bật của UBND tỉnh tuần từ 04/3 đến 10/3/2024",
        number=None,
        key=None,
        issued=None,
        period=week(date(2024, 3, 4), date(2024, 3, 10)),
        issuer="UBND tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=["Mục 1", "Mục 2", "Mục 3", "Mục 4"],
    ),
    "cao_bang_chi_thi_05_CT-UBND_2024.txt": dict(
        kind="directive",
        title="CHỈ THỊ Về tăng cường công tác phòng cháy, chữa cháy rừng năm 2024",
        number="05/CT-UBND",
        key="05/ct-ubnd@2024",
        issued=date(2024, 4, 22),
        period=(date(2024, 1, 1), date(2024, 12, 31), "2024"),
        issuer="UBND tỉnh Cao Bằng",
        province="Cao Bằng",
        paths=["Đầu văn bản", "1", "2", "3", "4", "5", "Nơi nhận", "Chữ ký"],
    ),
    "ke_hoach_240_KH-UBND_2023.txt": dict(
        kind="plan",
        title="KẾ HOẠCH Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia (10/10) "
        "trên địa bàn tỉnh Lạng Sơn năm 2023",
        number="240/KH-UBND",
        key="240/kh-ubnd@2023",
        issued=date(2023, 9, 15),
        period=(date(2023, 1, 1), date(2023, 12, 31), "2023"),
        issuer="UBND tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=PLAN_240_PATHS,
    ),
    "ke_hoach_240_KH-UBND_2024.txt": dict(
        kind="plan",
        title="KẾ HOẠCH Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia (10/10) "
        "trên địa bàn tỉnh Lạng Sơn năm 2024",
        number="240/KH-UBND",
        key="240/kh-ubnd@2024",
        issued=date(2024, 9, 15),
        period=(date(2024, 1, 1), date(2024, 12, 31), "2024"),
        issuer="UBND tỉnh Lạng Sơn",
        province="Lạng Sơn",
        paths=PLAN_240_PATHS,
    ),
}
SIGNERS = {
    "portal_page_congvan_1520.txt": ("Đoàn Thu Hà", "Phó Chủ tịch"),
    "thuvienphapluat_qd_12_2024_QD-UBND.txt": ("Đoàn Thu Hà", "Phó Chủ tịch"),
    "ke_hoach_178_KH-UBND_2023_wrapped.txt": ("Dương Xuân Huyên", "Phó Chủ tịch"),
    "vbpl_bc_85_BC-STC_quy_i_2025.html": ("Lương Trọng Quỳnh", "Giám đốc"),
    "cao_bang_chi_thi_05_CT-UBND_2024.txt": (
        "Hoàng Xuân Ánh",
        "Chủ tịch",
    ),  # signed "CHỦ TỊCH", without TM./KT.
    "ke_hoach_240_KH-UBND_2023.txt": ("Dương Xuân Huyên", "Phó Chủ tịch"),
    "ke_hoach_240_KH-UBND_2024.txt": ("Đoàn Thu Hà", "Phó Chủ tịch"),
}
# Page chrome of the fixtures: none of it may stand in a title or a section.
CHROME = [
    "Skip to main content",
    "Nhảy đến nội dung",
    "Bỏ qua nội dung",
    "Banner",
    "Ủy ban nhân dân tỉnh\n",
    "Trang chủ",
    "Tin tức - Sự kiện",
    "Chia sẻ",
    "Facebook",
    "Zalo",
    "In bài",
    "Gửi email",
    "A- A A+",
    "Tăng tương phản",
    "Tổng số điểm",
    "Đánh giá bài viết",
    "Lượt xem",
    "Lượt truy cập",
    "Đang truy cập",
    "Ngày đăng",
    "Tin liên quan",
    "Các tin khác",
    "Tin cùng chuyên mục",
    "Văn bản liên quan",
    "Bản quyền",
    "Copyright",
    "Ghi rõ nguồn",
    "Địa chỉ: Số",
    "Số hiệu:",
    "Loại văn bản:",
    "Thuộc tính",
    "Lược đồ",
    "Đăng nhập",
    "Hotline",
    "Liên kết website",
    "-------",
    "Nguồn:",
]


def test_the_fixture_corpus_has_one_file_per_shape():
    assert sorted(p.name for p in FIXTURES.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_title_number_date_kind_period_issuer_sections(name):
    expected = EXPECTED[name]
    _, doc = read(name)
    assert doc.kind == expected["kind"]
    assert doc.title == expected["title"]
    assert (doc.number, doc.number_key, doc.issued) == (
        expected["number"],
        expected["key"],
        expected["issued"],
    )
    period = (doc.period_start, doc.period_end, doc.period_label) if doc.period_label else None
    assert period == expected["period"]
    assert (doc.issuer, doc.province) == (expected["issuer"], expected["province"])
    assert [s.path for s in doc.sections] == expected["paths"]
    if name in SIGNERS:
        assert (doc.signer, doc.signer_role) == SIGNERS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sections_are_exact_spans_and_carry_no_page_chrome(name):
    text, doc = read(name)
    for s in doc.sections:
        rebuilt = "".join(
            (s.joiners[i - 1] if i else "") + text[sp.start : sp.end] for i, sp in enumerate(s.spans)
        )
        assert s.text == rebuilt
        for chrome in CHROME:
            assert chrome not in s.text + "\n" and chrome not in s.title, (s.path, chrome)
    assert not doc.title.upper().startswith(
        ("ỦY BAN", "UBND", "UỶ BAN", "CỘNG HÒA", "SỞ ", "CỤC ")
    )  # never the issuing body


def test_hard_wrapped_lines_are_rejoined():
    text, doc = read("ke_hoach_178_KH-UBND_2023_wrapped.txt")
    by = {s.path: s for s in doc.sections}
    a = by["II > 1 > a)"]
    assert a.title == "a) Duy trì, vận hành ổn định Hệ thống thông tin giải quyết thủ tục hành chính tỉnh;"
    assert "giải quyết thủ tục hành chính tỉnh; phấn đấu tỷ lệ hồ sơ trực tuyến toàn trình" in a.text
    assert a.context.startswith(
        "II. NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG TÂM CHUYỂN ĐỔI SỐ NĂM 2023"
    )  # a heading wrapped too
    assert (
        "UBND tỉnh ban hành Kế hoạch triển khai thực hiện Chương trình chuyển đổi số năm 2023, cụ thể như sau:"
        in doc.sections[0].text
    )  # the opening paragraph after the title
    assert "giải quyết./." in by["IV > 2"].text


def test_a_decision_copied_from_a_legal_library():
    _, doc = read("thuvienphapluat_qd_12_2024_QD-UBND.txt")
    by = {s.path: s for s in doc.sections}
    head = doc.sections[0].text
    assert head.startswith(
        "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    )  # the library's tabs are gone
    assert "\nỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nCăn cứ Luật Tổ chức" in head and head.endswith("QUYẾT ĐỊNH:")
    assert by["Điều 1"].title.startswith("Điều 1. Ban hành kèm theo Quyết định này Quy định phân cấp")
    assert by["Chữ ký"].text == "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH Đoàn Thu Hà"
    assert by["Quy định"].text.endswith(
        "(Ban hành kèm theo Quyết định số 12/2024/QĐ-UBND ngày 15 tháng 3 năm 2024 của UBND tỉnh Lạng Sơn)"
    )
    article = by["Quy định > Chương II > Mục 1 > Điều 3 > 1 > a)"]
    assert article.context.endswith(
        "Chương II PHÂN CẤP QUẢN LÝ › Mục 1. CẤP TỈNH › Điều 3. Trách nhiệm của Sở Y tế"
        " › 1. Quản lý an toàn thực phẩm đối với:"
    )
    # every section is about the decision itself: a question naming it is answered from any part of it
    assert {(s.instrument, s.instrument_date) for s in doc.sections} == {
        ("12/2024/QĐ-UBND", date(2024, 3, 15))
    }


def test_two_plans_with_one_number_are_told_apart_by_year():
    _, a = read("ke_hoach_240_KH-UBND_2023.txt")
    _, b = read("ke_hoach_240_KH-UBND_2024.txt")
    assert a.number == b.number == "240/KH-UBND" and a.number_key != b.number_key
    assert {s.instrument_date for s in a.sections} == {date(2023, 9, 15)}
    assert {s.instrument_date for s in b.sections} == {date(2024, 9, 15)}


def test_digest_of_another_portal_has_its_week_and_items():
    _, doc = read("ban_tin_tuan_cong_moi_2024.html")
    items = doc.sections  # no overview: the title alone is no section
    assert [s.title for s in items] == [
        "UBND tỉnh ban hành Kế hoạch phát triển du lịch cộng đồng năm 2024",
        "Kiện toàn Ban Chỉ đạo phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh",
        "Chỉ đạo tăng cường phòng cháy, chữa cháy rừng trong mùa khô",
        "Thông báo kết luận của Chủ tịch UBND tỉnh tại buổi làm việc với huyện Tràng Định",
    ]
    assert [s.instrument for s in items] == ["56/KH-UBND", "398/QĐ-UBND", "245/UBND-KT", "112/TB-VP"]
    assert all("Ảnh minh họa" not in s.text for s in doc.sections)


def test_html_pages_keep_paragraphs_as_lines():
    text, _ = read("portal_news_langson.html")
    lines = text.split("\n")
    assert lines[0] == "Lạng Sơn triển khai tiêm vắc xin phòng bệnh Dịch tả lợn Châu Phi đợt 1 năm 2024"
    assert lines[1].startswith("Thực hiện Kế hoạch số 62/KH-UBND") and lines[1].endswith("đợt 1 năm 2024.")
    assert "Skip to main content" not in text and "Tin liên quan" not in text and "Bản quyền" not in text
    text, doc = read(
        "vbpl_bc_85_BC-STC_quy_i_2025.html"
    )  # a header table: each paragraph and line break a line
    assert text.startswith(
        "UBND TỈNH LẠNG SƠN\nSỞ TÀI CHÍNH\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n---------------\nSố: 85/BC-STC | Lạng Sơn, ngày 05 tháng 4 năm 2025\n"
    )
    assert (
        "Nơi nhận:\n- UBND tỉnh (b/c);\n- Lãnh đạo Sở;\n- Lưu: VT, DN.\nGIÁM ĐỐC\nLương Trọng Quỳnh" in text
    )
    assert (
        "\nSố: 85/BC-STC\nLạng Sơn, ngày 05 tháng 4 năm 2025\nBÁO CÁO\n" in doc.sections[0].text
    )  # the row's cells


def test_a_digest_of_another_portal_without_a_summary_line():
    text = (
        "Trang chủ\nTin tức\nChỉ đạo điều hành\n"
        "Điểm tin chỉ đạo, điều hành của UBND tỉnh tuần từ 11/3 đến 17/3/2024\n"
        "Phê duyệt Đề án phát triển vùng chè Thất Khê\n"
        "Ngày 12/3/2024, UBND tỉnh ban hành Quyết định số 455/QĐ-UBND phê duyệt Đề án phát triển vùng chè "
        "Thất Khê đến năm 2030, quy mô 600 ha.\n"
        "Chỉ đạo bảo đảm an toàn giao thông dịp lễ hội\n"
        "UBND tỉnh yêu cầu Công an tỉnh tăng cường tuần tra, kiểm soát trên các tuyến quốc lộ 1A, 4B và 279.\n"
        "Chia sẻ\nTin liên quan\nĐiểm tin chỉ đạo, điều hành tuần từ 04/3 đến 10/3/2024\n"
    )
    doc = sectionize("diem-tin.txt", text)
    assert doc.kind == "digest" and (doc.period_start, doc.period_end) == (
        date(2024, 3, 11),
        date(2024, 3, 17),
    )
    assert doc.title == "Điểm tin chỉ đạo, điều hành của UBND tỉnh tuần từ 11/3 đến 17/3/2024"
    assert [s.title for s in doc.sections] == [
        "Phê duyệt Đề án phát triển vùng chè Thất Khê",
        "Chỉ đạo bảo đảm an toàn giao thông dịp lễ hội",
    ]
    assert doc.sections[0].instrument == "455/QĐ-UBND"
    # a report that speaks of the week's direction is no digest
    report = sectionize(
        "bc.txt",
        "BÁO CÁO\nKết quả công tác tháng 3 năm 2024\nI. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH TRONG TUẦN\n"
        "UBND tỉnh chỉ đạo quyết liệt các nhiệm vụ trọng tâm của tháng.\nII. NHIỆM VỤ\n"
        "Tiếp tục thực hiện các nhiệm vụ.\n",
    )
    assert report.kind == "report" and report.period_label == "03/2024"


def test_a_row_of_figures_stays_one_line():
    from store.extract import html_text

    rows = "".join(f"<tr><td>Chỉ tiêu {i}</td><td>{i * 10}</td><td>{i}%</td></tr>" for i in range(1, 4))
    page = (
        "<html><body><nav>Trang chủ</nav><article><h1>Tình hình kinh tế - xã hội tháng 5 năm 2024</h1>"
        + "<p>Sản xuất nông nghiệp tháng 5 năm 2024 ổn định, diện tích gieo trồng vụ xuân đạt kế hoạch đề ra; "
        "chăn nuôi phát triển, không phát sinh dịch bệnh lớn trên đàn gia súc, gia cầm.</p>"
        * 3
        + f"<table>{rows}</table></article></body></html>"
    )
    assert "\nChỉ tiêu 2 | 20 | 2%\n" in html_text(page)
    assert html_text(page.replace("</table>", "<tr><td>Tổng thu</td><td>4.125</td></tr></table>")).endswith(
        "\nTổng thu | 4.125"
    )  # padding cell dropped


def test_a_docx_header_table_is_read_as_cells():
    import docx

    from store.extract import docx_text

    d = docx.Document()
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = (
        "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
    )
    t.cell(1, 0).text, t.cell(1, 1).text = "Số: 1234/QĐ-UBND", "Lạng Sơn, ngày 02 tháng 8 năm 2024"
    for p in [
        "QUYẾT ĐỊNH",
        "Về việc công bố Danh mục thủ tục hành chính lĩnh vực Bảo trợ xã hội",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN",
        "QUYẾT ĐỊNH:",
        "Điều 1. Công bố kèm theo Quyết định này 05 thủ tục hành chính mới ban hành.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Nơi nhận:",
        "- Như Điều 2;",
        "CHỦ TỊCH",
        "Hồ Tiến Thiệu",
    ]:
        d.add_paragraph(p)
    raw = io.BytesIO()
    d.save(raw)
    doc = sectionize("qd.docx", docx_text(raw.getvalue()))
    assert (doc.kind, doc.number, doc.issued, doc.issuer) == (
        "decision",
        "1234/QĐ-UBND",
        date(2024, 8, 2),
        "UBND tỉnh Lạng Sơn",
    )
    assert doc.title == "QUYẾT ĐỊNH Về việc công bố Danh mục thủ tục hành chính lĩnh vực Bảo trợ xã hội"
    assert (doc.signer, doc.signer_role) == ("Hồ Tiến Thiệu", "Chủ tịch")


# ---- header and period readers ---------------------------------------------------------------


def header(text: str):
    lines = [ln.strip() for ln in text.strip().split("\n")]
    blank = [i > 0 and not lines[i - 1] for i in range(len(lines))]
    keep = [i for i, ln in enumerate(lines) if ln]
    return parse_header([lines[i] for i in keep], [blank[i] for i in keep])


@pytest.mark.parametrize(
    "number_line,type_line,kind",
    [
        ("Số: 15/NQ-HĐND", "NGHỊ QUYẾT", "resolution"),
        ("Số: 112/TB-UBND", "THÔNG BÁO", "notice"),
        ("Số: 45/BC-UBND", "BÁO CÁO", "report"),
        ("Số: 08/CT-UBND", "CHỈ THỊ", "directive"),
        ("Số: 2230/QĐ-UBND", "QUYẾT ĐỊNH", "decision"),
        ("Số: 98/KH-UBND", "KẾ HOẠCH", "plan"),
        ("Số: 4280 /VP-KGVX", None, "official_letter"),  # a letter has no type line; its symbol no type code
    ],
)
def test_number_symbol_and_kind(number_line, type_line, kind):
    h = header(f"""ỦY BAN NHÂN DÂN
TỈNH LẠNG SƠN
{number_line}
Lạng Sơn, ngày 03 tháng 9 năm 2023
{type_line or "V/v triển khai nhiệm vụ"}
Về việc triển khai nhiệm vụ tháng 9 năm 2023

Căn cứ Luật Tổ chức chính quyền địa phương;""")
    assert h.kind == kind and h.issued == date(2023, 9, 3) and h.place == "Lạng Sơn"
    assert h.number == number_line.split(":")[1].strip().replace(" ", "")


def test_a_draft_without_number_or_day_invents_neither():
    h = header(
        "Số: /BC-UBND\n\nLạng Sơn, ngày   tháng 01 năm 2023\n\nBÁO CÁO\nTình hình kinh tế - xã hội tháng 01"
    )
    assert (h.number, h.symbol, h.issued, h.year, h.month) == (None, "BC-UBND", None, 2023, 1)
    assert h.issuer == "UBND tỉnh Lạng Sơn"  # from the symbol's UBND and the place
    assert instrument_key(None, 2023) is None


def test_issuing_body_under_its_parent():
    h = header(
        "UBND TỈNH LẠNG SƠN\nSỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN\nSố: 12/KH-SNN\n"
        "Lạng Sơn, ngày 10 tháng 2 năm 2024\nKẾ HOẠCH\nPhòng, chống dịch bệnh động vật năm 2024"
    )
    assert h.issuer == "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lạng Sơn" and h.province == "Lạng Sơn"
    assert h.title == "KẾ HOẠCH Phòng, chống dịch bệnh động vật năm 2024"


@pytest.mark.parametrize(
    "title,expected",
    [
        (
            "Chỉ đạo, điều hành nổi bật của UBND tỉnh trong tuần (từ ngày 28/8 đến ngày 03/9/2023)",
            (date(2023, 8, 28), date(2023, 9, 3), "28/08/2023–03/09/2023"),
        ),
        (
            "Điểm tin chỉ đạo, điều hành tuần từ 25/12/2023 - 31/12/2023",
            (date(2023, 12, 25), date(2023, 12, 31), "25/12/2023–31/12/2023"),
        ),
        ("Tình hình kinh tế - xã hội tháng 7/2023", (date(2023, 7, 1), date(2023, 7, 31), "07/2023")),
        (
            "BÁO CÁO Tình hình kinh tế - xã hội tháng 01, nhiệm vụ trọng tâm tháng 02 năm 2023",
            (date(2023, 1, 1), date(2023, 1, 31), "01/2023"),
        ),
        ("Báo cáo kết quả thực hiện quý I năm 2025", (date(2025, 1, 1), date(2025, 3, 31), "quý I/2025")),
        (
            "Báo cáo sơ kết 6 tháng đầu năm 2024",
            (date(2024, 1, 1), date(2024, 6, 30), "6 tháng đầu năm 2024"),
        ),
        (
            "Kế hoạch phát triển du lịch giai đoạn 2021 - 2025",
            (date(2021, 1, 1), date(2025, 12, 31), "2021–2025"),
        ),
        (
            "Kế hoạch chuyển đổi số năm 2023, định hướng đến năm 2025",
            (date(2023, 1, 1), date(2023, 12, 31), "2023"),
        ),
        (
            "THÔNG BÁO Kết luận phiên họp thường kỳ tháng 7 năm 2020 (ngày 29 tháng 7 năm 2020)",
            (date(2020, 7, 29), date(2020, 7, 29), "29/07/2020"),
        ),
        ("V/v tăng cường phòng, chống bệnh Dịch tả lợn Châu Phi", None),
        (
            "Về việc bãi bỏ Quyết định số 768/QĐ-UBND ngày 26/4/2019",
            None,
        ),  # another instrument's date is no period
        ("Định hướng phát triển đến năm 2030", None),
    ],
)
def test_periods_read_from_titles(title, expected):
    p = read_period(title)
    assert ((p.start, p.end, p.label) if p else None) == expected


def test_a_month_without_a_year_takes_the_datelines():
    p = read_period("Báo cáo tình hình tháng 8", year=2024)
    assert (p.start, p.end) == (date(2024, 8, 1), date(2024, 8, 31))


def test_every_kind_has_both_labels():
    for kind, k in KINDS.items():
        assert k.vi and k.en and kind_label(kind, "vi") == k.vi and kind_label(kind, "en") == k.en
    assert kind_label("text") == "chưa rõ loại"


# ---- the library, filters and answers ------------------------------------------------------------


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The sample corpus and the fixtures, ingested with the stand-in embedder (no model)."""
    from store.index import Store
    from store.ingest import ingest
    from tests.conftest import CORPUS, HashEmbedder

    home = tmp_path_factory.mktemp("beyond")
    store = Store(home, chroma_url="")
    report = ingest([CORPUS, FIXTURES], store, lambda: HashEmbedder())
    assert len(report.added) == len(SAMPLE_BEFORE) + len(EXPECTED) and not report.skipped
    return store


def test_docs_list_json_names_every_document_without_chrome_or_empty_periods(library):
    from typer.testing import CliRunner

    from assistant.cli import app

    result = CliRunner().invoke(
        app, ["docs", "list", "--json"], env={"CHIDAO_HOME": str(library.home), "CHIDAO_CHROMA_URL": ""}
    )
    assert result.exit_code == 0, result.output
    listed = {d["source"]: d for d in json.loads(result.stdout)}
    assert len(listed) == len(SAMPLE_BEFORE) + len(EXPECTED)
    for name, d in listed.items():
        assert set(d) >= {
            "source",
            "kind",
            "title",
            "doc_number",
            "date",
            "period_start",
            "period_end",
            "issuer",
            "sections",
        }
        for title in [d["title"]] + [s["title"] for s in d["sections"]]:
            assert title.strip() not in ("Ủy ban nhân dân tỉnh", "UỶ BAN NHÂN DÂN", "ỦY BAN NHÂN DÂN"), name
            assert not any(chrome in title for chrome in CHROME if not chrome.endswith("\n")), (name, title)
        if name in EXPECTED:
            e = EXPECTED[name]
            assert (d["kind"], d["title"], d["doc_number"]) == (e["kind"], e["title"], e["number"])
            assert d["date"] == (e["issued"].isoformat() if e["issued"] else None)
            assert d["period_start"] == (e["period"][0].isoformat() if e["period"] else None)
            assert [s["path"] for s in d["sections"]] == e["paths"]
        assert d["period_start"] or d["kind"] in (
            "decision",
            "official_letter",
        )  # each states a period but these two
    assert listed["cao_bang_chi_thi_05_CT-UBND_2024.txt"]["issuer"] == "UBND tỉnh Cao Bằng"
    assert (
        listed["ke_hoach_240_KH-UBND_2023.txt"]["doc_key"]
        != listed["ke_hoach_240_KH-UBND_2024.txt"]["doc_key"]
    )


def test_the_issuer_filter_reaches_every_retriever(library):
    from assistant.models import Filters
    from assistant.query import parse_question
    from assistant.retrieval import Asked, Retriever
    from tests.conftest import HashEmbedder

    embedder = HashEmbedder()
    retriever = Retriever(library, embedder)
    query = parse_question("Giao cơ quan nào tăng cường tuần tra phòng cháy, chữa cháy rừng?")
    vector = embedder.embed_query(query.search_text)
    only = Filters(issuers=["cao bang"])  # without diacritics
    sources = {"cao_bang_chi_thi_05_CT-UBND_2024.txt"}
    sections = library.sections()
    for name in ("dense", "units", "lexical"):  # each retriever filters its own search
        found = retriever.retriever(name).search(Asked(query, vector), only, 40)
        assert {sections[f.section_id].source for f in found} == sources, name
    hits = retriever.search(query, vector, k=5, filters=only)
    assert hits and {h.section.source for h in hits} == sources
    lang_son = retriever.search(query, vector, k=10, filters=Filters(issuers=["Lạng Sơn"]))
    assert lang_son and "cao_bang_chi_thi_05_CT-UBND_2024.txt" not in {h.section.source for h in lang_son}
    finance = retriever.search(query, vector, k=10, filters=Filters(issuers=["Sở Tài chính"]))
    assert {h.section.source for h in finance} == {"vbpl_bc_85_BC-STC_quy_i_2025.html"}
    assert retriever.search(query, vector, k=5, filters=Filters(issuers=["Hà Giang"])) == []


def test_a_question_naming_a_year_prefers_that_years_plan(library):
    from assistant.query import parse_question
    from assistant.retrieval import Asked, Retriever

    retriever = Retriever(library, None)
    sections = library.sections()
    for year in (2023, 2024):
        query = parse_question(f"Kế hoạch 240/KH-UBND năm {year} tổ chức hội nghị ở đâu?")
        found = retriever.retriever("number").search(Asked(query, None), None, 40)
        plan = f"ke_hoach_240_KH-UBND_{year}.txt"
        first = [sections[f.section_id].source for f in found][:10]
        assert first == [plan] * 10, first  # all of that year's plan before any of the other year's


def test_answers_name_the_issuer_of_another_province_and_an_unknown_period(library):
    from assistant.render import document_label as _document_label

    records = library.manifest().documents
    assert _document_label(records["cao_bang_chi_thi_05_CT-UBND_2024.txt"], "vi").endswith(
        "của UBND tỉnh Cao Bằng"
    )
    assert _document_label(records["cao_bang_chi_thi_05_CT-UBND_2024.txt"], "en").endswith(
        "of UBND tỉnh Cao Bằng"
    )
    plan = records["ke_hoach_240_KH-UBND_2023.txt"]
    assert _document_label(plan, "vi") == plan.title  # the home province's: no issuer named
    # the sample's labels are what they were
    assert (
        _document_label(records["002_bbcbd673d8c3e626.txt"], "vi")
        == "báo cáo tình hình kinh tế - xã hội 01/2023"
    )
    assert (
        _document_label(records["004_6c782aff4e7e5e86.txt"], "en")
        == "the meeting conclusions notice 29/07/2020"
    )
    assert (
        _document_label(records["000_aaa0102457e11305.txt"], "vi")
        == "bản tin chỉ đạo, điều hành tuần 28/08/2023–03/09/2023"
    )
    undated = records["ban_tin_tuan_cong_moi_2024.html"].model_copy(update={"period_label": None})
    assert _document_label(undated, "vi") == "bản tin chỉ đạo, điều hành (chưa rõ kỳ)"


def test_a_pdf_text_with_both_header_columns_on_one_line():
    text = (
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH CAO BẰNG Độc lập - Tự do - Hạnh phúc\n"
        "Số: 31/TB-UBND Cao Bằng, ngày 05 tháng 6 năm 2024\nTHÔNG BÁO\n"
        "Kết luận của Chủ tịch UBND tỉnh tại buổi làm việc với huyện Bảo Lạc\n"
        "Ngày 03/6/2024, đồng chí Hoàng Xuân Ánh, Chủ tịch UBND tỉnh làm việc với huyện Bảo Lạc.\n"
        "1. Huyện Bảo Lạc hoàn thành giải phóng mặt bằng trước ngày 30/8/2024.\n"
        "2. Sở Giao thông vận tải hướng dẫn huyện lập hồ sơ dự án.\n"
    )
    doc = sectionize("tb.pdf", text)
    assert (doc.kind, doc.number, doc.issued) == ("notice", "31/TB-UBND", date(2024, 6, 5))
    assert (doc.issuer, doc.province) == ("UBND tỉnh Cao Bằng", "Cao Bằng")
    assert doc.title == "THÔNG BÁO Kết luận của Chủ tịch UBND tỉnh tại buổi làm việc với huyện Bảo Lạc"
    assert doc.period_label is None  # a notice of a working visit names no period in its title
    assert [s.path for s in doc.sections] == ["Đầu văn bản", "1", "2"]


@pytest.mark.parametrize(
    "line, identity",
    [
        ("Số: 240/KH-UBND", True),
        ("Lạng Sơn, ngày 15 tháng 9 năm 2023", True),
        ("ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN", True),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
        ("Độc lập - Tự do - Hạnh phúc", True),
        ("KẾ HOẠCH", True),
        (
            "QUYẾT ĐỊNH BAN HÀNH QUY ĐỊNH PHÂN CẤP QUẢN LÝ NHÀ NƯỚC VỀ AN TOÀN THỰC PHẨM TRÊN ĐỊA BÀN TỈNH LẠNG SƠN",
            False,
        ),
        ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", False),
        ("Thời gian: ngày 05/10/2023; địa điểm: Trung tâm Hội nghị tỉnh.", False),
    ],
)
def test_identity_lines_of_a_header(line, identity):
    from store.header import identity_line

    assert identity_line(line) is identity


def test_what_an_instrument_says_is_not_answered_by_its_number_line():
    """ "Quyết định 12/2024/QĐ-UBND ban hành quy định gì?" quoted only "Số: 12/2024/QĐ-UBND" with the real
    model (the line names the asked instrument, so its cosine is high); header lines that only say what
    the instrument is may not answer what it says — its trích yếu and articles may."""
    from assistant.answer import Composer
    from assistant.models import Hit
    from assistant.query import parse_question
    from store.sectioning import HEADER

    name = "thuvienphapluat_qd_12_2024_QD-UBND.txt"
    text, _ = read_document(FIXTURES / name)
    doc = sectionize(name, text)
    composer = Composer({s.id: s for s in doc.sections}, {})
    query = parse_question("Quyết định 12/2024/QĐ-UBND ban hành quy định gì?")
    hits = [
        Hit(section=s, score=1.0 / (1 + i), dense=0.7, exact_number=True)
        for i, s in enumerate(doc.sections[:3])
    ]
    evidence = composer.evidence(query, hits, lambda source: text)
    assert any(e.quote.startswith("Số:") for e in evidence)  # a candidate, until the check
    usable, veto = composer.usable(query, hits, evidence)
    assert veto is None and usable
    assert not any(
        e.hit.section.path == HEADER and e.quote.startswith(("Số:", "Lạng Sơn, ngày")) for e in usable
    )
