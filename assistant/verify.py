"""The citation verifier: a quote is shown only if it is an exact span of the stored source."""

from __future__ import annotations

from collections.abc import Callable

from assistant.models import Citation


def is_exact_span(text: str, quote: str, start: int, end: int) -> bool:
    """True only when `quote` is non-blank and equals `text[start:end]` with valid offsets."""
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(text)
        and bool(quote.strip())
        and text[start:end] == quote
    )


def verified(citations: list[Citation], source_text: Callable[[str], str]) -> list[Citation]:
    """Keep the citations that check out against their source; renumber them 1, 2, …"""
    kept: list[Citation] = []
    for c in citations:
        try:
            text = source_text(c.source)
        except (KeyError, OSError):
            continue  # a document removed since retrieval cannot back a quote
        if is_exact_span(text, c.quote, c.start, c.end):
            kept.append(c.model_copy(update={"n": len(kept) + 1}))
    return kept
