"""The working-day calendar of a span of days as a table the database can join (a ``VALUES`` CTE).

One row per local day: its day number (days since 1970-01-01), the next working day's number,
the office seconds of the span before that day, and whether it is a working day. With the office
hours of :class:`backend.lib.workdays.WorkCalendar` this lets SQL compute "office seconds elapsed
at moment *t*" — ``before(day) + working(day) × Σ clamp(second_of_day − opens, 0, length)`` — so
the clerk's office-hour SLA and the next-working-day rules are evaluated by the database over a
province's month without shipping its rows to Python. The rules stay the calendar's own.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from backend.domain.statistics.sql import VN_OFFSET_SECONDS
from backend.lib.workdays import WorkCalendar

__all__ = ["CalendarTable", "first_day"]

_ORDINAL_1970 = date(1970, 1, 1).toordinal()


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


class CalendarTable:
    """Days ``first`` … ``last`` of ``calendar`` as the CTE ``name``."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date, name: str) -> None:
        self.intervals = [(_seconds(opens), _seconds(closes) - _seconds(opens))
                          for opens, closes in calendar.office_hours]
        per_day = sum(length for _start, length in self.intervals)
        rows, before, day = [], 0, first
        while day <= last:
            working = calendar.is_working_day(day)
            following = calendar.next_working_day(day).toordinal() - _ORDINAL_1970
            rows.append((day.toordinal() - _ORDINAL_1970, following, before, 1 if working else 0))
            before += per_day if working else 0
            day += timedelta(days=1)
        self.cte = (sa.values(sa.column("cal_day", sa.Integer), sa.column("next_day", sa.Integer),
                              sa.column("office_before", sa.Integer), sa.column("working", sa.Integer),
                              name=name, literal_binds=True).data(rows).cte(name))

    def alias(self, name: str) -> sa.CTE:
        """Another reference to the CTE (to join it once per moment)."""
        return self.cte.alias(name)

    def office_seconds(self, row: sa.CTE, stamp: sa.ColumnElement[float],
                       day: sa.ColumnElement[int]) -> sa.ColumnElement[float]:
        """SQL: office seconds of the span elapsed at ``stamp`` (epoch seconds), ``row`` being its day's row."""
        second = stamp + VN_OFFSET_SECONDS - day * 86400
        inside: sa.ColumnElement[float] = sa.literal(0)
        for start, length in self.intervals:
            into = second - start
            inside = inside + sa.case((into <= 0, 0), (into >= length, length), else_=into)
        return row.c.office_before + row.c.working * inside


def first_day(span_start: date) -> date:
    """Where a report's calendar starts: a month and a half before the period (documents signed earlier)."""
    return span_start - timedelta(days=45)
