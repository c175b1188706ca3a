"""Handling on time / late / overdue per unit and per person, and a person's documents (the drill-down).

An agency's figures (:mod:`.figures`) break down by the lines of its handling slips: the
assignments of its incoming documents received in the period, as lead or co-ordinator (lines
"for information" carry no work), neither cancelled nor closed unworked. A unit's line is ``assignee_unit_id``, a
person's ``assignee_user_id``; each is classified by its own deadline with
:func:`.figures.handling_status`. The caller has already scoped ``agency`` (404 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    IncomingDocument,
    Unit,
    User,
)
from backend.domain.statistics.figures import handling_status
from backend.domain.statistics.period import Period
from backend.errors import NotFoundError

__all__ = ["HandlingLine", "HandlingRow", "by_person", "by_unit", "person_lines"]


@dataclass(slots=True)
class HandlingRow:
    """One unit's or person's lines in the period."""

    id: int
    name: str
    lines: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    no_deadline: int = 0

    def add(self, status: str | None) -> None:
        self.lines += 1
        if status is None:
            self.no_deadline += 1
        else:
            setattr(self, status, getattr(self, status) + 1)


@dataclass(frozen=True, slots=True)
class HandlingLine:
    """One assignment of a person, with its document, for the last level of the drill-down."""

    doc_id: int
    arrival_number: int | None
    reference: str
    summary: str
    role: str
    due_on: date | None
    completed_at: datetime | None
    status: str | None


_NOT_WORKED = (AssignmentStatus.CANCELLED, AssignmentStatus.CLOSED)
"""Lines cancelled, or closed because they never took part when the document was completed."""


def _lines(agency: Agency, period: Period) -> sa.Select[tuple[Any, ...]]:
    doc = IncomingDocument
    return (sa.select(Assignment.assignee_unit_id, Assignment.assignee_user_id, Assignment.due_on, Assignment.status,
                      Assignment.completed_at, Assignment.role, doc.id.label("doc_id"), doc.arrival_number,
                      doc.code_number, doc.code_notation, doc.summary)
            .join(doc, doc.id == Assignment.incoming_id)
            .where(doc.agency_id == agency.id, doc.received_at >= period.lower, doc.received_at < period.upper,
                   Assignment.role != AssignmentRole.INFORM, Assignment.status.not_in(_NOT_WORKED)))


def _status(row: sa.Row[tuple[Any, ...]], today: date) -> str | None:
    return handling_status(row.due_on, row.completed_at, row.status == AssignmentStatus.DONE, today)


async def by_unit(db: AsyncSession, agency: Agency, period: Period, today: date) -> list[HandlingRow]:
    """Every unit of the agency (also those without lines), by name."""
    units = (await db.execute(sa.select(Unit.id, Unit.name).where(Unit.agency_id == agency.id)
                              .order_by(Unit.name))).all()
    rows = {u.id: HandlingRow(u.id, u.name) for u in units}
    for line in await db.execute(_lines(agency, period).where(Assignment.assignee_unit_id.is_not(None))):
        if (row := rows.get(line.assignee_unit_id)) is not None:
            row.add(_status(line, today))
    return list(rows.values())


async def by_person(db: AsyncSession, agency: Agency, period: Period, today: date,
                    unit_id: int | None = None) -> tuple[str, list[HandlingRow]]:
    """People with lines in the period (of one unit of the agency when ``unit_id``), by name.

    Returns the unit's name (empty for the whole agency) and the rows.

    Raises:
        NotFoundError: ``unit_id`` is not a unit of the agency.
    """
    unit_name = ""
    people = sa.select(User.id, User.full_name).where(User.agency_id == agency.id)
    if unit_id is not None:
        unit_name = await db.scalar(sa.select(Unit.name).where(Unit.id == unit_id, Unit.agency_id == agency.id)) or ""
        if not unit_name:
            raise NotFoundError()
        people = people.where(User.unit_id == unit_id)
    names = {p.id: p.full_name for p in await db.execute(people)}
    rows: dict[int, HandlingRow] = {}
    query = _lines(agency, period).where(Assignment.assignee_user_id.in_(list(names)) if names else sa.false())
    for line in await db.execute(query):
        row = rows.setdefault(line.assignee_user_id, HandlingRow(line.assignee_user_id, names[line.assignee_user_id]))
        row.add(_status(line, today))
    return unit_name, sorted(rows.values(), key=lambda r: r.name)


async def person_lines(db: AsyncSession, agency: Agency, period: Period, today: date,
                       user_id: int) -> tuple[str, list[HandlingLine]]:
    """The person's name and lines in the period, by arrival number.

    Raises:
        NotFoundError: the person is not of the agency.
    """
    name = await db.scalar(sa.select(User.full_name).where(User.id == user_id, User.agency_id == agency.id))
    if name is None:
        raise NotFoundError()
    query = (_lines(agency, period).where(Assignment.assignee_user_id == user_id)
             .order_by(IncomingDocument.arrival_number, IncomingDocument.id))
    lines = [HandlingLine(r.doc_id, r.arrival_number, f"{r.code_number}/{r.code_notation}", r.summary, str(r.role),
                          r.due_on, r.completed_at, _status(r, today)) for r in await db.execute(query)]
    return name, lines
