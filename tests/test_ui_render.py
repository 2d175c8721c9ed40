from assistant.models import Answer, Citation
from ui.app import render, safe


def _citation_1370() -> Citation:
    """A citation as the verifier passes it: a hash-named source, offsets, the decision it quotes."""
    from datetime import date

    return Citation(
        n=1,
        source="000_aaa0102457e11305.txt",
        section="Điều 1",
        doc_number="1370/QĐ-UBND",
        date=date(2023, 8, 30),
        quote="Trưởng Ban.",
        start=3,
        end=15,
        document="Kiện toàn Ban Chỉ đạo phát triển du lịch tỉnh",
    )


def test_document_and_question_text_is_inert():
    payload = "<img src=x onerror=alert(1)> <script>alert(1)</script> [link](javascript:alert(1))"
    shown = safe(payload)
    assert "<img" not in shown and "<script" not in shown and "](javascript" not in shown
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in shown


def test_render_lists_citations_under_the_answer():
    c = Citation(
        n=1,
        source="a.txt",
        section="Mục 1 — <b>x</b>",
        doc_number="1370/QĐ-UBND",
        date="2023-08-30",
        quote="Trưởng <Ban>",
        start=3,
        end=15,
        document="A",
    )
    text = render(
        Answer(
            question="q", language="vi", answer="Theo … “Trưởng <Ban>” [1]", abstained=False, citations=[c]
        ),
        turn=4,
    )
    assert "Trích dẫn" in text and "1370/QĐ\\-UBND" in text and "&lt;Ban&gt;" in text and "<b>" not in text
    assert "[\\[1\\]](#cite-4-1)" in text  # the inline [1] opens citation 1 of turn 4


def test_warnings_show_under_the_answer_escaped():
    answer = Answer(
        question="q",
        language="vi",
        answer="Tài liệu không có thông tin.",
        abstained=True,
        warnings=["<img src=x onerror=alert(1)>bad_file.txt: tệp lưu trữ bị hỏng, đã bỏ qua"],
    )
    text = render(answer)
    assert (
        "_Lưu ý: &lt;img src=x onerror=alert\\(1\\)&gt;bad\\_file\\.txt: tệp lưu trữ bị hỏng, đã bỏ qua_"
        in text
    )
    assert "<img" not in text
    assert text.index("Tài liệu không có") < text.index("Lưu ý")
    assert "Note: " in render(answer.model_copy(update={"language": "en"}))
    assert "Lưu ý" not in render(answer.model_copy(update={"warnings": []}))


def test_kinds_come_from_the_store_model_with_labels():
    from types import SimpleNamespace

    from store.models import KINDS
    from ui.app import ChatUI

    ui = ChatUI(SimpleNamespace(store=SimpleNamespace(home=None, chroma_url="")))
    assert [k for _, k in ui.kind_choices("vi")] == list(KINDS)
    assert ("quyết định", "decision") in ui.kind_choices("vi") and (
        "decision",
        "decision",
    ) in ui.kind_choices("en")


def test_a_follow_up_shows_how_it_was_understood_and_stays_inert():
    answer = Answer(
        question="Văn bản này?",
        interpreted_question="Văn bản <img src=x> 2230/QĐ-UBND?",
        language="vi",
        answer="Tài liệu không có thông tin.",
        abstained=True,
    )
    text = render(answer)
    assert text.startswith("_Hiểu là: Văn bản &lt;img src=x&gt; 2230/QĐ\\-UBND?_")
    assert "Hiểu là" not in render(answer.model_copy(update={"interpreted_question": None}))


def test_a_briefing_of_a_follow_up_says_how_it_was_understood():
    from ui.export import answer_markdown

    answer = Answer(
        question="Còn tháng 2 thì sao?",
        interpreted_question="Tổng thu tháng 2/2023 là bao nhiêu?",
        language="vi",
        answer="Tài liệu không có thông tin.",
        abstained=True,
    )
    assert answer_markdown(answer).startswith(
        "**Câu hỏi:** Còn tháng 2 thì sao? (hiểu là: Tổng thu tháng 2/2023 là bao nhiêu?)"
    )


