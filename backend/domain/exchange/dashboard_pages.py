"""``/exchange/dashboard``: the exchange dashboard page, its CSV and XLSX exports, and the rejections drill-down.

Thin: each handler hands the query string to one use case of :mod:`.dashboard_service` (scope,
period, figures) and renders a page or an export. The filter form works without JavaScript (a GET
form); with htmx it swaps only the ``dashboard-rows`` region and pushes the URL.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from backend.domain.accounts.deps import CurrentActor
from backend.domain.documents.web import CSV, XLSX, table_download
from backend.domain.exchange.dashboard_export import dashboard_csv, dashboard_xlsx, path_label
from backend.domain.exchange.dashboard_service import Dashboard, dashboard, rejections
from backend.lib import clock
from backend.lib.deps import DB, AppSettings
from backend.lib.templates import render_page

__all__ = ["DashboardController", "format_hours"]

_BLOCKS = {"dashboard-rows": "dashboard_rows"}


def format_hours(value: float | None) -> str:
    """``1,5`` (Vietnamese decimal comma); ``—`` when no line reached the status."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _query(data: Dashboard) -> str:
    """The query string that selects the same period and agency again."""
    agency = f"&agency={data.agency.id}" if data.agency is not None else ""
    return f"{data.period.query()}{agency}"


def _filename(data: Dashboard, extension: str) -> str:
    return f"lien-thong_{data.period.start}_{data.period.end}.{extension}"


class DashboardController(Controller):
    """The dashboard for clerks, leaders and the provincial office (the statistics scope)."""

    path = "/exchange/dashboard"

    @get("/", name="exchange.dashboard")
    async def page(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                   settings: AppSettings) -> Response[str]:
        data = await dashboard(db, actor, settings, request.query_params, clock.now())
        return render_page(request, "pages/exchange/dashboard.html", {
            "section": "account", "actor": actor, "data": data, "period": data.period, "query": _query(data),
            "hours": format_hours, "path_label": path_label}, blocks=_BLOCKS)

    @get("/export.csv", name="exchange.dashboard_csv")
    async def as_csv(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                     settings: AppSettings) -> Response[bytes]:
        data = await dashboard(db, actor, settings, request.query_params, clock.now())
        return table_download(dashboard_csv(data), CSV, _filename(data, "csv"))

    @get("/export.xlsx", name="exchange.dashboard_xlsx")
    async def as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                      settings: AppSettings) -> Response[bytes]:
        data = await dashboard(db, actor, settings, request.query_params, clock.now())
        return table_download(dashboard_xlsx(data), XLSX, _filename(data, "xlsx"))

    @get("/rejections", name="exchange.dashboard_rejections")
    async def rejected(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        data = await rejections(db, actor, request.query_params, clock.now())
        agency = f"&agency={data.agency.id}" if data.agency is not None else ""
        return render_page(request, "pages/exchange/dashboard_rejections.html", {
            "section": "account", "actor": actor, "data": data, "period": data.period,
            "query": f"{data.period.query()}{agency}"})
