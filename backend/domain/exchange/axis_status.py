"""Status messages over the axis, both ways (domain.md §8.4, §16.3).

Out: :func:`answer_over_axis` is the axis half of the ``exchange.status`` job. When an incoming document
came from the axis (it has an :class:`~backend.db.models.AxisArrival`), its new state is reported to the
sender as a status message: received 01, registered 03, assigned 04, handling started 05, done 06, returned
02 with the reason, and the answers to a recall or an update: cancelled (recall confirmed) or update applied
15, recall or update refused 16 with the reason. Codes only move forward (a second 03 on submission is not
sent), except 02 and the answers 15/16, which are not part of that order.
:func:`send_status` builds, seals (the package seal, as packages) and sends one message; the poller also uses it
to refuse a package (02).

In: :func:`apply_received_status` moves the sender's per-recipient line (the one of ours the message
answers, found by the ``DocumentId`` we built and the answering agency's code) with the same monotonic rule
as platform feedback (:func:`.receipts.advances`); a late lower code is ignored, a status for a package we
never sent is reported back to the caller as ``False``. 15 and 16 move only a line awaiting its recall
(``recalled``, or ``recall_refused`` with the reason in the line's note; clerks and drafter told).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, AxisArrival, DeliveryStatus, DirectoryAgency, OutgoingDocument, OutgoingRecipient
from backend.domain.audit.services import record
from backend.domain.exchange.axis_delivery import AxisDelivery
from backend.domain.exchange.axis_seal import seal_package
from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.codes import StatusCode
from backend.domain.exchange.edxml.model import Organ, ResponseFor, StatusMessage
from backend.domain.exchange.receipts import advances, delivery_status_of, move_line
from backend.lib import clock
from backend.lib.urls import UrlBuilder

__all__ = ["CODE_OF_STATUS", "UPDATE_APPLIED", "UPDATE_REFUSED", "answer_over_axis", "apply_received_status",
           "send_status"]

CODE_OF_STATUS = {DeliveryStatus.ARRIVED: StatusCode.ARRIVED, DeliveryStatus.RETURNED: StatusCode.REJECTED,
                  DeliveryStatus.ACCEPTED: StatusCode.ACCEPTED, DeliveryStatus.ASSIGNED: StatusCode.ASSIGNED,
                  DeliveryStatus.PROCESSING: StatusCode.PROCESSING, DeliveryStatus.DONE: StatusCode.DONE,
                  DeliveryStatus.RECALLED: StatusCode.AGREED, DeliveryStatus.RECALL_REFUSED: StatusCode.REFUSED}
"""The sender's per-recipient status ↔ the status code on the wire."""
_STATUS_OF_CODE = {code.value: status for status, code in CODE_OF_STATUS.items()}
UPDATE_APPLIED, UPDATE_REFUSED = "update_applied", "update_refused"
"""``exchange.status`` states of an axis update package's answer (no platform counterpart)."""
_ANSWERS = {UPDATE_APPLIED: StatusCode.AGREED, UPDATE_REFUSED: StatusCode.REFUSED}
_UNORDERED = (StatusCode.REJECTED, StatusCode.AGREED, StatusCode.REFUSED)
_ACTOR = "lienthong"


async def send_status(settings: Settings, sender: Organ, answered: ResponseFor, code: StatusCode,
                      description: str = "") -> str:
    """Send one status message from our agency ``sender`` about the package ``answered``; the axis id.

    The message is sealed like a package (:func:`.axis_seal.seal_package`, the agency's package seal):
    the recipient checks its signature before it moves anything.

    Raises:
        AxisTransientError: the axis or the signing server could not be reached (the caller's job retries).
        NoCredentialError, SigningServiceError: the agency has no usable package seal.
        AxisPermanentError: the axis refused the message.
    """
    message = StatusMessage(sender=sender, response_for=answered, status_code=code.value,
                            timestamp=clock.to_local(clock.now()).replace(tzinfo=None, microsecond=0),
                            description=description[:500])
    sealed = await seal_package(settings, sender.organ_id, build(message))
    return await AxisDelivery(settings).send(sender.organ_id, sealed, messagetype="status")


