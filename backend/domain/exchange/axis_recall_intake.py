"""Recall, update and replace packages from the axis (edXML business types 1–3; domain.md §8.3, §8.4).

The poller hands :func:`take_change` every package that is not a new document, once for each of our
agencies it names. The document concerned is found by the sender's code and its ``DocumentId``
(``Bussiness/DocumentId``, else the package's own) among what that agency received over the axis:

* **recall (1)**: the notice is kept on the document's arrival and its clerks are told
  (:func:`.recall_answer.notice_recall`); the clerk confirms (``cancelled``, status 15) or refuses with a
  reason (16). A document no longer open (completed, returned) is refused at once with the reason (16).
* **update (2)**: summary, signer, urgency, reply-by date and the main file are applied
  (:mod:`backend.domain.incoming.sender_update`, history and audit keep the old values) while the
  document is open → 15; no longer open, or a file the upload checks refuse → 16 with the reason.
* **replace (3)**: the new document is taken in as any new one (:func:`.axis_intake.take_in`: 01, then
  its own statuses), its arrival points at the document it replaces (``replaces_id``) and its note names
  it; every replaced document (``ReplacementInfo`` for this agency) still open is cancelled by the
  platform (→ 15), one no longer open keeps its state (→ 16 with the reason).

A recall or an update of a document the agency never received raises :class:`~.axis_intake.PackageRefused`
(the poller answers 02 naming it). Idempotency: a recall or update package has an
:class:`~backend.db.models.AxisArrival` row of its own, keyed like a new document's (agency, sender,
``DocumentId``, business type): a recall offered again does nothing; an update is applied again only when
its bytes differ (the row keeps the last update's sha256 and axis id). A replacement is a new document and
is keyed as one.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, AxisArrival, IncomingDocument, Role
from backend.domain.audit.services import record
from backend.domain.documents.errors import FileRejectedError
from backend.domain.exchange.axis_intake import PackageRefused, main_pdf, package_signer, take_in, urgency_of
from backend.domain.exchange.axis_status import UPDATE_APPLIED, UPDATE_REFUSED
from backend.domain.exchange.delivery import platform_actor
from backend.domain.exchange.edxml.codes import BusinessDocType
from backend.domain.exchange.edxml.model import Package
from backend.domain.exchange.recall_answer import enqueue_answer, enqueue_notify, notice_recall
from backend.domain.incoming.notify import role_holders
from backend.domain.incoming.sender_update import NotOpenError, SenderUpdate, apply_sender_update
from backend.domain.incoming.services import IncomingService
from backend.domain.incoming.workflow import OPEN, STATE_LABELS, Event, State
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder

__all__ = ["take_change"]

_ACTOR = "lienthong"


def _target(package: Package) -> str:
    return package.business.document_id or package.document_id


def _reference(package: Package) -> str:
    return f"{package.code.number}/{package.code.notation}"


async def _received(db: AsyncSession, agency: Agency, sender: str, document_id: str) -> AxisArrival | None:
    """The arrival of the document ``document_id`` of ``sender`` that ``agency`` received (new or replacement)."""
    found: AxisArrival | None = await db.scalar(
        sa.select(AxisArrival).where(AxisArrival.agency_id == agency.id, AxisArrival.sender_code == sender,
                                     AxisArrival.document_id == document_id, AxisArrival.incoming_id.is_not(None))
        .order_by(AxisArrival.id.desc()).limit(1))
    return found


async def _package_row(db: AsyncSession, agency: Agency, package: Package, axis_doc_id: str,
                       sha256: str) -> tuple[AxisArrival, bool]:
    """The recall/update package's own arrival row; ``True`` when it is new."""
    business = int(package.business.doc_type)
    row: AxisArrival | None = await db.scalar(sa.select(AxisArrival).where(
        AxisArrival.agency_id == agency.id, AxisArrival.sender_code == package.sender.organ_id,
        AxisArrival.document_id == _target(package), AxisArrival.business_type == business))
    if row is not None:
        return row, False
    row = AxisArrival(agency_id=agency.id, sender_code=package.sender.organ_id, document_id=_target(package)[:100],
                      business_type=business, axis_doc_id=axis_doc_id, package_sha256=sha256, incoming_id=None,
                      received_at=clock.now())
    db.add(row)
    return row, True


