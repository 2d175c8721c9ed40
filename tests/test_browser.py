"""The chat as a person uses it: headless Debian Chromium driving the served app."""

import os
import tempfile

import pytest

CHROMIUM = os.environ.get("CHIDAO_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def served(assistant):
    from ui.app import build_app
    app = build_app(assistant)
    app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    yield app.local_url
    app.close()


@pytest.fixture
def page(served):
    from playwright.sync_api import sync_playwright
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=FLAGS,
                                                       viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.goto(served)
        yield page
        context.close()


def ask(page, question: str, wait_for: str) -> None:
    box = page.get_by_role("textbox").first
    box.fill(question)
    box.press("Enter")
    page.locator("[data-testid='bot']").filter(has_text=wait_for).first.wait_for(timeout=60_000)


def test_a_question_gets_an_answer_with_its_citations_in_the_browser(page):
    ask(page, "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?", "1370/QĐ-UBND")
    bot = page.locator("[data-testid='bot']").last
    text = bot.inner_text()
    assert "Trưởng Ban" in text and "000_aaa0102457e11305.txt" in text and "Mục 13" in text


def test_not_found_state_and_inert_markup(page):
    ask(page, "<img src=x onerror=alert(1)><script>alert(2)</script> What is the population of Hanoi?",
        "The documents do not contain")
    assert page.locator("img[src='x']").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator("[data-testid='user']").last.inner_text()
    page.wait_for_timeout(300)
    assert page.dialogs == []
