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


def _document_columns(doc: type[IncomingDocument] | type[OutgoingDocument]) -> tuple[Any, ...]:
    return (doc.id, doc.code_number, doc.code_notation, doc.summary, doc.signer_position, doc.signer_name,
            doc.page_count, doc.description, DocumentType.name, StoredFile.sha256, StoredFile.size,
            StoredFile.filename)


def _member(kind: str, link_id: int, position: int, issued: date | None, issuer: str, language: str,
            row: Any) -> Member:
    doc_id, number, notation, summary, signer_position, signer_name, pages, description, type_name, sha, size, \
        name = row
    return Member(link_id, position, kind, doc_id, number, notation, issued, issuer, type_name, summary,
                  signer_position, signer_name, language, pages, description, sha, size, name)


async def _batch(db: AsyncSession, work_file_id: int, after: int, limit: int) -> list[Member]:
    """The next ``limit`` members after position ``after`` (three indexed queries, merged by position).

    Plain columns, not ORM entities: rows are tuples freed as soon as the batch is consumed (entities would
    stay in reference cycles until a full garbage collection, so memory would grow with the file).
    """
    links = (sa.select(WorkFileDocument.id, WorkFileDocument.position, WorkFileDocument.incoming_id,
                       WorkFileDocument.outgoing_id, WorkFileDocument.note, WorkFileDocument.added_at)
             .where(WorkFileDocument.work_file_id == work_file_id, WorkFileDocument.position > after)
             .order_by(WorkFileDocument.position).limit(limit)).subquery()
    incoming = await db.execute(
        sa.select(links.c.id, links.c.position, IncomingDocument.issued_on, IncomingDocument.issuer_name,
                  IncomingDocument.language, *_document_columns(IncomingDocument))
        .join(IncomingDocument, IncomingDocument.id == links.c.incoming_id)
        .join(DocumentType, DocumentType.id == IncomingDocument.document_type_id)
        .join(StoredFile, StoredFile.id == IncomingDocument.file_id))
    outgoing = await db.execute(
        sa.select(links.c.id, links.c.position, OutgoingDocument.issued_on, OutgoingDocument.created_at,
                  Agency.name, *_document_columns(OutgoingDocument))
        .join(OutgoingDocument, OutgoingDocument.id == links.c.outgoing_id)
        .join(DocumentType, DocumentType.id == OutgoingDocument.document_type_id)
        .join(StoredFile, StoredFile.id == OutgoingDocument.main_file_id)
        .join(Agency, Agency.id == OutgoingDocument.agency_id))
    notes = await db.execute(sa.select(links.c.id, links.c.position, links.c.added_at, links.c.note)
                             .where(links.c.note.is_not(None)))
    rows = [_member(INCOMING, r[0], r[1], r[2], r[3], r[4], r[5:]) for r in incoming.all()]
    rows += [_member(OUTGOING, r[0], r[1], r[2] or (r[3].date() if r[3] else None), r[4], "Tiếng Việt", r[5:])
             for r in outgoing.all()]
    rows += [Member(link_id, position, NOTE, 0, "", "", to_local(added).date(), "", "", note, "", "", "", 0, "",
                    "", 0, "") for link_id, position, added, note in notes.all()]
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
