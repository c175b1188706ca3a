"""The documents of a work file as one uniform row each, read in order and in batches.

A file links incoming and outgoing documents and holds short notes (``work_file_document``);
:func:`iter_members` reads them by ``position`` in keyset batches, so an export of a file with
thousands of documents never holds more than one batch of rows. A note is a member of kind
:data:`NOTE` with its text as ``summary``, the day it was written as ``issued_on``, no stored file.
:func:`find_document` resolves a document the actor may see
(through the incoming and outgoing scoping queries; anything else is 404).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, DocumentType, IncomingDocument, OutgoingDocument, StoredFile, WorkFileDocument
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import visible_incoming
from backend.domain.outgoing.policies import visible_outgoing
from backend.errors import InvalidInputError, NotFoundError
from backend.lib.clock import to_local
from backend.lib.i18n import t

__all__ = ["BATCH", "INCOMING", "NOTE", "OUTGOING", "Member", "find_document", "iter_members", "reference"]

INCOMING, OUTGOING, NOTE = "incoming", "outgoing", "note"
BATCH = 200


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a file: its link and either a document's metadata (domain.md §4.3/§4.4) and PDF, or a note."""

    link_id: int
    position: int
    kind: str
    document_id: int
    code_number: str
    code_notation: str
    issued_on: date | None
    issuer: str
    type_name: str
    summary: str
    signer_position: str
    signer_name: str
    language: str
    page_count: int
    description: str
    file_sha256: str
    file_size: int
    file_name: str

    @property
    def reference(self) -> str:
        return reference(self.code_number, self.code_notation)

    @property
    def is_note(self) -> bool:
        return self.kind == NOTE


def reference(code_number: str, code_notation: str) -> str:
    """``12/UBND-VP``, or just the symbol while a draft has no number."""
    return f"{code_number}/{code_notation}" if code_number else code_notation


async def find_document(db: AsyncSession, actor: Actor, kind: str, doc_id: int) -> IncomingDocument | OutgoingDocument:
    """The incoming or outgoing document ``doc_id`` if the actor may see it.

    Raises:
        InvalidInputError: ``kind`` is neither ``incoming`` nor ``outgoing``.
        NotFoundError: no such document in the actor's scope.
    """
    found: IncomingDocument | OutgoingDocument | None
    if kind == INCOMING:
        found = (await db.scalars(visible_incoming(actor).where(IncomingDocument.id == doc_id))).first()
    elif kind == OUTGOING:
        found = (await db.scalars(visible_outgoing(actor).where(OutgoingDocument.id == doc_id))).first()
    else:
        message = t("workfiles.document.kind")
        raise InvalidInputError(message, field_errors={"kind": message})
    if found is None:
        raise NotFoundError()
    return found


def _incoming_row(row: Any) -> Member:
    link, doc, type_name, file = row
    return Member(link.id, link.position, INCOMING, doc.id, doc.code_number, doc.code_notation, doc.issued_on,
                  doc.issuer_name, type_name, doc.summary, doc.signer_position, doc.signer_name, doc.language,
                  doc.page_count, doc.description, file.sha256, file.size, file.filename)


def _outgoing_row(row: Any) -> Member:
    link, doc, type_name, file, agency_name = row
    issued = doc.issued_on or (doc.created_at.date() if doc.created_at else None)
    return Member(link.id, link.position, OUTGOING, doc.id, doc.code_number, doc.code_notation, issued,
                  agency_name, type_name, doc.summary, doc.signer_position, doc.signer_name, "Tiếng Việt",
                  doc.page_count, doc.description, file.sha256, file.size, file.filename)


def _note_row(link: WorkFileDocument) -> Member:
    return Member(link.id, link.position, NOTE, 0, "", "", to_local(link.added_at).date(), "",
                  "", link.note or "", "", "", "", 0, "", "", 0, "")


async def _batch(db: AsyncSession, work_file_id: int, after: int, limit: int) -> list[Member]:
    """The next ``limit`` members after position ``after`` (three indexed queries, merged by position)."""
    base = (sa.select(WorkFileDocument).where(WorkFileDocument.work_file_id == work_file_id,
                                              WorkFileDocument.position > after)
            .order_by(WorkFileDocument.position).limit(limit))
    links = base.subquery()
    link = sa.orm.aliased(WorkFileDocument, links)
    incoming = await db.execute(
        sa.select(link, IncomingDocument, DocumentType.name, StoredFile)
        .join(IncomingDocument, IncomingDocument.id == link.incoming_id)
        .join(DocumentType, DocumentType.id == IncomingDocument.document_type_id)
        .join(StoredFile, StoredFile.id == IncomingDocument.file_id))
    outgoing = await db.execute(
        sa.select(link, OutgoingDocument, DocumentType.name, StoredFile, Agency.name)
        .join(OutgoingDocument, OutgoingDocument.id == link.outgoing_id)
        .join(DocumentType, DocumentType.id == OutgoingDocument.document_type_id)
        .join(StoredFile, StoredFile.id == OutgoingDocument.main_file_id)
        .join(Agency, Agency.id == OutgoingDocument.agency_id))
    notes = await db.scalars(sa.select(link).where(link.note.is_not(None)))
    rows = ([_incoming_row(r) for r in incoming.all()] + [_outgoing_row(r) for r in outgoing.all()]
            + [_note_row(n) for n in notes.all()])
    return sorted(rows, key=lambda m: m.position)


async def iter_members(db: AsyncSession, work_file_id: int, *, batch: int = BATCH) -> AsyncIterator[Member]:
    """Every member (document or note) of the file in its order, read ``batch`` links at a time."""
    after = 0
    while True:
        rows = await _batch(db, work_file_id, after, batch)
        for member in rows:
            yield member
        if len(rows) < batch:
            return
        after = rows[-1].position
