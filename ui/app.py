"""The Gradio chat: the same answer function as `chidao ask`, citations listed under each answer.

Everything shown comes from documents or users, so it is HTML-escaped and markdown-escaped
before Gradio renders it: a document or question containing <script> shows as text.
"""

from __future__ import annotations

import html
import re

import gradio as gr

from assistant.models import Answer, QuestionError

EXAMPLES = [
    "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?",
    "Quyết định 2230/QĐ-UBND nói gì?",
    "Who chairs the tourism steering committee?",
    "bao nhieu ho ngheo nam 2023",
]
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def safe(text: str) -> str:
    """Text as inert markdown: HTML escaped, markdown syntax backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=True)).replace("\n", "  \n")


def render(answer: Answer) -> str:
    parts = [safe(answer.answer)]
    if answer.citations:
        parts.append("\n**" + ("Trích dẫn" if answer.language == "vi" else "Citations") + "**")
        for c in answer.citations:
            ref = " · ".join(x for x in (c.doc_number, c.date.strftime("%d/%m/%Y") if c.date else None) if x)
            parts.append(f"\n{c.n}\\. {safe(c.source)} · {safe(c.section)}" + (f" · {safe(ref)}" if ref else "")
                         + f" · ký tự {c.start}–{c.end}  \n> {safe(c.quote)}")
    elif answer.retrieved:
        parts.append("\n**" + ("Các mục gần nhất (tham khảo)" if answer.language == "vi" else "Closest sections (related, not citations)") + "**")
        for r in answer.retrieved[:3]:
            parts.append(f"\n- {safe(r.source)} · {safe(r.section)}")
    return "\n".join(parts)


def build_app(assistant) -> gr.Blocks:
    def answer_markdown(question: str) -> str:
        """The rendered answer for one question (also the `/ask` API endpoint)."""
        try:
            return render(assistant.ask(question))
        except QuestionError as e:
            return safe(str(e))

    def respond(message: str, history: list) -> tuple[str, list]:
        # The question is shown escaped too: a pasted "<img onerror=…>" is text, not an element.
        history = history + [{"role": "user", "content": safe(message)},
                             {"role": "assistant", "content": answer_markdown(message)}]
        return "", history

    with gr.Blocks(title="chidao") as app:
        gr.Markdown("# chidao — hỏi đáp văn bản chỉ đạo, điều hành\n"
                    "Mỗi câu trả lời là trích dẫn nguyên văn, đã được kiểm chứng với văn bản gốc. "
                    "Answers quote the documents verbatim; every quote is checked against the source.")
        chat = gr.Chatbot(sanitize_html=True, render_markdown=True, height=560, label="chidao")
        box = gr.Textbox(placeholder="Đặt câu hỏi… / Ask a question…", show_label=False, autofocus=True,
                         submit_btn=True)
        gr.Examples(EXAMPLES, inputs=box)
        box.submit(respond, [box, chat], [box, chat], api_visibility="private")
        gr.api(answer_markdown, api_name="ask")
    return app
