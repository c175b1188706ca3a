"""What must hold after a process was killed and the user finished the operation: each check lists its violations.

* no document lost: each trial document reached its state; a registration exists exactly once;
* none duplicated: one incoming document per delivered document and agency, one version of each
  signed kind per document, no number or arrival number given twice, no notice written twice;
* no PDF stored as signed whose signatures do not verify (pyHanko: every signature intact and
  valid against the signing server's CA, as many signatures as the version kind promises);
* every outbox job of the trial done exactly once (done, none left pending or failed, no agency
  line still queued);
* the audit hash chain intact.

Rows are compared against a :class:`Watermark` taken before the trial, so the PDF checks cost
only what the trial added.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import (
    DeliveryStatus,
    IncomingDocument,
    JobStatus,
    Notification,
    OutboxJob,
    OutgoingCounter,
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingState,
    OutgoingVersion,
    RecipientKind,
    StoredFile,
    VersionKind,
)
from backend.domain.audit.services import verify_chain
from backend.domain.certificates.jobs import REMIND_EXPIRING
from backend.domain.documents.files import blob_store
from backend.domain.documents.sweeper import SWEEP_BLOBS
from backend.domain.exchange.axis_poller import POLL_AXIS
from backend.domain.exchange.directory_jobs import SYNC_DIRECTORY
from backend.domain.reminders.jobs import DIGEST, SCAN

__all__ = ["Watermark", "check_all", "fresh_session", "outbox_settled", "watermark"]

SIGNATURES = {VersionKind.SIGNED: 1, VersionKind.NUMBERED: 1, VersionKind.SEALED: 2}
"""How many signatures a stored version of each kind carries (the leader's; then the seal's too)."""
SCHEDULED = tuple(kind.name for kind in (REMIND_EXPIRING, SWEEP_BLOBS, POLL_AXIS, SYNC_DIRECTORY, DIGEST, SCAN))
"""The worker's own periodic jobs: a restarted worker plans them, each plans its next run; no trial adds them.
(Told apart by kind, not by run time: the daily ones fall due at fixed Vietnam times, so at 06:55 the 07:00
certificate reminder is as near as a trial's retry.)"""


@dataclass(frozen=True)
class Watermark:
    """The highest ids before a trial: what is above was added by it."""

    job: int
    version: int
    incoming: int
    notification: int


async def _max(db: AsyncSession, column: Any) -> int:
    return int(await db.scalar(sa.select(sa.func.coalesce(sa.func.max(column), 0))) or 0)


async def watermark(settings: Settings) -> Watermark:
    async with fresh_session(settings) as db:
        return Watermark(await _max(db, OutboxJob.id), await _max(db, OutgoingVersion.id),
                         await _max(db, IncomingDocument.id), await _max(db, Notification.id))


class fresh_session:
    """A session on its own engine without a pool (the trial's processes come and go)."""

    def __init__(self, settings: Settings) -> None:
        self.engine = create_engine(settings.database_url, pool=False)

    async def __aenter__(self) -> AsyncSession:
        self.db = create_sessionmaker(self.engine)()
        return self.db

    async def __aexit__(self, *_exc: object) -> None:
        await self.db.close()
        await self.engine.dispose()


def _of_trial(mark: Watermark) -> Any:
    """Jobs the trial added, except the worker's periodic ones."""
    return sa.and_(OutboxJob.id > mark.job, OutboxJob.kind.not_in(SCHEDULED))


async def outbox_settled(settings: Settings, mark: Watermark) -> bool:
    """No job of the trial is pending or running any more."""
    async with fresh_session(settings) as db:
        return not await db.scalar(sa.select(sa.func.count()).select_from(OutboxJob).where(
            _of_trial(mark), OutboxJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING])))


async def _rows(db: AsyncSession, query: Any) -> list[Any]:
    return list((await db.execute(query)).all())


