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
from backend.tasks.outbox import ClaimedJob

__all__ = ["HANDLERS", "JobHandler", "NOTIFY"]

JobHandler = Callable[[AsyncSession, ClaimedJob], Awaitable[None]]

NOTIFY = "notification.create"


async def create_notifications(db: AsyncSession, job: ClaimedJob) -> None:
    """Payload: ``user_ids``, ``title``, optional ``body``, ``url``, ``urgent``."""
    payload: dict[str, Any] = job.payload
    already = set((await db.scalars(
        sa.select(Notification.user_id).where(Notification.source_job_id == job.id)
    )).all())
    for user_id in payload["user_ids"]:
        if user_id in already:
            continue
        db.add(Notification(user_id=user_id, title=payload["title"], body=payload.get("body", ""),
                            url=payload.get("url", ""), urgent=bool(payload.get("urgent")),
                            source_job_id=job.id))


HANDLERS: dict[str, JobHandler] = {NOTIFY: create_notifications}
