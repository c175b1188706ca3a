"""The ``push.send`` handler: deliver one message to every device of its user.

404/410 delete the subscription; when every device failed with 429/5xx/network errors the job
raises, so the outbox retries it with backoff; when only some did, a follow-up job for those
devices is queued and this one completes (the others are not pushed twice). Pushes are idempotent
for the user in any case: they carry the document's ``Topic`` and the service worker shows them
with the same ``tag``, so a repeated push replaces the notification instead of adding one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Notification, PushSubscription
from backend.domain.push.jobs import PUSH_SEND, PushSend
from backend.domain.push.keys import load_vapid
from backend.domain.push.payload import PushMessage, encode_message
from backend.tasks.bus import Handles, JobContext
from backend.tasks.outbox import backoff, enqueue
from backend.web.push.sender import DeliveryOutcome, DeliveryResult, PushSender, PushTarget

__all__ = ["HANDLERS", "MAX_FOLLOW_UPS", "PushRetryableError", "send_push"]

MAX_FOLLOW_UPS = 6

log = logging.getLogger("congvan.push")


class PushRetryableError(RuntimeError):
    """Every device's push service asked us to try again later (429/5xx) or could not be reached."""


async def _message(db: AsyncSession, payload: PushSend) -> tuple[int, PushMessage] | None:
    """(user id, message) for the job, or ``None`` when there is nothing left to push."""
    if payload.notification_id is None:  # a direct push (the devices page's test message)
        if payload.user_id is None:
            return None
        return payload.user_id, PushMessage(payload.title, payload.body, payload.url, payload.topic, False)
    note = await db.get(Notification, payload.notification_id)
    if note is None:
        return None
    if payload.deferred and note.read_at is not None:
        return None  # read in the app during quiet hours: the morning push would only be noise
    return note.user_id, PushMessage(note.title, note.body, note.url, payload.topic, payload.urgent)


async def _apply(db: AsyncSession, results: Sequence[DeliveryResult], now: datetime) -> None:
    for result in results:
        if result.outcome is DeliveryOutcome.GONE:
            await db.execute(sa.delete(PushSubscription).where(PushSubscription.id == result.subscription_id))
        elif result.outcome is DeliveryOutcome.DELIVERED:
            await db.execute(sa.update(PushSubscription).where(PushSubscription.id == result.subscription_id)
                             .values(last_success_at=now, last_status=result.status))
        else:
            await db.execute(sa.update(PushSubscription).where(PushSubscription.id == result.subscription_id)
                             .values(last_failure_at=now, last_status=result.status))


async def send_push(ctx: JobContext, payload: PushSend) -> None:
    """Handler of ``push.send``: deliver one message to the user's devices.

    Raises:
        PushRetryableError: when no device could be reached and at least one should be retried.
    """
    keys = load_vapid(ctx.settings)
    if keys is None:
        log.info("push job %s skipped: no VAPID keys configured", ctx.job.id)
        return
    db = ctx.db
    found = await _message(db, payload)
    if found is None:
        return
    user_id, message = found
    query = sa.select(PushSubscription).where(PushSubscription.user_id == user_id)
    if payload.subscription_ids:
        query = query.where(PushSubscription.id.in_(payload.subscription_ids))
    targets = [PushTarget(row.id, row.endpoint, row.p256dh, row.auth) for row in (await db.scalars(query)).all()]
    if not targets:
        return
    async with PushSender(keys) as sender:
        results = await sender.send_many(targets, encode_message(message), ttl=ctx.settings.push_ttl_seconds,
                                         urgency=payload.urgency, topic=message.tag)
    await _apply(db, results, ctx.now())
    retry = [r for r in results if r.outcome is DeliveryOutcome.RETRY]
    if not retry:
        return
    if len(retry) == len(results):
        raise PushRetryableError(f"push job {ctx.job.id}: {len(retry)} device(s) asked to retry "
                                 f"(statuses {sorted({r.status or 0 for r in retry})})")
    follow_up = payload.follow_up + 1
    if follow_up > MAX_FOLLOW_UPS:
        log.warning("push job %s: giving up on %s device(s) after %s follow-ups", ctx.job.id, len(retry), follow_up)
        return
    wait = max(backoff(follow_up), timedelta(seconds=max(r.retry_after or 0 for r in retry)))
    await enqueue(db, PUSH_SEND, msgspec.structs.replace(payload, subscription_ids=[r.subscription_id for r in retry],
                                                         follow_up=follow_up), run_after=ctx.now() + wait)


HANDLERS = (Handles(PUSH_SEND, send_push),)
