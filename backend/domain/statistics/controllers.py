"""Statistics and report pages: ``/statistics`` (drill-down agency → unit → person → documents) and ``/reports``.

Thin: each handler parses the period, calls one use case of :mod:`.service` or
:mod:`.handling_reports`, and renders a page or an export. Out-of-scope agencies are 404 there.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from backend.db.models import Agency
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.documents.web import XLSX, table_download
from backend.domain.statistics import chart_data, charts, handling_reports, service
from backend.domain.statistics.compliance import ComplianceReport
from backend.domain.statistics.compliance_pdf import PDF, compliance_pdf, compliance_pdf_name
from backend.domain.statistics.exports import agencies_xlsx, compliance_cells, compliance_xlsx
from backend.domain.statistics.figures import AgencyFigures
from backend.domain.statistics.handling_reports import status_label
from backend.domain.statistics.period import Period, parse_period
from backend.domain.statistics.scope import require_statistics, scoped_agency
from backend.domain.statistics.service import Overview
from backend.lib import clock
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.templates import render_page

__all__ = ["ReportsController", "StatisticsController"]


def _period(request: Request[Any, Any, Any]) -> Period:
    return parse_period(request.query_params, clock.to_local(clock.now()).date())


def overview_charts(figures: AgencyFigures) -> list[Any]:
    """The received/issued split of a total or of one agency, as SVG."""
    return [charts.svg(chart) for chart in chart_data.overview_charts(figures)]


async def _compliance(request: Request[Any, Any, Any], db: DB, actor: Actor,
                      settings: AppSettings) -> tuple[Overview, ComplianceReport, Agency]:
    """The report of ``?agency=ID`` (in scope, else 404) and the agencies below it; by default the actor's."""
    agency_id = parse_id(request.query_params.get("agency", ""))
    return await service.compliance(db, actor, settings, _period(request), clock.now(), agency_id)


def _context(actor: Actor, period: Period, **values: Any) -> dict[str, Any]:
    return {"section": "statistics", "period": period, "actor": actor, "status_label": status_label, **values}


class StatisticsController(Controller):
    """``/statistics``: every agency in scope, then one agency, one unit, one person."""

    path = "/statistics"

    @get("/", name="statistics.index")
    async def index(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                    settings: AppSettings) -> Response[str]:
        data: Overview = await service.overview(db, actor, settings, _period(request), clock.now())
        return render_page(request, "pages/statistics/index.html", _context(
            actor, data.period, data=data, charts=overview_charts(data.total)))

    @get("/export.xlsx", name="statistics.xlsx")
    async def as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                      settings: AppSettings) -> Response[bytes]:
        data = await service.overview(db, actor, settings, _period(request), clock.now())
        body = agencies_xlsx(data.agencies, data.total, data.period)
        return table_download(body, XLSX, f"thong-ke_{data.period.start}_{data.period.end}.xlsx")

    @get("/agencies/{agency_id:int}", name="statistics.agency")
    async def agency(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, settings: AppSettings,
                     agency_id: FromPath[int]) -> Response[str]:
        detail = await service.agency_detail(db, actor, settings, agency_id, _period(request), clock.now())
        return render_page(request, "pages/statistics/agency.html", _context(
            actor, detail.period, detail=detail, charts=overview_charts(detail.figures)))

    @get("/agencies/{agency_id:int}/units/{unit_id:int}", name="statistics.unit")
    async def unit(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, agency_id: FromPath[int],
                   unit_id: FromPath[int]) -> Response[str]:
        period, now = _period(request), clock.now()
        agency, name, people = await service.unit_detail(db, actor, agency_id, unit_id, period, now)
        return render_page(request, "pages/statistics/unit.html", _context(
            actor, period, agency=agency, unit_name=name, people=people, computed_at=now))

    @get("/agencies/{agency_id:int}/people/{user_id:int}", name="statistics.person")
    async def person(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, agency_id: FromPath[int],
                     user_id: FromPath[int]) -> Response[str]:
        period, now = _period(request), clock.now()
        agency, name, lines = await service.person_detail(db, actor, agency_id, user_id, period, now)
        return render_page(request, "pages/statistics/person.html", _context(
            actor, period, agency=agency, person_name=name, lines=lines, computed_at=now))


class ReportsController(Controller):
    """``/reports``: the monthly compliance report and the handling reports (ND 30 PL VI items 78, 80)."""

    path = "/reports"

    @get("/compliance", name="reports.compliance")
    async def compliance(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                         settings: AppSettings) -> Response[str]:
        data, report, scope = await _compliance(request, db, actor, settings)
        return render_page(request, "pages/statistics/compliance.html", _context(
            actor, data.period, data=data, report=report, scope=scope, cells=compliance_cells(report),
            columns=t("statistics.report.compliance_columns").split("|"),
            charts=[charts.svg(c) for c in chart_data.compliance_charts(data.total, report)]))

    @get("/compliance.xlsx", name="reports.compliance_xlsx")
    async def compliance_as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                                 settings: AppSettings) -> Response[bytes]:
        data, report, _scope = await _compliance(request, db, actor, settings)
        return table_download(compliance_xlsx(report, data.period), XLSX,
                              f"bao-cao-tuan-thu_{data.period.start}_{data.period.end}.xlsx")

    @get("/compliance.pdf", name="reports.compliance_pdf")
    async def compliance_as_pdf(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                                settings: AppSettings) -> Response[bytes]:
        data, report, scope = await _compliance(request, db, actor, settings)
        return table_download(compliance_pdf(scope.name, data, report), PDF, compliance_pdf_name(data.period))

    @get("/incoming-handling", name="reports.incoming")
    async def incoming(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        period, agency = _period(request), await self._agency(request, db, actor)
        lines = await handling_reports.incoming_handling(db, agency, period, clock.to_local(clock.now()).date())
        return render_page(request, "pages/statistics/incoming_report.html", _context(
            actor, period, agency=agency, lines=lines, columns=handling_reports.incoming_columns(),
            computed_at=clock.now()))

    @get("/incoming-handling.xlsx", name="reports.incoming_xlsx")
    async def incoming_as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        period, agency = _period(request), await self._agency(request, db, actor)
        lines = await handling_reports.incoming_handling(db, agency, period, clock.to_local(clock.now()).date())
        return table_download(handling_reports.incoming_xlsx(lines, agency, period), XLSX,
                              f"xu-ly-van-ban-den_{period.start}_{period.end}.xlsx")

    @get("/outgoing-handling", name="reports.outgoing")
    async def outgoing(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        period, agency = _period(request), await self._agency(request, db, actor)
        lines = await handling_reports.outgoing_handling(db, agency, period)
        return render_page(request, "pages/statistics/outgoing_report.html", _context(
            actor, period, agency=agency, lines=lines, columns=handling_reports.outgoing_columns(),
            computed_at=clock.now()))

    @get("/outgoing-handling.xlsx", name="reports.outgoing_xlsx")
    async def outgoing_as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        period, agency = _period(request), await self._agency(request, db, actor)
        lines = await handling_reports.outgoing_handling(db, agency, period)
        return table_download(handling_reports.outgoing_xlsx(lines, agency, period), XLSX,
                              f"xu-ly-van-ban-di_{period.start}_{period.end}.xlsx")

    @staticmethod
    async def _agency(request: Request[Any, Any, Any], db: DB, actor: Actor) -> Any:
        """``?agency=ID`` in scope (404 otherwise), by default the actor's own agency."""
        require_statistics(actor)
        raw = request.query_params.get("agency", "")
        agency_id = parse_id(raw) or actor.agency_id
        return await scoped_agency(db, actor, agency_id)
