"""The chidao chat UI (Gradio): the same answer function as `chidao ask`.

Everything shown comes from documents or users, so it is HTML-escaped (and markdown-escaped
where Gradio renders markdown) before it reaches the page: a document or question containing
<script> shows as text. Inline citations [1] are links that open the quoted passage, with the
quote highlighted, in the side panel.

Served through `launch`: security headers on every response, wrong logins throttled per client,
FastAPI's open /openapi.json and /docs off; feedback is capped in size and rate.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import json
import logging
import re
import threading
import time
from collections import deque
from datetime import UTC, date, datetime
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from assistant.models import MAX_QUESTION_CHARS, Answer, Filters, QuestionError
from store.errors import StoreUnavailable
from store.ingest import IngestReport, ingest, sample_corpus
from store.lock import StoreBusy
from store.models import KINDS, UNKNOWN_PERIOD, kind_label
from store.reader import ReadError
from store.settings import SettingsError, settings
from store.uploads import keep, stage_upload
from ui.export import HEADINGS, answer_markdown, reference_line, references, session_docx

EXAMPLES = {
    "vi": [
        "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?",
        "Quyết định 2230/QĐ-UBND nói gì?",
        "bao nhieu ho ngheo nam 2023",
        "Tuyến xe buýt Mai Pha - Na Sầm chạy bao nhiêu chuyến mỗi ngày?",
    ],
    "en": [
        "Who chairs the tourism steering committee?",
        "What does Decision 2230/QĐ-UBND say?",
        "How many poor households were there in 2023?",
        "How many trips a day does the Mai Pha - Na Sầm bus make?",
    ],
}
FOLLOW_UP_TURNS = 3  # earlier answers a follow-up question may refer to

# Gradio's default theme loads its Source Sans Pro in weights 400 and 600, and the 600 file it ships is a
# 55-glyph subset (Cyrillic, "A", "B"): bold text took every other letter from a system font and "B" from
# that subset ("UʙND"). Its 400 and 700 files hold all of Vietnamese; without a 600 face, weight 600 uses
# the 700 one. Then system fonts that have Vietnamese, should the file not load.
FONT = (
    gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)),
    "Segoe UI",
    "Roboto",
    "Noto Sans",
    "Helvetica Neue",
    "Arial",
    "Liberation Sans",
    "DejaVu Sans",
    "sans-serif",
)
FONT_MONO = (
    gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)),
    "Consolas",
    "Liberation Mono",
    "DejaVu Sans Mono",
    "monospace",
)  # the same: its 600 file lacks Vietnamese too
THEME = gr.themes.Default(font=FONT, font_mono=FONT_MONO)

CSS = """
.chidao-hidden { display: none !important; }
#citation-panel mark, #full-document mark { background: #ffe28a; padding: 0 2px; border-radius: 2px; }
#citation-panel .ctx, #full-document .doc { white-space: pre-wrap; line-height: 1.5; }
#full-document .doc { max-height: 520px; overflow-y: auto; border: 1px solid #ddd; padding: 8px; }
#library-table table { width: 100%; border-collapse: collapse; }
#library-table th, #library-table td {
  text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #ddd;
}
#library-table .file { font-size: 0.85em; color: #666; word-break: break-all; }
/* a phone: each document as a card, its fields one under the other with their names, nothing off-screen */
@media (max-width: 640px) {
  #library-table thead { display: none; }
  #library-table tr, #library-table td { display: block; }
  #library-table tr { padding: 6px 0; border-bottom: 1px solid #bbb; }
  #library-table td { border: 0; padding: 1px 0; }
  #library-table td[data-label]::before { content: attr(data-label) ": "; color: #666; }
}
"""
# Inline citation links carry "#cite-<turn>-<n>": a click hands that key to a hidden textbox,
# whose input event opens the passage. Installed once when the page loads. A raw string: the JavaScript's
# backslashes (its regular expressions) reach the page as written.
JS = r"""
() => {
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#cite-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const box = document.querySelector('#cite-input textarea');
    // a nonce, so that clicking the same citation again is still a change
    box.value = link.getAttribute('href').slice('#cite-'.length) + '@' + Date.now();
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }, true);
  // "Sao chép" under an answer ("#copy-<turn>") copies that answer as plain text, which the server
  // keeps per turn in #plain-copy. Gradio's own copy button copies the escaped Markdown it renders
  // ("1370/QĐ\-UBND"), so it is switched off. Written here, inside the click, because browsers only
  // allow clipboard writes during a user gesture; execCommand for pages served over plain http,
  // where navigator.clipboard does not exist.
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#copy-"]');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    let text;
    try {
      const n = Number(link.getAttribute('href').slice('#copy-'.length));
      text = JSON.parse(document.querySelector('#plain-copy textarea').value || '[]')[n];
    } catch (e) { return; }
    if (typeof text !== 'string') return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text);
    } else {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    const label = link.textContent;
    link.textContent = '✓';
    setTimeout(() => { link.textContent = label; }, 1500);
  }, true);
  // Gradio's own widget texts ("Drop File Here", "Click to Upload", …) follow Gradio's locale, not the
  // page's language toggle: set it through changeLocale, the function Gradio's settings page uses, of
  // Gradio's core module (already loaded: the same module instance). Vietnamese texts: GRADIO_TEXTS.
  // A component translates its texts when it is drawn: the toggle redraws the upload box (visible off, on).
  window.chidaoLocale = async (lang) => {
    document.documentElement.lang = lang;
    const core = performance.getEntriesByType('resource').map((e) => e.name)
      .find((name) => /\/assets\/core-[\w-]+\.js$/.test(name));
    try { if (core) (await import(core)).changeLocale?.(lang); } catch (e) { /* Gradio's texts stay as they are */ }
  };
  window.chidaoLocale('vi');
  // The question box gets the focus on a wide screen, without scrolling: the page opens at its title.
  // Not on a phone, where focusing would scroll the page down and open the keyboard.
  if (window.matchMedia('(min-width: 768px)').matches) {
    const focus = (tries) => {
      const box = document.querySelector('#question textarea');
      if (box) box.focus({ preventScroll: true });
      else if (tries > 0) setTimeout(() => focus(tries - 1), 200);
    };
    focus(25);
  }
}
"""
# The opened passage into view: on a phone the panel sits below the whole chat, so a tap on [1] would
# otherwise change nothing on screen. Only when it is not visible yet, so a desktop page does not jump.
SCROLL_TO_CITATION = """() => { setTimeout(() => {
  const mark = document.querySelector('#citation-panel mark');
  if (!mark) return;
  const box = mark.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) mark.scrollIntoView({block: 'center'});
}, 300); }"""
SCROLL_TO_MARK = (
    "() => { setTimeout(() => document.querySelector('#full-document mark')"
    "?.scrollIntoView({block: 'center'}), 300); }"
)

LABELS = {
    "vi": {
        "title": "# chidao — hỏi đáp văn bản chỉ đạo, điều hành\n"
        "Mỗi câu trả lời là trích dẫn nguyên văn, đã được kiểm chứng với văn bản gốc.",
        "examples": "Câu hỏi mẫu",
        "language": "Ngôn ngữ",
        "question": "Câu hỏi",
        "bad_date": "“{value}” không phải là ngày: hãy viết theo dạng DD/MM/YYYY, ví dụ 30/08/2023.",
        "empty_question": "Câu hỏi đang trống: hãy nhập một câu hỏi, ví dụ “Ai làm Trưởng Ban Chỉ "
        "đạo phát triển du lịch tỉnh?”",
        "long_question": "Câu hỏi dài {n} ký tự, quá giới hạn {limit} ký tự: hãy hỏi ngắn hơn.",
        "added": "**Đã thêm** {name}: {n} mục",
        "refused": "**Không thêm được** {what}",
        "removed": "**Đã xoá** {name}",
        "reindexed": "{changed} văn bản thay đổi, {unchanged} văn bản giữ nguyên",
        "not_added_unreachable": "chưa thêm: kho vector không truy cập được; hãy thêm lại khi máy "
        "chủ Chroma hoạt động trở lại",
        "not_added_disk": "chưa thêm: không ghi được kho văn bản trên đĩa (đĩa đầy?); hãy giải "
        "phóng dung lượng rồi thêm lại",
        "not_added": "chưa thêm ({error})",
        "chat": "Hỏi đáp",
        "library": "Thư viện văn bản",
        "placeholder": "Đặt câu hỏi về văn bản chỉ đạo…",
        "filters": "Bộ lọc (áp dụng khi tìm kiếm)",
        "documents": "Văn bản",
        "kinds": "Loại văn bản",
        "from": "Từ ngày (DD/MM/YYYY)",
        "to": "Đến ngày (DD/MM/YYYY)",
        "used": "Các mục đã dùng (mức liên quan)",
        "relevance": ("rất liên quan", "liên quan", "ít liên quan"),
        "comment": "Góp ý (tuỳ chọn): gửi kèm khi bấm 👍 hoặc 👎 dưới một câu trả lời",
        "copy": "Bản Markdown cho báo cáo",
        "docx": "Tải phiên hỏi đáp (.docx)",
        "panel": "Nguồn trích dẫn",
        "full": "Mở toàn văn",
        "upload": "Tải lên văn bản (.txt, .md, .docx, .pdf, .html)",
        "add": "Thêm vào kho",
        "remove": "Xoá văn bản",
        "reindex": "Lập chỉ mục lại",
        "searching": "⏳ Đang tìm trong văn bản…",
        "citations": "Trích dẫn",
        "closest": "Các mục gần nhất (tham khảo, không phải trích dẫn)",
        "no_citation": "Nhấn vào một trích dẫn [1] trong câu trả lời để xem đoạn văn gốc.",
        "thanks": "Đã ghi nhận góp ý.",
        "nothing_to_rate": "Chưa có câu trả lời để góp ý.",
        "nothing_to_export": "Chưa có câu trả lời nào để xuất: hãy đặt một câu hỏi trước.",
        "understood": "Hiểu là",
        "too_long": "Góp ý dài {n} ký tự, quá giới hạn {limit} ký tự: hãy rút gọn rồi gửi lại.",
        "too_many": "Đã nhận quá nhiều góp ý trong một phút: hãy thử lại sau ít phút.",
        "log_full": "Sổ góp ý đã đầy: hãy báo quản trị viên.",
        "unreachable": "Kho vector không truy cập được; hãy thử lại sau ít phút, nếu vẫn lỗi hãy "
        "báo quản trị viên kiểm tra máy chủ Chroma.",
        "disk": "Kho văn bản trên đĩa không đọc/ghi được (có thể đĩa đã đầy); hãy báo quản trị viên.",
        "internal": "Có lỗi khi trả lời câu hỏi này; chi tiết đã được ghi vào nhật ký của máy chủ.",
        "warning": "Lưu ý",
        "copy_answer": "📋 Sao chép câu trả lời",
        "pick": "Chọn văn bản cần xoá trong danh sách.",
        "confirm": "Xác nhận xoá “{title}”",
        "cancel": "Huỷ",
        "confirm_hint": "Xoá “{title}” ({name}) khỏi kho? Nhấn “Xác nhận xoá” để xoá, “Huỷ” để giữ lại.",
        "to_remove": "Văn bản cần xoá",
        "col_title": "Tên văn bản",
        "col_kind": "Loại",
        "col_period": "Kỳ",
        "col_sections": "Số mục",
        "col_ingested": "Thêm vào kho (UTC)",
        "col_file": "Tệp",
        "welcome": "**Xin chào!** Trợ lý trả lời câu hỏi về {count} văn bản chỉ đạo, điều hành "
        "trong kho ({kinds}){period}. "
        "Mỗi câu trả lời trích nguyên văn văn bản và ghi rõ nguồn; nhấn vào [1] để xem đoạn gốc.\n\n"
        "Hãy hỏi một câu cụ thể, ví dụ “Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?” hoặc "
        "“Quyết định 2230/QĐ-UBND nói gì?”; có thể hỏi tiếp “Văn bản này ban hành ngày nào?”.",
        "period": ", từ {first} đến {last}",
        "empty": "**Xin chào!** Kho văn bản đang trống: hãy thêm văn bản ở thẻ “Thư viện văn bản”.",
    },
    "en": {
        "title": "# chidao — questions and answers on the province's directives\n"
        "Answers quote the documents verbatim; every quote is checked against the source.",
        "examples": "Examples",
        "language": "Language",
        "question": "Question",
        "bad_date": "“{value}” is not a date: write it as DD/MM/YYYY, e.g. 30/08/2023.",
        "empty_question": "The question is empty: type a question, e.g. “Who chairs the tourism steering committee?”",
        "long_question": "The question is {n} characters long, over the {limit}-character limit: "
        "ask a shorter question.",
        "added": "**added** {name}: {n} section(s)",
        "refused": "**refused** {what}",
        "removed": "**removed** {name}",
        "reindexed": "{changed} changed, {unchanged} unchanged",
        "not_added_unreachable": "not added: the vector store is unreachable; add it again once the "
        "Chroma server is back",
        "not_added_disk": "not added: the store on disk could not be written (is the disk full?); "
        "free some space and add it again",
        "not_added": "not added ({error})",
        "chat": "Ask",
        "library": "Document library",
        "placeholder": "Ask about the directives…",
        "filters": "Filters (applied to the search)",
        "documents": "Documents",
        "kinds": "Document kinds",
        "from": "From (DD/MM/YYYY)",
        "to": "To (DD/MM/YYYY)",
        "used": "Sections used (relevance)",
        "relevance": ("very relevant", "relevant", "loosely related"),
        "comment": "Comment (optional): sent with a 👍 or 👎 under an answer",
        "copy": "Markdown for a briefing",
        "docx": "Download the session (.docx)",
        "panel": "Cited source",
        "full": "Open the whole document",
        "upload": "Upload documents (.txt, .md, .docx, .pdf, .html)",
        "add": "Add to the library",
        "remove": "Remove document",
        "reindex": "Re-index",
        "searching": "⏳ Searching the documents…",
        "citations": "Citations",
        "closest": "Closest sections (related, not citations)",
        "no_citation": "Click a citation [1] in an answer to see the source passage.",
        "thanks": "Feedback recorded.",
        "nothing_to_rate": "No answer to rate yet.",
        "nothing_to_export": "There is no answer to export yet: ask a question first.",
        "understood": "Understood as",
        "too_long": "The comment is {n} characters, over the {limit}-character limit: shorten it and send again.",
        "too_many": "Too many ratings in the last minute: try again in a few minutes.",
        "log_full": "The feedback log is full: tell the administrator.",
        "unreachable": "The vector store is unreachable; try again in a few minutes, and if it "
        "persists ask the administrator to check the Chroma server.",
        "disk": "The store on disk could not be read or written (the disk may be full); tell the administrator.",
        "internal": "Something went wrong while answering this question; the details are in the server log.",
        "warning": "Note",
        "copy_answer": "📋 Copy the answer",
        "pick": "Choose the document to remove in the list.",
        "confirm": "Confirm: remove “{title}”",
        "cancel": "Cancel",
        "confirm_hint": "Remove “{title}” ({name}) from the library? Press “Confirm” to remove it, "
        "“Cancel” to keep it.",
        "to_remove": "Document to remove",
        "col_title": "Title",
        "col_kind": "Kind",
        "col_period": "Period",
        "col_sections": "Sections",
        "col_ingested": "Added (UTC)",
        "col_file": "File",
        "welcome": "**Welcome!** The assistant answers questions about the {count} directives and "
        "reports in the library ({kinds}){period}. "
        "Every answer quotes the documents verbatim and names its source; click [1] to see the passage.\n\n"
        "Ask one concrete question, e.g. “Who chairs the tourism steering committee?” or "
        "“What does Decision 2230/QĐ-UBND say?”; follow-ups such as “When was it issued?” work too.",
        "period": ", from {first} to {last}",
        "empty": "**Welcome!** The library is empty: add documents in the “Document library” tab.",
    },
}
# Gradio's own widget texts in Vietnamese (Gradio ships no Vietnamese): its translation keys, handed
# to launch(i18n=…); the page's language toggle switches Gradio's locale to match (JS).
GRADIO_TEXTS = {
    "vi": {
        "upload_text.drop_file": "Thả tệp vào đây",
        "upload_text.click_to_upload": "Nhấn để chọn tệp",
        "common.or": "hoặc",
        "common.clear": "Xoá",
        "common.remove": "Bỏ",
        "common.download": "Tải xuống",
        "common.error": "Lỗi",
        "common.loading": "Đang tải",
        "common.empty": "Trống",
        "common.submit": "Gửi",
        "common.progress": "Tiến độ",
        "chatbot.clear": "Xoá cuộc trò chuyện",
        "chatbot.submit": "Gửi",
        "chatbot.like": "Hữu ích",
        "chatbot.dislike": "Chưa đúng",
        "file.uploading": "Đang tải lên…",
    }
}
# store/ refuses a file with one English line, "<file>: <reason>" (a ReadError, a line of an ingest report,
# StoreBusy), and gives no code to translate by: the Vietnamese page says the reasons it knows in Vietnamese,
# matched by their wording (tests/test_ui_render.py holds them to store/'s real messages); a line it does not
# know is shown as store/ wrote it.
REASONS_VI = [
    (
        r"a path outside the library folder; upload the file itself",
        "tên có đường dẫn ra ngoài thư mục thư viện; hãy tải lên chính tệp đó",
    ),
    (r"no usable file name", "tên tệp không dùng được"),
    (
        r"no extension is not a supported type \((?P<types>[^)]*)\)",
        "tệp không có phần mở rộng; chỉ nhận {types}",
    ),
    (
        r"(?P<suffix>\.\S+) is not a supported type \((?P<types>[^)]*)\)",
        "loại tệp {suffix} không được hỗ trợ (chỉ nhận {types})",
    ),
    (
        r"(?P<mb>[\d.]+) MB is over the (?P<limit>[\d.]+) MB limit \(CHIDAO_MAX_FILE_MB\)",
        "{mb} MB, quá giới hạn {limit} MB (CHIDAO_MAX_FILE_MB)",
    ),
    (
        r"over the (?P<limit>[\d.]+) MB limit \(CHIDAO_MAX_FILE_MB\)",
        "quá giới hạn {limit} MB (CHIDAO_MAX_FILE_MB)",
    ),
    (
        r"file name too long \((?P<n>\d+) bytes; at most (?P<limit>\d+)\); rename it",
        "tên tệp quá dài ({n} byte, tối đa {limit}); hãy đổi tên tệp",
    ),
    (r"empty file", "tệp rỗng"),
    (r"no text in it", "tệp không có chữ nào"),
    (r"no text to index", "không có nội dung nào để lập chỉ mục"),
    (r"could not be read \((?P<why>[^)]*)\); not stored", "không đọc được ({why}); chưa lưu"),
    (r"cannot be read \((?P<why>.*)\)", "không đọc được ({why})"),
    (r"a symbolic link, not followed", "là liên kết tượng trưng (symbolic link), không đọc theo"),
    (
        r"binary file \(contains NUL bytes\), not a text document",
        "tệp nhị phân (có byte NUL), không phải văn bản",
    ),
    (
        r"not UTF-8 \(byte (?P<byte>\d+)\) nor Vietnamese Windows-1258/TCVN3/VNI; save it as UTF-8 and ingest again",
        "không phải UTF-8 (byte {byte}), cũng không phải bảng mã tiếng Việt Windows-1258/TCVN3/VNI; "
        "hãy lưu lại dạng UTF-8 rồi thêm lại",
    ),
    (
        r"starts like (?P<codec>\S+) but byte (?P<byte>\d+) is not; save it as UTF-8",
        "mở đầu như {codec} nhưng byte {byte} không đúng {codec}; hãy lưu lại dạng UTF-8",
    ),
    (r"not a readable Word document \((?P<why>[^)]*)\)", "không phải tài liệu Word đọc được ({why})"),
    (r"not a readable PDF \((?P<why>[^)]*)\)", "không phải tệp PDF đọc được ({why})"),
    (r"not a readable HTML page \((?P<why>[^)]*)\)", "không phải trang HTML đọc được ({why})"),
    (
        r"scanned PDF with no text layer \((?P<n>\d+) page\(s\)\); run OCR on it first",
        "PDF bản quét, không có lớp chữ ({n} trang); hãy nhận dạng chữ (OCR) trước",
    ),
    (
        r"encrypted PDF with a password to open it; save an unprotected copy",
        "PDF có mật khẩu mở; hãy lưu một bản không khoá",
    ),
    (
        r"(?P<n>[\d,]+) pages, more than (?P<limit>[\d,]+); split it",
        "{n} trang, quá {limit} trang; hãy tách nhỏ",
    ),
    (r"more than (?P<limit>[\d,]+) characters of text; split it", "hơn {limit} ký tự; hãy tách nhỏ"),
    (r"same content as (?P<other>.+), not stored twice", "cùng nội dung với {other}, không lưu hai lần"),
    (
        r"same file name as (?P<other>.+) \(documents are stored by file name\); rename one",
        "trùng tên tệp với {other} (văn bản được lưu theo tên tệp); hãy đổi tên một tệp",
    ),
    (
        r"could not be sectioned \((?P<why>.*)\); please report it",
        "không chia được thành mục ({why}); hãy báo lỗi này",
    ),
    (r"not stored: (?P<why>.+)", "chưa lưu được ({why})"),
    (
        r"the store (?P<home>.+) is locked by (?P<holder>.+?) \(pid (?P<pid>\d+), since (?P<since>[\d:]+)\); "
        r"wait for it to finish and run the command again",
        "kho {home} đang bận ({holder}, pid {pid}, từ {since}); hãy chờ xong rồi thử lại",
    ),
    (
        r"the store (?P<home>.+) is locked by (?P<holder>.+); wait for it to finish and run the command again",
        "kho {home} đang bận ({holder}); hãy chờ xong rồi thử lại",
    ),
    # the limits that keep a hostile file from exhausting the machine (store/extract.py, store/reader.py)
    (
        r"holds (?P<n>[\d,]+) files, more than (?P<limit>[\d,]+); not read",
        "chứa {n} tệp, quá {limit} tệp; không đọc",
    ),
    (r"expands to more than (?P<mb>\d+) MB uncompressed; not read", "giải nén ra hơn {mb} MB; không đọc"),
    (r"more than (?P<n>[\d,]+) XML elements; not read", "hơn {n} phần tử XML; không đọc"),
    (
        r"more than (?P<n>[\d,]+) HTML elements; not read \(save its text as \.txt\)",
        "hơn {n} phần tử HTML; không đọc (hãy lưu phần chữ thành tệp .txt)",
    ),
    (
        r"beyond the HTML parser's limits \((?P<why>.*)\); not read \(save its text as \.txt\)",
        "vượt giới hạn của trình phân tích HTML ({why}); không đọc (hãy lưu phần chữ thành tệp .txt)",
    ),
    (
        r"over a safety limit of the PDF reader \((?P<why>.*)\); not read",
        "vượt giới hạn an toàn của trình đọc PDF ({why}); không đọc",
    ),
    (
        r"AES-encrypted PDF and the cryptography package is missing; pip install cryptography",
        "PDF mã hoá AES nhưng thiếu gói cryptography; hãy cài: pip install cryptography",
    ),
    (
        r"not a regular file \(a device, pipe or socket\); not read",
        "không phải tệp thường (thiết bị, pipe hay socket); không đọc",
    ),
    (
        r"changed size while read \((?P<listed>\d+) bytes listed, (?P<read>\d+) read\); not read, "
        r"try again once it is complete",
        "đổi kích thước trong khi đọc ({listed} byte theo danh mục, đọc được {read}); chưa đọc, hãy "
        "thử lại khi tệp đã xong",
    ),
    (r"lexical index: not rebuilt yet: (?P<why>.+)", "chỉ mục từ khoá: chưa dựng lại ({why})"),
]
REASONS_VI = [(re.compile(rf"(?:(?P<file>.+?): )?{reason}"), vi) for reason, vi in REASONS_VI]


def refusal(line: str, lang: str) -> str:
    """A refusal line of store/ in the page's language: its file name as it is, the reason translated
    when it is one REASONS_VI knows."""
    if lang == "vi":
        for reason, vi in REASONS_VI:
            if found := reason.fullmatch(line):
                file = found["file"]
                said = vi.format(**{k: v for k, v in found.groupdict().items() if k != "file"})
                return f"{file}: {said}" if file else said
    return line


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")
COMMENT_MAX = 2000  # characters of a feedback comment
FEEDBACK_PER_MINUTE = 30  # feedback lines per process: a script cannot grow the log fast
log = logging.getLogger("chidao.ui")


def safe(text: str) -> str:
    """Text as inert markdown: HTML escaped, markdown syntax backslash-escaped.

    quote=False: the text only ever lands in markdown text, never in an attribute, so quotes are
    harmless; escaped, "'" became "&#x27;" whose "#" the markdown escape then broke into visible text.
    """
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False)).replace("\n", "  \n")


def failure(e: Exception, server: bool) -> str:
    """What went wrong below the UI, as a LABELS key: "unreachable" (the Chroma server), "disk", "internal"."""
    if isinstance(e, ConnectionError) or type(e).__module__.startswith(("httpx", "httpcore")):
        return "unreachable"
    if isinstance(e, StoreUnavailable):  # the store's own wrapper: a server that is gone, or a failing disk
        return "unreachable" if server else "disk"
    return "disk" if isinstance(e, OSError) and e.errno == errno.ENOSPC else "internal"


def plain(answer: Answer) -> str:
    """The answer as its copy link copies it: plain text without Markdown escapes, so quotes, numbers
    and dates arrive exactly as in the documents; then one reference line per citation."""
    t = LABELS[answer.language]
    lines = [f"{t['understood']}: {answer.interpreted_question}", ""] if answer.interpreted_question else []
    lines.append(answer.answer)
    lines += [f"{t['warning']}: {w}" for w in answer.warnings]
    if answer.citations:
        lines += ["", f"{HEADINGS[answer.language]['refs']}:", *references(answer)]
    return "\n".join(lines)


def render(answer: Answer, turn: int = 0, copyable: bool = False) -> str:
    """The answer with inline citation links, then the citation list (or the closest sections); in the
    chat (`copyable`) a last link that copies the answer as plain text (see JS)."""
    t = LABELS[answer.language]
    body = safe(answer.answer)
    for c in answer.citations:
        body = body.replace(f"\\[{c.n}\\]", f"[\\[{c.n}\\]](#cite-{turn}-{c.n})")
    parts = [body]
    if answer.interpreted_question:  # a follow-up: show how the earlier turns were carried into it
        parts.insert(0, f"_{t['understood']}: {safe(answer.interpreted_question)}_\n")
    if answer.warnings:  # documents left out because their stored files are damaged
        parts += [f"\n_{t['warning']}: {safe(w)}_" for w in answer.warnings]
    if answer.citations:
        parts.append(f"\n**{t['citations']}**")
        for c in answer.citations:
            # the quote is in the answer above: here only where the text does not hold it
            quote = "" if f"“{c.quote}”" in answer.answer else f"  \n> {safe(c.quote)}"
            parts.append(f"\n[\\[{c.n}\\]](#cite-{turn}-{c.n}) {safe(reference_line(c))}{quote}")
    elif answer.retrieved:
        parts.append(f"\n**{t['closest']}**")
        parts += [f"\n- {safe(r.source)} · {safe(r.section)}" for r in answer.retrieved[:3]]
    if copyable:
        parts.append(f"\n[{t['copy_answer']}](#copy-{turn})")
    return "\n".join(parts)


def relevance(score: float, best: float, lang: str = "vi") -> str:
    """A section's score in words and dots, next to the best section's: fusion scores (sums of
    1/(60 + rank), about 0.016–0.05) say only how sections rank, nothing a reader can weigh."""
    ratio = score / best if best > 0 else 0.0
    level = 0 if ratio >= 0.9 else 1 if ratio >= 0.7 else 2
    return f"{'●' * (3 - level)}{'○' * level} {LABELS[lang]['relevance'][level]}"


def used_sections(answer: Answer, lang: str | None = None) -> str:
    best = max((r.score for r in answer.retrieved), default=0.0)
    lang = lang or answer.language
    return (
        "\n".join(
            f"- {relevance(r.score, best, lang)} · {safe(r.source)} · {safe(r.section)}"
            for r in answer.retrieved
        )
        or "–"
    )


def _marked(text: str, start: int, end: int) -> str:
    return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"


def _parse_day(value: str | None, lang: str = "vi") -> date | None:
    """A date box: DD/MM/YYYY as staff write dates (also D/M/YYYY and with dots or dashes), or YYYY-MM-DD."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    day = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", value)
    try:
        if day:
            return date(int(day[3]), int(day[2]), int(day[1]))
    except ValueError:
        pass
    raise QuestionError(LABELS[lang]["bad_date"].format(value=value))


