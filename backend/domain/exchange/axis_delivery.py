"""Delivery to agencies outside the deployment, over the national document axis (the ``Delivery`` Protocol).

:meth:`AxisDelivery.send` hands one .edxml package to the axis (``sendEdoc`` from our agency's
QCVN 102 code) and returns the axis's document id. :meth:`AxisDelivery.deliver` needs the package
of an issued document for one recipient: that comes from a :data:`PackageBuilder` (the edXML
builder, a separate module). Until one is given to :func:`axis_delivery`, a delivery stops at once
with status ``failed`` and a Vietnamese reason on the sender's recipient line ("not yet wired"), so
the clerk knows the document did not leave; it is never retried without end.

Failures: an axis that cannot be reached raises :class:`AxisTransientError` (the outbox retries with
backoff); a refusal marks the line ``failed`` with the reason. Every outcome writes an audit row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, DeliveryStatus, DirectoryAgency, OutgoingDocument, OutgoingRecipient
from backend.domain.audit.services import record
from backend.domain.exchange.axis_client import AxisClient, AxisPermanentError, MessageType
from backend.lib import clock
from backend.lib.i18n import t

__all__ = ["AxisDelivery", "PackageBuilder", "axis_delivery"]

PackageBuilder = Callable[[AsyncSession, OutgoingDocument, OutgoingRecipient, DirectoryAgency], Awaitable[bytes]]
"""Builds (and seals) the .edxml package of ``doc`` for one axis recipient."""


class AxisDelivery:
    """Recipients on the national axis: the package goes out through ``sendEdoc``."""

    def __init__(self, settings: Settings, build_package: PackageBuilder | None = None) -> None:
        self.settings = settings
        self.build_package = build_package

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
                    cause: str) -> None:
        recipient.status, recipient.status_at, recipient.status_note = DeliveryStatus.FAILED, clock.now(), reason
        await record(db, "exchange.axis_delivery_failed", actor_name="lienthong", agency_id=doc.agency_id,
                     object_type="outgoing", object_id=doc.id,
                     detail={"recipient_id": recipient.id, "directory_id": recipient.directory_id, "cause": cause})
        await db.flush()

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
        package = await self.build_package(db, doc, recipient, entry)
        try:
            doc_id = await self.send(sender.organ_id, package)
        except AxisPermanentError as exc:
            await self._fail(db, doc, recipient, exc.message[:500], f"refused: {exc.code}")
            return
        recipient.status, recipient.status_at, recipient.status_note = DeliveryStatus.SENT, clock.now(), ""
        await record(db, "exchange.axis_sent", actor_name="lienthong", agency_id=doc.agency_id,
                     object_type="outgoing", object_id=doc.id,
                     detail={"recipient_id": recipient.id, "code": entry.code, "axis_doc_id": doc_id,
                             "bytes": len(package)})
        await db.flush()

    async def recall(self, db: AsyncSession, doc: OutgoingDocument, recipient: OutgoingRecipient,
                     reason: str) -> None:
        """Without a package builder nothing ever left, so the line is recalled at once; with one, the recall
        package (edXML business type 1) is the builder's to make and the line says it is not sent yet."""
        entry = await db.get(DirectoryAgency, recipient.directory_id) if recipient.directory_id else None
        name = entry.display_name if entry is not None else recipient.name
        if self.build_package is None:
            recipient.status, recipient.status_at = DeliveryStatus.RECALLED, clock.now()
        else:
            recipient.status_note = t("exchange.axis.not_wired", name=name)
        await record(db, "exchange.axis_recall", actor_name="lienthong", agency_id=doc.agency_id,
                     object_type="outgoing", object_id=doc.id,
                     detail={"recipient_id": recipient.id, "status": str(recipient.status), "reason": reason[:500]})
        await db.flush()


def axis_delivery(settings: Settings) -> AxisDelivery:
    """The axis adapter as configured (no package builder is wired yet: deliveries stop with a clear reason)."""
    return AxisDelivery(settings)
