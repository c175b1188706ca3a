"""What waits for a leader: for my signature, for my assignment, overdue, due today, and the month's
deadlines per day (the leader home's tiles and chart, and the morning digest).

Every figure starts from the contexts' scoping queries (``visible_incoming`` through the incoming
inbox queries, ``visible_outgoing`` through the outgoing tabs), so the home can never count more
than the lists it links to show. Counts are capped at :data:`CAP` rows (the page shows "99+"), so
each reads a bounded number of index entries whatever the size of the agency; the month's chart is
one ``GROUP BY`` over the deadline index (``ix_incoming_document_due``).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import IncomingDocument, IncomingState, OutgoingDocument
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import visible_incoming
from backend.domain.incoming.queries import ListFilters, filtered_query
from backend.domain.outgoing.queries import tab_query

__all__ = ["CAP", "DayDeadlines", "LeaderCounts", "due_today", "leader_counts", "month_deadlines"]

CAP = 100
_OPEN = (IncomingState.ASSIGNED, IncomingState.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class LeaderCounts:
    """The four tiles of the leader home (each capped at :data:`CAP`)."""

    to_sign: int
    to_assign: int
    overdue: int
    due_today: int


@dataclass(frozen=True, slots=True)
class DayDeadlines:
    """One day of the month's chart: deadlines falling that day, and how many are still open."""

    day: date
    total: int
    open: int


async def _capped(db: AsyncSession, query: sa.Select[Any], column: Any) -> int:
    inner = query.order_by(None).with_only_columns(column).limit(CAP).subquery()
    return int(await db.scalar(sa.select(sa.func.count()).select_from(inner)) or 0)


def _due_today_query(actor: Actor, today: date) -> sa.Select[tuple[IncomingDocument]]:
    return visible_incoming(actor).where(IncomingDocument.due_on == today, IncomingDocument.state.in_(_OPEN))


async def leader_counts(db: AsyncSession, actor: Actor, today: date) -> LeaderCounts:
    """The tiles' counts for ``actor`` on ``today`` (Vietnam date)."""
    return LeaderCounts(
        to_sign=await _capped(db, tab_query(actor, "to_sign"), OutgoingDocument.id),
        to_assign=await _capped(db, filtered_query(actor, "to_assign", ListFilters(), today), IncomingDocument.id),
        overdue=await _capped(db, filtered_query(actor, "overdue", ListFilters(), today), IncomingDocument.id),
        due_today=await _capped(db, _due_today_query(actor, today), IncomingDocument.id),
    )


async def due_today(db: AsyncSession, actor: Actor, today: date, limit: int = 10) -> Sequence[IncomingDocument]:
    """The open documents whose handling deadline is ``today``, urgent first."""
    query = _due_today_query(actor, today).order_by(IncomingDocument.priority.desc(), IncomingDocument.id).limit(limit)
    return (await db.scalars(query)).all()


async def month_deadlines(db: AsyncSession, actor: Actor, today: date) -> list[DayDeadlines]:
    """Per day of ``today``'s month: handling deadlines falling that day and how many are still open."""
    first = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    scoped = visible_incoming(actor).where(IncomingDocument.due_on >= first, IncomingDocument.due_on <= last,
                                           IncomingDocument.state.in_((*_OPEN, IncomingState.COMPLETED)))
    open_case = sa.case((IncomingDocument.state.in_(_OPEN), 1), else_=0)
    query = (scoped.with_only_columns(IncomingDocument.due_on, sa.func.count(), sa.func.sum(open_case))
             .group_by(IncomingDocument.due_on))
    by_day = {row[0]: (int(row[1]), int(row[2] or 0)) for row in (await db.execute(query)).all()}
    return [DayDeadlines(day, *by_day.get(day, (0, 0)))
            for day in (first.replace(day=n) for n in range(1, last.day + 1))]