class ChatUI:
    """The app's behaviour, kept apart from its layout so each handler is a plain method."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.store = assistant.store
        self._feedback_times: deque[float] = deque()  # when the lines of the last minute were written
        self._feedback_lock = threading.Lock()  # handlers run in Gradio's worker threads

    # ---- chat ------------------------------------------------------------------------
    def respond(self, message, history, session, sources, kinds, date_from, date_to, lang):
        if not history:
            session = []  # a cleared chat starts a new conversation: nothing earlier is referred to
        history = list(history or []) + [
            {"role": "user", "content": safe(message or "")},
            {"role": "assistant", "content": LABELS[lang]["searching"]},
        ]
        yield "", history, session, gr.update(), gr.update()
        try:
            filters = None
            if sources or kinds or (date_from or "").strip() or (date_to or "").strip():
                filters = Filters(
                    sources=sources or None,
                    kinds=kinds or None,
                    date_from=_parse_day(date_from, lang),
                    date_to=_parse_day(date_to, lang),
                )
            # the assistant checks these too, in English: said here in the page's language
            if not (message or "").strip():
                raise QuestionError(LABELS[lang]["empty_question"])
            if len(message) > MAX_QUESTION_CHARS:
                raise QuestionError(
                    LABELS[lang]["long_question"].format(
                        n=f"{len(message):,}", limit=f"{MAX_QUESTION_CHARS:,}"
                    )
                )
            earlier = [Answer.model_validate(a) for a in (session or [])[-FOLLOW_UP_TURNS:]]
            answer = self.assistant.ask(message, k=8, filters=filters, history=earlier)
        except QuestionError as e:  # the question goes back into the box, to be corrected rather than retyped
            history[-1] = {"role": "assistant", "content": safe(str(e))}
            yield message, history, session, gr.update(), gr.update()
            return
        except Exception as e:  # a lost Chroma server, a full disk: one sentence, not a traceback
            log.error("answering %r: %s: %s", message, type(e).__name__, e, exc_info=e)
            history[-1] = {
                "role": "assistant",
                "content": safe(LABELS[lang][failure(e, bool(self.store.chroma_url))]),
            }
            yield message, history, session, gr.update(), gr.update()
            return
        session = list(session or []) + [answer.model_dump(mode="json")]
        history[-1] = {"role": "assistant", "content": render(answer, len(session) - 1, copyable=True)}
        yield "", history, session, used_sections(answer, lang), answer_markdown(answer)

    def respond_copyable(self, *inputs):
        """respond, and with each step the plain text of every answer of the session, by turn, which
        the answers' copy links copy (see JS)."""
        for outputs in self.respond(*inputs):
            session = outputs[2]
            yield (
                *outputs,
                json.dumps([plain(Answer.model_validate(a)) for a in session or []], ensure_ascii=False),
            )

    def welcome(self, lang: str = "vi") -> str:
        """The empty chat's text: what the store covers (how many documents, of which kinds, which months)
        and how to ask. Read from the manifest each time, so it follows uploads and removals."""
        t = LABELS[lang]
        records = list(self.store.manifest().documents.values())
        if not records:
            return t["empty"]
        counts: dict[str, int] = {}
        for r in records:
            counts[r.kind] = counts.get(r.kind, 0) + 1
        # "; " between kinds: a kind's own label may hold a comma ("bản tin chỉ đạo, điều hành")
        kinds = "; ".join(
            f"{n} {kind_label(k, lang)}" for k, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        )
        days = [d for r in records for d in (r.period_start, r.period_end, r.issued) if d]
        period = (
            t["period"].format(first=min(days).strftime("%m/%Y"), last=max(days).strftime("%m/%Y"))
            if days
            else ""
        )
        return t["welcome"].format(count=len(records), kinds=kinds, period=period)

    def open_citation(self, key, session, lang):
        """Panel HTML for citation "<turn>-<n>[@nonce]": document, section, number, date, the section with
        the quote marked."""
        try:
            turn, n = (int(x) for x in key.split("@")[0].split("-"))
            answer = Answer.model_validate(session[turn])
            c = next(c for c in answer.citations if c.n == n)
        except (ValueError, IndexError, StopIteration, TypeError):
            return f"<p>{html.escape(LABELS[lang]['no_citation'])}</p>", None
        text = self.store.source_text(c.source)
        section = self.store.section_at(c.source, c.start, c.end)
        record = self.store.manifest().documents.get(c.source)
        context = []
        for span in section.spans if section else []:
            if span.start <= c.start and c.end <= span.end:
                context.append(_marked(text[span.start : span.end], c.start - span.start, c.end - span.start))
            else:
                context.append(html.escape(text[span.start : span.end]))
        meta = " · ".join(html.escape(x) for x in [*c.instrument_ref(), c.source, f"{c.start}–{c.end}"])
        panel = (
            f"<h3>[{c.n}] {html.escape(record.title if record else c.source)}</h3>"
            f"<p><b>{html.escape(c.section)}</b><br>{meta}</p>"
            f"<div class='ctx'>{'<br>'.join(context) or _marked(text, c.start, c.end)}</div>"
        )
        return panel, {"source": c.source, "start": c.start, "end": c.end}

    def open_document(self, selected):
        if not selected:
            return ""
        text = self.store.source_text(selected["source"])
        return f"<div class='doc'>{_marked(text, selected['start'], selected['end'])}</div>"

    # ---- feedback and export --------------------------------------------------------------
    def rate(self, comment, session, lang, like: gr.LikeData):
        """A thumb under an answer rates that answer: the turn its own links carry ("#copy-<turn>"), so an
        earlier answer can be rated after later ones. A click that carries no rating records nothing."""
        found = re.search(r"#copy-(\d+)\)", json.dumps(like.value, ensure_ascii=False))
        if like.liked is None or like.liked == "" or not found:
            return gr.update(), gr.update()
        return self.feedback("up" if like.liked is True else "down", comment, session, lang, int(found[1]))

    def feedback(self, rating, comment, session, lang, turn: int = -1):
        """Append one rating of the answer of `turn` (the last by default); refused (nothing written) when
        the comment is too long, when the process has written FEEDBACK_PER_MINUTE lines in the last minute,
        or the log is full."""
        t = LABELS[lang]
        comment = str(comment or "").strip()
        if not session or not -len(session) <= turn < len(session):
            return t["nothing_to_rate"], comment
        if (
            len(comment) > COMMENT_MAX
        ):  # refused, not cut: the box keeps it (not sent back) for its author to shorten
            return t["too_long"].format(n=f"{len(comment):,}", limit=f"{COMMENT_MAX:,}"), gr.update()
        path = self.store.home / "feedback.jsonl"
        limit_mb = settings().feedback_max_mb
        last = session[turn]
        line = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "question": last["question"],
            "answer": last["answer"],
            "abstained": last["abstained"],
            "citations": last["citations"],
            "rating": rating,
            "comment": comment,
        }
        with self._feedback_lock:
            now = time.monotonic()
            while self._feedback_times and now - self._feedback_times[0] > 60:
                self._feedback_times.popleft()
            if len(self._feedback_times) >= FEEDBACK_PER_MINUTE:
                return t["too_many"], gr.update()
            if path.exists() and path.stat().st_size > limit_mb * 1024 * 1024:
                return t["log_full"], gr.update()
            self._feedback_times.append(now)
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        return t["thanks"], ""

    def export_docx(self, session, lang="vi"):
        if not session:
            # said, since the click changes nothing else on screen
            gr.Info(LABELS[lang]["nothing_to_export"], title=LABELS[lang]["warning"])
            return gr.update(value=None, visible=False)
        return gr.update(value=str(session_docx([Answer.model_validate(a) for a in session])), visible=True)

    @staticmethod
    def cleared(lang):
        """The chat's clear button ends the conversation: the session (what the .docx exports and follow-ups
        refer to), the copy texts, the briefing, the sections used, the citation panel and the document
        view go with it. Returns them in that order, then the .docx file (hidden)."""
        return (
            [],
            "[]",
            "",
            "–",
            f"<p>{html.escape(LABELS[lang]['no_citation'])}</p>",
            None,
            "",
            gr.update(value=None, visible=False),
        )

    @staticmethod
    def kind_choices(lang: str = "vi"):
        """The document kinds of store.models.KINDS as (label, kind) for the filter list."""
        return [(kind_label(k, lang), k) for k in KINDS]

    # ---- library ------------------------------------------------------------------------
    def library_table(self, lang: str = "vi") -> str:
        """The documents as an HTML table, title first (escaped: titles come from documents). A table of
        our own rather than a Dataframe: on a phone its rows become cards (CSS), all columns readable."""
        t = LABELS[lang]
        heads = [
            t["col_title"],
            t["col_kind"],
            t["col_period"],
            t["col_sections"],
            t["col_ingested"],
            t["col_file"],
        ]
        rows = []
        for r in sorted(self.store.manifest().documents.values(), key=lambda r: r.source):
            cells = [
                (r.title, "title"),
                (kind_label(r.kind, lang), ""),
                (r.period_label or UNKNOWN_PERIOD[lang], ""),
                (str(r.n_sections), ""),
                (r.ingested_at.strftime("%d/%m/%Y %H:%M"), ""),
                (r.source, "file"),
            ]
            tds = [
                f"<td class='{cls}'><b>{html.escape(v)}</b></td>"
                if cls == "title"
                else f"<td class='{cls}' data-label='{html.escape(h)}'>{html.escape(v)}</td>"
                for (v, cls), h in zip(cells, heads)
            ]
            rows.append(f"<tr>{''.join(tds)}</tr>")
        head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def sources(self):
        return sorted(self.store.manifest().documents)

    def _library_outputs(self, message, lang):
        sources = self.sources()
        return (
            self.library_table(lang),
            message,
            gr.update(choices=sources, value=[]),
            gr.update(choices=sources, value=None),
        )

    def add_files(self, files, lang="en", progress=gr.Progress()):
        """Ingest uploaded files one at a time: a bad one is named with its reason and the rest go on;
        whatever happens, nothing is left in uploads/.incoming and nothing stored changes for it.
        (The reasons the reader and the store give are in English: `refusal` says them in the page's language.)"""
        t = LABELS[lang]
        if not files:
            return self._library_outputs("–", lang)
        uploads = self.store.home / "uploads"
        paths = [Path(f if isinstance(f, str) else f.name) for f in files]
        added, refused = [], []
        for i, path in enumerate(paths):
            progress((i, len(paths)), desc=path.name)
            staged = None
            try:
                staged = stage_upload(path, path.name, uploads)
                report = ingest([staged], self.store, lambda: self.assistant.embedder)
                if staged.name in report.added + report.updated + report.unchanged:
                    keep(staged)  # only an ingested upload joins the folder: a refused one leaves no copy
                    staged = None
                added += [
                    t["added"].format(name=safe(n), n=report.sections[n])
                    for n in report.added + report.updated
                ]
                refused += report.skipped
            except (ReadError, StoreBusy) as e:
                refused.append(str(e) if isinstance(e, ReadError) else f"{path.name}: {e}")
            except Exception as e:  # a lost Chroma server, a full disk, a reader bug: this file only
                refused.append(f"{path.name}: {self._reason(e, lang)}")
            finally:
                if staged is not None:
                    staged.unlink(missing_ok=True)
        try:
            self.assistant.warm_structures()
        except Exception as e:  # the next question rebuilds them
            log.error("rebuilding the answering tables: %s", e, exc_info=e)
        return self._library_outputs(
            "  \n".join(x for x in ("  \n".join(added), self._refusals(refused, lang)) if x) or "–", lang
        )

    def _reason(self, e: Exception, lang: str) -> str:
        """Why a file could not be added, in one line (the traceback goes to the server log)."""
        log.error("adding an upload: %s: %s", type(e).__name__, e, exc_info=e)
        kind = failure(e, bool(self.store.chroma_url))
        if kind in ("unreachable", "disk"):
            return LABELS[lang][f"not_added_{kind}"]
        return LABELS[lang]["not_added"].format(error=f"{type(e).__name__}: {str(e)[:200]}")

    def refresh_library(self, lang: str = "vi"):
        """The library lists as the store is now: on page load, since the page was built at server start."""
        sources = self.sources()
        return self.library_table(lang), gr.update(choices=sources), gr.update(choices=sources, value=None)

    def ask_remove(self, name, lang):
        """The first step of removing: name the document and show the confirm button; nothing changes yet.
        Returns (status, confirm row, confirm button, pending name)."""
        t = LABELS[lang]
        if not name:
            return t["pick"], gr.update(visible=False), gr.update(), None
        record = self.store.manifest().documents.get(name)
        title = record.title if record and record.title else name
        return (
            t["confirm_hint"].format(title=safe(title), name=safe(name)),
            gr.update(visible=True),
            gr.update(value=t["confirm"].format(title=title)),
            name,
        )

    def remove(self, name, lang="en"):
        try:
            removed = bool(name) and self.store.remove_document(name)
        except StoreBusy as e:
            return self._library_outputs(self._refusals([str(e)], lang), lang)
        if removed:
            (self.store.home / "uploads" / name).unlink(missing_ok=True)
            return self._library_outputs(LABELS[lang]["removed"].format(name=safe(name)), lang)
        return self._library_outputs("–", lang)

    def reindex(self, lang="en", progress=gr.Progress()):
        try:
            folders = [sample_corpus()]
            missing = []
        except SettingsError as e:  # installed without its checkout: the uploads are still re-indexed
            folders, missing = [], [str(e)]
        if (self.store.home / "uploads").is_dir():
            folders.append(self.store.home / "uploads")
        report = self._ingest(folders, progress)
        report.skipped = missing + report.skipped
        changed = report.added + report.updated
        done = LABELS[lang]["reindexed"].format(changed=len(changed), unchanged=len(report.unchanged))
        return self._library_outputs(
            "  \n".join(x for x in (done, self._refusals(report.skipped, lang)) if x), lang
        )

    def _ingest(self, paths, progress):
        """Ingest with the page's progress bar, then rebuild the answering tables before the next question."""
        progress(0, desc="…")
        try:
            report = ingest(
                paths,
                self.store,
                lambda: self.assistant.embedder,
                progress=lambda name, i, n: progress((i, n), desc=name),
            )
        except StoreBusy as e:  # another ingest is running: nothing was read or changed
            return IngestReport(skipped=[str(e)])
        self.assistant.warm_structures()
        return report

    @staticmethod
    def _refusals(lines: list[str], lang: str) -> str:
        return "  \n".join(LABELS[lang]["refused"].format(what=safe(refusal(x, lang))) for x in lines)

    @staticmethod
    def relabel(lang, spec: list[tuple[str, str]]):
        """One update per (attribute, label key) of the components the toggle relabels."""
        return [gr.update(**{attribute: LABELS[lang][key]}) for attribute, key in spec]


