"""The edXML package of an issued outgoing document for one axis recipient (domain.md §8.3, §16).

:func:`package_of` maps the issued document onto :class:`~.edxml.model.Package`: the sender is
the issuing agency (its QCVN 102 code, name, address), the recipient the directory entry, the
``DocumentId`` built as the standard says (:func:`~.edxml.model.document_id`), the sealed PDF and
its sealed separate-file appendices attached base64 in their order, urgency mapped to
``OtherInfo/Priority``, the reply-by date to ``DueDate``, and the incoming document answered (if
any) to ``ResponseFor``. :func:`package_builder` gives the :data:`~.axis_delivery.PackageBuilder` the
outbox's delivery uses; a value that does not fit QCVN 102 raises :class:`~.edxml.errors.EdxmlError`
(the delivery marks the line failed with its reason; a retry would not help).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import (
    Agency,
    DirectoryAgency,
    DocumentType,
    IncomingDocument,
    OutgoingAppendix,
    OutgoingDocument,
    OutgoingRecipient,
    StoredFile,
    Urgency,
)
from backend.domain.documents.files import blob_store
from backend.domain.exchange.axis_replacement import business_of
from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.codes import Priority
from backend.domain.exchange.edxml.model import (
    Attachment,
    Code,
    Organ,
    OtherInfo,
    Package,
    ResponseFor,
    SignerInfo,
    TraceHeader,
)
from backend.domain.exchange.edxml.model import (
    DocumentType as EdxmlDocumentType,
)
from backend.domain.exchange.edxml.model import (
    document_id as edxml_document_id,
)
from backend.domain.organizations.signer_block import competence
from backend.lib import clock

__all__ = ["PRIORITY_OF", "package_builder", "package_of"]

PRIORITY_OF = {Urgency.NORMAL: Priority.NORMAL, Urgency.KHAN: Priority.URGENT,
               Urgency.THUONG_KHAN: Priority.VERY_URGENT, Urgency.HOA_TOC: Priority.EXPRESS}
"""Our urgency → ``OtherInfo/Priority`` (domain.md §3.9)."""

PDF = "application/pdf"


async def _attachments(settings: Settings, db: AsyncSession, doc: OutgoingDocument) -> tuple[Attachment, ...]:
    store = blob_store(settings)
    main = await db.get(StoredFile, doc.main_file_id)
    assert main is not None
    files = [(main, "")]
    appendices = (await db.scalars(sa.select(OutgoingAppendix).where(OutgoingAppendix.outgoing_id == doc.id)
                                   .order_by(OutgoingAppendix.ordinal))).all()
    for appendix in appendices:
        stored = await db.get(StoredFile, appendix.sealed_file_id or appendix.file_id)
        assert stored is not None
        files.append((stored, appendix.title))
    attachments = []
    for position, (stored, description) in enumerate(files, start=1):
        attachments.append(Attachment(content_id=f"cid:{position}", name=stored.filename, content_type=PDF,
                                      description=description[:500], data=await store.read_bytes(stored.sha256)))
    return tuple(attachments)


async def _response_for(db: AsyncSession, doc: OutgoingDocument) -> tuple[ResponseFor, ...]:
    if doc.reply_to_incoming_id is None:
        return ()
    answered = await db.get(IncomingDocument, doc.reply_to_incoming_id)
    if answered is None:
        return ()
    issuer = await db.get(Agency, answered.issuer_agency_id) if answered.issuer_agency_id else None
    organ_id = issuer.organ_id if issuer is not None else ""
    identifier = answered.document_identifier or ""
    if not organ_id and identifier.count(",") >= 2:  # an axis arrival names its sender in its DocumentId
        organ_id = identifier.split(",", 1)[0]
    if not organ_id:
        return ()
    code = f"{answered.code_number}/{answered.code_notation}" if answered.code_notation else answered.code_number
    return (ResponseFor(organ_id=organ_id, code=code, promulgation_date=answered.issued_on, document_id=identifier),)


async def package_of(settings: Settings, db: AsyncSession, doc: OutgoingDocument,
                     entry: DirectoryAgency) -> Package:
    """The package of issued ``doc`` addressed to ``entry``: business type 0, or 3 when it replaces a document
    that reached ``entry`` (:func:`.axis_replacement.business_of`)."""
    sender = await db.get(Agency, doc.agency_id)
    doc_type = await db.get(DocumentType, doc.document_type_id)
    assert sender is not None and doc_type is not None and doc.issued_on is not None
    parent = await db.get(Agency, sender.parent_id) if sender.parent_id else None
    identifier = edxml_document_id(sender.organ_id, doc.issued_on, doc.code_number, doc.code_notation)
    attachments = await _attachments(settings, db, doc)
    return Package(
        sender=Organ(organ_id=sender.organ_id, name=sender.name,
                     organization_in_charge=parent.name if parent is not None else "",
                     address=sender.address or "", email=sender.email or "", telephone=(sender.phone or "")[:20]),
        recipients=(Organ(organ_id=entry.code, name=entry.display_name[:200]),),
        document_id=identifier, code=Code(doc.code_number, doc.code_notation),
        promulgation_place=sender.place_name, promulgation_date=doc.issued_on,
        document_type=EdxmlDocumentType(type=doc_type.code, type_name=doc_type.name), subject=doc.summary,
        signer=SignerInfo(competence=competence(doc.signing_authority, sender), position=doc.signer_position,
                          full_name=doc.signer_name),
        due_date=doc.reply_by_on,
        other_info=OtherInfo(priority=int(PRIORITY_OF.get(Urgency(doc.urgency), Priority.NORMAL)),
                             page_amount=doc.page_count or None,
                             appendixes=tuple(a.description for a in attachments[1:] if a.description)),
        response_for=await _response_for(db, doc),
        traces=(TraceHeader(sender.organ_id, clock.to_local(clock.now()).replace(tzinfo=None, microsecond=0)),),
        business=await business_of(db, doc, entry, identifier),
        attachments=attachments)


def package_builder(settings: Settings) -> Callable[[AsyncSession, OutgoingDocument, OutgoingRecipient,
                                                     DirectoryAgency], Awaitable[bytes]]:
    """The :data:`~.axis_delivery.PackageBuilder` for ``settings`` (blobs read from its store)."""

    async def build_for(db: AsyncSession, doc: OutgoingDocument, _recipient: OutgoingRecipient,
                        entry: DirectoryAgency) -> bytes:
        return build(await package_of(settings, db, doc, entry))

    return build_for

