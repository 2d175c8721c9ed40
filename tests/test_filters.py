"""Each backend's translation of a filter keeps the meaning of `Filters.matches`: the numpy mask
(chunk, unit and lexical indexes) and Chroma's `where`, asked of a real in-memory Chroma collection."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import chromadb
import pytest
from chromadb.config import Settings

from store.catalogue import DocumentRecord
from store.columns import ChunkColumns
from store.filters import NO_END, NO_START, Filters, day
from store.models import KINDS

ISSUERS = [
    ("UBND tỉnh Lạng Sơn", "Lạng Sơn"),
    ("UBND tỉnh Cao Bằng", "Cao Bằng"),
    ("Sở Tài chính", None),
    (None, None),
]

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _records(rng: random.Random, n: int = 40) -> dict[str, DocumentRecord]:
    records = {}
    for i in range(n):
        start = date(2022 + rng.randrange(3), rng.randrange(1, 13), 1) if rng.random() < 0.8 else None
        end = date(start.year, 12, 31) if start and rng.random() < 0.7 else None
        issuer, province = rng.choice(ISSUERS)
        records[f"d{i}.txt"] = DocumentRecord(
            source=f"d{i}.txt", version=f"v{i}", sha256="0" * 64, kind=rng.choice(list(KINDS)), title=f"T{i}",
            period_start=start, period_end=end, issuer=issuer, province=province, n_sections=1, n_chunks=1, ingested_at=NOW,
        )  # fmt: skip
    return records


def _filters(rng: random.Random, records: dict[str, DocumentRecord]) -> Filters:
    pick = rng.random
    # Dates often on a document's own period boundary, where an off-by-one would show.
    edges = [d for r in records.values() for d in (r.period_start, r.period_end) if d]

    def a_date(day_of_month: int) -> date:
        return rng.choice(edges) if pick() < 0.5 else date(2023, rng.randrange(1, 13), day_of_month)

    return Filters(
        sources=rng.sample(list(records), 5) if pick() < 0.3 else None,
        kinds=rng.sample(list(KINDS), 2) if pick() < 0.5 else None,
        date_from=a_date(1) if pick() < 0.5 else None,
        date_to=a_date(28) if pick() < 0.5 else None,
        issuers=[rng.choice(["Cao Bằng", "lang son", "Sở Tài chính", "Hà Giang"])] if pick() < 0.4 else None,
    )


@pytest.fixture(scope="module")
def chroma_rows():
    records = _records(random.Random(7))
    client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
    collection = client.create_collection("filters", embedding_function=None)
    # The chunk metadata as store/vectors.py writes it: the Chroma rows and the numpy columns alike.
    metadatas = [
        {
            "source": r.source,
            "kind": r.kind,
            "period_start": day(r.period_start, NO_START),
            "period_end": day(r.period_end, NO_END),
        }
        for r in records.values()
    ]
    collection.add(ids=list(records), embeddings=[[1.0, 0.0]] * len(records), metadatas=metadatas)
    return records, collection, ChunkColumns(metadatas)


@pytest.mark.parametrize("seed", range(60))
def test_the_mask_and_chromas_where_keep_exactly_the_documents_matches_keeps(seed, chroma_rows):
    records, collection, columns = chroma_rows
    filters = _filters(random.Random(seed), records)
    expected = {s for s, r in records.items() if filters.matches(r)}
    mask = filters.mask(columns, records)
    assert {s for s, keep in zip(records, mask) if keep} == expected
    where = filters.where(records)
    got = collection.get(where=where)["ids"] if where else list(records)
    assert set(got) == expected


def test_an_unknown_period_passes_every_date_filter_and_an_issuer_filter_needs_a_read_issuer():
    open_ended = DocumentRecord(
        source="a",
        version="v",
        sha256="0",
        kind="report",
        title="t",
        n_sections=1,
        n_chunks=1,
        ingested_at=NOW,
    )
    assert Filters(date_from=date(2030, 1, 1), date_to=date(2000, 1, 1)).matches(open_ended)
    assert not Filters(issuers=["Lạng Sơn"]).matches(open_ended)
