"""Long sections are cut into overlapping chunks for embedding; each keeps its section."""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from store.models import Chunk, Section

CHUNK_SIZE = 900
CHUNK_OVERLAP = 150

# Paragraphs first, then sentences, then clauses: chunks end where the text pauses.
_splitter = RecursiveCharacterTextSplitter(
    chunk_size=CHUNK_SIZE,
    chunk_overlap=CHUNK_OVERLAP,
    add_start_index=True,
    separators=["\n", ". ", "; ", ", ", " ", ""],
    keep_separator="end",
)


def chunk_section(section: Section, version: str) -> list[Chunk]:
    if len(section.text) <= CHUNK_SIZE:
        pieces = [(section.text, 0)]
    else:
        pieces = [
            (d.page_content, d.metadata["start_index"]) for d in _splitter.create_documents([section.text])
        ]
    return [
        Chunk(id=f"{section.id}@{version}:{i}", section_id=section.id, text=text, start=start)
        for i, (text, start) in enumerate(pieces)
    ]
