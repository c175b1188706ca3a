"""The handler of ``notification.create``: notifications rows, then the pushes and live signals they cause."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import Notification
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.push.jobs import enqueue_pushes
from backend.tasks.bus import Handles, JobContext
from backend.web.live.kinds import enqueue_counts_changed

__all__ = ["HANDLERS", "create_notifications"]


async def create_notifications(ctx: JobContext, payload: Notify) -> None:
    """One notification per listed user (once per job, even when the job runs again).

    In the same transaction, queues one ``push.send`` per new notification for users with a device
    (deferred by quiet hours unless urgent) and, with Redis, a live ``counts-changed`` signal.
    """
    db = ctx.db
    already = set((await db.scalars(
        sa.select(Notification.user_id).where(Notification.source_job_id == ctx.job.id)
    )).all())
    created = []
    for user_id in payload.user_ids:
        if user_id in already:
            continue
        note = Notification(user_id=user_id, title=payload.title, body=payload.body, url=payload.url,
                            urgent=payload.urgent, source_job_id=ctx.job.id)
        db.add(note)
        created.append(note)
    if created:
        await db.flush()
        await enqueue_pushes(db, created, NOTIFY.encode(payload), ctx.settings)
        await enqueue_counts_changed(db, {note.user_id for note in created}, ctx.settings)


HANDLERS = (Handles(NOTIFY, create_notifications),)
