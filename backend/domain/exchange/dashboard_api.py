"""JSON API ``/api/v1/exchange/dashboard``: the dashboard's rows and the rejections, as the pages show them.

Same use cases, scope and parameters as the pages (``month`` or ``from``/``to``, ``agency``,
``partner`` for the rejections): 403 without a statistics role, 404 for an agency outside the
scope, 422 for a malformed parameter. Hours are office hours. Every answer says when it was
computed (``computed_at``; ``freshness`` is ``live``). Schema at ``/schema/openapi.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get

from backend.domain.accounts.deps import CurrentActor
from backend.domain.exchange.dashboard import PartnerRow
from backend.domain.exchange.dashboard_service import Rejection, dashboard, rejections
from backend.domain.statistics.api import FRESHNESS, ApiPeriod
from backend.lib import clock
from backend.lib.deps import DB, AppSettings

__all__ = ["DashboardApiController"]


@dataclass(frozen=True, slots=True)
class ApiDashboard:
    period: ApiPeriod
    computed_at: datetime
    freshness: str
    hours: str
    agency_id: int | None
    rows: list[PartnerRow]
    total: PartnerRow


@dataclass(frozen=True, slots=True)
class ApiRejections:
    period: ApiPeriod
    computed_at: datetime
    agency_id: int | None
    partner: str | None
    lines: list[Rejection]


class DashboardApiController(Controller):
    """``/api/v1/exchange/dashboard`` and its rejections."""

    path = "/api/v1/exchange/dashboard"
    tags = ["exchange"]
    include_in_schema = True

    @get("/", name="api.exchange.dashboard", summary="Exchange per partner agency: sent, received, answer times")
    async def index(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                    settings: AppSettings) -> ApiDashboard:
        data = await dashboard(db, actor, settings, request.query_params, clock.now())
        return ApiDashboard(ApiPeriod(data.period.start, data.period.end), data.computed_at, FRESHNESS, "office",
                            data.agency.id if data.agency else None, data.rows, data.total)

    @get("/rejections", name="api.exchange.dashboard_rejections", summary="Packages partners rejected, with reasons")
    async def rejected(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> ApiRejections:
        data = await rejections(db, actor, request.query_params, clock.now())
        return ApiRejections(ApiPeriod(data.period.start, data.period.end), data.computed_at,
                             data.agency.id if data.agency else None, data.partner_key, data.lines)