def test_the_copy_of_an_answer_is_plain_text_with_a_reference_line():
    """What the chat's copy link copies: the document's characters, not the chat's Markdown escapes;
    the references name title, number and date; no file name or offsets (they are in the panel)."""

    from ui.app import plain

    c = _citation_1370()
    answer = Answer(
        question="q",
        language="vi",
        abstained=False,
        citations=[c],
        answer="Theo Quyết định 1370/QĐ-UBND (30/08/2023): “Trưởng Ban.” [1]",
    )
    assert plain(answer) == (
        "Theo Quyết định 1370/QĐ-UBND (30/08/2023): “Trưởng Ban.” [1]\n\n"
        "Tài liệu tham khảo:\n"
        "[1] Kiện toàn Ban Chỉ đạo phát triển du lịch tỉnh · 1370/QĐ-UBND (30/08/2023) · Điều 1"
    )
    shown = render(answer, turn=2, copyable=True)
    assert "000\\_aaa" not in shown and "000_aaa" not in shown and "3–15" not in shown
    assert "Kiện toàn Ban Chỉ đạo phát triển du lịch tỉnh · 1370/QĐ\\-UBND \\(30/08/2023\\)" in shown
    assert shown.endswith("](#copy-2)") and "#copy-" not in render(answer)
    assert plain(answer.model_copy(update={"language": "en"})).splitlines()[2] == "References:"


def test_the_markdown_briefing_names_documents_as_people_do():
    """The briefing box: the answer's lead line and quote, references by title, number (date) and
    section like the copy text and the .docx; no hash file name, no character offsets."""

    from ui.export import answer_markdown

    c = _citation_1370()
    answer = Answer(
        question="Ai làm Trưởng Ban?",
        language="vi",
        abstained=False,
        citations=[c],
        answer="Theo Quyết định 1370/QĐ-UBND (30/08/2023):\n“Trưởng Ban.” [1]",
    )
    md = answer_markdown(answer)
    assert md.splitlines()[2:4] == ["Theo Quyết định 1370/QĐ-UBND (30/08/2023):", "> “Trưởng Ban.” [1]"]
    assert "[1] Kiện toàn Ban Chỉ đạo phát triển du lịch tỉnh · 1370/QĐ-UBND (30/08/2023) · Điều 1" in md
    assert "000_aaa" not in md and "3–15" not in md


def test_the_welcome_says_what_the_store_covers_and_how_to_ask():
    from datetime import date
    from types import SimpleNamespace

    from ui.app import ChatUI

    def ui_over(records):
        store = SimpleNamespace(home=None, chroma_url="", manifest=lambda: SimpleNamespace(documents=records))
        return ChatUI(SimpleNamespace(store=store))

    record = {"period_start": None, "period_end": None, "issued": None}
    records = {
        "a": SimpleNamespace(
            **{**record, "kind": "digest", "period_start": date(2020, 7, 1), "period_end": date(2020, 7, 31)}
        ),
        "b": SimpleNamespace(**{**record, "kind": "digest"}),
        "c": SimpleNamespace(**{**record, "kind": "report", "issued": date(2024, 12, 30)}),
    }
    vi = ui_over(records).welcome("vi")
    assert (
        "3 văn bản" in vi
        and "(2 bản tin chỉ đạo, điều hành; 1 báo cáo)" in vi
        and "từ 07/2020 đến 12/2024" in vi
    )
    assert "Hãy hỏi" in vi
    en = ui_over(records).welcome("en")
    assert "3 directives" in en and "(2 weekly digest; 1 report)" in en and "from 07/2020 to 12/2024" in en
    assert "Ask one concrete question" in en
    assert "trống" in ui_over({}).welcome("vi") and "empty" in ui_over({}).welcome("en")


