"""Use cases of work files: open, add/remove/reorder documents and notes, close, transfer (domain.md §14.2–14.3).

State changes go through the one workflow engine (:data:`.workflow.LIFECYCLE`); the other actions
lock the file through it too and write the file's history and an audit row with it. Every refusal
is raised before anything is written, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from backend.db.models import (
    CatalogueItem,
    FileCatalogue,
    IncomingDocument,
    OutgoingDocument,
    WorkFile,
    WorkFileDocument,
)
from backend.domain.accounts.actor import Actor
from backend.domain.documents.service import DocumentService
from backend.domain.workfiles import policies as p
from backend.domain.workfiles.members import INCOMING, OUTGOING, find_document, reference
from backend.domain.workfiles.schemas import OpenRequest
from backend.domain.workfiles.values import check_retention, check_rights, required_text
from backend.domain.workfiles.workflow import LIFECYCLE, Event, State
from backend.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from backend.lib.i18n import t
from backend.lib.transitions import Decision

__all__ = ["NOTATION_RE", "NOTE_LIMIT", "WorkFileService"]

NOTE_LIMIT = 1000
"""Characters of a note (the column's length)."""

NOTATION_RE = re.compile(r"^\d{1,4}\.[A-ZĐ0-9-]{1,15}$")
"""``01.TCCB``: ordinal, a dot, the major heading's abbreviation (domain.md §5.6)."""


def _raise(decision: Decision) -> None:
    if not decision:
        raise PermissionDeniedError(t(decision.reason))


class WorkFileService(DocumentService[WorkFile]):
    """Work-file use cases bound to one transaction (see :class:`DocumentService`)."""

    lifecycle = LIFECYCLE

    async def open(self, actor: Actor, form: OpenRequest) -> WorkFile:
        """Open a file from a catalogue item of the actor's agency, or an ad-hoc one.

        Raises:
            PermissionDeniedError: the actor holds no role in the agency.
            NotFoundError: the catalogue item is not the agency's.
            InvalidInputError: a missing title, a malformed number and symbol, a retention or usage
                regime outside its list.
        """
        _raise(p.can_open(actor))
        rights = check_rights(form.rights or "Hạn chế")
        start = form.start_date or self.today
        if form.catalogue_item_id is not None:
            row = (await self.db.execute(
                sa.select(CatalogueItem, FileCatalogue.year).join(FileCatalogue)
                .where(CatalogueItem.id == form.catalogue_item_id, FileCatalogue.agency_id == actor.agency_id))).first()
            if row is None:
                raise NotFoundError()
            item, year = row
            title, notation, retention = item.title, item.file_notation, item.retention
        else:
            title = required_text(form.title, "title", 500)
            notation = required_text(form.file_notation, "file_notation", 20).upper()
            if not NOTATION_RE.match(notation):
                message = t("workfiles.notation.invalid", value=notation)
                raise InvalidInputError(message, field_errors={"file_notation": message})
            retention, year = check_retention(form.retention), start.year
        if form.settlement_date is not None and not form.capital_construction:
            message = t("workfiles.settlement.not_construction")
            raise InvalidInputError(message, field_errors={"settlement_date": message})
        if form.settlement_date is not None:
            self._check_settlement(form.settlement_date, start)
        work_file = WorkFile(
            agency_id=actor.agency_id, state=State.OPEN, catalogue_item_id=form.catalogue_item_id, year=year,
            file_notation=notation, title=title, retention=retention, rights=rights, owner_user_id=actor.user_id,
            owner_unit_id=actor.unit_id, start_date=start, capital_construction=form.capital_construction,
            settlement_date=form.settlement_date,
            description=required_text(form.description, "description", 500, required=False))
        self.db.add(work_file)
        await self.db.flush()
        await self.flow.history(work_file, actor, "open", None, State.OPEN, t("workfiles.history.open"))
        await self.flow.audit(work_file, actor, "opened", title=title, file_notation=notation, retention=retention,
                              rights=rights, catalogue_item_id=form.catalogue_item_id,
                              capital_construction=form.capital_construction)
        return work_file

    async def catalogue(self, file_id: int, actor: Actor, item_id: int, *,
                        expected_version: int | None = None) -> WorkFile:
        """Attach an ad-hoc file to catalogue item ``item_id``: its number and symbol and retention come from the item.

        Raises:
            NotFoundError: the file is not visible; PermissionDeniedError: not a clerk of the agency, or the file
                is transferred; ConflictError: a stale ``expected_version``;
            InvalidInputError: the file is already catalogued, the item is not in the agency's catalogue, or
                the item's catalogue is of another year than the file.
        """
        work_file = await self.flow.lock(actor, file_id)
        _raise(p.can_catalogue(actor, work_file))
        if expected_version is not None and work_file.version != expected_version:
            raise ConflictError(t("workfiles.error.stale"))

        def refuse(key: str, **params: object) -> InvalidInputError:
            message = t(key, **params)
            return InvalidInputError(message, field_errors={"catalogue_item_id": message})

        if work_file.catalogue_item_id is not None:
            raise refuse("workfiles.catalogue_file.already", notation=work_file.file_notation)
        row = (await self.db.execute(
            sa.select(CatalogueItem, FileCatalogue.year).join(FileCatalogue)
            .where(CatalogueItem.id == item_id, FileCatalogue.agency_id == actor.agency_id))).first()
        if row is None:
            raise refuse("workfiles.catalogue_file.not_ours")
        item, year = row
        if year != work_file.year:
            raise refuse("workfiles.catalogue_file.year", item_year=year, file_year=work_file.year)
        before = {"file_notation": work_file.file_notation, "retention": work_file.retention}
        work_file.catalogue_item_id = item.id
        work_file.file_notation, work_file.retention = item.file_notation, item.retention
        await self.db.flush()
        await self.flow.history(work_file, actor, "catalogue", text=t(
            "workfiles.history.catalogued", notation=item.file_notation, year=year))
        await self.flow.audit(work_file, actor, "catalogued", catalogue_item_id=item.id, before=before,
                              after={"file_notation": item.file_notation, "retention": item.retention})
        return work_file

    async def _changeable(self, actor: Actor, file_id: int) -> WorkFile:
        work_file = await self.flow.lock(actor, file_id)
        _raise(p.can_change(actor, work_file))
        return work_file

    async def add_document(self, file_id: int, actor: Actor, kind: str, document_id: int) -> WorkFileDocument:
        """Link a visible document to the file at the end of its order (no copy of the document).

        Raises:
            NotFoundError: the file or the document is not visible to the actor.
            PermissionDeniedError: not the owner or a clerk, or the file is closed.
            InvalidInputError: an unknown kind, or the document is already in this file.
        """
        work_file = await self._changeable(actor, file_id)
        doc = await find_document(self.db, actor, kind, document_id)
        column = WorkFileDocument.incoming_id if kind == INCOMING else WorkFileDocument.outgoing_id
        present = await self.db.scalar(sa.select(WorkFileDocument.id).where(
            WorkFileDocument.work_file_id == file_id, column == document_id))
        if present is not None:
            message = t("workfiles.document.twice", title=work_file.title)
            raise InvalidInputError(message, field_errors={"document_id": message})
        link = await self._append(file_id, actor, **{f"{kind}_id": document_id})
        ref = reference(doc.code_number, doc.code_notation)
        await self.flow.history(work_file, actor, "add_document", text=t("workfiles.history.added", reference=ref))
        await self.flow.audit(work_file, actor, "document_added", kind=kind, document_id=document_id,
                              position=link.position)
        return link

    async def add_note(self, file_id: int, actor: Actor, text: str) -> WorkFileDocument:
        """Put a short note (ghi chú) at the end of the file's order.

        Raises:
            NotFoundError: the file is not visible; PermissionDeniedError: as :meth:`add_document`;
            InvalidInputError: an empty note or one longer than :data:`NOTE_LIMIT` characters.
        """
        work_file = await self._changeable(actor, file_id)
        note = required_text(text, "note", NOTE_LIMIT)
        link = await self._append(file_id, actor, note=note)
        await self.flow.history(work_file, actor, "add_note", text=t("workfiles.history.note_added"))
        await self.flow.audit(work_file, actor, "note_added", link_id=link.id, position=link.position,
                              length=len(note))
        return link

    async def _append(self, file_id: int, actor: Actor, **member: int | str) -> WorkFileDocument:
        """A new member of the file after its last one."""
        last = await self.db.scalar(sa.select(sa.func.max(WorkFileDocument.position))
                                    .where(WorkFileDocument.work_file_id == file_id))
        link = WorkFileDocument(work_file_id=file_id, position=(last or 0) + 1, added_by_id=actor.user_id,
                                added_at=self.now, **member)
        self.db.add(link)
        await self.db.flush()
        return link

    async def remove_document(self, file_id: int, actor: Actor, link_id: int) -> None:
        """Take a document or a note out of the file (a document itself is untouched); the order closes the gap.

        Raises:
            NotFoundError: the file is not visible; InvalidInputError: the link is not in this file;
            PermissionDeniedError: as :meth:`add_document`.
        """
        work_file = await self._changeable(actor, file_id)
        link = await self.db.get(WorkFileDocument, link_id)
        if link is None or link.work_file_id != file_id:
            message = t("workfiles.document.not_in_file")
            raise InvalidInputError(message, field_errors={"link_id": message})
        if link.note is not None:
            await self._drop(file_id, link)
            await self.flow.history(work_file, actor, "remove_note", text=t("workfiles.history.note_removed"))
            await self.flow.audit(work_file, actor, "note_removed", link_id=link_id, note=link.note)
            return
        kind = INCOMING if link.incoming_id is not None else OUTGOING
        document_id = link.incoming_id or link.outgoing_id
        # the file's own link: named even if the actor no longer sees the document itself
        doc: IncomingDocument | OutgoingDocument | None = (
            await self.db.get(IncomingDocument, document_id) if kind == INCOMING
            else await self.db.get(OutgoingDocument, document_id))
        assert doc is not None
        await self._drop(file_id, link)
        await self.flow.history(work_file, actor, "remove_document",
                                text=t("workfiles.history.removed", reference=reference(doc.code_number,
                                                                                        doc.code_notation)))
        await self.flow.audit(work_file, actor, "document_removed", kind=kind, document_id=document_id)

    async def _drop(self, file_id: int, link: WorkFileDocument) -> None:
        await self.db.delete(link)
        await self.db.flush()
        await self._renumber(file_id, [row.id for row in await self._links(file_id)])

    async def reorder(self, file_id: int, actor: Actor, link_ids: list[int]) -> None:
        """Put the file's documents and notes in the order ``link_ids`` (exactly the file's links, each once).

        Raises:
            InvalidInputError: a missing, foreign or repeated link id; others as :meth:`add_document`.
        """
        work_file = await self._changeable(actor, file_id)
        current = [row.id for row in await self._links(file_id)]
        if sorted(current) != sorted(link_ids) or len(set(link_ids)) != len(link_ids):
            message = t("workfiles.order.mismatch")
            raise InvalidInputError(message, field_errors={"link_ids": message})
        await self._renumber(file_id, link_ids)
        await self.flow.history(work_file, actor, "reorder", text=t("workfiles.history.reordered"))
        await self.flow.audit(work_file, actor, "reordered", order=link_ids)

    async def move(self, file_id: int, actor: Actor, link_id: int, step: int) -> bool:
        """Move one document or note of the file one place earlier (``step`` -1) or later (+1); ``False`` when it
        is already first or last (nothing changes).

        Raises:
            InvalidInputError: the link is not in this file, or ``step`` is not -1 or +1; others as
                :meth:`add_document`.
        """
        await self._changeable(actor, file_id)
        order = [row.id for row in await self._links(file_id)]
        if link_id not in order or step not in (-1, 1):
            message = t("workfiles.document.not_in_file")
            raise InvalidInputError(message, field_errors={"link_id": message})
        here = order.index(link_id)
        there = here + step
        if not 0 <= there < len(order):
            return False
        order[here], order[there] = order[there], order[here]
        await self.reorder(file_id, actor, order)
        return True

    async def settle(self, file_id: int, actor: Actor, day: date | None, *,
                     expected_version: int | None = None) -> WorkFile:
        """Record (or correct) the final settlement date of a capital-construction file after it was opened.

        Its transfer falls due three months later (:func:`.transfer.due_date`).

        Raises:
            NotFoundError: the file is not visible; PermissionDeniedError: not a capital-construction file,
                not the owner or a clerk, or already transferred; ConflictError: a stale ``expected_version``;
            InvalidInputError: no date, a date after today or before the file was opened.
        """
        work_file = await self.flow.lock(actor, file_id)
        _raise(p.can_settle(actor, work_file))
        if expected_version is not None and work_file.version != expected_version:
            raise ConflictError(t("workfiles.error.stale"))
        if day is None:
            message = t("workfiles.settlement.required")
            raise InvalidInputError(message, field_errors={"settlement_date": message})
        self._check_settlement(day, work_file.start_date)
        before = work_file.settlement_date
        work_file.settlement_date = day
        await self.db.flush()
        await self.flow.history(work_file, actor, "settle", text=t("workfiles.history.settlement",
                                                                   day=day.strftime("%d/%m/%Y")))
        await self.flow.audit(work_file, actor, "settled", settlement_date=day.isoformat(),
                              previous=before.isoformat() if before else None)
        return work_file

    def _check_settlement(self, day: date, start: date) -> None:
        if day > self.today:
            message = t("workfiles.settlement.future", day=day.strftime("%d/%m/%Y"))
            raise InvalidInputError(message, field_errors={"settlement_date": message})
        if day < start:
            message = t("workfiles.settlement.before_start", day=day.strftime("%d/%m/%Y"),
                        start=start.strftime("%d/%m/%Y"))
            raise InvalidInputError(message, field_errors={"settlement_date": message})

    async def close(self, file_id: int, actor: Actor, *, end_date: date | None = None,
                    expected_version: int | None = None) -> WorkFile:
        """Close the file through the engine (see :func:`._effects.close` for the refusals)."""
        docs = await self.flow.apply(file_id, Event.CLOSE, actor, expected_version=expected_version,
                                     inputs={"end_date": end_date})
        return docs[0]

    async def transfer(self, file_id: int, actor: Actor, event: Event, *, reason: str = "",
                       until: date | None = None, expected_version: int | None = None) -> WorkFile:
        """Submit, keep back, accept or return the file through the engine (see :mod:`.transfer`)."""
        docs = await self.flow.apply(file_id, event, actor, reason=reason, expected_version=expected_version,
                                     inputs={"until": until})
        return docs[0]

    async def _links(self, file_id: int) -> list[WorkFileDocument]:
        return list((await self.db.scalars(sa.select(WorkFileDocument).where(
            WorkFileDocument.work_file_id == file_id).order_by(WorkFileDocument.position)
            .execution_options(populate_existing=True))).all())

    async def _renumber(self, file_id: int, ordered_ids: list[int]) -> None:
        """Positions 1..n in ``ordered_ids`` order."""
        for index, link_id in enumerate(ordered_ids, start=1):
            await self.db.execute(sa.update(WorkFileDocument).where(
                WorkFileDocument.id == link_id, WorkFileDocument.work_file_id == file_id).values(position=index))