def build_app(assistant) -> gr.Blocks:
    ui = ChatUI(assistant)
    t = LABELS["vi"]
    with gr.Blocks(title="chidao") as app:
        session = gr.State([])
        selected = gr.State(None)
        with gr.Row():
            header = gr.Markdown(t["title"])
            lang = gr.Radio(
                [("Tiếng Việt", "vi"), ("English", "en")],
                value="vi",
                label=t["language"],
                show_label=False,
                scale=0,
            )  # hidden labels are still read out, and Gradio's default is "Radio"
        with gr.Tabs():
            with gr.Tab(t["chat"], id="chat") as chat_tab:
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(
                            sanitize_html=True,
                            render_markdown=True,
                            height=520,
                            label="chidao",
                            elem_id="chat",
                            buttons=[],
                            placeholder=ui.welcome("vi"),
                        )  # no copy of the escaped Markdown: see JS
                        copies = gr.Textbox(
                            "[]", elem_id="plain-copy", elem_classes=["chidao-hidden"], show_label=False
                        )
                        box = gr.Textbox(
                            placeholder=t["placeholder"],
                            label=t["question"],
                            show_label=False,
                            submit_btn=True,
                            elem_id="question",
                        )
                        examples = gr.Examples(EXAMPLES["vi"], inputs=box, label=t["examples"])
                        with gr.Accordion(t["filters"], open=False) as filters_box:
                            with gr.Row():
                                f_sources = gr.Dropdown(
                                    ui.sources(),
                                    multiselect=True,
                                    label=t["documents"],
                                    elem_id="filter-sources",
                                )
                                f_kinds = gr.Dropdown(
                                    ui.kind_choices("vi"),
                                    multiselect=True,
                                    label=t["kinds"],
                                    elem_id="filter-kinds",
                                )
                            with gr.Row():
                                f_from = gr.Textbox(label=t["from"], elem_id="date-from")
                                f_to = gr.Textbox(label=t["to"])
                        with gr.Accordion(t["used"], open=False) as used_box:
                            used = gr.Markdown("–", elem_id="used-sections")
                        with gr.Row():
                            comment = gr.Textbox(label=t["comment"], scale=3, elem_id="comment")
                            thanks = gr.Markdown(elem_id="thanks")
                        briefing = gr.Textbox(
                            label=t["copy"], lines=4, buttons=["copy"], interactive=False, elem_id="briefing"
                        )
                        docx_btn = gr.Button(t["docx"], elem_id="docx")
                        docx_file = gr.File(visible=False, label=".docx")
                    with gr.Column(scale=2):
                        panel = gr.HTML(
                            f"<p>{t['no_citation']}</p>", label=t["panel"], elem_id="citation-panel"
                        )
                        full_btn = gr.Button(t["full"], elem_id="open-document")
                        full = gr.HTML(elem_id="full-document")
                        cite_key = gr.Textbox(
                            elem_id="cite-input", elem_classes=["chidao-hidden"], show_label=False
                        )
            with gr.Tab(t["library"], id="library") as library_tab:
                table = gr.HTML(ui.library_table(), elem_id="library-table")
                # No file_types filter: Gradio's client would drop other files without a word; the
                # server refuses them by name instead.
                upload = gr.File(file_count="multiple", label=t["upload"], elem_id="upload")
                with gr.Row():
                    add_btn = gr.Button(t["add"], variant="primary", elem_id="add-documents")
                    # value=None: a Dropdown otherwise preselects its first choice, one click from deleting it
                    remove_name = gr.Dropdown(
                        ui.sources(), value=None, label=t["to_remove"], elem_id="remove-name"
                    )
                    remove_btn = gr.Button(t["remove"], variant="stop", elem_id="remove-document")
                    reindex_btn = gr.Button(t["reindex"])
                with gr.Row(visible=False) as confirm_row:
                    confirm_btn = gr.Button(variant="stop", elem_id="confirm-remove")
                    cancel_btn = gr.Button(t["cancel"], elem_id="cancel-remove")
                status = gr.Markdown(elem_id="library-status")

        filters = [f_sources, f_kinds, f_from, f_to]
        box.submit(
            ui.respond_copyable,
            [box, chat, session, *filters, lang],
            [box, chat, session, used, briefing, copies],
            api_visibility="private",
        )
        cite_key.change(
            ui.open_citation, [cite_key, session, lang], [panel, selected], api_visibility="private"
        ).then(None, js=SCROLL_TO_CITATION)
        full_btn.click(ui.open_document, selected, full, api_visibility="private").then(
            None, js=SCROLL_TO_MARK
        )
        chat.like(ui.rate, [comment, session, lang], [thanks, comment], api_visibility="private")
        docx_btn.click(ui.export_docx, [session, lang], docx_file, api_visibility="private")
        chat.clear(
            ui.cleared,
            lang,
            [session, copies, briefing, used, panel, selected, full, docx_file],
            api_visibility="private",
        )
        library_outputs = [table, status, f_sources, remove_name]
        # the upload box empties once added: another "add" then sends only files chosen since
        add_btn.click(ui.add_files, [upload, lang], library_outputs, api_visibility="private").then(
            lambda: None, None, upload, api_visibility="private"
        )
        pending = gr.State(
            None
        )  # the document the first step named; the second step removes exactly that one
        remove_btn.click(
            ui.ask_remove,
            [remove_name, lang],
            [status, confirm_row, confirm_btn, pending],
            api_visibility="private",
        )
        confirm_btn.click(ui.remove, [pending, lang], library_outputs, api_visibility="private").then(
            lambda: (gr.update(visible=False), None), None, [confirm_row, pending], api_visibility="private"
        )
        # another choice, or cancel: nothing is pending any more
        for event in (remove_name.input, cancel_btn.click):
            event(
                lambda: (gr.update(visible=False), None, "–"),
                None,
                [confirm_row, pending, status],
                api_visibility="private",
            )
        app.load(
            lambda: (*ui.refresh_library(), gr.update(placeholder=ui.welcome("vi"))),
            None,
            [table, f_sources, remove_name, chat],
            api_visibility="private",
        )
        reindex_btn.click(ui.reindex, lang, library_outputs, api_visibility="private")
        relabelled = [
            (header, "value", "title"),
            (lang, "label", "language"),
            (box, "label", "question"),
            (chat_tab, "label", "chat"),
            (library_tab, "label", "library"),
            (box, "placeholder", "placeholder"),
            (filters_box, "label", "filters"),
            (f_sources, "label", "documents"),
            (f_kinds, "label", "kinds"),
            (f_from, "label", "from"),
            (f_to, "label", "to"),
            (used_box, "label", "used"),
            (comment, "label", "comment"),
            (briefing, "label", "copy"),
            (docx_btn, "value", "docx"),
            (panel, "label", "panel"),
            (full_btn, "value", "full"),
            (add_btn, "value", "add"),
            (remove_btn, "value", "remove"),
            (reindex_btn, "value", "reindex"),
            (remove_name, "label", "to_remove"),
            (cancel_btn, "value", "cancel"),
        ]
        spec = [(attribute, key) for _, attribute, key in relabelled]

        def relabel(la, chosen):
            """Everything the page says in the other language; the upload box hidden, to be drawn again
            in Gradio's new locale (JS)."""
            return [
                *ui.relabel(la, spec),
                gr.update(label=LABELS[la]["upload"], visible=False),
                gr.update(placeholder=ui.welcome(la)),
                gr.update(samples=[[q] for q in EXAMPLES[la]], label=LABELS[la]["examples"]),
                gr.update(choices=ui.kind_choices(la)),
                ui.library_table(la),
                gr.update() if chosen else f"<p>{html.escape(LABELS[la]['no_citation'])}</p>",
            ]

        lang.change(
            relabel,
            [lang, selected],
            [*(c for c, _, _ in relabelled), upload, chat, examples.dataset, f_kinds, table, panel],
            api_visibility="private",
        ).then(None, lang, None, js="async (la) => { await window.chidaoLocale?.(la); }").then(
            lambda: gr.update(visible=True), None, upload, api_visibility="private"
        )

        def ask_api(question: str) -> str:
            """The rendered answer for one question."""
            try:
                return render(assistant.ask(question))
            except QuestionError as e:
                return safe(str(e))

        gr.api(ask_api, api_name="ask")

        def answer_api(question: str) -> dict:
            """The answer as the JSON contract of `chidao ask --json` (or {"error": …})."""
            try:
                return assistant.ask(question).model_dump(mode="json")
            except QuestionError as e:
                return {"error": str(e)}

        gr.api(answer_api, api_name="answer")

        def follow_up_api(question: str, history: list[str]) -> dict:
            """As /answer, for a follow-up: `history` holds the chat's earlier questions, oldest first."""
            try:
                earlier = [str(h) for h in history or []][-FOLLOW_UP_TURNS:]
                return assistant.ask(question, history=earlier).model_dump(mode="json")
            except QuestionError as e:
                return {"error": str(e)}

        gr.api(follow_up_api, api_name="answer_follow_up")
    return app


