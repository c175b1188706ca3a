"""The axis poller ``exchange.poll_axis``: take in what the axis holds for us, then acknowledge it.

Every ``AXIS_POLL_SECONDS`` (default :data:`POLL_SECONDS`; the run enqueues its next one, like the directory
sync) the job lists the
packages waiting (``getReceivedEdocList``), and for each: downloads it (``getEdoc``), keeps the raw
.edxml as a blob, parses it, and

* a document package: its signature and its PDFs' signatures are checked first
  (:func:`.axis_verify.check_package`; a failure is refused like any bad package), then it creates
  the incoming document of each of our agencies it names
  (:func:`.axis_intake.take_in`), **commits**, and only then acknowledges ``done``; a crash in between
  leaves the package offered again and the (agency, sender, ``DocumentId``, business type) key makes the
  second offer create nothing;
* a package we refuse (parser, intake, no agency of ours named): a status 02 naming the reason goes back to
  the sender, then the package is acknowledged ``fail``;
* a status message: its signature is checked like a package's (:func:`.axis_verify.status_refusal`; an
  unsigned or invalid one is logged, audited ``exchange.axis_status_refused`` and acknowledged ``fail``), then
  it moves the sender's per-recipient line (:func:`.axis_status.apply_received_status`), commits,
  acknowledges ``done`` (``fail`` for a status about a package we never sent).

Recall, update and replace packages (business types 1–3) go to :func:`.axis_recall_intake.take_change`
instead of :func:`.axis_intake.take_in`, with the same transaction, acknowledgement and refusal rules.
An axis that cannot be reached makes the run stop (the next run tries again). Each package is handled in
its own transaction, so one bad package never holds back the others.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, JobStatus, OutboxJob
from backend.domain.audit.services import record
from backend.domain.documents.files import blob_store, discard_unused
from backend.domain.exchange.axis_client import AxisClient, AxisError, ReceivedEdoc
from backend.domain.exchange.axis_intake import PackageRefused, take_in
from backend.domain.exchange.axis_recall_intake import take_change
from backend.domain.exchange.axis_status import apply_received_status, send_status
from backend.domain.exchange.axis_verify import check_package, status_refusal
from backend.domain.exchange.edxml.codes import BusinessDocType, StatusCode
from backend.domain.exchange.edxml.errors import EdxmlError
from backend.domain.exchange.edxml.model import Organ, Package, ResponseFor, StatusMessage
from backend.domain.exchange.edxml.parse import parse
from backend.domain.signing.credentials import NoCredentialError
from backend.domain.signing.errors import SigningServiceError
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder
from backend.tasks.bus import Handles, JobContext, JobKind
from backend.tasks.outbox import enqueue

__all__ = ["HANDLERS", "POLL_AXIS", "POLL_SECONDS", "STARTUP", "PollAxis", "ensure_poll_scheduled", "poll_axis"]

log = logging.getLogger("congvan.exchange.axis")

POLL_SECONDS = 60
"""Seconds between two polls of the axis by default (``AXIS_POLL_SECONDS``)."""
_ACTOR = "job:exchange.poll_axis"


class PollAxis(msgspec.Struct, frozen=True, kw_only=True):
    """No payload: the run asks the axis what is waiting."""


POLL_AXIS: JobKind[PollAxis] = JobKind("exchange.poll_axis", PollAxis)


async def _our_agencies(db: AsyncSession, codes: list[str]) -> list[Agency]:
    if not codes:
        return []
    return list((await db.scalars(sa.select(Agency).where(Agency.organ_id.in_(codes), Agency.is_active.is_(True))
                                  .order_by(Agency.id))).all())


async def _refusing_agency(db: AsyncSession, raw: bytes) -> Agency | None:
    """Who answers a refused package: our agency it names, else our top-level agency."""
    agencies = (await db.scalars(sa.select(Agency).where(Agency.is_active.is_(True)).order_by(Agency.id))).all()
    named = [a for a in agencies if a.organ_id.encode() in raw]
    roots = [a for a in agencies if a.parent_id is None]
    found = named or roots
    return found[0] if found else None


async def _refuse(db: AsyncSession, settings: Settings, axis: AxisClient, item: ReceivedEdoc, raw: bytes,
                  reason: str, package: Package | None, agency: Agency | None = None) -> None:
    """Status 02 with ``reason`` to the sender, then ``fail``: the axis stops offering the package."""
    agency = agency or await _refusing_agency(db, raw)
    if agency is not None:
        # a package we could not read has no DocumentId we know: the axis's id of it names it instead
        answered = ResponseFor(organ_id=item.sender, document_id=package.document_id if package else item.doc_id,
                               code=f"{package.code.number}/{package.code.notation}" if package else "",
                               promulgation_date=package.promulgation_date if package else None)
        try:
            await send_status(settings, Organ(organ_id=agency.organ_id, name=agency.name), answered,
                              StatusCode.REJECTED, reason)
        except (NoCredentialError, SigningServiceError) as exc:  # unreachable signing server: retried next poll
            log.warning("axis package %s refused without a status 02: no package seal of %s (%s)",
                        item.doc_id, agency.organ_id, exc)
    await record(db, "exchange.axis_refused", actor_name=_ACTOR, agency_id=agency.id if agency else None,
                 object_type="axis_package", detail={"axis_doc_id": item.doc_id, "sender": item.sender,
                                                     "reason": reason[:500], "sha256": hashlib.sha256(raw).hexdigest(),
                                                     "bytes": len(raw)})
    await db.commit()
    await axis.updateStatus(item.doc_id, "fail")


async def _take_edoc(sessions: async_sessionmaker[AsyncSession], settings: Settings, urls: UrlBuilder,
                     axis: AxisClient, item: ReceivedEdoc) -> None:
    raw = await axis.getEdoc(item.doc_id)
    async with sessions() as db:
        try:
            package = parse(raw)
        except EdxmlError as exc:
            await _refuse(db, settings, axis, item, raw, exc.reason, None)
            return
        if not isinstance(package, Package):
            await _refuse(db, settings, axis, item, raw, t("exchange.axis.in.not_a_document"), None)
            return
        try:  # before the session's first statement: no database lock while signatures are checked
            checks = await check_package(settings, raw, package)
        except PackageRefused as exc:
            await _refuse(db, settings, axis, item, raw, exc.reason, package)
            return
        agencies = await _our_agencies(db, [organ.organ_id for organ in package.recipients])
        if not agencies:
            await _refuse(db, settings, axis, item, raw, t("exchange.axis.in.unknown_recipient"), package)
            return
        new = package.business.doc_type is BusinessDocType.NEW
        sha256 = (await blob_store(settings).put_bytes(raw)).sha256  # kept only for a package we take in
        try:
            for agency in agencies:
                if new:
                    await take_in(db, settings, urls, package, agency, item.doc_id, sha256, checks.recorded)
                else:
                    await take_change(db, settings, urls, package, agency, item.doc_id, sha256)
        except PackageRefused as exc:
            first_id = agencies[0].id
            await db.rollback()  # nothing of this package stays, for any of our agencies
            await _refuse(db, settings, axis, item, raw, exc.reason, package, await db.get(Agency, first_id))
            await discard_unused(db, settings, sha256, *exc.kept)
            await db.commit()
            return
        await db.commit()
    await axis.updateStatus(item.doc_id, "done")


async def _take_status(sessions: async_sessionmaker[AsyncSession], settings: Settings, urls: UrlBuilder,
                       axis: AxisClient, item: ReceivedEdoc) -> None:
    raw = await axis.getEdoc(item.doc_id)
    try:
        message = parse(raw)
        refusal = await status_refusal(settings, raw)  # before the session: no database lock meanwhile
    except EdxmlError as exc:
        message, refusal = None, exc.reason
    async with sessions() as db:
        if refusal is not None:
            log.warning("axis status %s from %s refused: %s", item.doc_id, item.sender, refusal)
            await record(db, "exchange.axis_status_refused", actor_name=_ACTOR, object_type="axis_package",
                         detail={"axis_doc_id": item.doc_id, "sender": item.sender, "reason": refusal[:500],
                                 "sha256": hashlib.sha256(raw).hexdigest()})
            message = None
        applied = isinstance(message, StatusMessage) and await apply_received_status(db, urls, message)
        await db.commit()
    await axis.updateStatus(item.doc_id, "done" if applied else "fail")


async def poll_axis(sessions: async_sessionmaker[AsyncSession], settings: Settings, urls: UrlBuilder) -> int:
    """One poll of both queues; the number of packages handled.

    Raises:
        AxisError: the axis could not be reached or refused us (what was handled so far stays handled).
    """
    handled = 0
    async with AxisClient.from_settings(settings) as axis:
        for item in await axis.getReceivedEdocList("edoc"):
            await _take_edoc(sessions, settings, urls, axis, item)
            handled += 1
        for item in await axis.getReceivedEdocList("status"):
            await _take_status(sessions, settings, urls, axis, item)
            handled += 1
    return handled


async def _pending(db: AsyncSession, statuses: tuple[JobStatus, ...]) -> bool:
    found = await db.scalar(sa.select(OutboxJob.id).where(OutboxJob.kind == POLL_AXIS.name,
                                                          OutboxJob.status.in_(statuses)).limit(1))
    return found is not None


async def poll_axis_job(ctx: JobContext, payload: PollAxis) -> None:
    """Handler of ``exchange.poll_axis``: poll (in transactions of its own), then schedule the next run."""
    if ctx.settings.axis_url:
        engine = create_engine(ctx.settings.database_url, pool=False)
        try:
            await poll_axis(create_sessionmaker(engine), ctx.settings, ctx.urls)
        except AxisError as exc:
            log.warning("axis poll stopped: %s", exc)
        finally:
            await engine.dispose()
    if not await _pending(ctx.db, (JobStatus.PENDING,)):
        next_run = ctx.now() + timedelta(seconds=ctx.settings.axis_poll_seconds)
        await enqueue(ctx.db, POLL_AXIS, PollAxis(), run_after=next_run)


async def ensure_poll_scheduled(sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None) -> None:
    """Worker start-up: one pending (or running) poll when the axis is configured. Never raises."""
    if settings is None or not settings.axis_url:
        return
    try:
        async with sessions() as db:
            if not await _pending(db, (JobStatus.PENDING, JobStatus.RUNNING)):
                await enqueue(db, POLL_AXIS, PollAxis(), run_after=clock.now())
            await db.commit()
    except Exception as exc:  # noqa: BLE001 - the axis must never keep the worker from starting
        log.warning("could not schedule %s: %r", POLL_AXIS.name, exc)


HANDLERS = (Handles(POLL_AXIS, poll_axis_job),)
STARTUP = (ensure_poll_scheduled,)
