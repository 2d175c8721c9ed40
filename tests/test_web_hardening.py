"""The served app as an attacker meets it: capped feedback, security headers, throttled logins, no
password on the command line, a warning when exposed without a login, an inert briefing export,
uploads that never stop at one bad file, and one readable sentence when the vector store is gone.

Most of these need no model (a tiny Gradio app through our own `launch`, a fake assistant); the
browser tests at the end drive the real app in Chromium under the Content-Security-Policy.
"""

from __future__ import annotations

import html
import json
import os
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from tests.conftest import CORPUS, HashEmbedder, start_chroma

ANSWER = {"question": "Ai làm Trưởng Ban?", "answer": "Theo … “…” [1]", "abstained": False, "citations": []}
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def _request(url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of a request, whatever its status."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, headers=headers or {}), timeout=30
        ) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def _login(url: str, password: str) -> int:
    return _request(url + "login", f"username=canbo&password={password}".encode())[0]


# ---- 1. feedback caps -------------------------------------------------------------------------------
@pytest.fixture
def ui(tmp_path):
    from ui.app import ChatUI

    return ChatUI(SimpleNamespace(store=SimpleNamespace(home=tmp_path, chroma_url="")))


def _lines(ui) -> list[dict]:
    path = ui.store.home / "feedback.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_an_over_long_comment_is_refused_in_the_ui_language_and_nothing_is_written(ui):
    from ui.app import COMMENT_MAX

    comment = "x" * (COMMENT_MAX + 1)
    message, box = ui.feedback("down", comment, [ANSWER], "vi")
    assert (
        message.startswith("Góp ý dài 2,001 ký tự") and "value" not in box
    )  # the box keeps it for its author
    assert ui.feedback("down", comment, [ANSWER], "en")[0].startswith("The comment is 2,001 characters")
    assert _lines(ui) == []
    assert ui.feedback("down", "x" * COMMENT_MAX, [ANSWER], "en") == ("Feedback recorded.", "")
    assert len(_lines(ui)) == 1 and _lines(ui)[0]["comment"] == "x" * COMMENT_MAX


def test_feedback_past_the_rate_limit_is_refused_until_the_minute_has_passed(ui, monkeypatch):
    import ui.app as app

    clock = [1000.0]
    monkeypatch.setattr(app.time, "monotonic", lambda: clock[0])
    for i in range(app.FEEDBACK_PER_MINUTE):
        assert ui.feedback("up", f"c{i}", [ANSWER], "en")[0] == "Feedback recorded."
    assert ui.feedback("up", "one too many", [ANSWER], "en")[0].startswith("Too many ratings")
    assert len(_lines(ui)) == app.FEEDBACK_PER_MINUTE  # nothing over the cap is written
    clock[0] += 61
    assert ui.feedback("up", "later", [ANSWER], "vi")[0] == "Đã ghi nhận góp ý."
    assert len(_lines(ui)) == app.FEEDBACK_PER_MINUTE + 1


def test_a_full_feedback_log_takes_no_more_lines(ui, monkeypatch):
    monkeypatch.setenv("CHIDAO_FEEDBACK_MAX_MB", "0.001")  # about 1 KB
    (ui.store.home / "feedback.jsonl").write_text("{}\n" * 400, encoding="utf-8")
    assert ui.feedback("up", "", [ANSWER], "en")[0] == "The feedback log is full: tell the administrator."
    assert len(_lines(ui)) == 400


# ---- 2, 3. headers, login throttle, no open API schema -------------------------------------------------
@pytest.fixture
def served(request):
    """A tiny Gradio app through our own launch(); param: the login window in seconds, or None for no login."""
    import gradio as gr

    from ui.app import launch

    with gr.Blocks() as blocks:
        gr.Textbox()
    window = getattr(request, "param", None)
    launch(
        blocks, port=None, block=False, auth=("canbo", "dung") if window else None, login_window=window or 60
    )
    yield blocks.local_url
    blocks.close()


