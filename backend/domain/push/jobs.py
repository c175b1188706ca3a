"""The ``push.send`` job kind and the push fan-out hanging off ``notification.create``.

``enqueue_pushes`` runs inside the notification job's transaction: one ``push.send`` job per new
notification whose user has a device, deferred to the end of the user's quiet hours unless the
notification is urgent. The transport that delivers the job is :mod:`backend.web.push.transport`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.base import utcnow
from backend.db.models import Notification, PushPreference, PushSubscription
from backend.domain.push.payload import is_urgent, topic_for, urgency_header
from backend.domain.push.quiet import quiet_until
from backend.domain.push.services import quiet_window_of
from backend.tasks.bus import JobKind
from backend.tasks.outbox import enqueue

__all__ = ["PUSH_SEND", "PushSend", "enqueue_pushes"]


class PushSend(msgspec.Struct, frozen=True, kw_only=True):
    """Push one notification (``notification_id``) or a direct message (``user_id`` with its text).

    ``subscription_ids`` narrows a follow-up to the devices that asked to retry; ``follow_up``
    counts those follow-ups; ``deferred`` marks a push postponed by quiet hours.
    """

    topic: str
    notification_id: int | None = None
    user_id: int | None = None
    title: str = ""
    body: str = ""
    url: str = ""
    urgency: str = "normal"
    urgent: bool = False
    deferred: bool = False
    subscription_ids: list[int] | None = None
    follow_up: int = 0


PUSH_SEND: JobKind[PushSend] = JobKind("push.send", PushSend)


async def enqueue_pushes(db: AsyncSession, notifications: Sequence[Notification], payload: dict[str, Any],
                         settings: Settings) -> int:
    """Queue one ``push.send`` per notification whose user has a device; returns how many were queued.

    ``payload`` is the encoded ``notification.create`` payload (its urgency, topic and flags).
    """
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
        await enqueue(db, PUSH_SEND, PushSend(notification_id=note.id, urgency=header, topic=topic, urgent=urgent,
                                              deferred=deferred_to is not None),
                      run_after=deferred_to, max_attempts=settings.outbox_max_attempts)
        queued += 1
    return queued


