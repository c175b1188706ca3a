"""The recall package of an issued document for one axis recipient (edXML business type 1, domain.md §8.3).

:func:`recall_package` describes the recalled document exactly as its new-document package did
(:func:`.axis_package.package_of`: sender, recipient, ``DocumentId``, number, symbol, date, subject,
signer) with ``Bussiness/BussinessDocType`` 1, the same ``DocumentId`` in ``Bussiness/DocumentId`` and
the reason in ``BussinessDocReason``; no file travels with it. The recipient answers 15 (recall accepted)
or 16 (refused, with its reason), which :func:`.axis_status.apply_received_status` puts on the line.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import DirectoryAgency, OutgoingDocument
from backend.domain.exchange.axis_package import package_of
from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.codes import BusinessDocType
from backend.domain.exchange.edxml.model import Business

__all__ = ["recall_package"]

_REASON_MAX = 500


async def recall_package(settings: Settings, db: AsyncSession, doc: OutgoingDocument, entry: DirectoryAgency,
                         reason: str) -> bytes:
    """The unsigned .edxml recall of ``doc`` addressed to ``entry``.

    Raises:
        EdxmlError: a value of ours does not fit QCVN 102 (as for the new-document package).
    """
    package = await package_of(settings, db, doc, entry)
    business = Business(doc_type=BusinessDocType.RECALL, document_id=package.document_id,
                        reason=reason[:_REASON_MAX])
    return build(replace(package, business=business, attachments=()))