def _code_of(state: str) -> StatusCode | None:
    if state in _ANSWERS:
        return _ANSWERS[state]
    status = delivery_status_of(state)
    return CODE_OF_STATUS.get(status) if status is not None else None


async def answer_over_axis(db: AsyncSession, settings: Settings, incoming_id: int, state: str,
                           reason: str = "") -> None:
    """Report the axis document ``incoming_id``'s new ``state`` to its sender (job ``exchange.status``)."""
    arrival = await db.scalar(sa.select(AxisArrival).where(AxisArrival.incoming_id == incoming_id))
    code = _code_of(state)
    if arrival is None or code is None or not settings.axis_url:
        return
    if arrival.last_status and code not in _UNORDERED and code.value <= arrival.last_status:
        return
    agency = await db.get(Agency, arrival.agency_id)
    assert agency is not None
    answered = ResponseFor(organ_id=arrival.sender_code, document_id=arrival.document_id)
    axis_id = await send_status(settings, Organ(organ_id=agency.organ_id, name=agency.name), answered, code, reason)
    if code not in (StatusCode.AGREED, StatusCode.REFUSED):  # answers to a recall/update: outside the order
        arrival.last_status = code.value
    await record(db, "exchange.axis_status_sent", actor_name=_ACTOR, agency_id=agency.id, object_type="incoming",
                 object_id=incoming_id, detail={"code": code.value, "to": arrival.sender_code, "axis_doc_id": axis_id})
    await db.flush()


def _split_document_id(document_id: str) -> tuple[str, date, str, str] | None:
    """``<OrganId>,<yyyy/MM/dd>,<number>/<notation>`` → its parts (``None`` when it is not one)."""
    parts = document_id.split(",", 2)
    if len(parts) != 3 or "/" not in parts[2]:
        return None
    try:
        year, month, day = (int(x) for x in parts[1].split("/"))
        issued = date(year, month, day)
    except ValueError:
        return None
    number, notation = parts[2].split("/", 1)
    return parts[0], issued, number, notation


async def _line_answered(db: AsyncSession, message: StatusMessage) -> OutgoingRecipient | None:
    parts = _split_document_id(message.response_for.document_id)
    if parts is None:
        return None
    organ_id, issued, number, notation = parts
    line: OutgoingRecipient | None = await db.scalar(
        sa.select(OutgoingRecipient).join(OutgoingDocument, OutgoingDocument.id == OutgoingRecipient.outgoing_id)
        .join(Agency, Agency.id == OutgoingDocument.agency_id)
        .join(DirectoryAgency, DirectoryAgency.id == OutgoingRecipient.directory_id)
        .where(Agency.organ_id == organ_id, OutgoingDocument.issued_on == issued,
               OutgoingDocument.code_number == number, OutgoingDocument.code_notation == notation,
               DirectoryAgency.code == message.sender.organ_id))
    return line


async def apply_received_status(db: AsyncSession, urls: UrlBuilder, message: StatusMessage) -> bool:
    """Move the line ``message`` answers; ``False`` when it answers no package of ours."""
    line = await _line_answered(db, message)
    if line is None:
        return False
    status = _STATUS_OF_CODE.get(message.status_code)
    moved = status is not None and advances(DeliveryStatus(line.status), status)
    doc = await db.get(OutgoingDocument, line.outgoing_id)
    assert doc is not None
    if status is not None and moved:
        await move_line(db, urls, line, status, message.description)
    await record(db, "exchange.axis_status_received", actor_name=_ACTOR, agency_id=doc.agency_id,
                 object_type="outgoing", object_id=doc.id,
                 detail={"recipient_id": line.id, "code": message.status_code, "applied": moved})
    await db.flush()
    return True
