"""The business part of an issued document's axis package: new (0), or replace (3) (domain.md §8.3, Đ.18.3).

A document issued as the replacement (thay thế) of an earlier one of the agency tells each axis recipient
that had received the earlier one which document it replaces: ``Bussiness/BussinessDocType`` 3 with
``ReplacementInfoList/ReplacementInfo`` (the earlier ``DocumentId``, and the recipient's code in
``OrganIdList``). The recipient cancels the earlier document and answers 15 (or 16 when it can no longer be
cancelled) about it: once the package has left, the earlier document's line to that recipient is
``recall_requested`` (:func:`await_replaced_answer`), and the answer moves it to ``recalled`` or
``recall_refused`` with the reason, as the answer to a recall does. Any other document -- amending (sửa đổi) or not
correcting one, or a recipient the earlier document never reached -- goes as a new document.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, DeliveryStatus, DirectoryAgency, OutgoingDocument, OutgoingRecipient
from backend.db.models.outgoing import ReplaceKind
from backend.domain.exchange.edxml.codes import BusinessDocType
from backend.domain.exchange.edxml.model import Business, Replacement, document_id
from backend.lib import clock

__all__ = ["await_replaced_answer", "business_of"]

_NOT_SENT = (DeliveryStatus.QUEUED, DeliveryStatus.FAILED)


async def _reached_line(db: AsyncSession, doc: OutgoingDocument, entry: DirectoryAgency
                        ) -> tuple[OutgoingDocument, OutgoingRecipient] | None:
    """The earlier document ``doc`` replaces and its line to ``entry``, when that line's package left."""
    if doc.replaces_id is None or doc.replace_kind != ReplaceKind.REPLACE:
        return None
    earlier = await db.get(OutgoingDocument, doc.replaces_id)
    if earlier is None or earlier.issued_on is None:
        return None
    line: OutgoingRecipient | None = await db.scalar(sa.select(OutgoingRecipient).where(
        OutgoingRecipient.outgoing_id == earlier.id, OutgoingRecipient.directory_id == entry.id,
        OutgoingRecipient.status.not_in(_NOT_SENT)).order_by(OutgoingRecipient.id).limit(1))
    return (earlier, line) if line is not None else None


async def business_of(db: AsyncSession, doc: OutgoingDocument, entry: DirectoryAgency, identifier: str) -> Business:
    """``Bussiness`` of the package of ``doc`` (``DocumentId`` ``identifier``) for the axis recipient ``entry``."""
    new = Business(doc_type=BusinessDocType.NEW, document_id=identifier)
    reached = await _reached_line(db, doc, entry)
    if reached is None:
        return new
    earlier = reached[0]
    sender = await db.get(Agency, earlier.agency_id)
    if sender is None or earlier.issued_on is None:
        return new
    replaced = document_id(sender.organ_id, earlier.issued_on, earlier.code_number, earlier.code_notation)
    return Business(doc_type=BusinessDocType.REPLACE, document_id=identifier,
                    replacements=(Replacement(document_id=replaced, organ_ids=(entry.code,)),))


async def await_replaced_answer(db: AsyncSession, doc: OutgoingDocument, entry: DirectoryAgency) -> None:
    """The replace package of ``doc`` left for ``entry``: the earlier document's line awaits the answer.

    The recipient answers about the earlier document with the recall pair (15 cancelled, 16 refused with the
    reason); the line is ``recall_requested`` until then, so that answer moves it as a recall's would.
    """
    reached = await _reached_line(db, doc, entry)
    if reached is None:
        return
    line = reached[1]
    if line.status not in (DeliveryStatus.RECALLED, DeliveryStatus.RECALL_REQUESTED):
        line.status, line.status_at = DeliveryStatus.RECALL_REQUESTED, clock.now()
