"""The receiving side of a platform delivery, as seen by the incoming domain and by the sender.

Incoming queues ``exchange.status`` (:mod:`.kinds`) after every transition; the handler ignores
documents that did not come through the platform. Read by the incoming pages:

* :func:`receipt_view` -- what the document page shows: each signature's verdict in plain words,
  for the main file and for every separate-file appendix, the recall notice, and the sender's
  reference;
* :func:`ensure_readable` -- the file and page-image endpoints refuse a recalled document's content
  (410) while its metadata stays (unless the clerk refused the recall);
* :func:`replies_to` -- outgoing documents of the actor's agency that answer this incoming one.

:func:`apply_status` (the job) maps the recipient's incoming state onto the sender's per-recipient
status (domain.md §8.4): received → arrived, registered/submitted → accepted, assigned → assigned,
in_progress → processing, completed → done, returned → returned (with the reason), cancelled → recalled,
a refused recall → recall_refused (with the reason); codes only move forward, except ``returned``, and a
line awaiting its recall takes only the recall's answer. The recipient clerk's answers to a recall are in
:mod:`.recall_answer`.

Both views read the delivery record of the incoming document: its :class:`ExchangeReceipt` (platform) or
its :class:`~backend.db.models.AxisArrival` (axis), which carry the same verification and recall columns.

The receipt's ``verification`` column is a JSON list with one item per signature,
``{field, signer, organization, verdict, message, signed_at}``. Items of an appendix also carry
``attachment_id`` (the :class:`~backend.db.models.IncomingAttachment`); items without it are the
main file's, so reports written before appendices were delivered read the same. ``verified_ok``
is true only when every file passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    AxisArrival,
    DeliveryStatus,
    ExchangeReceipt,
    IncomingAttachment,
    OutgoingDocument,
    OutgoingRecipient,
    Role,
)
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.notify import role_holders
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.outgoing.policies import visible_outgoing
from backend.errors import AppError
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder
from backend.tasks.outbox import enqueue

__all__ = ["ATTACHMENT_KEY", "AttachmentCheck", "DeliveryRecord", "RecalledDocumentError", "ReceiptView", "advances",
           "apply_status", "delivery_record", "delivery_status_of", "ensure_readable", "move_line", "receipt_view",
           "replies_to"]

ATTACHMENT_KEY = "attachment_id"
"""Key of a verification item that belongs to an appendix (absent: the main file)."""

_FROM_STATE = {"received": DeliveryStatus.ARRIVED, "registered": DeliveryStatus.ACCEPTED,
               "submitted": DeliveryStatus.ACCEPTED, "assigned": DeliveryStatus.ASSIGNED,
               "in_progress": DeliveryStatus.PROCESSING, "completed": DeliveryStatus.DONE,
               "returned": DeliveryStatus.RETURNED, "recalled": DeliveryStatus.RECALLED,
               "cancelled": DeliveryStatus.RECALLED, "recall_refused": DeliveryStatus.RECALL_REFUSED}
_RECALL_ANSWERS = (DeliveryStatus.RECALLED, DeliveryStatus.RECALL_REFUSED)
_RANK = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.ARRIVED: 2, DeliveryStatus.ACCEPTED: 3,
         DeliveryStatus.ASSIGNED: 4, DeliveryStatus.PROCESSING: 5, DeliveryStatus.DONE: 6}


def delivery_status_of(state: str) -> DeliveryStatus | None:
    """The sender's per-recipient status for the recipient's incoming ``state`` (``None``: not reported)."""
    return _FROM_STATE.get(state)


def advances(current: DeliveryStatus, status: DeliveryStatus) -> bool:
    """Whether a line at ``current`` moves to ``status`` (§8.4): codes only move forward, except a return;
    a recalled line stays recalled, one awaiting its recall only takes the recall's answer (15 or 16), and
    that answer moves no other line."""
    if current is DeliveryStatus.RECALLED:
        return False
    if current is DeliveryStatus.RECALL_REQUESTED:
        return status in _RECALL_ANSWERS
    if status in _RECALL_ANSWERS:
        return False
    return not (status in _RANK and current in _RANK and _RANK[status] <= _RANK[current])


class RecalledDocumentError(AppError):
    """The sender recalled this document: its content is no longer available (metadata kept)."""

    code = "DOC_RECALLED"
    status_code = 410
    message_key = "exchange.recalled"


@dataclass(frozen=True, slots=True)
class AttachmentCheck:
    """The signature check of one received appendix: ``ok`` only when every signature on it is valid."""

    ok: bool
    checks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReceiptView:
    """What the recipient's document page shows about a platform delivery.

    ``verified_ok`` covers every file; ``checks`` are the main file's signatures and
    ``attachments`` the appendices' checks by attachment id.
    """

    verified_ok: bool | None
    checks: list[dict[str, Any]] = field(default_factory=list)
    recall_requested_at: datetime | None = None
    recall_reason: str = ""
    recall_confirmed_at: datetime | None = None
    return_reason: str = ""
    attachments: dict[int, AttachmentCheck] = field(default_factory=dict)
    recall_refused_at: datetime | None = None
    recall_refusal: str = ""

    @property
    def recalled(self) -> bool:
        """The sender recalled it and the clerk did not refuse: its content is withdrawn."""
        return self.recall_requested_at is not None and self.recall_refused_at is None


DeliveryRecord = ExchangeReceipt | AxisArrival
"""How an incoming document came from another agency: a platform receipt or an axis arrival."""


async def delivery_record(db: AsyncSession, incoming_id: int) -> DeliveryRecord | None:
    """The platform receipt or the axis arrival of ``incoming_id`` (``None``: not received from an agency)."""
    receipt = await db.get(ExchangeReceipt, incoming_id)
    if receipt is not None:
        return receipt
    arrival: AxisArrival | None = await db.scalar(sa.select(AxisArrival).where(AxisArrival.incoming_id == incoming_id))
    return arrival


async def receipt_view(db: AsyncSession, incoming_id: int) -> ReceiptView | None:
    """The delivery facts of an incoming document (``None`` when it did not come from another agency)."""
    receipt = await delivery_record(db, incoming_id)
    if receipt is None:
        return None
    items: list[dict[str, Any]] = json.loads(receipt.verification) if receipt.verification else []
    checks = [c for c in items if not c.get(ATTACHMENT_KEY)]
    grouped: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        if item.get(ATTACHMENT_KEY):
            grouped.setdefault(int(item[ATTACHMENT_KEY]), []).append(item)
    positions: dict[int, int] = dict((await db.execute(sa.select(IncomingAttachment.id, IncomingAttachment.position)
                                                       .where(IncomingAttachment.incoming_id == incoming_id)))
                                     .tuples().all()) if grouped else {}

    def problem(check: dict[str, Any]) -> str:
        return str(check["message"]) + (f" ({check['signer']})" if check.get("signer") else "")

    failed = [problem(c) for c in checks if c.get("verdict") != "valid"]
    for attachment_id, group in sorted(grouped.items(), key=lambda pair: positions.get(pair[0], 0)):
        failed += [t("exchange_attachments.verify.problem", position=positions.get(attachment_id, "?"),
                     problem=problem(c)) for c in group if c.get("verdict") != "valid"]
    attachments = {attachment_id: AttachmentCheck(all(c.get("verdict") == "valid" for c in group), group)
                   for attachment_id, group in grouped.items()}
    return ReceiptView(receipt.verified_ok, checks, receipt.recall_requested_at, receipt.recall_reason,
                       receipt.recall_confirmed_at, t("exchange.verify.return_reason", problems="; ".join(failed))
                       if failed else "", attachments, receipt.recall_refused_at, receipt.recall_refusal)


async def ensure_readable(db: AsyncSession, incoming_id: int) -> None:
    """Raises :class:`RecalledDocumentError` when the document's sender recalled it (and it was not refused)."""
    receipt = await delivery_record(db, incoming_id)
    if receipt is not None and receipt.recall_requested_at is not None and receipt.recall_refused_at is None:
        raise RecalledDocumentError()