def test_the_date_boxes_take_dates_as_staff_write_them():
    from datetime import date

    import pytest

    from assistant.models import QuestionError
    from ui.app import _parse_day

    assert _parse_day("01/08/2023") == _parse_day("1/8/2023") == _parse_day("01.08.2023") == date(2023, 8, 1)
    assert _parse_day("2023-08-01") == date(2023, 8, 1) and _parse_day("  ") is None
    with pytest.raises(QuestionError, match="không phải là ngày.*DD/MM/YYYY"):
        _parse_day("31/02/2023", "vi")
    with pytest.raises(QuestionError, match="is not a date: write it as DD/MM/YYYY"):
        _parse_day("08/2023", "en")


def test_relevance_is_words_not_fusion_scores():
    from assistant.models import Retrieved
    from ui.app import used_sections

    answer = Answer(
        question="q",
        language="vi",
        answer="…",
        abstained=True,
        retrieved=[
            Retrieved(source="a.txt", section="Mục 1", text="…", score=s)
            for s in (0.0330, 0.0310, 0.0240, 0.0160)
        ],
    )
    lines = used_sections(answer).splitlines()
    assert [line.split(" · ")[0] for line in lines] == [
        "- ●●● rất liên quan",
        "- ●●● rất liên quan",
        "- ●●○ liên quan",
        "- ●○○ ít liên quan",
    ]
    assert "0.0" not in used_sections(answer)
    assert used_sections(answer, "en").splitlines()[2].startswith("- ●●○ relevant ·")


def test_the_docx_briefing_has_one_reference_list_per_answer_restarting_at_1(tmp_path):
    """Read back with python-docx: each answer keeps its lead line and its quotes; its references are
    plain paragraphs [1], [2] … (no Word numbered list running on across answers), restarting at [1] for
    the next answer, each naming the document's title, number, date and section."""
    from datetime import date

    from docx import Document

    from ui.export import session_docx

    def cited(n, quote, number, day, title, section):
        return Citation(
            n=n,
            source=f"{n}_x.txt",
            section=section,
            doc_number=number,
            date=day,
            quote=quote,
            start=0,
            end=len(quote),
            document=title,
        )

    first = Answer(
        question="Ai làm Trưởng Ban?",
        language="vi",
        abstained=False,
        citations=[
            cited(
                1,
                "Phó Chủ tịch UBND tỉnh làm Trưởng Ban.",
                "1370/QĐ-UBND",
                date(2023, 8, 30),
                "Kiện toàn Ban Chỉ đạo",
                "Điều 1",
            ),
            cited(
                2,
                "Giám đốc Sở làm Phó trưởng Ban.",
                "1370/QĐ-UBND",
                date(2023, 8, 30),
                "Kiện toàn Ban Chỉ đạo",
                "Điều 1",
            ),
        ],
        answer="Theo 1370/QĐ-UBND (30/08/2023), Kiện toàn Ban Chỉ đạo — mục “Điều 1”:\n"
        "“Phó Chủ tịch UBND tỉnh làm Trưởng Ban.” [1]\n“Giám đốc Sở làm Phó trưởng Ban.” [2]",
    )
    second = Answer(
        question="Quyết định 2230/QĐ-UBND nói gì?",
        language="vi",
        abstained=False,
        citations=[
            cited(
                1,
                "Ban hành Kế hoạch chuyển đổi số.",
                "2230/QĐ-UBND",
                date(2023, 12, 28),
                "Kế hoạch chuyển đổi số",
                "Mục 2",
            )
        ],
        answer="Theo 2230/QĐ-UBND (28/12/2023), Kế hoạch chuyển đổi số — mục “Mục 2”:\n“Ban hành Kế hoạch chuyển đổi số.” [1]",
    )
    paragraphs = Document(str(session_docx([first, second], tmp_path))).paragraphs
    texts = [p.text for p in paragraphs]
    numbered = [
        p.text
        for p in paragraphs
        if "List" in p.style.name
        or p.paragraph_format.element.pPr is not None
        and p.paragraph_format.element.pPr.numPr is not None
    ]  # a list style, or Word numbering of its own
    assert numbered == []
    refs = [t for t in texts if t.startswith("[")]
    assert refs == [
        "[1] Kiện toàn Ban Chỉ đạo · 1370/QĐ-UBND (30/08/2023) · Điều 1",
        "[2] Kiện toàn Ban Chỉ đạo · 1370/QĐ-UBND (30/08/2023) · Điều 1",
        "[1] Kế hoạch chuyển đổi số · 2230/QĐ-UBND (28/12/2023) · Mục 2",
    ]
    lead = texts.index(
        "Theo 2230/QĐ-UBND (28/12/2023), Kế hoạch chuyển đổi số — mục “Mục 2”:"
    )  # the lead line
    assert (
        texts[lead + 1] == "“Ban hành Kế hoạch chuyển đổi số.” [1]"
        and paragraphs[lead + 1].style.name == "Intense Quote"
    )
    assert (
        texts.index("Câu hỏi: Ai làm Trưởng Ban?")
        < texts.index(refs[0])
        < texts.index("Câu hỏi: Quyết định 2230/QĐ-UBND nói gì?")
        < lead
    )
    assert texts.count("“Phó Chủ tịch UBND tỉnh làm Trưởng Ban.” [1]") == 1  # each quote once


