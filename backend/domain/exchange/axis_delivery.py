"""Delivery to agencies outside the deployment, over the national document axis (the ``Delivery`` Protocol).

:meth:`AxisDelivery.send` hands one .edxml package to the axis (``sendEdoc`` from our agency's
QCVN 102 code) and returns the axis's document id. :meth:`AxisDelivery.deliver` builds the package
of an issued document for one recipient with a :data:`PackageBuilder` (:func:`axis_delivery` wires
the real one, :func:`~.axis_package.package_builder`), ends the job's reads, signs the package with the
agency's package seal (:data:`PackageSealer`, :func:`~.axis_seal.seal_package`) and sends it.

Failures: an axis that cannot be reached raises :class:`AxisTransientError` (the outbox retries with
backoff); on the job's last try :meth:`AxisDelivery.give_up` marks the line ``failed`` with the reason
and tells the sender's clerks and the drafter. A refusal by the axis, or a value of ours that does not
fit QCVN 102, marks the line ``failed`` with the reason at once (a retry would not help). Every
outcome writes an audit row.

:meth:`AxisDelivery.recall` sends the recall package (:func:`.axis_recall_package.recall_package`) for a
line whose package left; the line stays ``recall_requested`` until the recipient answers 15 or 16. A line
whose package never left is recalled at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.engine import end_reads
from backend.db.models import Agency, DeliveryStatus, DirectoryAgency, OutgoingDocument, OutgoingRecipient, Role
from backend.domain.audit.services import record
from backend.domain.exchange.axis_client import AxisClient, AxisPermanentError, MessageType
from backend.domain.exchange.axis_package import package_builder
from backend.domain.exchange.axis_recall_package import recall_package
from backend.domain.exchange.axis_replacement import await_replaced_answer
from backend.domain.exchange.axis_seal import SealUnavailableError, seal_package
from backend.domain.exchange.edxml.errors import EdxmlError
from backend.domain.incoming.notify import role_holders
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.signing.credentials import NoCredentialError
from backend.domain.signing.errors import SigningServiceError
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder
from backend.tasks.outbox import enqueue

__all__ = ["AxisDelivery", "PackageBuilder", "PackageSealer", "axis_delivery"]

PackageBuilder = Callable[[AsyncSession, OutgoingDocument, OutgoingRecipient, DirectoryAgency], Awaitable[bytes]]
"""Builds the unsigned .edxml package of ``doc`` for one axis recipient."""
PackageSealer = Callable[[str, bytes], Awaitable[bytes]]
"""Signs an unsigned package with the package seal of the agency whose code is given (:func:`.axis_seal.seal_package`).
"""


class AxisDelivery:
    """Recipients on the national axis: the package goes out through ``sendEdoc``."""

    def __init__(self, settings: Settings, build_package: PackageBuilder | None = None,
                 urls: UrlBuilder | None = None, seal: PackageSealer | None = None) -> None:
        self.settings = settings
        self.build_package = build_package
        self.urls = urls
        self.seal = seal

    async def send(self, sender_code: str, package: bytes, messagetype: MessageType = "edoc") -> str:
        """Send ``package`` from agency code ``sender_code``; the axis document id.

        Raises:
            AxisNotConfigured: ``AXIS_URL`` is not set.
            AxisTransientError: the axis could not be reached (try again later).
            AxisPermanentError: the axis refused the package.
        """
        async with AxisClient.from_settings(self.settings) as axis:
            return await axis.sendEdoc(sender_code, package, messagetype=messagetype)

    async def _fail(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient, reason: str,
                    cause: str, *, action: str = "exchange.axis_delivery_failed",
                    title_key: str = "exchange.axis.notify.failed") -> None:
        """The reason on the line (a delivery: ``failed``; a recall keeps ``recall_requested``), audit, people told."""
        if action == "exchange.axis_delivery_failed":
            recipient.status = DeliveryStatus.FAILED
        recipient.status_at, recipient.status_note = clock.now(), reason
        await record(db, action, actor_name="lienthong", agency_id=doc.agency_id,
                     object_type="outgoing", object_id=doc.id,
                     detail={"recipient_id": recipient.id, "directory_id": recipient.directory_id, "cause": cause})
        people = sorted(set(await role_holders(db, doc.agency_id, Role.CLERK) + [doc.drafter_id]))
        if self.urls is not None and people:
            await enqueue(db, NOTIFY, Notify(user_ids=people, url=self.urls("outgoing.detail", doc_id=doc.id),
                                             title=t(title_key, recipient=recipient.name,
                                                     reference=f"{doc.code_number}/{doc.code_notation}")[:200],
                                             body=reason[:1000]))
        await db.flush()

    async def give_up_recall(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient,
                             error: Exception) -> None:
        """The recall job's last try could not reach the axis: the reason on the line (still awaiting its
        recall), people told."""
        reason = t("exchange.axis.recall_unreachable", name=recipient.name, error=str(error)[:300])
        await self._fail(db, doc, recipient, reason[:500], "unreachable", action="exchange.axis_recall_failed",
                         title_key="exchange.axis.notify.recall_failed")

    async def give_up(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient,
                      error: Exception) -> None:
        """The last try could not reach the axis either: the line is ``failed`` with the reason, people told."""
        sealing = isinstance(error, SealUnavailableError)
        key = "exchange.axis.seal_unreachable" if sealing else "exchange.axis.unreachable"
        reason = t(key, name=recipient.name, error=str(error)[:300])
        await self._fail(db, doc, recipient, reason[:500], "unreachable")

    async def deliver(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient) -> None:
        entry = await db.get(DirectoryAgency, recipient.directory_id) if recipient.directory_id else None
        sender = await db.get(Agency, doc.agency_id)
        assert entry is not None and sender is not None
        if not self.settings.axis_url:
            await self._fail(db, doc, recipient, t("exchange.axis.not_configured", name=entry.display_name),
                             "not_configured")
            return
        if self.build_package is None:
            await self._fail(db, doc, recipient, t("exchange.axis.not_wired", name=entry.display_name), "not_wired")
            return
        try:
            package = await self.build_package(db, doc, recipient, entry)
        except EdxmlError as exc:
            await self._fail(db, doc, recipient, t("exchange.axis.unfit", name=entry.display_name,
                                                   reason=exc.reason)[:500], "edxml")
            return
        await end_reads(db)  # no database lock is held while the signing server and the axis answer
        if self.seal is not None:
            try:
                package = await self.seal(sender.organ_id, package)
            except (SigningServiceError, NoCredentialError) as exc:  # SealUnavailableError: retried
                reason = exc.user_message if isinstance(exc, SigningServiceError) else exc.message
                await self._fail(db, doc, recipient, t("exchange.axis.unsealed", name=entry.display_name,
                                                       reason=reason)[:500], f"seal: {exc.code}")
                return
        try:
            doc_id = await self.send(sender.organ_id, package)
        except AxisPermanentError as exc:
            await self._fail(db, doc, recipient, t("exchange.axis.refused", name=entry.display_name,
                                                   reason=exc.message)[:500], f"refused: {exc.code}")
            return
        recipient.status, recipient.status_at, recipient.status_note = DeliveryStatus.SENT, clock.now(), ""
        await await_replaced_answer(db, doc, entry)
        await record(db, "exchange.axis_sent", actor_name="lienthong", agency_id=doc.agency_id,
                     object_type="outgoing", object_id=doc.id,
                     detail={"recipient_id": recipient.id, "code": entry.code, "axis_doc_id": doc_id,
                             "bytes": len(package)})
        await db.flush()

    async def recall(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient,
                     reason: str) -> None:
        """A line whose package never left is recalled at once; for one that left, the recall package (edXML
        business type 1) goes out and the line awaits the answer (15/16). A package that does not fit QCVN 102
        or that the axis refuses leaves the reason on the line.

        Raises:
            AxisTransientError: the axis could not be reached (the outbox retries).
        """
        entry = await db.get(DirectoryAgency, recipient.directory_id) if recipient.directory_id else None
        name = entry.display_name if entry is not None else recipient.name
        detail: dict[str, object] = {"recipient_id": recipient.id, "reason": reason[:500]}
        if self.build_package is None or entry is None or \
                recipient.status in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED):
            recipient.status, recipient.status_at = DeliveryStatus.RECALLED, clock.now()
        elif not self.settings.axis_url:
            recipient.status_note = t("exchange.axis.recall_not_sent", name=name)
        else:
            sender = await db.get(Agency, doc.agency_id)
            assert sender is not None
            try:
                package = await recall_package(self.settings, db, doc, entry, reason)
                await end_reads(db)  # as for a new document: no lock while the signing server and the axis answer
                if self.seal is not None:
                    package = await self.seal(sender.organ_id, package)
                detail["axis_doc_id"] = await self.send(sender.organ_id, package)
                recipient.status_note = ""
            except EdxmlError as exc:
                recipient.status_note = t("exchange.axis.recall_unfit", name=name, reason=exc.reason)[:500]
            except (SigningServiceError, NoCredentialError) as exc:  # SealUnavailableError: retried
                reason_text = exc.user_message if isinstance(exc, SigningServiceError) else exc.message
                recipient.status_note = t("exchange.axis.recall_unfit", name=name, reason=reason_text)[:500]
            except AxisPermanentError as exc:
                recipient.status_note = t("exchange.axis.recall_refused_by_axis", name=name,
                                          reason=exc.message)[:500]
        detail["status"] = str(recipient.status)
        await record(db, "exchange.axis_recall", actor_name="lienthong", agency_id=doc.agency_id,
                     object_type="outgoing", object_id=doc.id, detail=detail)
        await db.flush()


def axis_delivery(settings: Settings, urls: UrlBuilder | None = None) -> AxisDelivery:
    """The axis adapter as configured, with the edXML package builder (``urls`` links the failure notices)."""
    return AxisDelivery(settings, package_builder(settings), urls, seal=partial(seal_package, settings))
