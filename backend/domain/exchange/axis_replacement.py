"""The business part of an issued document's axis package: new (0), or replace (3) (domain.md §8.3, Đ.18.3).

A document issued as the replacement (thay thế) of an earlier one of the agency tells each axis recipient
that had received the earlier one which document it replaces: ``Bussiness/BussinessDocType`` 3 with
``ReplacementInfoList/ReplacementInfo`` (the earlier ``DocumentId``, and the recipient's code in
``OrganIdList``). The recipient cancels the earlier document and answers 15 (or 16 when it can no longer be
cancelled) about it. Any other document -- amending (sửa đổi) or not correcting one, or a recipient the
earlier document never reached -- goes as a new document.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, DeliveryStatus, DirectoryAgency, OutgoingDocument, OutgoingRecipient
from backend.db.models.outgoing import ReplaceKind
from backend.domain.exchange.edxml.codes import BusinessDocType
from backend.domain.exchange.edxml.model import Business, Replacement, document_id

__all__ = ["business_of"]

_NOT_SENT = (DeliveryStatus.QUEUED, DeliveryStatus.FAILED)


async def business_of(db: AsyncSession, doc: OutgoingDocument, entry: DirectoryAgency, identifier: str) -> Business:
    """``Bussiness`` of the package of ``doc`` (``DocumentId`` ``identifier``) for the axis recipient ``entry``."""
    new = Business(doc_type=BusinessDocType.NEW, document_id=identifier)
    if doc.replaces_id is None or doc.replace_kind != ReplaceKind.REPLACE:
        return new
    earlier = await db.get(OutgoingDocument, doc.replaces_id)
    if earlier is None or earlier.issued_on is None:
        return new
    reached = await db.scalar(sa.select(OutgoingRecipient.id).where(
        OutgoingRecipient.outgoing_id == earlier.id, OutgoingRecipient.directory_id == entry.id,
        OutgoingRecipient.status.not_in(_NOT_SENT)).limit(1))
    sender = await db.get(Agency, earlier.agency_id)
    if reached is None or sender is None:
        return new
    replaced = document_id(sender.organ_id, earlier.issued_on, earlier.code_number, earlier.code_notation)
    return Business(doc_type=BusinessDocType.REPLACE, document_id=identifier,
                    replacements=(Replacement(document_id=replaced, organ_ids=(entry.code,)),))
