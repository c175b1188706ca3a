"""Handing an issued document to its recipients, behind a small ``Delivery`` Protocol.

:class:`PlatformDelivery` serves agencies of this deployment: the recipient receives a new
incoming document in its clerk's queue (state ``received``, source electronic, urgency, reply-by
date and document identifier preserved), created through the incoming domain's own
:meth:`~backend.domain.incoming.services.IncomingService.intake` on behalf of the platform (no
person: ``received_by`` stays empty and the history names the platform). The sealed separate-file
appendices (domain.md §4.5, §11.3) travel with it as :class:`IncomingAttachment` rows, in the
sender's order, each on a stored-file row of its own that points at the same content-addressed
blob (nothing copied, nothing modified). On receipt every signature of the main file and of each
appendix is verified against the configured trust roots (§12.2) and the report is kept on an
:class:`ExchangeReceipt` (appendix items marked with ``attachment_id``, see :mod:`.receipts`),
which the recipient's document page shows in plain words.

:class:`~.axis_delivery.AxisDelivery` implements the same Protocol for agencies outside the
deployment (recipient lines pointing at an axis entry of the agency directory). ``delivery_for``
picks the implementation for a recipient.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import (
    Agency,
    DeliveryStatus,
    ExchangeReceipt,
    IncomingAttachment,
    IncomingDocument,
    OutgoingAppendix,
    OutgoingDocument,
    OutgoingRecipient,
    Role,
    StoredFile,
)
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import record
from backend.domain.documents.files import AcceptedFile, blob_store, create_stored_file
from backend.domain.exchange.axis_client import AxisTransientError
from backend.domain.exchange.axis_delivery import AxisDelivery, axis_delivery
from backend.domain.exchange.recall_answer import notice_recall
from backend.domain.exchange.receipts import ATTACHMENT_KEY
from backend.domain.incoming.notify import role_holders
from backend.domain.incoming.schemas import IntakeForm
from backend.domain.incoming.services import IncomingService
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.organizations.signer_block import competence, signer_title
from backend.domain.signing.verification import verify_pdf
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder
from backend.tasks.bus import JobContext
from backend.tasks.outbox import enqueue

__all__ = ["Delivery", "PlatformDelivery", "delivery_for", "platform_actor", "run_delivery", "run_recall",
           "trust_roots", "verify_received"]

class Delivery(Protocol):
    """How a document reaches one recipient agency and how a recall follows it."""

    async def deliver(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient) -> None:
        """Hand ``doc`` to ``recipient`` and set its status (``arrived`` or ``sent``)."""

    async def recall(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient,
                     reason: str) -> None:
        """Tell ``recipient`` that ``doc`` is recalled; its confirmation comes back as a status."""


def platform_actor(agency: Agency) -> Actor:
    """The platform acting as the receiving agency's registry (no person: ``user_id`` is ``None``)."""
    return Actor(user_id=None, username="lienthong", full_name=t("exchange.platform_actor"),  # type: ignore[arg-type]
                 position_title="", agency_id=agency.id, agency_name=agency.name, agency_organ_id=agency.organ_id,
                 unit_id=None, unit_name="", roles=frozenset({Role.CLERK}), agencies=((agency.id, agency.name),))


def trust_roots(settings: Settings) -> list[bytes]:
    """PEM roots of ``TRUST_ROOTS``; in demo mode the signing server's development CA."""
    paths = list(settings.trust_roots)
    demo_ca = settings.data_dir / "signing" / "dev-ca" / "ca.pem"
    if not paths and settings.is_demo and demo_ca.exists():
        paths = [demo_ca]
    return [Path(path).read_bytes() for path in paths]


