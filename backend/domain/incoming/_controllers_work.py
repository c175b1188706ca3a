"""``/tasks`` (Công việc: the actor's own live assignments by deadline), built on :func:`visible_incoming`.

Search over incoming and outgoing documents lives in :mod:`backend.domain.search`.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from backend.db.models import Assignment, IncomingDocument
from backend.domain.accounts.deps import CurrentActor
from backend.domain.incoming.queries import tasks_query
from backend.domain.incoming.timing import calendar_for, deadline_info
from backend.lib import clock
from backend.lib.deps import DB, AppSettings
from backend.lib.templates import render_page

__all__ = ["WorkController"]


class WorkController(Controller):
    """The "Công việc" section of the bottom navigation."""

    @get("/tasks", name="tasks.list")
    async def tasks(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                    actor: CurrentActor) -> Response[str]:
        rows = (await db.execute(
            tasks_query(actor)
            .order_by(Assignment.due_on.is_(None), Assignment.due_on, IncomingDocument.priority.desc(),
                      Assignment.id.desc())
            .limit(200)
        )).tuples().all()
        today = clock.to_local(clock.now()).date()
        calendar = calendar_for(settings)
        items = [{"a": a, "doc": doc,
                  "deadline": deadline_info(a.due_on, today, calendar, settings.due_soon_working_days)}
                 for a, doc in rows]
        return render_page(request, "pages/incoming/tasks.html", {"section": "tasks", "items": items})