async def take_change(db: AsyncSession, settings: Settings, urls: UrlBuilder, package: Package, agency: Agency,
                      axis_doc_id: str, package_sha256: str) -> None:
    """Apply a recall, update or replace package for ``agency``.

    Raises:
        PackageRefused: a recall or update of a document ``agency`` never received (nothing stored).
    """
    kind = package.business.doc_type
    if kind is BusinessDocType.REPLACE:
        await _replace(db, settings, urls, package, agency, axis_doc_id, package_sha256)
        return
    original = await _received(db, agency, package.sender.organ_id, _target(package))
    if original is None or original.incoming_id is None:
        key = "recall_unknown" if kind is BusinessDocType.RECALL else "update_unknown"
        raise PackageRefused(t(f"exchange.axis.in.{key}", document_id=_target(package)))
    row, new = await _package_row(db, agency, package, axis_doc_id, package_sha256)
    if not new and (kind is BusinessDocType.RECALL or row.package_sha256 == package_sha256):
        return  # the same package offered again
    row.axis_doc_id, row.package_sha256 = axis_doc_id, package_sha256
    incoming = await db.get(IncomingDocument, original.incoming_id)
    assert incoming is not None
    links = _links(urls)
    if kind is BusinessDocType.RECALL:
        await notice_recall(db, links, incoming, original, package.business.reason, _reference(package))
    else:
        await _update(db, settings, urls, package, agency, incoming)
    await record(db, "exchange.axis_change_received", actor_name=_ACTOR, agency_id=agency.id,
                 object_type="incoming", object_id=incoming.id,
                 detail={"business_type": int(kind), "document_id": _target(package), "axis_doc_id": axis_doc_id,
                         "package_sha256": package_sha256, "reason": package.business.reason[:500]})
    await db.flush()


def _links(urls: UrlBuilder) -> Callable[[int], str]:
    return lambda doc_id: urls("incoming.detail", doc_id=doc_id)


async def _update(db: AsyncSession, settings: Settings, urls: UrlBuilder, package: Package, agency: Agency,
                  incoming: IncomingDocument) -> None:
    try:
        pdf = main_pdf(package)
    except PackageRefused:
        pdf = None  # a metadata-only update
    upload = UploadFile(content_type="application/pdf", filename=pdf.name or "van-ban.pdf",
                        file_data=pdf.data) if pdf is not None else None
    update = SenderUpdate(summary=package.subject, signer_position=package_signer(package),
                          signer_name=package.signer.full_name, urgency=urgency_of(package),
                          reply_by_on=package.due_date, file=upload)
    service = IncomingService(db, settings, links=_links(urls))
    try:
        async with db.begin_nested():
            changes = await apply_sender_update(service, platform_actor(agency), incoming.id, update)
    except NotOpenError as exc:
        await enqueue_answer(db, incoming.id, UPDATE_REFUSED,
                             t("exchange.axis.update.refused_closed", state=STATE_LABELS[exc.state]))
        return
    except FileRejectedError as exc:
        await enqueue_answer(db, incoming.id, UPDATE_REFUSED, exc.message)
        return
    await enqueue_answer(db, incoming.id, UPDATE_APPLIED)
    clerks = await role_holders(db, agency.id, Role.CLERK)
    if clerks and changes:
        await enqueue_notify(db, clerks, t("exchange.axis.notify.updated", reference=_reference(package)),
                             "; ".join(changes), urls("incoming.detail", doc_id=incoming.id))


async def _replace(db: AsyncSession, settings: Settings, urls: UrlBuilder, package: Package, agency: Agency,
                   axis_doc_id: str, package_sha256: str) -> None:
    created = await take_in(db, settings, urls, package, agency, axis_doc_id, package_sha256)
    if created is None:
        return  # the same replacement offered again
    replaced = []
    for replacement in package.business.replacements:
        if replacement.organ_ids and agency.organ_id not in replacement.organ_ids:
            continue
        old = await _received(db, agency, package.sender.organ_id, replacement.document_id)
        if old is not None and old.incoming_id not in (None, created.id):
            replaced.append(old)
    if not replaced:
        return
    arrival = await db.scalar(sa.select(AxisArrival).where(AxisArrival.incoming_id == created.id))
    assert arrival is not None
    arrival.replaces_id = replaced[0].incoming_id
    reason = t("exchange.axis.history.replaced_by", reference=_reference(package),
               issued_on=package.promulgation_date.strftime("%d/%m/%Y"))
    service, actor, notes = IncomingService(db, settings, links=_links(urls)), platform_actor(agency), []
    for old in replaced:
        incoming = await db.get(IncomingDocument, old.incoming_id)
        assert incoming is not None
        notes.append(t("exchange.axis.in.replaces_note", reference=f"{incoming.code_number}/{incoming.code_notation}"))
        await notice_recall(db, _links(urls), incoming, old, reason, f"{incoming.code_number}/{incoming.code_notation}",
                            notify_key="exchange.axis.notify.replaced")
        if State(incoming.state) in OPEN:
            await service.apply(incoming.id, Event.CANCEL, actor, reason=reason, answering_recall=True)
            old.recall_confirmed_at = clock.now()
    created.description = " ".join([created.description, *notes])[:500]
    await record(db, "exchange.axis_replaced", actor_name=_ACTOR, agency_id=agency.id, object_type="incoming",
                 object_id=created.id, detail={"replaces": [old.incoming_id for old in replaced],
                                               "document_id": package.document_id, "axis_doc_id": axis_doc_id})
    await db.flush()