def auth_from(value: str | None = None, path: Path | None = None) -> tuple[str, str] | None:
    """Gradio's login pair from "user:password", else the file `path` (one line user:password, not
    readable by others), else CHIDAO_AUTH; never from the command line, never logged. Raises ValueError."""
    if value is None and path is not None:
        try:
            mode = path.stat().st_mode
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"cannot read the auth file {path}: {e}") from None
        if mode & 0o007:  # like ssh with a private key: a password others can read is no secret
            raise ValueError(f"{path} is readable by other users of this machine: run `chmod 600 {path}`")
        if "\n" in value:
            raise ValueError(f"{path} must hold one line, user:password")
    if value is None and (secret := settings().auth) is not None:
        value = secret.get_secret_value()
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("auth must be given as user:password")
    return user, password


def exposure_warning(host: str, share: bool, auth) -> str | None:
    """A warning when the app is reachable beyond this machine and nobody has to log in."""
    if auth:
        return None
    if share:
        return (
            "--share makes a public link and no login is required: anyone with the link can use the app "
            "(set --auth-file or CHIDAO_AUTH)"
        )
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: assume it is reachable
        loopback = False
    if loopback:
        return None
    return (
        f"serving on {host} without a login: anyone on the network can ask and change the library "
        "(set --auth-file or CHIDAO_AUTH)"
    )


