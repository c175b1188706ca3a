"""Job handlers, by kind. Each runs inside the transaction that also marks its job done.

Handlers whose effect is in the database are therefore applied exactly once; handlers with
external effects (push, exchange delivery, added later) must be idempotent on the job id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Notification
from backend.domain.exchange.jobs import EXCHANGE_HANDLERS
from backend.domain.live.channels import LIVE_JOB, enqueue_counts_changed, publish_job
from backend.domain.push.delivery import PUSH_JOB, enqueue_pushes, send_push_job
from backend.tasks.certificates import REMIND_JOB, remind_expiring_job
from backend.tasks.outbox import ClaimedJob

__all__ = ["HANDLERS", "JobHandler", "NOTIFY"]

JobHandler = Callable[[AsyncSession, ClaimedJob], Awaitable[None]]

NOTIFY = "notification.create"


async def create_notifications(db: AsyncSession, job: ClaimedJob) -> None:
    """Payload: ``user_ids``, ``title``, optional ``body``, ``url``, ``urgent``; for push also optional
    ``urgency`` (a document urgency value such as ``hoa_toc``), ``topic`` and ``informational``.

    In the same transaction, queues one ``push.send`` per new notification for users with a device
    (deferred by quiet hours unless urgent) and, with Redis, a live ``counts-changed`` signal.
    """
    payload: dict[str, Any] = job.payload
    already = set((await db.scalars(
        sa.select(Notification.user_id).where(Notification.source_job_id == job.id)
    )).all())
    created = []
    for user_id in payload["user_ids"]:
        if user_id in already:
            continue
        note = Notification(user_id=user_id, title=payload["title"], body=payload.get("body", ""),
                            url=payload.get("url", ""), urgent=bool(payload.get("urgent")),
                            source_job_id=job.id)
        db.add(note)
        created.append(note)
    if created:
        await db.flush()
        await enqueue_pushes(db, created, payload)
        await enqueue_counts_changed(db, {note.user_id for note in created})


HANDLERS: dict[str, JobHandler] = {NOTIFY: create_notifications, PUSH_JOB: send_push_job, LIVE_JOB: publish_job}
HANDLERS[REMIND_JOB] = remind_expiring_job  # daily certificate expiry reminders
HANDLERS.update(EXCHANGE_HANDLERS)  # issued documents: delivery, recall, recipients' status feedback
