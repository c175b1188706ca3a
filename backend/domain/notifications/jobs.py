"""The handler of ``notification.create``: notifications rows, then the pushes and live signals they cause."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from backend.db.base import utcnow
from backend.db.models import Notification
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.push.jobs import enqueue_pushes
from backend.tasks.bus import Handles, JobContext
from backend.web.live.kinds import enqueue_counts_changed

__all__ = ["BURST", "HANDLERS", "create_notifications"]

BURST = timedelta(minutes=5)
"""Steps one person takes on one document within this time make one notice, not one per step."""


async def _burst_notes(ctx: JobContext, payload: Notify) -> dict[int, Notification]:
    """Per recipient, their unread notice about the same page by the same actor from the last ``BURST``."""
    if payload.actor_id is None or not payload.url:
        return {}
    rows = (await ctx.db.scalars(
        sa.select(Notification).where(
            Notification.user_id.in_(payload.user_ids), Notification.url == payload.url,
            Notification.actor_id == payload.actor_id, Notification.read_at.is_(None),
            Notification.created_at >= utcnow() - BURST)
        .order_by(Notification.created_at, Notification.id)
    )).all()
    return {note.user_id: note for note in rows}


async def create_notifications(ctx: JobContext, payload: Notify) -> None:
    """One notification per listed user (once per job, even when the job runs again).

    A recipient whose unread notice about the same page was caused by the same person within
    ``BURST`` gets that notice updated to this step (and moved to the top) instead of a second one.
    In the same transaction, queues one ``push.send`` per new or updated notification for users with a
    device (deferred by quiet hours unless urgent) and, with Redis, a live ``counts-changed`` signal.
    """
    db = ctx.db
    already = set((await db.scalars(
        sa.select(Notification.user_id).where(Notification.source_job_id == ctx.job.id)
    )).all())
    burst = await _burst_notes(ctx, payload)
    changed = []
    for user_id in payload.user_ids:
        if user_id in already:
            continue
        note = burst.get(user_id)
        if note is None:
            note = Notification(user_id=user_id, url=payload.url, actor_id=payload.actor_id)
            db.add(note)
        note.title, note.body, note.source_job_id = payload.title, payload.body, ctx.job.id
        note.urgent = note.urgent or payload.urgent
        note.created_at = utcnow()
        changed.append(note)
    if changed:
        await db.flush()
        await enqueue_pushes(db, changed, NOTIFY.encode(payload), ctx.settings)
        await enqueue_counts_changed(db, {note.user_id for note in changed}, ctx.settings)


HANDLERS = (Handles(NOTIFY, create_notifications),)
