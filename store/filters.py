"""One filter value, and its translation for each backend that searches.

`Filters.matches(record)` is the reference: what a filter means, on a document's manifest record.
Every criterion is document metadata, so each backend asks the same question of its own rows:
`mask(columns, records)` for the numpy indexes (chunks, units, lexical), `where(records)` for a
Chroma query. tests/test_filters.py checks both against `matches` on every row. A new criterion is
one field here and one line in each of the three methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Protocol

import numpy as np
from pydantic import BaseModel

from store.header import issuer_matches
from store.models import DocumentKind

if TYPE_CHECKING:
    from store.catalogue import DocumentRecord

# An unknown period is open at both ends: a filter on dates never drops it.
NO_START, NO_END = 0, 99991231


def day(d: date | None, default: int) -> int:
    """A date as the integer the indexes store (YYYYMMDD), `default` for none."""
    return int(d.strftime("%Y%m%d")) if d else default


class FilterColumns(Protocol):
    """The per-row document metadata an index keeps for filtering."""

    source: np.ndarray
    kind: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray


class Filters(BaseModel):
    """Restrict the search itself (not a post-filter of a few hits)."""

    sources: list[str] | None = None
    kinds: list[DocumentKind] | None = None
    date_from: date | None = None
    date_to: date | None = None
    # Issuing body or province, in any spelling: "Cao Bằng", "cao bang", "UBND tỉnh Lạng Sơn", "Sở Tài chính"
    # (store/header.issuer_matches); a document whose issuer could not be read matches none.
    issuers: list[str] | None = None

    def matches(self, record: DocumentRecord) -> bool:
        """Whether the document passes: the meaning every translation below must keep."""
        if self.sources and record.source not in self.sources:
            return False
        if self.kinds and record.kind not in self.kinds:
            return False
        if self.issuers and not any(issuer_matches(record.issuer, record.province, w) for w in self.issuers):
            return False
        # In range when the document's period overlaps [date_from, date_to].
        if self.date_from and day(record.period_end, NO_END) < day(self.date_from, NO_START):
            return False
        return not (self.date_to and day(record.period_start, NO_START) > day(self.date_to, NO_END))

    def _issued_by(self, records: Mapping[str, DocumentRecord]) -> list[str] | None:
        """The issuer criterion as the sources it allows: the issuer is manifest metadata, not a column."""
        if not self.issuers:
            return None
        return [
            r.source
            for r in records.values()
            if any(issuer_matches(r.issuer, r.province, w) for w in self.issuers)
        ]

    def mask(self, columns: FilterColumns, records: Mapping[str, DocumentRecord]) -> np.ndarray:
        """The rows of a numpy index that pass."""
        keep = np.ones(len(columns.source), dtype=bool)
        if self.sources:
            keep &= np.isin(columns.source, self.sources)
        if self.kinds:
            keep &= np.isin(columns.kind, list(self.kinds))
        if (issued_by := self._issued_by(records)) is not None:
            keep &= np.isin(columns.source, issued_by)
        if self.date_from:
            keep &= columns.period_end >= day(self.date_from, NO_START)
        if self.date_to:
            keep &= columns.period_start <= day(self.date_to, NO_END)
        return keep

    def where(self, records: Mapping[str, DocumentRecord]) -> dict | None:
        """The filter in Chroma's `where` syntax, over the chunk metadata store/index.py writes."""
        clauses: list[dict] = []
        if self.sources:
            clauses.append({"source": {"$in": self.sources}})
        if self.kinds:
            clauses.append({"kind": {"$in": list(self.kinds)}})
        if (issued_by := self._issued_by(records)) is not None:  # none of that issuer: a source no chunk has
            clauses.append({"source": {"$in": issued_by or [""]}})
        if self.date_from:
            clauses.append({"period_end": {"$gte": day(self.date_from, NO_START)}})
        if self.date_to:
            clauses.append({"period_start": {"$lte": day(self.date_to, NO_END)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}
