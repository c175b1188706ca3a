"""Build and store index entries from the documents (synchronous: used by the commit hook, the text
extraction job and the ``search reindex`` command through ``run_sync``).

Each kind has a source query giving the entry's fields; :func:`refresh` upserts the entries of some
documents of one kind (and deletes those of documents that are gone), keeps the extracted text when the
file is unchanged and queues :data:`EXTRACT_TEXT` when it changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from backend.db.base import utcnow
from backend.db.models import (
    Agency,
    ContentStatus,
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    OutgoingState,
    SearchEntry,
    Unit,
    User,
    WorkFile,
)
from backend.domain.search.engines import engine_for
from backend.domain.search.kinds import EXTRACT_TEXT, ExtractText
from backend.domain.search.terms import MAX_WORD
from backend.lib.text import fold, search_words
from backend.tasks.outbox import new_job

__all__ = ["INCOMING", "KINDS", "MAX_CONTENT", "OUTGOING", "WORKFILE", "folded_text", "refresh", "refresh_all",
           "set_content"]

INCOMING, OUTGOING, WORKFILE = "incoming", "outgoing", "workfile"
MAX_CONTENT = 200_000
"""Characters of a PDF's text layer that are indexed."""
DRAFT_STATES = frozenset({OutgoingState.DRAFT, OutgoingState.UNIT_REVIEW, OutgoingState.FORMAT_CHECK,
                          OutgoingState.AWAITING_SIGNATURE})


@dataclass(frozen=True, slots=True)
class Built:
    """An entry's fields derived from its document (everything except the extracted text)."""

    doc_id: int
    values: dict[str, Any]


def folded_text(metadata_text: str, content_text: str) -> str:
    """What the engines index: the folded words of the metadata and the content."""
    return " ".join(word[:MAX_WORD] for word in search_words(metadata_text + " " + content_text))