async def verify_received(settings: Settings, pdf: bytes) -> tuple[bool, list[dict[str, str]]]:
    """Every signature of ``pdf`` checked (§12.2); ``(all valid, [{field, signer, verdict, message}])``."""
    report = await verify_pdf(pdf, trust_roots(settings))
    items = [{"field": c.field_name, "signer": c.signer_name, "organization": c.organization, "verdict": c.verdict,
              "message": c.message, "signed_at": clock.format_local(c.signing_time) if c.signing_time else ""}
             for c in report.signatures]
    if report.error or not items:
        items.append({"field": "", "signer": "", "organization": "", "verdict": "unsigned",
                      "message": t("exchange.verify.unsigned"), "signed_at": ""})
    return bool(report.all_valid and items and not report.error and all(i["verdict"] == "valid" for i in items)), items


class PlatformDelivery:
    """Recipients on this platform: a new incoming document in the recipient clerk's queue."""

    def __init__(self, settings: Settings, urls: UrlBuilder) -> None:
        self.settings = settings
        self.urls = urls

    def _incoming_url(self, incoming_id: int) -> str:
        return self.urls("incoming.detail", doc_id=incoming_id)

    async def deliver(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient) -> None:
        sender = await db.get(Agency, doc.agency_id)
        target = await db.get(Agency, recipient.recipient_agency_id)
        stored = await db.get(StoredFile, doc.main_file_id)
        assert sender is not None and target is not None and stored is not None and doc.issued_on is not None
        appendices = list((await db.scalars(sa.select(OutgoingAppendix).where(OutgoingAppendix.outgoing_id == doc.id)
                                            .order_by(OutgoingAppendix.ordinal))).all())
        note = t("exchange_attachments.note", count=len(appendices)) if appendices else ""
        form = IntakeForm(document_type_id=str(doc.document_type_id), code_number=doc.code_number,
                          code_notation=doc.code_notation, issuer_agency_id=str(sender.id), issuer_name=sender.name,
                          issued_on=doc.issued_on.isoformat(), summary=doc.summary,
                          signer_position=signer_title(competence(doc.signing_authority, sender),
                                                       doc.signer_position)[:100], signer_name=doc.signer_name,
                          urgency=str(doc.urgency), source="electronic",
                          reply_by_on=doc.reply_by_on.isoformat() if doc.reply_by_on else "",
                          document_identifier=doc.document_identifier or "", description=note,
                          confirm_duplicate="1", action="receive")
        accepted = AcceptedFile(stored.sha256, stored.size, stored.filename, stored.page_count)
        service = IncomingService(db, self.settings, links=self._incoming_url)
        actor = platform_actor(target)
        incoming = await service.intake(actor, form, accepted)
        pdf = await blob_store(self.settings).read_bytes(stored.sha256)
        ok, items = await verify_received(self.settings, pdf)
        checks: list[dict[str, Any]] = list(items)
        if appendices:
            attached_ok, attached = await self._attach(db, actor, incoming, appendices)
            ok, checks = ok and attached_ok, checks + attached
        db.add(ExchangeReceipt(incoming_id=incoming.id, recipient_id=recipient.id, verified_ok=ok,
                               verification=json.dumps(checks, ensure_ascii=False), last_status="received"))
        recipient.incoming_id = incoming.id
        recipient.status, recipient.status_at = DeliveryStatus.ARRIVED, clock.now()
        if incoming.priority == 0:  # urgent arrivals are already announced by the intake
            clerks = await role_holders(db, target.id, Role.CLERK)
            if clerks:
                await enqueue(db, NOTIFY, Notify(user_ids=clerks, title=t("exchange.notify.arrived",
                                                                          sender=sender.name)[:200],
                                                 body=doc.summary[:1000], url=self._incoming_url(incoming.id)))
        await db.flush()

    async def _attach(self, db: AsyncSession, actor: Actor, incoming: IncomingDocument,
                      appendices: list[OutgoingAppendix]) -> tuple[bool, list[dict[str, Any]]]:
        """The sealed appendices as attachments of ``incoming``, each verified; (all valid, receipt items)."""
        all_ok, checks, audit = True, [], []
        for appendix in appendices:
            source = await db.get(StoredFile, appendix.sealed_file_id or appendix.file_id)
            assert source is not None
            own = await create_stored_file(db, AcceptedFile(source.sha256, source.size, source.filename,
                                                            source.page_count, source.content_warning), None)
            attachment = IncomingAttachment(incoming_id=incoming.id, position=appendix.ordinal,
                                            title=appendix.title, file_id=own.id, created_at=clock.now())
            db.add(attachment)
            await db.flush()
            pdf = await blob_store(self.settings).read_bytes(source.sha256)
            ok, items = await verify_received(self.settings, pdf)
            all_ok = all_ok and ok
            checks += [{**item, ATTACHMENT_KEY: attachment.id} for item in items]
            audit.append({"position": appendix.ordinal, "sha256": source.sha256, "pages": source.page_count,
                          "verified_ok": ok, "verdicts": [item["verdict"] for item in items]})
        await record(db, "incoming.attachments_received", actor_name=actor.username, agency_id=incoming.agency_id,
                     object_type="incoming", object_id=incoming.id, detail={"attachments": audit})
        return all_ok, checks

    async def recall(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient,
                     reason: str) -> None:
        if recipient.incoming_id is None:
            recipient.status, recipient.status_at = DeliveryStatus.RECALLED, clock.now()
            return
        receipt = await db.get(ExchangeReceipt, recipient.incoming_id)
        incoming = await db.get(IncomingDocument, recipient.incoming_id)
        assert receipt is not None and incoming is not None
        await notice_recall(db, self._incoming_url, incoming, receipt, reason,
                            f"{doc.code_number}/{doc.code_notation}")


