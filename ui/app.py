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
    def respond(message: str, history: list) -> str:
        try:
            return render(assistant.ask(message))
        except QuestionError as e:
            return safe(str(e))

    return gr.ChatInterface(
        respond,
        title="chidao — hỏi đáp văn bản chỉ đạo, điều hành",
        description="Mỗi câu trả lời là trích dẫn nguyên văn, đã được kiểm chứng với văn bản gốc. "
                    "Answers quote the documents verbatim; every quote is checked against the source.",
        examples=EXAMPLES, run_examples_on_click=True, cache_examples=False,
        chatbot=gr.Chatbot(sanitize_html=True, render_markdown=True, height=560),
        flagging_mode="never", api_name="ask",
    )