# The page works under this policy (tested in Chromium): Gradio puts its config in inline scripts and
# styles and runs the app's js=, hence 'unsafe-inline'/'unsafe-eval'; what the policy still buys is that a
# script that slipped in cannot send anything to another host (connect-src, img-src), nor can the
# page be framed (clickjacking) or load plugins.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
LOGIN_LIMIT, LOGIN_WINDOW = 5, 60.0  # wrong logins per client, seconds


class LoginThrottle:
    """At most `limit` wrong logins per client in `window` seconds; past that every attempt, even the
    right password, is refused until the oldest failure is `window` seconds old."""

    def __init__(self, limit: int = LOGIN_LIMIT, window: float = LOGIN_WINDOW):
        self.limit, self.window = limit, window
        self.failures: dict[str, deque[float]] = {}

    def wait(self, client: str) -> float:
        """Seconds before `client` may try again (0: now)."""
        now = time.monotonic()
        times = self.failures.get(client)
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            self.failures.pop(client, None)  # forget clients that stopped failing
            return 0.0
        return self.window - (now - times[0]) if len(times) >= self.limit else 0.0

    def failed(self, client: str) -> None:
        self.failures.setdefault(client, deque()).append(time.monotonic())


class Hardening:
    """ASGI middleware: the security headers on every response, and wrong logins throttled per client.

    Pure ASGI (no BaseHTTPMiddleware), so Gradio's event streams pass through unbuffered. The client is
    the connecting address: behind a reverse proxy all staff share one, and the limit is theirs together."""

    def __init__(self, app, throttle: LoginThrottle | None = None):
        self.app, self.throttle = app, throttle
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        login = (
            self.throttle is not None and scope["method"] == "POST" and scope["path"].rstrip("/") == "/login"
        )
        client = (scope.get("client") or ("unknown",))[0]
        status = 0

        async def send_hardened(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                ours = {k for k, _ in self.headers}
                message["headers"] = [
                    h for h in message.get("headers", []) if h[0].lower() not in ours
                ] + self.headers
            await send(message)

        if login and (wait := self.throttle.wait(client)):
            body = f"Too many wrong logins: try again in {wait:.0f} s.".encode()
            await send_hardened(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"retry-after", str(int(wait) + 1).encode()),
                    ],
                }
            )
            return await send({"type": "http.response.body", "body": body})
        await self.app(scope, receive, send_hardened)
        if login and status in (400, 401):  # Gradio answers a wrong user or password with 400
            self.throttle.failed(client)


def launch(
    app: gr.Blocks,
    host: str = "127.0.0.1",
    port: int | None = None,
    share: bool = False,
    auth: tuple[str, str] | None = None,
    block: bool = True,
    login_window: float = LOGIN_WINDOW,
):
    # openapi_url=None: FastAPI's own /openapi.json and /docs, readable without a login, are off;
    # Gradio's /gradio_api/openapi.json stays behind the login.
    throttle = LoginThrottle(window=login_window) if auth else None
    app_kwargs = {
        "openapi_url": None,
        "docs_url": None,
        "redoc_url": None,
        "middleware": [Middleware(Hardening, throttle=throttle)],
    }
    return app.launch(
        server_name=host,
        server_port=port,
        share=share,
        auth=auth,
        theme=THEME,
        css=CSS,
        js=JS,
        i18n=gr.I18n(**GRADIO_TEXTS),
        footer_links=[],  # no footer: Gradio's links, in English
        prevent_thread_lock=not block,
        quiet=not block,
        show_error=True,
        app_kwargs=app_kwargs,
        max_file_size=f"{int(settings().max_file_mb)}mb",
    )