def _assert_hardened(headers, where):
    assert headers["X-Frame-Options"] == "DENY", where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "connect-src 'self'" in csp and "object-src 'none'" in csp, (
        where
    )


@pytest.mark.parametrize("served", [None, 2.0], indirect=True, ids=["open", "login"])
def test_every_response_carries_the_security_headers_and_no_open_api_schema(served):
    status, page, body = _request(served)
    assert status == 200 and b"<html" in body.lower()
    asset = next(x.split('"')[0] for x in body.decode().split('src="')[1:] if "assets/" in x.split('"')[0])
    for path in ["", "config", "gradio_api/info", "no-such-page", asset.removeprefix("./").removeprefix("/")]:
        _assert_hardened(_request(served + path)[1], path or "/")
    for path in ["openapi.json", "docs", "redoc"]:  # FastAPI's own schema and docs are off
        assert _request(served + path)[0] == 404, path


@pytest.mark.parametrize("served", [2.0], indirect=True)
def test_thirty_wrong_logins_then_the_right_one_is_refused_and_works_after_the_window(served):
    assert _request(served + "gradio_api/openapi.json")[0] == 401  # Gradio's schema only after a login
    codes = [_login(served, f"sai-{i}") for i in range(30)]
    assert codes[:5] == [400] * 5 and set(codes[5:]) == {429}
    status, headers, body = _request(served + "login", b"username=canbo&password=dung")
    assert status == 429 and b"Too many wrong logins" in body and int(headers["Retry-After"]) >= 1
    _assert_hardened(headers, "429")
    time.sleep(2.2)  # the window of this app
    assert _login(served, "dung") == 200
    assert _login(served, "sai") == 400  # counting starts again


# ---- 4, 5. auth from a file or the environment; a warning when exposed -----------------------------
def test_auth_comes_from_a_private_file_or_the_environment(tmp_path, monkeypatch):
    from ui.app import auth_from

    monkeypatch.delenv("CHIDAO_AUTH", raising=False)
    secret = tmp_path / "auth"
    secret.write_text("canbo:Mk-9f3k:bí mật\n", encoding="utf-8")
    secret.chmod(0o600)
    assert auth_from(path=secret) == ("canbo", "Mk-9f3k:bí mật")
    secret.chmod(0o644)
    with pytest.raises(ValueError, match="readable by other users.*chmod 600"):
        auth_from(path=secret)
    with pytest.raises(ValueError, match="cannot read the auth file"):
        auth_from(path=tmp_path / "missing")
    assert auth_from() is None
    monkeypatch.setenv("CHIDAO_AUTH", "canbo:tu-moi-truong")
    assert auth_from() == ("canbo", "tu-moi-truong")


@pytest.fixture
def cli(monkeypatch):
    """`chidao serve` in-process, stopped just after its checks: no store, no model, no server."""
    import typer
    from typer.testing import CliRunner

    import assistant.cli as cli

    def stop():
        raise typer.Exit(9)

    monkeypatch.setattr(cli, "open_store", stop)
    monkeypatch.delenv("CHIDAO_AUTH", raising=False)
    return lambda *args, env=None: CliRunner().invoke(cli.app, ["serve", *args], env=env)


def test_a_password_on_the_command_line_is_refused(cli, tmp_path):
    run = cli("--auth", "canbo:mat-khau")
    assert run.exit_code == 2 and "--auth-file" in run.output and "CHIDAO_AUTH" in run.output
    loose = tmp_path / "auth"
    loose.write_text("canbo:mat-khau")
    loose.chmod(0o604)
    run = cli("--auth-file", str(loose))
    assert run.exit_code == 2 and "chmod 600" in run.output
    loose.chmod(0o600)
    assert cli("--auth-file", str(loose)).exit_code == 9  # accepted: on to opening the store


