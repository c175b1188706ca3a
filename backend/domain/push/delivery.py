"""Push fan-out hanging off ``notification.create``, and the ``push.send`` job that delivers it.

``enqueue_pushes`` runs inside the notification job's transaction: one ``push.send`` job per new
notification whose user has a device, deferred to the end of the user's quiet hours unless the
notification is urgent. ``send_push_job`` delivers to every device of the user: 404/410 delete
the subscription; when every device failed with 429/5xx/network errors the job raises, so the
outbox retries it with backoff; when only some did, a follow-up job for those devices is queued
and this one completes (the others are not pushed twice). Pushes are idempotent for the user in
any case: they carry the document's ``Topic`` and the service worker shows them with the same
``tag``, so a repeated push replaces the notification instead of adding one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.base import utcnow
from backend.db.models import Notification, PushPreference, PushSubscription
from backend.domain.push.keys import load_vapid
from backend.domain.push.payload import PushMessage, encode_message, is_urgent, topic_for, urgency_header
from backend.domain.push.quiet import quiet_until
from backend.domain.push.sender import DeliveryOutcome, DeliveryResult, PushSender, PushTarget
from backend.domain.push.services import quiet_window_of
from backend.tasks.context import current_settings
from backend.tasks.outbox import ClaimedJob, backoff, enqueue

__all__ = ["PUSH_JOB", "PushRetryableError", "enqueue_pushes", "send_push_job"]

PUSH_JOB = "push.send"
MAX_FOLLOW_UPS = 6

log = logging.getLogger("congvan.push")


class PushRetryableError(RuntimeError):
    """Every device's push service asked us to try again later (429/5xx) or could not be reached."""


async def enqueue_pushes(db: AsyncSession, notifications: Sequence[Notification], payload: dict[str, Any],
                         settings: Settings | None = None) -> int:
    """Queue one ``push.send`` per notification whose user has a device; returns how many were queued."""
    settings = settings or current_settings()
    user_ids = {n.user_id for n in notifications}
    if not user_ids:
        return 0
    subscribed = set((await db.scalars(
        sa.select(PushSubscription.user_id).where(PushSubscription.user_id.in_(user_ids)).distinct()
    )).all())
    if not subscribed:
        return 0
    prefs = {row.user_id: row for row in (await db.scalars(
        sa.select(PushPreference).where(PushPreference.user_id.in_(subscribed)))).all()}
    urgent = is_urgent(payload)
    header = urgency_header(payload)
    now = utcnow()
    queued = 0
    for note in notifications:
        if note.user_id not in subscribed:
            continue
        deferred_to = quiet_until(now, quiet_window_of(prefs.get(note.user_id), settings), urgent=urgent)
        topic = str(payload.get("topic") or topic_for(note.url, f"n-{note.id}"))
        await enqueue(db, PUSH_JOB, {"notification_id": note.id, "urgency": header, "topic": topic,
                                     "urgent": urgent, "deferred": deferred_to is not None},
                      run_after=deferred_to, max_attempts=settings.outbox_max_attempts)
        queued += 1
    return queued


async def _message(db: AsyncSession, payload: dict[str, Any]) -> tuple[int, PushMessage] | None:
    """(user id, message) for the job, or ``None`` when there is nothing left to push."""
    if "notification_id" not in payload:  # a direct push (the devices page's test message)
        return int(payload["user_id"]), PushMessage(payload["title"], payload.get("body", ""),
                                                    payload.get("url", ""), payload["topic"], False)
    note = await db.get(Notification, payload["notification_id"])
    if note is None:
        return None
    if payload.get("deferred") and note.read_at is not None:
        return None  # read in the app during quiet hours: the morning push would only be noise
    return note.user_id, PushMessage(note.title, note.body, note.url, payload["topic"], bool(payload.get("urgent")))


async def _apply(db: AsyncSession, results: Sequence[DeliveryResult]) -> None:
    now = utcnow()
    for result in results:
        if result.outcome is DeliveryOutcome.GONE:
            await db.execute(sa.delete(PushSubscription).where(PushSubscription.id == result.subscription_id))
        elif result.outcome is DeliveryOutcome.DELIVERED:
            await db.execute(sa.update(PushSubscription).where(PushSubscription.id == result.subscription_id)
                             .values(last_success_at=now, last_status=result.status))
        else:
            await db.execute(sa.update(PushSubscription).where(PushSubscription.id == result.subscription_id)
                             .values(last_failure_at=now, last_status=result.status))


async def send_push_job(db: AsyncSession, job: ClaimedJob) -> None:
    """Handler of ``push.send``: deliver one message to the user's devices.

    Raises:
        PushRetryableError: when no device could be reached and at least one should be retried.
    """
    settings = current_settings()
    keys = load_vapid(settings)
    if keys is None:
        log.info("push job %s skipped: no VAPID keys configured", job.id)
        return
    payload = job.payload
    found = await _message(db, payload)
    if found is None:
        return
    user_id, message = found
    query = sa.select(PushSubscription).where(PushSubscription.user_id == user_id)
    if payload.get("subscription_ids"):
        query = query.where(PushSubscription.id.in_(payload["subscription_ids"]))
    targets = [PushTarget(row.id, row.endpoint, row.p256dh, row.auth) for row in (await db.scalars(query)).all()]
    if not targets:
        return
    async with PushSender(keys) as sender:
        results = await sender.send_many(targets, encode_message(message), ttl=settings.push_ttl_seconds,
                                         urgency=payload.get("urgency", "normal"), topic=message.tag)
    await _apply(db, results)
    retry = [r for r in results if r.outcome is DeliveryOutcome.RETRY]
    if not retry:
        return
    if len(retry) == len(results):
        raise PushRetryableError(f"push job {job.id}: {len(retry)} device(s) asked to retry "
                                 f"(statuses {sorted({r.status or 0 for r in retry})})")
    follow_up = int(payload.get("follow_up", 0)) + 1
    if follow_up > MAX_FOLLOW_UPS:
        log.warning("push job %s: giving up on %s device(s) after %s follow-ups", job.id, len(retry), follow_up)
        return
    wait = max(backoff(follow_up), timedelta(seconds=max(r.retry_after or 0 for r in retry)))
    await enqueue(db, PUSH_JOB, {**payload, "subscription_ids": [r.subscription_id for r in retry],
                                 "follow_up": follow_up}, run_after=utcnow() + wait)
