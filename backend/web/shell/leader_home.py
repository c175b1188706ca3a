"""The leader home (``/home``): the first screen of a leader or deputy on a phone.

Four tiles, one tap each to its list: waiting for my signature (outgoing "Chờ ký"), waiting for my
assignment (incoming "Chờ phân công"), overdue (incoming "Quá hạn"), and today's deadlines (listed
right below, each linking to its document); then the month's deadlines as a small SVG chart.
Leaders and deputies land here after login (:mod:`backend.web.shell.controllers` sends ``/`` here);
anybody logged in may open it, the figures being scoped like the lists they link to.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from markupsafe import Markup

from backend.domain.accounts.deps import CurrentActor
from backend.domain.reminders.figures import due_today, leader_counts, month_deadlines
from backend.lib import clock
from backend.lib.deps import DB
from backend.lib.templates import render_page
from backend.web.shell.month_chart import month_svg

__all__ = ["LeaderHomeController"]


class LeaderHomeController(Controller):
    """``GET /home``."""

    @get("/home", name="shell.leader_home")
    async def home(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        today = clock.today()
        counts = await leader_counts(db, actor, today)
        days = await month_deadlines(db, actor, today)
        total = sum(d.total for d in days)
        still_open = sum(d.open for d in days)
        label = f"Hạn xử lý tháng {today.month}/{today.year}: {total} văn bản, {still_open} chưa xong"
        context = {"section": "home", "counts": counts, "due": await due_today(db, actor, today), "today": today,
                   "chart": Markup(month_svg(days, today, label)), "chart_label": label, "month_total": total,
                   "month_open": still_open}
        return render_page(request, "pages/home/leader.html", context)
