"""The notification list of the actor, and marking notifications read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from backend.db.base import utcnow
from backend.db.models import Notification
from backend.domain.accounts.deps import CurrentActor
from backend.lib.deps import DB
from backend.lib.templates import render_page

__all__ = ["NotificationController"]


class NotificationController(Controller):
    """``/notifications``: newest first, unread highlighted."""

    path = "/notifications"

    @get("/", name="notifications.list")
    async def list_notifications(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor
                                 ) -> Response[str]:
        rows = (await db.scalars(
            sa.select(Notification).where(Notification.user_id == actor.user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(100)
        )).all()
        return render_page(request, "pages/notifications/list.html", {"section": "account", "items": rows})

    @post("/read-all", name="notifications.read_all")
    async def read_all(self, db: DB, actor: CurrentActor) -> Redirect:
        await db.execute(
            sa.update(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        return Redirect("/notifications", status_code=303)
