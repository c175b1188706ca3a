"""Office time over a span of days as a running total, for many look-ups in one report.

:class:`backend.lib.workdays.WorkCalendar` answers one question at a time by walking the days;
a province's month has tens of thousands of documents, so this precomputes, for every office
interval of the span, the office seconds before it. "Office hours between two moments" is then
two binary searches. The rules (working days, office hours) are the calendar's own.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta

from backend.lib.clock import VN_TZ
from backend.lib.workdays import WorkCalendar

__all__ = ["OfficeClock"]


class OfficeClock:
    """Office seconds elapsed since the start of ``first`` … the end of ``last`` (local days)."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self._calendar = calendar
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._before: list[float] = []
        self._next_day: dict[date, date] = {}
        total = 0.0
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                for opens, closes in calendar.office_hours:
                    begin = datetime.combine(day, opens, VN_TZ).timestamp()
                    end = datetime.combine(day, closes, VN_TZ).timestamp()
                    self._starts.append(begin)
                    self._ends.append(end)
                    self._before.append(total)
                    total += end - begin
            day += timedelta(days=1)
        self._total = total

    def _elapsed(self, stamp: float) -> float:
        index = bisect_right(self._starts, stamp) - 1
        if index < 0:
            return 0.0
        return self._before[index] + min(stamp, self._ends[index]) - self._starts[index]

    def hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours from ``start`` to ``end`` (0 when ``end`` ≤ ``start``), within the span."""
        return self.hours_between_stamps(start.timestamp(), end.timestamp())

    def hours_between_stamps(self, start: float, end: float) -> float:
        """:meth:`hours_between` for epoch seconds."""
        return max(0.0, self._elapsed(end) - self._elapsed(start)) / 3600

    def next_working_day(self, day: date) -> date:
        """The calendar's next working day after ``day`` (cached)."""
        found = self._next_day.get(day)
        if found is None:
            found = self._next_day[day] = self._calendar.next_working_day(day)
        return found
