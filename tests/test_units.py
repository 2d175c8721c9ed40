"""Answer units: each kind cut as an exact span of the source, with the lead that gives it meaning."""

import numpy as np
import pytest

from store.sectioning import sectionize
from store.units import MAX_LIST, MAX_SENTENCE, document_units, load_units, save_units

NOTICE = """THÔNG BÁO
Kết luận của Chủ tịch UBND tỉnh

1. Dự thảo Kế hoạch phát triển du lịch năm 2024.
UBND tỉnh giao các cơ quan thực hiện các nhiệm vụ sau:
- Sở Văn hóa, Thể thao và Du lịch chủ trì xây dựng 04 tuyến du lịch mới.
- Sở Tài chính bố trí kinh phí 12 tỷ đồng.
- UBND các huyện phối hợp thực hiện.
2. Dự thảo Quy chế phối hợp.
Sở Nội vụ hoàn thiện dự thảo trước ngày 10/8/2020.
"""

REPORT = (
    """BÁO CÁO
Tình hình kinh tế - xã hội tháng 01 năm 2023

1. Sản xuất nông nghiệp
Tổng diện tích gieo trồng vụ Đông ước đạt 3.666 ha¹; đàn gia súc phát triển ổn định.
¹ Trong đó: 2.128 ha rau, 548 ha khoai tây, 133 ha thạch đen.
2. Thương mại
"""
    + "Kim ngạch xuất khẩu các mặt hàng nông sản "
    + "; ".join(f"mặt hàng số {i} đạt {i * 10} triệu USD tăng {i}% so với cùng kỳ" for i in range(1, 16))
    + ".\n"
)


def units_by_text(text):
    doc = sectionize("x.txt", text)
    return doc, {text[u.start : u.end]: u for u in document_units(doc)}


def test_a_colon_lead_is_joined_with_its_items_and_each_item_keeps_the_lead():
    doc, units = units_by_text(NOTICE)
    lead = "UBND tỉnh giao các cơ quan thực hiện các nhiệm vụ sau:"
    whole = next(u for t, u in units.items() if u.kind == "list")
    quote = NOTICE[whole.start : whole.end]
    assert quote.startswith(lead) and quote.endswith("UBND các huyện phối hợp thực hiện.")
    assert len(quote) <= MAX_LIST
    item = units["- Sở Tài chính bố trí kinh phí 12 tỷ đồng."]
    assert item.kind == "sentence" and NOTICE[item.lead_start : item.lead_end] == lead
    assert item.matched_text(NOTICE).startswith(lead)
    # The list ends where the document's own outline goes on: item 2 has no lead.
    assert units["Sở Nội vụ hoàn thiện dự thảo trước ngày 10/8/2020."].lead_start is None


def test_a_footnote_is_a_unit_tied_to_the_sentence_carrying_its_marker():
    doc, units = units_by_text(REPORT)
    note = units["¹ Trong đó: 2.128 ha rau, 548 ha khoai tây, 133 ha thạch đen."]
    assert note.kind == "footnote" and note.lead_start is not None
    assert "3.666 ha¹" in REPORT[note.lead_start : note.lead_end]
    assert "2.128 ha rau" in note.matched_text(REPORT) and "vụ Đông" in note.matched_text(REPORT)


def test_a_long_enumeration_is_also_cut_at_its_clauses():
    doc, units = units_by_text(REPORT)
    sentence = next(
        u for u in units.values() if u.kind == "sentence" and "mặt hàng số 1 " in REPORT[u.start : u.end]
    )
    assert sentence.end - sentence.start > MAX_SENTENCE
    clauses = [u for u in units.values() if u.kind == "clause"]
    assert any(
        REPORT[u.start : u.end] == "mặt hàng số 7 đạt 70 triệu USD tăng 7% so với cùng kỳ;" for u in clauses
    )
    assert all(u.end - u.start < MAX_SENTENCE for u in clauses)


@pytest.mark.parametrize("text", [NOTICE, REPORT])
def test_every_unit_and_lead_is_an_exact_trimmed_span(text):
    doc = sectionize("x.txt", text)
    for u in document_units(doc):
        quote = text[u.start : u.end]
        assert quote and quote == quote.strip()
        section = next(s for s in doc.sections if s.id == u.section_id)
        assert any(sp.start <= u.start and u.end <= sp.end for sp in section.spans) or u.kind == "list"
        if u.lead_start is not None:
            assert 0 <= u.lead_start < u.lead_end <= len(text)


def test_units_and_their_vectors_round_trip_through_the_stored_file(tmp_path):
    doc = sectionize("x.txt", NOTICE)
    units = document_units(doc)
    vectors = np.random.default_rng(0).standard_normal((len(units), 8)).astype(np.float32)
    save_units(tmp_path / "u.npz", units, vectors)
    loaded, got = load_units(tmp_path / "u.npz")
    assert loaded == units
    assert np.allclose(got, vectors, atol=1e-2)  # stored as float16


def test_a_list_quote_never_spans_text_that_is_not_its_own():
    """A footnote printed between two items (a page break) ends the list quote before it."""
    text = NOTICE.replace("- Sở Tài chính bố trí", "¹ Chú thích ở cuối trang.\n- Sở Tài chính bố trí")
    text = text.replace("04 tuyến du lịch mới.", "04 tuyến du lịch mới¹.")
    doc = sectionize("x.txt", text)
    lists = [text[u.start : u.end] for u in document_units(doc) if u.kind == "list"]
    assert lists and all("Chú thích" not in q for q in lists)