def delivery_for(settings: Settings, urls: UrlBuilder, recipient: OutgoingRecipient) -> Delivery:
    """The adapter serving ``recipient``: the national axis for a directory agency outside the deployment,
    else the platform."""
    if recipient.directory_id is not None:
        return axis_delivery(settings, urls)
    return PlatformDelivery(settings, urls)


async def _load(db: AsyncSession, recipient_id: int) -> tuple[OutgoingDocument, OutgoingRecipient] | None:
    recipient = await db.get(OutgoingRecipient, recipient_id)
    if recipient is None:
        return None
    doc = await db.get(OutgoingDocument, recipient.outgoing_id)
    assert doc is not None
    return doc, recipient


async def run_delivery(ctx: JobContext, recipient_id: int) -> None:
    """Deliver once: a line that already has its incoming document, or whose document was recalled, is skipped.

    An axis that cannot be reached raises (the outbox retries with backoff) until the job's last try, which
    marks the line failed with the reason instead of retrying without end.
    """
    loaded = await _load(ctx.db, recipient_id)
    if loaded is None:
        return
    doc, recipient = loaded
    if recipient.incoming_id is not None or recipient.status is not DeliveryStatus.QUEUED:
        return
    delivery = delivery_for(ctx.settings, ctx.urls, recipient)
    try:
        await delivery.deliver(ctx.db, doc, recipient)
    except AxisTransientError as exc:
        if not isinstance(delivery, AxisDelivery) or ctx.job.attempts < ctx.job.max_attempts:
            raise
        await delivery.give_up(ctx.db, doc, recipient, exc)


async def run_recall(ctx: JobContext, recipient_id: int, reason: str) -> None:
    """Pass the recall on (a recipient never reached is marked recalled at once); an axis that cannot be reached
    is retried until the job's last try, which leaves the reason on the line and tells the sender's people."""
    loaded = await _load(ctx.db, recipient_id)
    if loaded is None:
        return
    doc, recipient = loaded
    delivery = delivery_for(ctx.settings, ctx.urls, recipient)
    try:
        await delivery.recall(ctx.db, doc, recipient, reason)
    except AxisTransientError as exc:
        if not isinstance(delivery, AxisDelivery) or ctx.job.attempts < ctx.job.max_attempts:
            raise
        await delivery.give_up_recall(ctx.db, doc, recipient, exc)
