"""A received axis package becomes an incoming document of each of our agencies it is addressed to.

:func:`take_in` fills every intake field from the package's metadata (type by code or name, number,
symbol, issuer, date, subject, signer, urgency from ``Priority``, reply-by date from ``DueDate``, the
``DocumentId`` as the document identifier) and goes through the incoming domain's own
:meth:`~backend.domain.incoming.services.IncomingService.intake` on behalf of the platform, exactly as a
platform arrival (state ``received``: the clerk checks and registers). The main PDF is the first PDF
attachment, accepted through the same upload checks as a clerk's; its signatures are verified (§12.2) --
by the poller before the intake (:func:`.axis_verify.check_package`, which also checks the package
signature) -- and the report kept on the :class:`~backend.db.models.AxisArrival` row, which is also the idempotency
key: an agency that already has this (sender, ``DocumentId``, business type) gets nothing new.

A package the intake refuses raises :class:`PackageRefused` with the Vietnamese reason (for status 02).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, AxisArrival, DocumentType, IncomingDocument, Role, Urgency
from backend.domain.audit.services import record
from backend.domain.documents.errors import DuplicateDocumentError, IntakeRejectedError
from backend.domain.exchange.axis_package import PRIORITY_OF
from backend.domain.exchange.delivery import platform_actor, verify_received
from backend.domain.exchange.edxml.model import Attachment, Package
from backend.domain.exchange.kinds import STATUS, StatusChanged
from backend.domain.incoming.notify import role_holders
from backend.domain.incoming.schemas import IntakeForm
from backend.domain.incoming.services import IncomingService
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.organizations.signer_block import signer_title
from backend.errors import AppError
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder
from backend.tasks.outbox import enqueue

__all__ = ["PackageRefused", "main_pdf", "package_signer", "take_in", "urgency_of"]

_URGENCY_OF = {int(priority): urgency for urgency, priority in PRIORITY_OF.items()}
_URGENCY_OF[4] = Urgency.HOA_TOC  # "hỏa tốc hẹn giờ" is still hỏa tốc here


class PackageRefused(Exception):
    """The package cannot become an incoming document; ``reason`` goes into the status 02.

    ``kept`` names the blobs the refused intake had stored (its PDF), for the caller to discard after rolling back.
    """

    def __init__(self, reason: str, kept: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kept = kept


def urgency_of(package: Package) -> Urgency:
    """Our urgency for the package's ``OtherInfo/Priority``."""
    return _URGENCY_OF.get(package.other_info.priority, Urgency.NORMAL)


def package_signer(package: Package) -> str:
    """``Competence`` and ``Position`` of the signer as one title line (e.g. "KT. BỘ TRƯỞNG / THỨ TRƯỞNG")."""
    return signer_title(package.signer.competence, package.signer.position)[:100]


def main_pdf(package: Package) -> Attachment:
    for attachment in package.attachments:
        if attachment.content_type == "application/pdf" or attachment.name.lower().endswith(".pdf"):
            return attachment
    raise PackageRefused(t("exchange.axis.in.no_pdf"))


async def _type_id(db: AsyncSession, package: Package) -> int:
    wanted = package.document_type
    found = await db.scalar(sa.select(DocumentType.id).where(DocumentType.code == wanted.type,
                                                             DocumentType.is_active.is_(True)))
    if found is None and wanted.type_name:
        found = await db.scalar(sa.select(DocumentType.id).where(
            sa.func.lower(DocumentType.name) == wanted.type_name.lower(), DocumentType.is_active.is_(True)))
    if found is None:
        found = await db.scalar(sa.select(DocumentType.id).where(DocumentType.code == "cong_van"))
    if found is None:
        raise PackageRefused(t("exchange.axis.in.unknown_type", name=wanted.type_name or wanted.type))
    return int(found)


def _form(package: Package, type_id: int, pdf: Attachment) -> IntakeForm:
    signer = package.signer
    return IntakeForm(
        file=UploadFile(content_type="application/pdf", filename=pdf.name or "van-ban.pdf", file_data=pdf.data),
        document_type_id=str(type_id), code_number=package.code.number, code_notation=package.code.notation,
        issuer_name=package.sender.name or package.sender.organ_id, issued_on=package.promulgation_date.isoformat(),
        summary=package.subject, signer_position=package_signer(package),
        signer_name=signer.full_name or t("exchange.axis.in.signer_missing"),
        urgency=str(urgency_of(package)), source="electronic",
        reply_by_on=package.due_date.isoformat() if package.due_date else "",
        document_identifier=package.document_id[:100],
        description=t("exchange.axis.in.note", sender=package.sender.organ_id)[:500],
        confirm_duplicate="1", action="receive")


def _refusal(exc: AppError) -> str:
    if isinstance(exc, IntakeRejectedError) and exc.field_errors:
        return "; ".join(f"{field}: {message}" for field, message in exc.field_errors.items())
    return exc.message


async def take_in(db: AsyncSession, settings: Settings, urls: UrlBuilder, package: Package, agency: Agency,
                  axis_doc_id: str, package_sha256: str,
                  verified: tuple[bool, list[dict[str, str]]] | None = None) -> IncomingDocument | None:
    """The incoming document of ``agency`` for ``package`` (``None``: it already has it).

    ``verified`` is the verification already made before the intake (:func:`.axis_verify.check_package`);
    without it the main PDF is verified here.

    Raises:
        PackageRefused: the package does not make a valid incoming document (nothing stored).
    """
    business = int(package.business.doc_type)
    known = await db.scalar(sa.select(AxisArrival.id).where(
        AxisArrival.agency_id == agency.id, AxisArrival.sender_code == package.sender.organ_id,
        AxisArrival.document_id == package.document_id, AxisArrival.business_type == business))
    if known is not None:
        return None
    pdf = main_pdf(package)
    service = IncomingService(db, settings, links=lambda doc_id: urls("incoming.detail", doc_id=doc_id))
    try:
        async with db.begin_nested():
            incoming = await service.intake(platform_actor(agency), _form(package, await _type_id(db, package), pdf))
    except (IntakeRejectedError, DuplicateDocumentError) as exc:
        raise PackageRefused(_refusal(exc), kept=(exc.kept_file.sha256,) if exc.kept_file else ()) from None
    ok, checks = verified if verified is not None else await verify_received(settings, pdf.data)
    db.add(AxisArrival(agency_id=agency.id, sender_code=package.sender.organ_id, document_id=package.document_id,
                       business_type=business, axis_doc_id=axis_doc_id, package_sha256=package_sha256,
                       incoming_id=incoming.id, verified_ok=ok,
                       verification=json.dumps(checks, ensure_ascii=False), received_at=clock.now()))
    await record(db, "exchange.axis_received", actor_name="lienthong", agency_id=agency.id, object_type="incoming",
                 object_id=incoming.id, detail={"sender": package.sender.organ_id, "document_id": package.document_id,
                                                "axis_doc_id": axis_doc_id, "package_sha256": package_sha256,
                                                "verified_ok": ok})
    await enqueue(db, STATUS, StatusChanged(incoming_id=incoming.id, state="received"))
    if incoming.priority == 0:  # urgent arrivals are already announced by the intake
        clerks = await role_holders(db, agency.id, Role.CLERK)
        if clerks:
            await enqueue(db, NOTIFY, Notify(user_ids=clerks, title=t("exchange.notify.arrived",
                                                                      sender=package.sender.name)[:200],
                                             body=package.subject[:1000], url=urls("incoming.detail",
                                                                                    doc_id=incoming.id)))
    await db.flush()
    return incoming
