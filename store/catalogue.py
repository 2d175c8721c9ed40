"""The catalogue's values: this store's identity (store.json) and the manifest of documents in force.

store/index.py's Store reads and switches the manifest; these are the records it holds.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel

from store.errors import StoreDamaged
from store.models import Document, DocumentKind
from store.settings import settings


class StoreIdentity(BaseModel):
    store_id: str
    collection: str


def store_identity(home: Path, server: bool) -> StoreIdentity:
    """This store's id and collection (store.json), created once; two processes opening a new home
    at once agree on one (the file is linked into place, never overwritten)."""
    path = home / "store.json"
    if not path.exists():
        store_id = uuid.uuid4().hex[:12]
        # A store from before store.json existed keeps the collection it has always used.
        legacy = (home / "manifest.json").exists() or not server
        fresh = StoreIdentity(store_id=store_id, collection="chunks" if legacy else f"chidao-{store_id}")
        tmp = home / f".store.json.{os.getpid()}.tmp"
        tmp.write_text(fresh.model_dump_json(), encoding="utf-8")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    try:
        return StoreIdentity.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StoreDamaged(
            f"{path} is unreadable: restore it, or delete it to give this store a new id "
            "(its vectors are then embedded again by `chidao doctor --repair`)"
        ) from None


class DocumentRecord(BaseModel):
    source: str
    version: str
    sha256: str
    kind: DocumentKind
    title: str
    number: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_label: str | None = None
    issuer: str | None = None  # "UBND tỉnh Cao Bằng" (store/header.py); None where it could not be read
    province: str | None = None
    issued: date | None = None  # the date of its place-and-date line
    number_key: str | None = None  # number and year of issue: "240/kh-ubnd@2023"
    signer: str | None = None
    signer_role: str | None = None
    n_sections: int
    n_chunks: int
    ingested_at: datetime

    @classmethod
    def of(cls, doc: Document, n_chunks: int) -> DocumentRecord:
        """The record of a document version as it goes into force now."""
        return cls(
            source=doc.source,
            version=doc.version,
            sha256=doc.sha256,
            kind=doc.kind,
            title=doc.title,
            number=doc.number,
            period_start=doc.period_start,
            period_end=doc.period_end,
            period_label=doc.period_label,
            issuer=doc.issuer,
            province=doc.province,
            issued=doc.issued,
            number_key=doc.number_key,
            signer=doc.signer,
            signer_role=doc.signer_role,
            n_sections=len(doc.sections),
            n_chunks=n_chunks,
            ingested_at=datetime.now(UTC),
        )


class Damage(BaseModel):
    """A document whose stored files could not be read: which version, why, and its files as they were."""

    version: str
    why: str
    files: list[tuple[int, int] | None]


class Manifest(BaseModel):
    documents: dict[str, DocumentRecord] = {}

    def fingerprint(self) -> str:
        return hashlib.sha256(
            "|".join(f"{k}:{v.version}" for k, v in sorted(self.documents.items())).encode()
        ).hexdigest()[:16]


def document_province(record: DocumentRecord | None) -> str:
    """The province a document is of: its own, or CHIDAO_HOME_PROVINCE when its header named none."""
    return (record.province if record else None) or settings().home_province
