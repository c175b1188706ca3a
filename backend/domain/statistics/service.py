"""The statistics use cases the pages and the JSON API share: scope, period and figures in one call each.

Every figure is computed live from the documents at request time (``computed_at``); nothing is
cached or typed in, so "how fresh" is always "as of ``computed_at``". An agency, unit or person
outside the actor's scope is a 404 (:mod:`.scope`), never an empty report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency
from backend.domain.accounts.actor import Actor
from backend.domain.organizations.policies import subtree_ids
from backend.domain.statistics import handling
from backend.domain.statistics.compliance import ComplianceReport, compliance_report
from backend.domain.statistics.figures import AgencyFigures, agency_figures, total
from backend.domain.statistics.period import Period
from backend.domain.statistics.scope import require_statistics, scoped_agency, statistics_agency_ids
from backend.lib.clock import to_local
from backend.lib.i18n import t

__all__ = ["AgencyDetail", "Overview", "agency_detail", "compliance", "overview", "person_detail", "unit_detail"]


@dataclass(frozen=True, slots=True)
class Overview:
    """Every agency in scope, and their sum."""

    period: Period
    computed_at: datetime
    agencies: list[AgencyFigures]
    total: AgencyFigures


@dataclass(frozen=True, slots=True)
class AgencyDetail:
    """One agency: its figures, its units and its people."""

    period: Period
    computed_at: datetime
    agency: Agency
    figures: AgencyFigures
    units: list[handling.HandlingRow]
    people: list[handling.HandlingRow]


async def overview(db: AsyncSession, actor: Actor, settings: Settings, period: Period, now: datetime) -> Overview:
    """The statistics of every agency the actor may see (403 without a statistics role)."""
    require_statistics(actor)
    rows = await agency_figures(db, statistics_agency_ids(actor), period, settings, now)
    return Overview(period, now, rows, total(rows, t("statistics.total")))


async def agency_detail(db: AsyncSession, actor: Actor, settings: Settings, agency_id: int, period: Period,
                        now: datetime) -> AgencyDetail:
    """One agency in scope, broken down by unit and person."""
    agency = await scoped_agency(db, actor, agency_id)
    rows = await agency_figures(db, sa.select(sa.literal(agency.id)), period, settings, now)
    figures = rows[0] if rows else AgencyFigures(agency.id, agency.name, str(agency.level), agency.parent_id)
    today = to_local(now).date()
    units = await handling.by_unit(db, agency, period, today)
    _unit, people = await handling.by_person(db, agency, period, today)
    return AgencyDetail(period, now, agency, figures, units, people)


async def unit_detail(db: AsyncSession, actor: Actor, agency_id: int, unit_id: int, period: Period,
                      now: datetime) -> tuple[Agency, str, list[handling.HandlingRow]]:
    """The people of one unit of an agency in scope, with their handling figures."""
    agency = await scoped_agency(db, actor, agency_id)
    name, people = await handling.by_person(db, agency, period, to_local(now).date(), unit_id)
    return agency, name, people


async def person_detail(db: AsyncSession, actor: Actor, agency_id: int, user_id: int, period: Period,
                        now: datetime) -> tuple[Agency, str, list[handling.HandlingLine]]:
    """One person's handling lines (the documents) in an agency in scope."""
    agency = await scoped_agency(db, actor, agency_id)
    name, lines = await handling.person_lines(db, agency, period, to_local(now).date(), user_id)
    return agency, name, lines


async def compliance(db: AsyncSession, actor: Actor, settings: Settings, period: Period, now: datetime,
                     agency_id: int | None = None) -> tuple[Overview, ComplianceReport, Agency]:
    """The compliance report of ``agency_id`` (by default the actor's agency) and every agency below it, the
    overview it was computed from, and that agency (404 when outside the actor's scope)."""
    require_statistics(actor)
    root = await scoped_agency(db, actor, agency_id or actor.agency_id)
    rows = await agency_figures(db, subtree_ids(root.id, "report_tree"), period, settings, now)
    return Overview(period, now, rows, total(rows, t("statistics.total"))), compliance_report(rows), root
