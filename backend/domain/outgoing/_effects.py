"""The effects and recipients of the outgoing transitions that do not sign (registered in :mod:`.workflow`).

Effects are ``async (step, docs) -> None``; recipient functions ``async (step, doc) -> list[int]``.
The signing effects are in :mod:`._signing`.

* ``format_ok`` / ``revise`` -- locate box 7c and the number/date placeholders in the text layer
  (positions the user tapped are kept) and store them: they are fixed before the leader signs;
* ``number`` -- number under a row lock, symbol (§5.2), date line (§5.3) written into the
  reserved fields as form filling; the document identifier (edXML ``DocumentId`` form);
* ``issue`` -- the paper-copy flag (the admin's list, :mod:`.paper_copy`), one delivery job per platform
  agency, internal units informed, the reply linked on the answered incoming document; a document
  that amends or replaces an earlier one asks the engine for a :class:`FollowUp` on that one
  (the automatic ``replace``, :func:`mark_replaced`, or only a link, :func:`note_correction`);
* ``archive`` -- refused while a recipient's delivery is still queued; records who filed the
  original and when (Đ.19);
* ``recall`` -- one recall job per delivered agency; units informed (issued or archived).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import sqlalchemy as sa

from backend.db.models import (
    Agency,
    DeliveryStatus,
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
    Role,
    Unit,
    VersionKind,
)
from backend.db.models.outgoing import ReplaceKind
from backend.domain.documents.engine import FollowUp, Step
from backend.domain.documents.files import create_stored_file
from backend.domain.documents.kinds import RENDER_PAGES, RenderPages
from backend.domain.exchange.edxml.model import document_id
from backend.domain.exchange.kinds import DELIVER, RECALL, Deliver, Recall
from backend.domain.incoming.policies import DocContext, can_link_reply
from backend.domain.incoming.services import IncomingService
from backend.domain.outgoing._files import add_version, read_file, store_bytes
from backend.domain.outgoing._pdf import DocLayout, find_layout
from backend.domain.outgoing.errors import DeliveryPendingError, NumberTakenError, SignatureRefusedError
from backend.domain.outgoing.notify import role_holders, unit_heads
from backend.domain.outgoing.numbering import (
    allocate_number,
    notation_for,
    number_year,
    series_for,
    symbol_problem,
)
from backend.domain.outgoing.paper_copy import active_categories, paper_copy_required
from backend.domain.outgoing.preview import preview_page
from backend.domain.signing.formfill import fill_number_and_date
from backend.domain.signing.nd30 import date_line
from backend.domain.signing.pdf_errors import PdfSigningError
from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.tasks.outbox import enqueue

__all__ = [
    "archive", "clerks", "clerks_and_drafter", "drafter", "drafter_and_signer", "issue",
    "locate", "mark_replaced", "note_correction", "number", "recall", "recall_notified", "reviewers", "revise",
    "signer",
]


def _reference(doc: OutgoingDocument) -> str:
    return f"{doc.code_number}/{doc.code_notation}"


async def _recipients(step: Step, doc: OutgoingDocument) -> list[OutgoingRecipient]:
    return list((await step.db.scalars(sa.select(OutgoingRecipient).where(
        OutgoingRecipient.outgoing_id == doc.id).order_by(OutgoingRecipient.id))).all())


# -- effects ----------------------------------------------------------------------------------

async def locate(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """Find and fix the signature box and the number/date areas (tapped positions are kept)."""
    for doc in docs:
        pdf = await read_file(step.db, step.settings, doc.main_file_id)
        keep = DocLayout.from_json(doc.layout)
        layout = await asyncio.to_thread(find_layout, pdf, doc.signer_name, keep)
        doc.layout = layout.to_json()
        # The signer's screen shows the signature page first: render it before the signer opens it.
        await enqueue(step.db, RENDER_PAGES, RenderPages(file_id=doc.main_file_id,
                                                         pages=(preview_page(layout, doc.page_count),)))


async def revise(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """A new draft version after approval (``step.inputs["upload"]``); its positions are located again.

    Raises:
        InvalidInputError: no file was uploaded.
    """
    upload = step.inputs.get("upload")
    if upload is None:
        raise InvalidInputError(field_errors={"file": t("doc.file.missing")})
    for doc in docs:
        stored = await create_stored_file(step.db, upload, step.actor.user_id)
        await add_version(step.db, doc, VersionKind.DRAFT, stored, step.actor, step.now, step.reason)
    await locate(step, docs)


async def number(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """Allocate the number and write number and date into the reserved fields."""
    for doc in docs:
        await _number_one(step, doc)


async def _number_one(step: Step, doc: OutgoingDocument) -> None:
    db, actor = step.db, step.actor
    doc_type = await db.get(DocumentType, doc.document_type_id)
    agency = await db.get(Agency, doc.agency_id)
    unit = await db.get(Unit, doc.drafting_unit_id) if doc.drafting_unit_id else None
    assert doc_type is not None and agency is not None
    series = series_for(doc_type, step.settings.outgoing_series_per_type)
    notation = notation_for(doc_type, agency.abbreviation, unit.abbreviation if unit else None,
                            number_year(step.now))
    problem = symbol_problem(notation)
    if problem is not None:
        raise InvalidInputError(problem)
    allocated = await allocate_number(db, doc.agency_id, series, step.now)
    reference = f"{allocated.code_number}/{notation}"
    identifier = document_id(agency.organ_id, step.today, allocated.code_number, notation)
    await _refuse_taken(step, doc, series, allocated.year, allocated.number, identifier, reference)
    line = date_line(agency.place_name, step.today)
    pdf = await read_file(db, step.settings, doc.main_file_id)
    try:
        numbered = await asyncio.to_thread(fill_number_and_date, pdf, number_symbol=reference, date_line=line)
    except PdfSigningError as exc:
        raise SignatureRefusedError(exc, doc.id) from exc
    stored = await store_bytes(db, step.settings, numbered, f"{reference.replace('/', '-')}.pdf", doc.page_count,
                               actor)
    await add_version(db, doc, VersionKind.NUMBERED, stored, actor, step.now, reference)
    doc.series, doc.number_year, doc.number = series, allocated.year, allocated.number
    doc.code_number, doc.code_notation, doc.issued_on = allocated.code_number, notation, step.today
    doc.document_identifier = identifier
    doc.registered_at, doc.registered_by_id = step.now, actor.user_id
    step.outcome.text[doc.id] = t("outgoing.history.numbered", reference=reference, date=line)
    step.outcome.audit[doc.id] = {"number": allocated.number, "year": allocated.year, "series": series,
                                  "reference": reference, "sha256": stored.sha256}


async def _refuse_taken(step: Step, doc: OutgoingDocument, series: str, year: int, number: int, identifier: str,
                        reference: str) -> None:
    """Refuse a number (or document identifier) another document already holds, before any file is written.

    The counter row's lock makes this impossible in normal operation; it happens when the counter was
    set back (a partial restore, a hand edit). The unique constraints stay the last line of defence.

    Raises:
        NumberTakenError: naming the reference, the year and what to do.
    """
    other = OutgoingDocument
    taken = await step.db.scalar(sa.select(other.id).where(
        other.id != doc.id,
        sa.or_(sa.and_(other.agency_id == doc.agency_id, other.number_year == year, other.series == series,
                       other.number == number),
               other.document_identifier == identifier)).limit(1))
    if taken is not None:
        raise NumberTakenError(reference=reference, year=year)


async def issue(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """Dispatch: delivery jobs, units informed, the reply linked, the corrected document followed."""
    for doc in docs:
        doc_type = await step.db.get(DocumentType, doc.document_type_id)
        assert doc_type is not None
        doc.paper_copy_required = paper_copy_required(await active_categories(step.db), doc_type, doc.summary)
        doc.issued_at = step.now
        for recipient in await _recipients(step, doc):
            recipient.status_at = step.now
            if recipient.kind is RecipientKind.AGENCY:
                recipient.status = DeliveryStatus.QUEUED
                await enqueue(step.db, DELIVER, Deliver(recipient_id=recipient.id))
            else:
                recipient.status = DeliveryStatus.ARRIVED
        await _link_reply(step, doc)
        step.outcome.audit[doc.id] = {"paper_copy": doc.paper_copy_required}
        await _corrects(step, doc)


async def _link_reply(step: Step, doc: OutgoingDocument) -> None:
    """Record the reply's number/symbol on the answered incoming document when its handler could."""
    if doc.reply_to_incoming_id is None:
        return
    incoming = await step.db.get(IncomingDocument, doc.reply_to_incoming_id)
    if incoming is None or not can_link_reply(step.actor, incoming, DocContext()):
        return
    service = IncomingService(step.db, step.settings, links=lambda _doc_id: "")  # link_reply notifies nobody
    await service.link_reply(incoming.id, step.actor, _reference(doc))