def test_each_quote_shows_once_in_the_chat():
    """The answer already quotes the documents; the citation list under it names the sources without
    quoting them again (only a quote the answer's text does not hold is shown there)."""
    c = Citation(
        n=1,
        source="a.txt",
        section="Điều 1",
        doc_number="1370/QĐ-UBND",
        date="2023-08-30",
        quote="Phó Chủ tịch UBND tỉnh làm Trưởng Ban.",
        start=0,
        end=38,
        document="Kiện toàn Ban Chỉ đạo",
    )
    answer = Answer(
        question="q",
        language="vi",
        abstained=False,
        citations=[c],
        answer="Theo 1370/QĐ-UBND (30/08/2023), Kiện toàn Ban Chỉ đạo — mục “Điều 1”:\n"
        "“Phó Chủ tịch UBND tỉnh làm Trưởng Ban.” [1]",
    )
    quote = safe(c.quote)
    shown = render(answer, turn=0, copyable=True)
    assert shown.count(quote) == 1 and shown.index(quote) < shown.index("**Trích dẫn**")
    assert (
        "Kiện toàn Ban Chỉ đạo · 1370/QĐ\\-UBND \\(30/08/2023\\) · Điều 1" in shown
    )  # the source, still named
    assert render(answer.model_copy(update={"answer": "…"})).count(quote) == 1  # not in the text: in the list


