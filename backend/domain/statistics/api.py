"""JSON API ``/api/v1/statistics`` and ``/api/v1/reports``: the same use cases and scope as the pages.

Query parameters: ``month=YYYY-MM`` or ``from``/``to`` (ISO dates, at most 366 days; otherwise
422); the compliance report also takes ``agency=ID`` (that agency and those below it, by default the
caller's agency). An agency outside the actor's scope is 404. ``/api/v1/reports/compliance.pdf`` is the
same report as a PDF fit to print. Every answer says when its figures were
computed (``computed_at``) and how (``freshness``: ``live`` — straight from the documents at that
moment). Schema at ``/schema/openapi.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, Response, get

from backend.db.models import Agency
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.documents.web import table_download
from backend.domain.statistics import handling_reports, service
from backend.domain.statistics.compliance import ComplianceReport, ComplianceRow
from backend.domain.statistics.compliance_pdf import PDF, compliance_pdf, compliance_pdf_name
from backend.domain.statistics.figures import AgencyFigures
from backend.domain.statistics.handling import HandlingLine, HandlingRow
from backend.domain.statistics.handling_reports import IncomingLine, OutgoingLine
from backend.domain.statistics.period import Period, parse_period
from backend.domain.statistics.scope import require_statistics, scoped_agency
from backend.domain.statistics.service import Overview
from backend.lib import clock
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.int_bounds import PathId

__all__ = ["ReportsApiController", "StatisticsApiController"]

FRESHNESS = "live"


@dataclass(frozen=True, slots=True)
class ApiPeriod:
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class ApiStatistics:
    period: ApiPeriod
    computed_at: datetime
    freshness: str
    agencies: list[AgencyFigures]
    total: AgencyFigures


@dataclass(frozen=True, slots=True)
class ApiAgencyStatistics:
    period: ApiPeriod
    computed_at: datetime
    freshness: str
    figures: AgencyFigures
    units: list[HandlingRow]
    people: list[HandlingRow]


@dataclass(frozen=True, slots=True)
class ApiPersonStatistics:
    period: ApiPeriod
    computed_at: datetime
    freshness: str
    name: str
    lines: list[HandlingLine]


@dataclass(frozen=True, slots=True)
class ApiCompliance:
    period: ApiPeriod
    computed_at: datetime
    freshness: str
    agency_id: int
    """The agency whose scope the report covers (``?agency=``, by default the caller's)."""
    agency_name: str
    rows: list[ComplianceRow]
    paper_only: list[str]
    unneeded_paper: list[str]
    missing_paper: list[str]
    unsigned: list[str]


@dataclass(frozen=True, slots=True)
class ApiIncomingReport:
    period: ApiPeriod
    computed_at: datetime
    agency_id: int
    lines: list[IncomingLine]


@dataclass(frozen=True, slots=True)
class ApiOutgoingReport:
    period: ApiPeriod
    computed_at: datetime
    agency_id: int
    lines: list[OutgoingLine]


def _period(request: Request[Any, Any, Any]) -> Period:
    return parse_period(request.query_params, clock.to_local(clock.now()).date())


def _api(period: Period) -> ApiPeriod:
    return ApiPeriod(period.start, period.end)


async def _compliance(request: Request[Any, Any, Any], db: DB, actor: Actor,
                      settings: AppSettings) -> tuple[Overview, ComplianceReport, Agency]:
    agency_id = parse_id(request.query_params.get("agency", ""))
    return await service.compliance(db, actor, settings, _period(request), clock.now(), agency_id)


class StatisticsApiController(Controller):
    """``/api/v1/statistics``: every agency in scope, one agency by unit and person, one person's lines."""

    path = "/api/v1/statistics"
    tags = ["statistics"]
    include_in_schema = True

    @get("/", name="api.statistics.index")
    async def index(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                    settings: AppSettings) -> ApiStatistics:
        data = await service.overview(db, actor, settings, _period(request), clock.now())
        return ApiStatistics(_api(data.period), data.computed_at, FRESHNESS, data.agencies, data.total)

    @get("/agencies/{agency_id:int}", name="api.statistics.agency")
    async def agency(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, settings: AppSettings,
                     agency_id: PathId) -> ApiAgencyStatistics:
        d = await service.agency_detail(db, actor, settings, agency_id, _period(request), clock.now())
        return ApiAgencyStatistics(_api(d.period), d.computed_at, FRESHNESS, d.figures, d.units, d.people)

    @get("/agencies/{agency_id:int}/people/{user_id:int}", name="api.statistics.person")
    async def person(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, agency_id: PathId,
                     user_id: PathId) -> ApiPersonStatistics:
        period, now = _period(request), clock.now()
        _agency, name, lines = await service.person_detail(db, actor, agency_id, user_id, period, now)
        return ApiPersonStatistics(_api(period), now, FRESHNESS, name, lines)


class ReportsApiController(Controller):
    """``/api/v1/reports``: the compliance report and the handling reports."""

    path = "/api/v1/reports"
    tags = ["reports"]
    include_in_schema = True

    @get("/compliance", name="api.reports.compliance")
    async def compliance(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                         settings: AppSettings) -> ApiCompliance:
        data, r, scope = await _compliance(request, db, actor, settings)
        return ApiCompliance(_api(data.period), data.computed_at, FRESHNESS, scope.id, scope.name, r.rows,
                             r.paper_only, r.unneeded_paper, r.missing_paper, r.unsigned)

    @get("/compliance.pdf", name="api.reports.compliance_pdf", media_type=PDF,
         summary="The compliance report as a PDF fit to print (A4 landscape: heading, charts, ranked table)")
    async def compliance_pdf(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                             settings: AppSettings) -> Response[bytes]:
        data, report, scope = await _compliance(request, db, actor, settings)
        return table_download(compliance_pdf(scope.name, data, report), PDF, compliance_pdf_name(data.period))

    @get("/agencies/{agency_id:int}/incoming-handling", name="api.reports.incoming")
    async def incoming(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                       agency_id: PathId) -> ApiIncomingReport:
        require_statistics(actor)
        period, now = _period(request), clock.now()
        agency = await scoped_agency(db, actor, agency_id)
        lines = await handling_reports.incoming_handling(db, agency, period, clock.to_local(now).date())
        return ApiIncomingReport(_api(period), now, agency.id, lines)

    @get("/agencies/{agency_id:int}/outgoing-handling", name="api.reports.outgoing")
    async def outgoing(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                       agency_id: PathId) -> ApiOutgoingReport:
        require_statistics(actor)
        period, now = _period(request), clock.now()
        agency = await scoped_agency(db, actor, agency_id)
        return ApiOutgoingReport(_api(period), now, agency.id, await handling_reports.outgoing_handling(
            db, agency, period))
