"""The exchange dashboard's use cases, shared by its pages, exports and JSON API.

Who sees what is the statistics rule (:mod:`backend.domain.statistics.scope`): a leader, deputy,
clerk or administrator of agency A sees A and every agency below it — a clerk their own agency,
the provincial office every agency of the province — and may narrow it to one of them with
``?agency=ID``; an agency outside the scope is 404, and other roles get 403. The period is the
statistics period (``?month=`` or ``?from=&to=``), documents counted in the period they were issued
(sent) or received. Every figure is computed live at ``computed_at``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, OutgoingDocument, OutgoingRecipient, RecipientKind
from backend.domain.accounts.actor import Actor
from backend.domain.exchange.dashboard import PartnerRow, exchange_rows, partner_key, partner_names
from backend.domain.statistics.figures import calendar_table
from backend.domain.statistics.period import Period, parse_period
from backend.domain.statistics.scope import require_statistics, scoped_agency, statistics_agency_ids
from backend.errors import InvalidInputError
from backend.lib.bounds import parse_id
from backend.lib.clock import to_local
from backend.lib.i18n import t

__all__ = ["MAX_REJECTIONS", "Dashboard", "Rejection", "Rejections", "dashboard", "rejections"]

MAX_REJECTIONS = 500
"""The drill-down lists at most this many rejections (the latest first)."""

_PARTNER = re.compile(r"^[ad][0-9]{1,12}$")


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The rows of the dashboard and what they were computed for."""

    period: Period
    computed_at: datetime
    agency: Agency | None
    """The one agency asked for (``None``: every agency in scope)."""
    choices: list[tuple[int, str]]
    """The agencies in scope, for the filter."""
    rows: list[PartnerRow]
    total: PartnerRow

    @property
    def scope_name(self) -> str:
        """The agency asked for, the only agency in scope, or "every agency in scope"."""
        if self.agency is not None:
            return self.agency.name
        return self.choices[0][1] if len(self.choices) == 1 else t("exchange_dashboard.all_agencies")


@dataclass(frozen=True, slots=True)
class Rejection:
    """One package a partner rejected (02), with its reason."""

    outgoing_id: int
    reference: str
    summary: str
    sender: str
    partner_key: str
    partner: str
    returned_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Rejections:
    """The drill-down: rejections in scope and period, for one partner or all."""

    period: Period
    computed_at: datetime
    agency: Agency | None
    partner_key: str | None
    partner: str
    lines: list[Rejection]


async def _scope(db: AsyncSession, actor: Actor, params: Mapping[str, str]) -> tuple[Agency | None, list[int]]:
    """The agency filter (in scope, else 404) and the ids of the agencies it selects."""
    require_statistics(actor)
    raw = (params.get("agency") or "").strip()
    if not raw:
        return None, list((await db.scalars(statistics_agency_ids(actor))).all())
    agency_id = parse_id(raw)
    if agency_id is None:
        message = t("exchange_dashboard.bad_agency")
        raise InvalidInputError(message, field_errors={"agency": message})
    agency = await scoped_agency(db, actor, agency_id)
    return agency, [agency.id]


def _period(params: Mapping[str, str], now: datetime) -> Period:
    return parse_period(params, to_local(now).date())


async def dashboard(db: AsyncSession, actor: Actor, settings: Settings, params: Mapping[str, str],
                    now: datetime) -> Dashboard:
    """The per-partner rows for the actor's scope (or ``?agency=``) and the period of ``params``.

    Raises:
        PermissionDeniedError: the actor has no statistics role.
        NotFoundError: ``?agency=`` is outside the actor's scope.
        InvalidInputError: a malformed agency, month or date, or a period over 366 days.
    """
    period = _period(params, now)
    agency, agency_ids = await _scope(db, actor, params)
    rows, total = await exchange_rows(db, agency_ids, period, calendar_table(settings, period, now), now)
    total.name = t("exchange_dashboard.total")
    choices = [(row.id, row.name) for row in await db.execute(
        sa.select(Agency.id, Agency.name).where(Agency.id.in_(statistics_agency_ids(actor)),
                                               Agency.is_active.is_(True)).order_by(Agency.level, Agency.name))]
    return Dashboard(period, now, agency, choices, rows, total)


async def rejections(db: AsyncSession, actor: Actor, params: Mapping[str, str], now: datetime) -> Rejections:
    """The packages of the scope and period that partners rejected, latest first (``?partner=`` narrows).

    Raises:
        InvalidInputError: a malformed ``partner`` (besides the errors of :func:`dashboard`).
    """
    period = _period(params, now)
    agency, agency_ids = await _scope(db, actor, params)
    key = (params.get("partner") or "").strip() or None
    if key is not None and not _PARTNER.match(key):
        message = t("exchange_dashboard.bad_partner")
        raise InvalidInputError(message, field_errors={"partner": message})
    line, doc = OutgoingRecipient, OutgoingDocument
    query = (sa.select(doc.id, doc.code_number, doc.code_notation, doc.summary, Agency.name.label("sender"),
                       line.recipient_agency_id, line.directory_id, line.name.label("line_name"), line.returned_at,
                       line.status_note)
             .join(doc, doc.id == line.outgoing_id).join(Agency, Agency.id == doc.agency_id)
             .where(doc.agency_id.in_(agency_ids), doc.issued_at >= period.lower, doc.issued_at < period.upper,
                    line.kind == RecipientKind.AGENCY, line.returned_at.is_not(None))
             .order_by(line.returned_at.desc(), line.id.desc()).limit(MAX_REJECTIONS))
    if key is not None:
        column = line.recipient_agency_id if key[0] == "a" else line.directory_id
        query = query.where(column == int(key[1:]))
        if key[0] == "d":
            query = query.where(line.recipient_agency_id.is_(None))
    found = (await db.execute(query)).all()
    keys = [partner_key(r.recipient_agency_id, r.directory_id) for r in found]
    names = await partner_names(db, [*keys, *([key] if key else [])])
    lines = [Rejection(r.id, f"{r.code_number}/{r.code_notation}", r.summary, r.sender, k, names.get(k, r.line_name),
                       r.returned_at, r.status_note) for r, k in zip(found, keys, strict=True)]
    return Rejections(period, now, agency, key, names.get(key, "") if key else "", lines)