async def _corrects(step: Step, doc: OutgoingDocument) -> None:
    """On issue: the earlier document this one amends or replaces follows (Đ.18.3)."""
    if doc.replaces_id is None or doc.replace_kind is None:
        return
    earlier = await step.db.get(OutgoingDocument, doc.replaces_id)
    assert earlier is not None
    kind = ReplaceKind(doc.replace_kind)
    step.outcome.text[doc.id] = t(f"outgoing.history.issued_{kind.value}", reference=_reference(earlier))
    step.outcome.audit.setdefault(doc.id, {}).update(replaces_id=earlier.id, replace_kind=kind.value)
    event = "replace" if kind is ReplaceKind.REPLACE else None
    step.outcome.follow_ups.append(FollowUp(earlier.id, event, {"cause_id": doc.id}, otherwise=note_correction))


async def _cause(step: Step) -> OutgoingDocument:
    cause = await step.db.get(OutgoingDocument, step.inputs["cause_id"])
    assert cause is not None
    return cause


async def mark_replaced(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """The automatic ``replace``: the earlier document keeps its number and links to its replacement."""
    cause = await _cause(step)
    for doc in docs:
        doc.replaced_at, doc.replaced_by_id = step.now, cause.id
        step.outcome.text[doc.id] = t("outgoing.history.replaced_by", reference=_reference(cause))
        step.outcome.audit[doc.id] = _correction_audit(cause)


async def note_correction(step: Step, doc: OutgoingDocument) -> None:
    """An amended document (or one that can no longer be replaced): its state is kept, the link is written."""
    cause = await _cause(step)
    kind = ReplaceKind(cause.replace_kind or ReplaceKind.AMEND)
    key = "amended_by" if kind is ReplaceKind.AMEND else "replacement_noted"
    await step.workflow.history(doc, step.actor, "linked", text=t(f"outgoing.history.{key}",
                                                                   reference=_reference(cause)))
    await step.workflow.audit(doc, step.actor, "linked", **_correction_audit(cause))


def _correction_audit(cause: OutgoingDocument) -> dict[str, object]:
    kind = ReplaceKind(cause.replace_kind or ReplaceKind.AMEND)
    return {"by_id": cause.id, "by_reference": _reference(cause), "kind": kind.value}


async def archive(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """File the original; refused while a recipient's delivery is still queued.

    Raises:
        DeliveryPendingError: a delivery is still queued (nothing changed).
    """
    for doc in docs:
        pending = [r.name for r in await _recipients(step, doc) if r.status is DeliveryStatus.QUEUED]
        if pending:
            raise DeliveryPendingError(t("outgoing.archive.pending", names="; ".join(pending)))
        doc.archived_at, doc.archived_by_id = step.now, step.actor.user_id
        step.outcome.audit[doc.id] = {"archived_at": step.now.isoformat()}


async def recall(step: Step, docs: Sequence[OutgoingDocument]) -> None:
    """Freeze it: one recall job per delivered agency, units' copies recalled at once."""
    for doc in docs:
        doc.recalled_at, doc.recall_reason = step.now, step.reason
        for recipient in await _recipients(step, doc):
            recipient.status_at = step.now
            if recipient.kind is RecipientKind.AGENCY:
                recipient.status = DeliveryStatus.RECALL_REQUESTED
                await enqueue(step.db, RECALL, Recall(recipient_id=recipient.id, reason=step.reason))
            else:
                recipient.status = DeliveryStatus.RECALLED


# -- who is notified --------------------------------------------------------------------------

async def reviewers(step: Step, doc: OutgoingDocument) -> list[int]:
    """The heads of the drafting unit, else the agency's leaders and deputies."""
    heads = await unit_heads(step.db, doc.agency_id, doc.drafting_unit_id)
    return heads or await role_holders(step.db, doc.agency_id, Role.LEADER, Role.DEPUTY)


async def clerks(step: Step, doc: OutgoingDocument) -> list[int]:
    """The agency's clerks."""
    return await role_holders(step.db, doc.agency_id, Role.CLERK)


async def signer(step: Step, doc: OutgoingDocument) -> list[int]:
    """The designated signer."""
    return [doc.signer_id]


async def drafter(step: Step, doc: OutgoingDocument) -> list[int]:
    """The drafter."""
    return [doc.drafter_id]


async def clerks_and_drafter(step: Step, doc: OutgoingDocument) -> list[int]:
    """The clerks (to number it) and the drafter."""
    return await clerks(step, doc) + [doc.drafter_id]


async def drafter_and_signer(step: Step, doc: OutgoingDocument) -> list[int]:
    """The drafter and the signer."""
    return [doc.drafter_id, doc.signer_id]


async def recall_notified(step: Step, doc: OutgoingDocument) -> list[int]:
    """The drafter, the signer and the clerks."""
    return [doc.drafter_id, doc.signer_id] + await clerks(step, doc)
