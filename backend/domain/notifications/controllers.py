"""The notification list of the actor, opening one (which marks it read), and marking all read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from backend.db.base import utcnow
from backend.db.models import Notification
from backend.domain.accounts.deps import CurrentActor
from backend.errors import NotFoundError
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

    @post("/{note_id:int}/open", name="notifications.open")
    async def open_notification(self, db: DB, actor: CurrentActor, note_id: FromPath[int]) -> Redirect:
        """Mark one of the actor's notifications read and go to what it is about.

        A POST (the list's rows are small forms): GET requests read through sessions that take no
        write lock, and marking read is a write.

        Only the actor's own notifications, and only links inside the application (a stored URL
        never turns this into an open redirect); anything else goes back to the list.
        """
        note = await db.scalar(sa.select(Notification).where(Notification.id == note_id,
                                                              Notification.user_id == actor.user_id))
        if note is None:
            raise NotFoundError()
        if note.read_at is None:
            note.read_at = utcnow()
        target = note.url if note.url.startswith("/") and not note.url.startswith("//") else "/notifications"
        return Redirect(target, status_code=303)

    @post("/read-all", name="notifications.read_all")
    async def read_all(self, db: DB, actor: CurrentActor) -> Redirect:
        await db.execute(
            sa.update(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        return Redirect("/notifications", status_code=303)
