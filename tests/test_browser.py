"""The chat as a person uses it: headless Debian Chromium driving the served app.

Screenshots of the main screens are saved under docs/screenshots/, and the time from pressing
Enter to the answer appearing is recorded (median of 10) in docs/bench/browser.json — recorded,
never asserted: timings are not pass/fail.
"""

import json
import os
import statistics
import tempfile
import time

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("CHIDAO_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "docs" / "screenshots"
BOT = "[data-testid='bot']"


@pytest.fixture(scope="module")
def served(assistant):
    from ui.app import build_app, launch

    app = build_app(assistant)
    launch(app, port=None, block=False)
    yield app.local_url
    app.close()


@pytest.fixture
def page(served):
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
            accept_downloads=True,
            permissions=["clipboard-read", "clipboard-write"],
        )
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(served)
        page.locator("#question textarea").wait_for()
        yield page
        context.close()


def ask(page, question: str, expect: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator(BOT).filter(has_text=expect).last.wait_for(timeout=90_000)


def test_answer_with_clickable_citation_highlighting_the_quoted_span(page, assistant):
    question = "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?"
    expected = assistant.ask(question).citations[0]
    ask(page, question, "1370/QĐ-UBND")
    assert (
        page.locator(BOT).last.inner_text().count(expected.quote) == 1
    )  # quoted once, not again under "Trích dẫn"
    page.locator(BOT).last.locator("a[href='#cite-0-1']").first.click()
    mark = page.locator("#citation-panel mark")
    mark.wait_for(timeout=30_000)
    assert mark.inner_text() == expected.quote
    panel = page.locator("#citation-panel").inner_text()
    assert (
        "1370/QĐ-UBND" in panel
        and "30/08/2023" in panel
        and "Kiện toàn Ban Chỉ đạo phát triển du lịch" in panel
    )
    page.locator("#open-document").click()
    page.locator("#full-document mark").wait_for(timeout=30_000)
    assert page.locator("#full-document mark").inner_text() == expected.quote
    page.get_by_text("Các mục đã dùng (mức liên quan)").click()
    used = page.locator("#used-sections").inner_text()
    assert "000_aaa0102457e11305.txt" in used and "rất liên quan" in used and "0.0" not in used
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-answer.png"), full_page=True)


def test_the_copy_link_copies_the_plain_answer(page, assistant):
    """The copy link under an answer puts the plain answer on the clipboard, read back through the page:
    "1370/QĐ-UBND (30/08/2023)" as in the document, no Markdown escapes, a reference line with the title."""
    from ui.app import plain

    question = "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?"
    expected = plain(assistant.ask(question))
    ask(page, question, "1370/QĐ-UBND")
    assert page.locator("#chat button[aria-label*='opy']").count() == 0  # Gradio's Markdown copy is off
    page.locator(BOT).last.locator("a[href='#copy-0']").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == expected
    assert "1370/QĐ-UBND (30/08/2023)" in copied and "\\" not in copied and "](#" not in copied
    assert "Kiện toàn Ban Chỉ đạo phát triển du lịch" in copied.split("Tài liệu tham khảo:")[1]
    assert "000_aaa" not in page.locator(BOT).last.inner_text()  # the file name is in the citation panel


def test_a_follow_up_question_is_understood_with_the_turn_before(page, assistant):
    """Two turns in one chat: "this document" is the decision of the first answer; the chat shows how
    the follow-up was understood, and clearing the chat starts a new conversation."""
    ask(page, "Quyết định 2230/QĐ-UBND nói gì?", "2230/QĐ-UBND")
    ask(page, "Văn bản này ban hành ngày nào?", "Hiểu là")
    follow_up = page.locator(BOT).last.inner_text()
    assert "Hiểu là: Văn bản 2230/QĐ-UBND ban hành ngày nào?" in follow_up
    assert "28/12/2023" in follow_up  # the date of that decision, quoted
    page.screenshot(path=str(SHOTS / "chat-follow-up.png"), full_page=True)
    page.locator("#chat button[aria-label='Xoá cuộc trò chuyện']").first.click()
    ask(page, "Văn bản này ban hành ngày nào?", "Tài liệu")
    assert "Hiểu là" not in page.locator(BOT).last.inner_text()


def test_feedback_per_answer_and_briefing_export(page, assistant):
    """A thumb under an answer rates that answer, also an earlier one; then the briefing and the .docx."""
    ask(page, "QD 2230/QD-UBND", "2230/QĐ-UBND")
    ask(page, "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?", "1370/QĐ-UBND")
    assert "1370/QĐ-UBND" in page.locator("#briefing textarea").input_value()
    feedback = assistant.store.home / "feedback.jsonl"

    def rate(label: str, answer: int, comment: str = "") -> dict:
        before = feedback.read_text(encoding="utf-8").count("\n") if feedback.exists() else 0
        page.locator("#comment textarea").fill(comment)
        page.locator(f"#chat button[aria-label='{label}']").nth(answer).click()  # one pair under each answer
        page.locator("#thanks").filter(has_text="Đã ghi nhận góp ý.").wait_for(timeout=30_000)
        deadline = time.monotonic() + 30
        while True:  # the line is written before the thanks shows, but the thanks may be the earlier one's
            lines = feedback.read_text(encoding="utf-8").splitlines() if feedback.exists() else []
            if len(lines) > before or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(lines) == before + 1
        page.wait_for_function("document.querySelector('#comment textarea').value === ''", timeout=30_000)
        return json.loads(lines[-1])

    first = rate("Hữu ích", 0, "đúng số quyết định")
    assert (first["question"], first["rating"], first["comment"]) == (
        "QD 2230/QD-UBND",
        "up",
        "đúng số quyết định",
    )
    second = rate("Chưa đúng", 1)
    assert (second["question"], second["rating"]) == (
        "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?",
        "down",
    )
    page.locator("#docx").click()
    link = page.locator("a[data-testid='download-link'][download$='.docx']").first
    link.wait_for(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".docx")
    from docx import Document

    from ui.export import reference_line

    first = assistant.ask("QD 2230/QD-UBND", k=8)  # as the chat asked them: the second after the first
    answers = [
        first,
        assistant.ask("Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?", k=8, history=[first]),
    ]
    paragraphs = Document(download.value.path()).paragraphs
    texts = [p.text for p in paragraphs]
    # one reference list per answer, each starting at [1], naming title, number (date), section
    assert [t for t in texts if t.startswith("[")] == [
        f"[{c.n}] {reference_line(c)}" for a in answers for c in a.citations
    ]
    assert sum(t.startswith("[1] ") for t in texts) == 2  # the second answer's list starts again at [1]
    assert "1370/QĐ-UBND (30/08/2023)" in reference_line(answers[1].citations[0])
    assert [
        p.style.name for p in paragraphs if "List" in p.style.name
    ] == []  # no Word numbering across answers
    assert all(a.answer.split("\n")[0] in texts for a in answers)  # each answer's lead line ("Theo …:")


def test_clearing_the_chat_clears_the_session(page):
    """The chat's clear button ends the session: nothing of the cleared questions is exported or copied
    afterwards, and the .docx button says there is nothing to export."""
    question = "Quyết định 2230/QĐ-UBND nói gì?"
    ask(page, question, "2230/QĐ-UBND")
    page.locator(BOT).last.locator("a[href='#cite-0-1']").first.click()
    page.locator("#citation-panel mark").wait_for(timeout=30_000)
    page.locator("#docx").click()
    link = page.locator("a[data-testid='download-link'][download$='.docx']")
    link.first.wait_for(timeout=30_000)
    page.locator("#chat button[aria-label='Xoá cuộc trò chuyện']").first.click()
    page.wait_for_function("document.querySelector('#plain-copy textarea').value === '[]'", timeout=30_000)
    assert page.locator("#briefing textarea").input_value() == ""
    assert "2230" not in page.locator("#citation-panel").inner_text()
    assert link.count() == 0  # the earlier file is gone too
    page.locator("#docx").click()
    page.get_by_text("Chưa có câu trả lời nào để xuất").wait_for(timeout=30_000)
    assert link.count() == 0


def test_not_found_state_and_inert_markup(page):
    ask(
        page,
        "<img src=x onerror=alert(1)><script>alert(2)</script> What is the population of Hanoi?",
        "The documents do not contain",
    )
    bot = page.locator(BOT).last.inner_text()
    assert "Closest sections" in bot
    assert page.locator("img[src='x']").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator("[data-testid='user']").last.inner_text()
    page.wait_for_timeout(300)
    assert page.dialogs == []
    page.screenshot(path=str(SHOTS / "chat-not-found.png"), full_page=True)


def test_upload_a_document_then_ask_about_it(page, assistant, tmp_path):
    name = "thong_bao_ca_tam_mau_son.txt"
    (tmp_path / name).write_text(
        "THÔNG BÁO thử nghiệm\n\nUBND tỉnh giao Sở Nông nghiệp nuôi cá tầm thí điểm tại khu du lịch Mẫu Sơn "
        "với 4.200 con giống trong năm 2025.\n",
        encoding="utf-8",
    )
    (tmp_path / "anh.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "bang_tinh.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    page.get_by_role("tab", name="Thư viện văn bản").click()
    page.locator("#upload input[type=file]").set_input_files(
        [str(tmp_path / name), str(tmp_path / "anh.png"), str(tmp_path / "bang_tinh.txt")]
    )
    page.wait_for_timeout(500)
    page.locator("#add-documents").click()
    status = page.locator("#library-status")
    status.filter(has_text=name).wait_for(timeout=120_000)
    said = status.inner_text()
    assert "anh.png" in said  # refused by name, the rest added
    # the store's reasons, in the page's language
    assert "anh.png: loại tệp .png không được hỗ trợ" in said and "bang_tinh.txt: tệp nhị phân" in said
    assert "binary" not in said and "not a supported type" not in said
    assert name in page.locator("#library-table").inner_text()
    page.screenshot(path=str(SHOTS / "library.png"), full_page=True)
    try:
        page.get_by_role("tab", name="Hỏi đáp").click()
        ask(page, "Nuôi cá tầm thí điểm ở Mẫu Sơn bao nhiêu con giống?", "4.200 con giống")
        assert "THÔNG BÁO thử nghiệm" in page.locator(BOT).last.inner_text()  # named by its title
        page.locator(BOT).last.locator("a[href^='#cite-']").first.click()
        page.locator("#citation-panel").filter(has_text=name).wait_for(
            timeout=30_000
        )  # its file: in the panel
    finally:
        assistant.store.remove_document(name)


def test_time_from_enter_to_visible_answer(page):
    """Median of 10 questions, from pressing Enter to the answer text in the page (recorded in docs/bench)."""
    questions = [
        "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?",
        "Quyết định 2230/QĐ-UBND nói gì?",
        "Tổng số hộ nghèo năm 2023?",
        "Who chairs the tourism steering committee?",
        "Tuyến xe buýt Mai Pha - Na Sầm chạy bao nhiêu chuyến mỗi ngày?",
        "1370/QĐ-UBND",
        "Vụ Đông trồng bao nhiêu ha khoai tây?",
        "Ai ký thông báo kết luận phiên họp tháng 7 năm 2020?",
        "bao nhieu lop boi duong can bo nam 2024",
        "Giá vàng hôm nay là bao nhiêu?",
    ]
    seconds = []
    for i, q in enumerate(questions):
        box = page.locator("#question textarea")
        box.fill(q)
        t = time.perf_counter()
        box.press("Enter")
        # the answer, not the "searching…" placeholder: a citation link or the not-found sentence
        # attached, not necessarily on screen: a long chat scrolls its earlier answers away
        page.locator(BOT).nth(i).locator(
            "a[href^='#cite-'], :text('The documents do not contain'), :text('Tài liệu không có')"
        ).first.wait_for(state="attached", timeout=90_000)
        seconds.append(time.perf_counter() - t)
    out = ROOT / "docs" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "browser.json").write_text(
        json.dumps(
            {
                "enter_to_answer_median_s": round(statistics.median(seconds), 3),
                "enter_to_answer_s": [round(s, 3) for s in seconds],
                "questions": questions,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    assert len(seconds) == 10


def test_the_library_asks_before_deleting_and_is_fresh_after_a_reload(page, assistant, tmp_path):
    """Nothing is preselected for deletion; removing takes a second click on a button naming the document;
    the upload box empties once added; after a reload the table and both lists show the store as it is."""
    name = "thong_bao_xoa_thu.txt"
    (tmp_path / name).write_text(
        "THÔNG BÁO thử xoá cầu treo\n\nUBND tỉnh giao Sở Xây dựng sửa 12 cây cầu treo trong năm 2025.\n",
        encoding="utf-8",
    )
    page.get_by_role("tab", name="Thư viện văn bản").click()
    assert page.locator("#remove-name input").input_value() == ""  # nothing preselected
    before = set(assistant.store.manifest().documents)
    page.locator("#remove-document").click()
    page.locator("#library-status").filter(has_text="Chọn văn bản").wait_for(timeout=30_000)
    assert (
        set(assistant.store.manifest().documents) == before
        and not page.locator("#confirm-remove").is_visible()
    )
    try:
        page.locator("#upload input[type=file]").set_input_files([str(tmp_path / name)])
        page.wait_for_timeout(500)
        page.locator("#add-documents").click()
        page.locator("#library-status").filter(has_text=name).wait_for(timeout=120_000)
        page.wait_for_function(
            "!document.querySelector('#upload').innerText.includes('thong_bao_xoa_thu')", timeout=30_000
        )  # the upload box is empty again
        page.reload()
        page.locator("#question textarea").wait_for()
        page.get_by_role("tab", name="Thư viện văn bản").click()
        page.locator("#library-table").filter(has_text=name).wait_for(timeout=30_000)  # fresh after a reload
        assert page.locator("#remove-name input").input_value() == ""
        page.locator("#remove-name input").click()
        page.get_by_role("option", name=name).click()
        page.locator("#remove-document").click()
        confirm = page.locator("#confirm-remove")
        confirm.wait_for(timeout=30_000)
        assert "THÔNG BÁO thử xoá cầu treo" in confirm.inner_text()  # names the document by its title
        assert name in page.locator("#library-status").inner_text()
        assert name in assistant.store.manifest().documents  # not deleted yet
        page.locator("#cancel-remove").click()
        confirm.wait_for(state="hidden", timeout=30_000)
        assert name in assistant.store.manifest().documents
        page.locator("#remove-document").click()
        confirm.click()
        page.locator("#library-status").filter(has_text=name).filter(has_text="Đã xoá").wait_for(
            timeout=30_000
        )
        assert name not in assistant.store.manifest().documents
        page.wait_for_function(
            f"!document.querySelector('#library-table').innerText.includes({name!r})", timeout=30_000
        )
        page.get_by_role("tab", name="Hỏi đáp").click()
        page.get_by_text("Bộ lọc (áp dụng khi tìm kiếm)").click()
        page.locator("#filter-sources input").click()
        assert page.get_by_role("option", name=name).count() == 0  # the filter list too
    finally:
        if name in assistant.store.manifest().documents:
            assistant.store.remove_document(name)
        assistant.warm_structures()


def test_a_path_in_an_upload_name_cannot_leave_the_library_folder(page, assistant):
    """The page only ever hands chidao a file's own name: whatever a client sends as "../../evil.txt"
    Gradio stores as "evil.txt", so it is added inside the library folder and nothing lands outside it."""
    page.get_by_role("tab", name="Thư viện văn bản").click()
    page.locator("#upload input[type=file]").set_input_files(
        [
            {
                "name": "../../evil.txt",
                "mimeType": "text/plain",
                "buffer": "THÔNG BÁO thử tên tệp\n\nUBND tỉnh giao Sở Tư pháp rà soát 7 văn bản.\n".encode(),
            }
        ]
    )
    page.wait_for_timeout(500)
    page.locator("#add-documents").click()
    status = page.locator("#library-status")
    status.filter(has_text="evil.txt").wait_for(timeout=120_000)
    home = assistant.store.home
    try:
        assert "../" not in status.inner_text()
        assert not (home.parent / "evil.txt").exists() and not (home.parent.parent / "evil.txt").exists()
        assert set(assistant.store.manifest().documents) & {"evil.txt", "../../evil.txt"} <= {"evil.txt"}
    finally:
        if "evil.txt" in assistant.store.manifest().documents:
            assistant.store.remove_document("evil.txt")
        (home / "uploads" / "evil.txt").unlink(missing_ok=True)
        assistant.warm_structures()


def test_the_empty_chat_welcomes_with_what_the_store_covers(page, assistant):
    count = len(assistant.store.manifest().documents)
    welcome = page.locator("#chat").inner_text()
    assert "Xin chào" in welcome and f"{count} văn bản" in welcome and "Hãy hỏi" in welcome
    page.get_by_text("English", exact=True).click()
    page.locator("#chat").filter(has_text="Welcome").wait_for(timeout=30_000)
    assert "Xin chào" not in page.locator("#chat").inner_text()


def test_the_font_has_vietnamese_in_every_weight(page):
    """Headings, bold and body text are set in the app's font stack (ui/app.py FONT), never in small caps,
    and each is drawn from one font file of the right weight: a Vietnamese letter missing from the bold
    file would be taken from another font, which is how "UBND" came out as "UʙND"."""
    from ui.app import THEME

    ask(page, "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?", "1370/QĐ-UBND")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    stack = [f.strip().strip("'\"") for f in THEME.font.split(",")]
    for selector in (
        "h1",
        f"{BOT} strong",
        "#docx",
        f"{BOT} p",
        "#citation-panel p",
    ):  # 600, 700, 600, 400, 400
        style = page.evaluate(
            """(s) => { const c = getComputedStyle(document.querySelector(s));
            return {family: c.fontFamily, weight: Number(c.fontWeight), variant: c.fontVariant, text: document.querySelector(s).innerText}; }""",
            selector,
        )
        assert [f.strip().strip("'\"") for f in style["family"].split(",")] == stack, selector
        assert style["variant"] == "normal", selector
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        assert len(used) == 1 and used[0]["isCustomFont"], (
            selector,
            style["text"],
            used,
        )  # the bundled file alone
        assert used[0]["postScriptName"].endswith("-Bold" if style["weight"] >= 600 else "-Regular"), (
            selector,
            used,
        )


@pytest.fixture
def phone(served):
    """A phone: 390×844, touch."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=FLAGS,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        page = context.new_page()
        page.goto(served)
        page.locator("#question textarea").wait_for()
        yield page
        context.close()


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(s) => { const b = document.querySelector(s).getBoundingClientRect();
        return b.top >= 0 && b.top < window.innerHeight && b.left >= 0 && b.right <= window.innerWidth + 1; }""",
        selector,
    )


def test_on_a_phone_the_page_opens_at_the_top_and_a_tapped_citation_opens_in_view(phone, assistant):
    phone.wait_for_timeout(1500)  # past the page's own start-up scripts
    assert phone.evaluate("window.scrollY") == 0
    assert in_view(phone, "h1")
    question = "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?"
    ask(phone, question, "1370/QĐ-UBND")
    phone.locator(BOT).last.locator("a[href='#cite-0-1']").first.tap()
    phone.locator("#citation-panel mark").wait_for(timeout=30_000)
    phone.wait_for_function(
        """() => { const b = document.querySelector('#citation-panel mark').getBoundingClientRect();
        return b.top >= 0 && b.top < window.innerHeight; }""",
        timeout=10_000,
    )
    assert phone.locator("#citation-panel mark").inner_text() == assistant.ask(question).citations[0].quote
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "phone-citation.png"))


def test_on_a_phone_the_library_shows_every_field(phone, assistant):
    phone.get_by_role("tab", name="Thư viện văn bản").click()
    first = sorted(assistant.store.manifest().documents.values(), key=lambda r: r.source)[0]
    row = phone.locator("#library-table tbody tr").first
    row.wait_for()
    row.scroll_into_view_if_needed()
    text = row.inner_text()
    assert first.title in text and first.source in text
    labels = phone.evaluate("""() => Array.from(document.querySelectorAll('#library-table tbody tr:first-child td'))
        .map((td) => getComputedStyle(td, '::before').content)""")
    assert '"Loại: "' in labels and '"Số mục: "' in labels  # each field under its name, a card per document
    assert in_view(
        phone, "#library-table tbody tr td.file"
    )  # the last field too: nothing off-screen to the right
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391  # no sideways scrolling
    phone.screenshot(path=str(SHOTS / "phone-library.png"))


ENGLISH_CHROME = [
    "Examples",
    "Drop File Here",
    "Click to Upload",
    "Use via API",
    "Built with",
    "Settings",
    "Ask about",
    "Filters",
    "Sections used",
    "Helpful",
    "Not right",
    "Cited source",
    "Welcome",
    "Document library",
    "Remove document",
    "Add to the library",
    "Re-index",
    "Title",
    "ingested",
    "weekly digest",
    "period unknown",
    "Upload documents",
]
VIETNAMESE_CHROME = [
    "Hỏi đáp",
    "Thư viện văn bản",
    "Bộ lọc",
    "Câu hỏi mẫu",
    "Xin chào",
    "Thả tệp",
    "Nhấn để chọn tệp",
    "Nhấn vào một trích dẫn",
    "Mở toàn văn",
    "Hữu ích",
    "Chưa đúng",
    "Tải phiên",
    "Bản Markdown",
    "hỏi đáp văn bản",
    "Tên văn bản",
    "Số mục",
    "bản tin chỉ đạo",
    "chưa rõ kỳ",
    "Văn bản cần xoá",
    "Thêm vào kho",
    "Xoá văn bản",
    "Lập chỉ mục lại",
    "Tải lên văn bản",
    "Đặt câu hỏi",
]


def visible_text(page) -> str:
    """What the page shows (innerText leaves out hidden tabs), with the placeholders of its text boxes."""
    return page.evaluate("""() => document.body.innerText + '\\n' +
        Array.from(document.querySelectorAll('textarea, input')).filter((e) => e.offsetParent)
             .map((e) => e.placeholder || '').join('\\n')""")


def test_every_visible_string_follows_the_language_gradios_own_too(page):
    for tab in ("Hỏi đáp", "Thư viện văn bản"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        shown = visible_text(page)
        assert [w for w in ENGLISH_CHROME if w in shown] == [], tab
    page.locator("#upload").filter(has_text="Thả tệp vào đây").wait_for(timeout=10_000)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("tab", name="Ask").wait_for(timeout=30_000)
    page.locator("#upload").filter(has_text="Drop File Here").wait_for(timeout=10_000, state="attached")
    for tab in ("Document library", "Ask"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        shown = visible_text(page)
        assert [w for w in VIETNAMESE_CHROME if w in shown] == [], tab
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-english.png"), full_page=True)


def test_dates_as_staff_write_them_and_an_error_keeps_the_question(page):
    page.get_by_text("English", exact=True).click()
    page.get_by_role("tab", name="Ask").wait_for(timeout=30_000)
    page.get_by_text("Filters (applied to the search)").click()
    page.locator("#date-from input, #date-from textarea").first.fill("31/02/2023")
    question = "Who chairs the tourism steering committee?"
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator(BOT).filter(has_text="is not a date").last.wait_for(timeout=60_000)
    assert "DD/MM/YYYY" in page.locator(BOT).last.inner_text()
    assert box.input_value() == question  # not wiped: corrected, not retyped
    page.locator("#date-from input, #date-from textarea").first.fill("01/08/2023")
    box.press("Enter")
    page.locator(BOT).nth(1).locator(
        "a[href^='#cite-'], :text('The documents do not contain')"
    ).first.wait_for(state="attached", timeout=90_000)
    assert "is not a date" not in page.locator(BOT).last.inner_text()