def test_store_refusals_are_said_in_vietnamese_on_the_vietnamese_page(tmp_path, fake_embedder):
    """store/ refuses in English ("x.txt: binary file …"); the Vietnamese page says each reason in
    Vietnamese, the file name as it is. The lines are the store's own, made by refusing real files, so a
    reworded message there shows here (it would otherwise reach the page in English)."""
    import pytest

    from store.index import Store
    from store.ingest import ingest
    from store.lock import StoreBusy, write_lock
    from store.reader import ReadError, read_document, size_error
    from store.uploads import stage_upload
    from ui.app import refusal

    def refused(make) -> str:
        with pytest.raises((ReadError, StoreBusy)) as e:
            make()
        return str(e.value)

    def saved(name: str, data: bytes):
        (tmp_path / name).write_bytes(data)
        return tmp_path / name

    staged = tmp_path / "uploads"
    lines = [
        refused(lambda: stage_upload(saved("anh.png", b"\x89PNG\r\n"), "anh.png", staged)),
        refused(lambda: stage_upload(saved("ghichu", b"x"), "ghichu", staged)),
        refused(lambda: stage_upload(saved("x.txt", b"x"), "../../x.txt", staged)),
        str(size_error("lon.txt", 60 * 1024 * 1024)),
        refused(
            lambda: read_document(
                saved("bang.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
            )
        ),
        refused(lambda: read_document(saved("cu.txt", bytes(range(0x80, 0x100)) * 4))),
        refused(lambda: read_document(saved("rong.txt", b""))),
        refused(lambda: read_document(saved("trang.txt", "\u200b\u200b".encode()))),
        refused(lambda: read_document(saved("hong.docx", b"PK not a zip"))),
        refused(lambda: read_document(saved("hong.pdf", b"%PDF-1.4 broken"))),
    ]
    store = Store(tmp_path / "home")
    text = "THÔNG BÁO\n\nUBND tỉnh giao Sở Xây dựng sửa 12 cây cầu treo.\n".encode()
    lines += ingest([saved("mot.txt", text), saved("hai.txt", text)], store, lambda: fake_embedder).skipped
    with write_lock(store.home, "ingest"):
        lines.append(refused(lambda: ingest([tmp_path / "mot.txt"], store, lambda: fake_embedder)))
    assert len(lines) == 12
    english = (
        " not ",
        " is ",
        " the ",
        " file",
        " save",
        " read",
        " no ",
        " content",
        " stored",
        " type",
        " text",
        " limit",
        " wait",
        "binary",
        "empty",
    )
    for line in lines:
        name = line.split(": ")[0]
        vi = refusal(line, "vi")
        reason = vi.removeprefix(f"{name}: ")
        assert reason != line.removeprefix(f"{name}: ") and [w for w in english if w in f" {reason}"] == [], (
            line
        )
        assert refusal(line, "en") == line  # the English page: as store/ says it
    assert (
        refusal("bang.txt: binary file (contains NUL bytes), not a text document", "vi")
        == "bang.txt: tệp nhị phân (có byte NUL), không phải văn bản"
    )
    assert (
        refusal("x.txt: a reason nobody knows yet", "vi") == "x.txt: a reason nobody knows yet"
    )  # English, not lost


def test_the_safety_limits_and_a_busy_store_are_said_in_vietnamese_too(tmp_path):
    """The rarer refusals — a zip with too many parts, an HTML page with too many elements, a pipe, the
    busy store's holder and time — made for real, each said in Vietnamese with its figures."""
    import os
    import zipfile

    import pytest

    from store.extract import HTML_MAX_ELEMENTS, ZIP_MAX_ENTRIES
    from store.lock import StoreBusy, write_lock
    from store.reader import ReadError, read_document
    from ui.app import refusal

    with zipfile.ZipFile(tmp_path / "nhieu.docx", "w") as z:
        for i in range(ZIP_MAX_ENTRIES + 1):
            z.writestr(f"p{i}.xml", "")
    (tmp_path / "lon.html").write_text("<p>" + "<b></b>" * (HTML_MAX_ELEMENTS + 1) + "</p>", encoding="utf-8")
    os.mkfifo(tmp_path / "ong.txt")
    lines = []
    for name in ("nhieu.docx", "lon.html", "ong.txt"):
        with pytest.raises(ReadError) as e:
            read_document(tmp_path / name)
        lines.append(str(e.value))
    with write_lock(tmp_path, "ingest"), pytest.raises(StoreBusy) as e:
        with write_lock(tmp_path, "remove"):
            pass
    lines.append(str(e.value))
    said = [refusal(line, "vi") for line in lines]
    assert said[0] == f"nhieu.docx: chứa {ZIP_MAX_ENTRIES + 1:,} tệp, quá {ZIP_MAX_ENTRIES:,} tệp; không đọc"
    assert said[1].startswith(f"lon.html: hơn {HTML_MAX_ELEMENTS:,} phần tử HTML; không đọc")
    assert said[2] == "ong.txt: không phải tệp thường (thiết bị, pipe hay socket); không đọc"
    assert "đang bận (chidao ingest, pid" in said[3] and ", từ " in said[3] and "since" not in said[3]