def test_a_non_loopback_host_without_a_login_warns_on_stderr(cli, tmp_path):
    from ui.app import exposure_warning

    assert "warning: serving on 0.0.0.0 without a login" in cli("--host", "0.0.0.0").output
    assert "warning" not in cli("--host", "127.0.0.1").output and "warning" not in cli().output
    assert "warning" not in cli("--host", "0.0.0.0", env={"CHIDAO_AUTH": "canbo:x"}).output
    for host in ["127.0.0.1", "127.0.1.1", "::1", "localhost"]:
        assert exposure_warning(host, False, None) is None, host
    for host in ["0.0.0.0", "::", "192.168.1.20", "chidao.example.vn"]:
        assert exposure_warning(host, False, None), host
    assert "public link" in exposure_warning("127.0.0.1", True, None)
    assert exposure_warning("0.0.0.0", True, ("canbo", "x")) is None


# ---- 6. the briefing export and the chat's escaping ----------------------------------------------
def _rendered(markdown_text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown_text)  # html on: raw HTML would pass through


def test_the_markdown_briefing_carries_no_live_html_and_the_documents_exact_text():
    from assistant.models import Answer, Citation
    from ui.export import answer_markdown

    quote = f"Sở VH&TT: {XSS} theo Quyết định 1370/QĐ-UBND ngày 30/8/2023 'đúng hạn'"
    c = Citation(
        n=1,
        source="a.txt",
        section="Mục 1 — <b onmouseover=alert(1)>x</b>",
        doc_number="1370/QĐ-UBND",
        date="2023-08-30",
        quote=quote,
        start=0,
        end=len(quote),
        document="A",
    )
    md = answer_markdown(
        Answer(question=f"hỏi {XSS}?", language="vi", answer="…", abstained=False, citations=[c])
    )
    assert "<script" not in md and "<img" not in md and "<b " not in md
    assert (
        "1370/QĐ-UBND ngày 30/8/2023 'đúng hạn'" in md and "30/08/2023" in md
    )  # no backslashes, no entities
    shown = _rendered(md)
    assert "<script" not in shown and "<img" not in shown and "<b " not in shown
    assert html.escape(quote, quote=False) in shown  # rendered, it reads exactly as the document


def test_the_chat_shows_apostrophes_and_keeps_markup_inert():
    from ui.app import safe

    shown = _rendered(safe(f'Who\'s the chair of "Ban Chỉ đạo"? {XSS} [x](javascript:alert(1))'))
    assert "Who's" in shown and "&#x27;" not in shown and "&amp;#x27;" not in shown
    assert "<script" not in shown and "<img" not in shown and "href" not in shown


# ---- 7. an upload batch and a lost vector store -----------------------------------------------------
@pytest.fixture
def library(tmp_path):
    from store.index import Store
    from ui.app import ChatUI

    store = Store(tmp_path / "home", chroma_url="")
    embedder = HashEmbedder()
    ui = ChatUI(SimpleNamespace(store=store, embedder=embedder, warm_structures=lambda: None))
    files = tmp_path / "picked"
    files.mkdir()
    for name in ["003_b8308b7cb78d46d0.txt", "004_6c782aff4e7e5e86.txt"]:
        (files / name).write_bytes((CORPUS / name).read_bytes())
    (files / "hong.txt").write_text(
        "Một thông báo.\n\nUBND tỉnh giao Sở Tài chính báo cáo.\n", encoding="utf-8"
    )
    return ui, files


def _add(ui, paths) -> str:
    return ui.add_files([str(p) for p in paths], progress=lambda *a, **k: None)[1]