def _joined(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


def _incoming(db: Session, ids: Sequence[int]) -> list[Built]:
    rows = db.execute(
        sa.select(IncomingDocument, DocumentType.name).join(DocumentType, DocumentType.id ==
                                                            IncomingDocument.document_type_id)
        .where(IncomingDocument.id.in_(ids))).all()
    built = []
    for doc, type_name in rows:
        reference = f"{doc.code_number}/{doc.code_notation}"
        signer = _joined(doc.signer_position, doc.signer_name)
        text = _joined(f"{type_name} số {reference}", doc.summary, doc.issuer_name, signer,
                       doc.document_identifier, f"Số đến {doc.arrival_number}" if doc.arrival_number else "",
                       doc.description)
        built.append(Built(doc.id, dict(
            agency_id=doc.agency_id, document_type_id=doc.document_type_id, urgency=str(doc.urgency),
            state=str(doc.state), is_draft=False, issuer_folded=fold(doc.issuer_name)[:200],
            signer=doc.signer_name, signer_folded=fold(doc.signer_name), doc_date=doc.issued_on,
            reference=reference[:100], title=doc.summary, metadata_text=text, file_id=doc.file_id)))
    return built


def _outgoing(db: Session, ids: Sequence[int]) -> list[Built]:
    rows = db.execute(
        sa.select(OutgoingDocument, DocumentType.name, Agency.name)
        .join(DocumentType, DocumentType.id == OutgoingDocument.document_type_id)
        .join(Agency, Agency.id == OutgoingDocument.agency_id)
        .where(OutgoingDocument.id.in_(ids))).all()
    built = []
    for doc, type_name, agency_name in rows:
        reference = f"{doc.code_number}/{doc.code_notation}" if doc.code_number else ""
        signer = _joined(doc.signer_position, doc.signer_name)
        created: datetime = doc.created_at
        text = _joined(f"{type_name} số {reference}" if reference else type_name, doc.summary, agency_name,
                       signer, doc.document_identifier, doc.description)
        built.append(Built(doc.id, dict(
            agency_id=doc.agency_id, document_type_id=doc.document_type_id, urgency=str(doc.urgency),
            state=str(doc.state), is_draft=doc.state in DRAFT_STATES, issuer_folded=fold(agency_name)[:200],
            signer=doc.signer_name, signer_folded=fold(doc.signer_name),
            doc_date=doc.issued_on or created.date(), reference=reference[:100], title=doc.summary,
            metadata_text=text, file_id=doc.main_file_id)))
    return built


def _workfile(db: Session, ids: Sequence[int]) -> list[Built]:
    """A work file is found by its notation, title, description, owner and unit (it has no PDF of its own; its
    documents are found as themselves)."""
    rows = db.execute(
        sa.select(WorkFile, User.full_name, Unit.name).join(User, User.id == WorkFile.owner_user_id)
        .outerjoin(Unit, Unit.id == WorkFile.owner_unit_id).where(WorkFile.id.in_(ids))).all()
    built = []
    for work_file, owner_name, unit_name in rows:
        reference = f"{work_file.file_notation}/{work_file.year}"
        text = _joined(f"Hồ sơ {reference}", work_file.title, work_file.description, unit_name, owner_name)
        built.append(Built(work_file.id, dict(
            agency_id=work_file.agency_id, document_type_id=None, urgency="", state=str(work_file.state),
            is_draft=False, issuer_folded=fold(unit_name or "")[:200], signer="", signer_folded="",
            doc_date=work_file.start_date, reference=reference[:100], title=work_file.title, metadata_text=text,
            file_id=None, content_status=ContentStatus.TEXT)))
    return built


KINDS: dict[str, tuple[Callable[[Session, Sequence[int]], list[Built]], sa.Select[tuple[int]]]] = {
    INCOMING: (_incoming, sa.select(IncomingDocument.id)),
    OUTGOING: (_outgoing, sa.select(OutgoingDocument.id)),
    WORKFILE: (_workfile, sa.select(WorkFile.id)),
}
"""Per kind: the builder of its entries and the query of every document id (for the backfill)."""


def refresh(db: Session, kind: str, ids: Iterable[int], *, extract: bool = True) -> int:
    """Bring the entries of documents ``ids`` of ``kind`` up to date; returns how many were written.

    A new file queues :data:`EXTRACT_TEXT` unless ``extract`` is false (a backfill that reads files later).
    """
    wanted = sorted(set(ids))
    if not wanted:
        return 0
    engine = engine_for(db.get_bind().dialect.name)
    built = {item.doc_id: item for item in KINDS[kind][0](db, wanted)}
    existing = {entry.doc_id: entry for entry in db.scalars(
        sa.select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.doc_id.in_(wanted)))}
    gone = [entry for doc_id, entry in existing.items() if doc_id not in built]
    if gone:
        engine.forget(db, [entry.id for entry in gone])
        db.execute(sa.delete(SearchEntry).where(SearchEntry.id.in_([entry.id for entry in gone])))
    now = utcnow()
    touched: list[SearchEntry] = []
    for doc_id, item in built.items():
        entry = existing.get(doc_id)
        if entry is None:
            entry = SearchEntry(kind=kind, doc_id=doc_id, content_text="")
            db.add(entry)
        if entry.file_id != item.values["file_id"]:
            entry.content_status, entry.content_text = ContentStatus.PENDING, ""
        for name, value in item.values.items():
            setattr(entry, name, value)
        entry.folded = folded_text(entry.metadata_text, entry.content_text)
        entry.updated_at = now
        touched.append(entry)
    db.flush()
    for entry in touched if extract else ():
        if entry.content_status is ContentStatus.PENDING and entry.file_id is not None:
            db.add(new_job(EXTRACT_TEXT, ExtractText(entry_id=entry.id, file_id=entry.file_id)))
    engine.store(db, [(entry.id, entry.agency_id, entry.folded) for entry in touched])
    return len(touched)


def set_content(db: Session, entry_id: int, file_id: int, status: ContentStatus, text: str) -> bool:
    """Store the extracted text of ``entry_id``'s file; ``False`` (nothing stored) when its file changed since."""
    entry = db.get(SearchEntry, entry_id)
    if entry is None or entry.file_id != file_id:
        return False
    entry.content_status, entry.content_text = status, text[:MAX_CONTENT]
    entry.folded = folded_text(entry.metadata_text, entry.content_text)
    entry.updated_at = utcnow()
    db.flush()
    engine_for(db.get_bind().dialect.name).store(db, [(entry.id, entry.agency_id, entry.folded)])
    return True


def refresh_all(db: Session, *, batch: int = 2000, extract: bool = True, kinds: Iterable[str] = tuple(KINDS),
                on_batch: Callable[[int], None] | None = None) -> int:
    """Rebuild every entry of ``kinds`` (default: every kind), ``batch`` documents at a time; ``on_batch`` (e.g. a
    commit) runs after each batch with the running total."""
    total = 0
    for kind in kinds:
        all_ids = KINDS[kind][1]
        last = 0
        while ids := list(db.scalars(all_ids.where(all_ids.selected_columns[0] > last)
                                     .order_by(all_ids.selected_columns[0]).limit(batch))):
            total += refresh(db, kind, ids, extract=extract)
            last = ids[-1]
            if on_batch:
                on_batch(total)
    return total