async def duplicates(db: AsyncSession, mark: Watermark) -> list[str]:
    out: list[str] = []
    delivered = await _rows(db, sa.select(IncomingDocument.agency_id, IncomingDocument.document_identifier,
                                          sa.func.count()).where(IncomingDocument.document_identifier.is_not(None),
                                                                 IncomingDocument.document_identifier != "")
                            .group_by(IncomingDocument.agency_id, IncomingDocument.document_identifier)
                            .having(sa.func.count() > 1))
    out += [f"document {ident!r} delivered {n} times to agency {agency}" for agency, ident, n in delivered]
    versions = await _rows(db, sa.select(OutgoingVersion.outgoing_id, OutgoingVersion.kind, sa.func.count())
                           .where(OutgoingVersion.kind != VersionKind.DRAFT)
                           .group_by(OutgoingVersion.outgoing_id, OutgoingVersion.kind).having(sa.func.count() > 1))
    out += [f"outgoing {doc} has {n} versions of kind {kind}" for doc, kind, n in versions]
    numbers = await _rows(db, sa.select(OutgoingDocument.agency_id, OutgoingDocument.number_year,
                                        OutgoingDocument.series, OutgoingDocument.number, sa.func.count())
                          .where(OutgoingDocument.number.is_not(None))
                          .group_by(OutgoingDocument.agency_id, OutgoingDocument.number_year, OutgoingDocument.series,
                                    OutgoingDocument.number).having(sa.func.count() > 1))
    out += [f"outgoing number {row[3]} of series {row[2]} given {row[4]} times" for row in numbers]
    for counter in (await db.scalars(sa.select(OutgoingCounter))).all():
        used = await db.scalar(sa.select(sa.func.count()).select_from(OutgoingDocument).where(
            OutgoingDocument.agency_id == counter.agency_id, OutgoingDocument.number_year == counter.year,
            OutgoingDocument.series == counter.series, OutgoingDocument.number.is_not(None)))
        if used != counter.last_number:
            out.append(f"series {counter.series}/{counter.year} counter at {counter.last_number}, {used} numbered")
    arrivals = await _rows(db, sa.select(IncomingDocument.agency_id, IncomingDocument.arrival_year,
                                         IncomingDocument.arrival_number, sa.func.count())
                           .where(IncomingDocument.arrival_number.is_not(None))
                           .group_by(IncomingDocument.agency_id, IncomingDocument.arrival_year,
                                     IncomingDocument.arrival_number).having(sa.func.count() > 1))
    out += [f"arrival number {row[2]} of agency {row[0]} given {row[3]} times" for row in arrivals]
    notices = await _rows(db, sa.select(Notification.user_id, Notification.title, Notification.url, sa.func.count())
                          .where(Notification.id > mark.notification)
                          .group_by(Notification.user_id, Notification.title, Notification.body, Notification.url)
                          .having(sa.func.count() > 1))
    out += [f"notice {title!r} ({url}) written {n} times for user {user}" for user, title, url, n in notices]
    return out


async def outbox(db: AsyncSession, mark: Watermark) -> list[str]:
    jobs = await _rows(db, sa.select(OutboxJob.id, OutboxJob.kind, OutboxJob.status, OutboxJob.last_error)
                       .where(_of_trial(mark), OutboxJob.status != JobStatus.DONE))
    out = [f"job {job_id} ({kind}) left {status}: {error}" for job_id, kind, status, error in jobs]
    queued = await _rows(db, sa.select(OutgoingRecipient.id, OutgoingRecipient.outgoing_id)
                         .join(OutgoingDocument, OutgoingDocument.id == OutgoingRecipient.outgoing_id)
                         .where(OutgoingRecipient.kind == RecipientKind.AGENCY,
                                OutgoingRecipient.status == DeliveryStatus.QUEUED,
                                OutgoingDocument.state.in_([OutgoingState.ISSUED, OutgoingState.RECALLED])))
    out += [f"recipient line {line} of issued outgoing {doc} never delivered" for line, doc in queued]
    return out


async def signatures(db: AsyncSession, settings: Settings, mark: Watermark, ca_pem: bytes) -> list[str]:
    """Every signed version and every delivered document the trial stored: all its signatures verify."""
    roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(ca_pem, multiple=True)]
    files = [(f"outgoing {doc} {kind} version", sha, SIGNATURES[kind]) for doc, kind, sha in await _rows(
        db, sa.select(OutgoingVersion.outgoing_id, OutgoingVersion.kind, StoredFile.sha256)
        .join(StoredFile, StoredFile.id == OutgoingVersion.file_id)
        .where(OutgoingVersion.id > mark.version, OutgoingVersion.kind != VersionKind.DRAFT))]
    files += [(f"delivered incoming {doc}", sha, 2) for doc, sha in await _rows(
        db, sa.select(IncomingDocument.id, StoredFile.sha256)
        .join(StoredFile, StoredFile.id == IncomingDocument.file_id)
        .join(OutgoingRecipient, OutgoingRecipient.incoming_id == IncomingDocument.id)
        .where(IncomingDocument.id > mark.incoming))]
    store, out = blob_store(settings), []
    for label, sha, expected in files:
        sigs = PdfFileReader(io.BytesIO(await store.read_bytes(sha)), strict=False).embedded_signatures
        if len(sigs) < expected:
            out.append(f"{label} stored with {len(sigs)} signatures, {expected} expected")
        for sig in sigs:
            status = await async_validate_pdf_signature(sig, ValidationContext(trust_roots=roots))
            if not (status.intact and status.valid):
                out.append(f"{label}: signature {sig.field_name} does not verify")
    return out


async def audit_chain(db: AsyncSession) -> list[str]:
    report = await verify_chain(db)
    return [] if report.ok else [f"audit chain broken at row {report.first_broken_id}: {report.reason}"]


async def check_all(settings: Settings, mark: Watermark, ca_pem: bytes) -> list[str]:
    """Every violation of the invariants above (an empty list when all hold)."""
    async with fresh_session(settings) as db:
        return [*await duplicates(db, mark), *await outbox(db, mark),
                *await signatures(db, settings, mark, ca_pem), *await audit_chain(db)]