async def replies_to(db: AsyncSession, actor: Actor, incoming_id: int) -> list[OutgoingDocument]:
    """Outgoing documents of the actor's agency (visible to the actor) that answer ``incoming_id``."""
    return list((await db.scalars(visible_outgoing(actor).where(
        OutgoingDocument.reply_to_incoming_id == incoming_id).order_by(OutgoingDocument.id))).all())


async def apply_status(db: AsyncSession, urls: UrlBuilder, incoming_id: int, state: str, reason: str = "") -> None:
    """Move the sender's recipient line forward (job ``exchange.status``)."""
    receipt = await db.get(ExchangeReceipt, incoming_id)
    status = _FROM_STATE.get(state)
    if receipt is None or status is None:
        return
    recipient = await db.get(OutgoingRecipient, receipt.recipient_id)
    assert recipient is not None
    if not advances(DeliveryStatus(recipient.status), status):
        return
    receipt.last_status = state
    await move_line(db, urls, recipient, status, reason, receipt.recall_confirmed_at)


async def move_line(db: AsyncSession, urls: UrlBuilder, recipient: OutgoingRecipient, status: DeliveryStatus,
                    reason: str = "", recall_confirmed_at: datetime | None = None) -> None:
    """Set the line's new ``status`` (already checked with :func:`advances`); a return or a recall's
    answer tells the sender's clerks and the drafter (a return or a refusal with its reason)."""
    recipient.status, recipient.status_at = status, clock.now()
    if status in (DeliveryStatus.RETURNED, DeliveryStatus.RECALL_REFUSED):
        recipient.status_note = reason
    if status is DeliveryStatus.RECALLED:
        recipient.recall_confirmed_at = recall_confirmed_at or clock.now()
    if status in (DeliveryStatus.RETURNED, *_RECALL_ANSWERS):
        doc = await db.get(OutgoingDocument, recipient.outgoing_id)
        assert doc is not None
        people = await role_holders(db, doc.agency_id, Role.CLERK) + [doc.drafter_id]
        await enqueue(db, NOTIFY, Notify(user_ids=sorted(set(people)), url=urls("outgoing.detail", doc_id=doc.id),
                                         title=t(f"exchange.notify.status_{status.value}", recipient=recipient.name,
                                                 reference=f"{doc.code_number}/{doc.code_notation}")[:200],
                                         body=reason[:1000]))
    await db.flush()