@pytest.mark.parametrize(
    "trouble, said",
    [
        ("reader", "hong.txt: not added (RuntimeError: a reader bug)"),
        ("server", "hong.txt: not added: the vector store is unreachable"),
        ("disk", "hong.txt: not added: the store on disk could not be written"),
    ],
)
def test_one_bad_file_never_stops_an_upload_batch_nor_stays_in_incoming(library, monkeypatch, trouble, said):
    import httpx

    import store.ingest

    ui, files = library
    read = store.ingest.read_document
    errors = {
        "reader": RuntimeError("a reader bug"),
        "disk": OSError(28, "No space left on device"),
        "server": httpx.ConnectError("[Errno 111] Connection refused"),
    }

    def failing(path, *args, **kwargs):
        if path.name == "hong.txt":
            raise errors[trouble]
        return read(path, *args, **kwargs)

    monkeypatch.setattr(store.ingest, "read_document", failing)
    status = _add(ui, sorted(files.iterdir()))  # the bad one in the middle of the batch
    assert said in status.replace("\\", ""), status
    assert status.count("**added**") == 2 and "Errno" not in status and "Connection refused" not in status
    uploads = ui.store.home / "uploads"
    assert sorted(p.name for p in uploads.iterdir() if p.is_file()) == [
        "003_b8308b7cb78d46d0.txt",
        "004_6c782aff4e7e5e86.txt",
    ]
    assert list((uploads / ".incoming").iterdir()) == []
    assert set(ui.store.manifest().documents) == {"003_b8308b7cb78d46d0.txt", "004_6c782aff4e7e5e86.txt"}


def test_a_lost_chroma_server_is_one_readable_sentence_in_the_chat(tmp_path):
    from assistant.service import Assistant
    from store.index import Store
    from store.ingest import ingest
    from ui.app import LABELS, ChatUI, safe

    proc, url = start_chroma(tmp_path / "chroma-data")
    try:
        store = Store(tmp_path / "home", chroma_url=url)
        ingest([CORPUS / "003_b8308b7cb78d46d0.txt"], store, HashEmbedder)
        ui = ChatUI(Assistant(store, HashEmbedder()))
        *_, (_, history, _, _, _) = ui.respond("kế hoạch", [], [], None, None, "", "", "en")
        assert "(#cite-0-1)" in history[-1]["content"]  # answered while the server was up
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for lang in ("en", "vi"):
        *_, (_, history, _, _, _) = ui.respond("du lịch", history, [], None, None, "", "", lang)
        assert history[-1]["content"] == safe(LABELS[lang]["unreachable"])
    assert LABELS["en"]["unreachable"].startswith("The vector store is unreachable; ")


# ---- in the browser: the real app under its Content-Security-Policy ----------------------------------
@pytest.fixture(scope="module")
def real_app(assistant):
    from ui.app import build_app, launch

    app = build_app(assistant)
    launch(app, port=None, block=False)
    yield app.local_url
    app.close()


@pytest.fixture
def browser_page(real_app):
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, FLAGS

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.dialogs, page.console = [], []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: page.console.append(m.text))
        page.response = page.goto(real_app)
        page.locator("#question textarea").wait_for()
        yield page
        browser.close()


def test_the_page_answers_under_the_content_security_policy(browser_page, assistant):
    from tests.test_browser import BOT, ask

    page = browser_page
    _assert_hardened({k.title(): v for k, v in page.response.headers.items()}, "page")
    question = "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?"
    ask(page, question, "1370/QĐ-UBND")
    page.locator(BOT).last.locator("a[href='#cite-0-1']").first.click()  # the app's own js= still runs
    page.locator("#citation-panel mark").wait_for(timeout=30_000)
    assert page.locator("#citation-panel mark").inner_text() == assistant.ask(question).citations[0].quote
    refused = [m for m in page.console if "Content Security Policy" in m]
    assert refused == [], refused


def test_an_apostrophe_shows_as_typed_and_markup_still_runs_nothing(browser_page):
    from tests.test_browser import BOT, ask

    page = browser_page
    ask(page, "What's the population of Hanoi? <img src=x onerror=alert(1)>", "The documents do not contain")
    user = page.locator("[data-testid='user']").last.inner_text()
    assert "What's the population" in user and "&#x27;" not in user
    assert "<img src=x onerror=alert(1)>" in user and page.locator("img[src='x']").count() == 0
    assert "&#x27;" not in page.locator(BOT).last.inner_text()
    page.wait_for_timeout(300)
    assert page.dialogs == []
