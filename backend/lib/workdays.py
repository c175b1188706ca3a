"""The Vietnamese working-day calendar: weekends, public holidays (Tết included), swapped days, office hours.

Public holidays come from the ``holidays`` package (``holidays.country_holidays("VN")``), which
knows the lunar Tết days and the statutory observed days. Each year the government also swaps
days around holidays (a Saturday worked in exchange for a bridge day off): those are deployment
settings (``COMPENSATORY_WORKING_DAYS`` / ``COMPENSATORY_DAYS_OFF``), because they are announced
year by year. Office hours (``OFFICE_HOURS``) measure the clerk's SLA in office hours
(domain.md §9, §22).

All moments are timezone-aware; dates and office hours are interpreted in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from backend.lib.clock import VN_TZ

__all__ = ["DEFAULT_OFFICE_HOURS", "WorkCalendar", "public_holidays"]

DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
_MAX_SCAN_DAYS = 3660


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """Vietnamese public holidays (incl. Tết and observed days) of ``year``."""
    return frozenset(holidays.country_holidays("VN", years=year).keys())


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days and office hours of one deployment.

    Args:
        extra_working_days: days worked although they are weekends or holidays (swapped Saturdays).
        extra_days_off: days off although they would be working days (bridge days).
        office_hours: ordered, non-overlapping local office intervals of a working day.
    """

    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    office_hours: tuple[tuple[time, time], ...] = DEFAULT_OFFICE_HOURS

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri that is neither a public holiday nor a configured day off, or a configured working day."""
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off or day.weekday() >= 5:
            return False
        return day not in public_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def add_working_days(self, day: date, count: int) -> date:
        """The working day ``count`` working days after ``day`` (``count`` ≥ 0; 0 rolls forward to a working day)."""
        if count < 0:
            raise ValueError("count must be >= 0")
        current = day
        if count == 0:
            for _ in range(_MAX_SCAN_DAYS):
                if self.is_working_day(current):
                    return current
                current += timedelta(days=1)
            raise ValueError("no working day found")
        remaining = count
        for _ in range(_MAX_SCAN_DAYS * max(1, count)):
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
                if remaining == 0:
                    return current
        raise ValueError("no working day found")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]`` (negative when ``end`` is before ``start``)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=offset)))

    def _intervals(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return ()
        return [(datetime.combine(day, start, VN_TZ), datetime.combine(day, end, VN_TZ))
                for start, end in self.office_hours]

    def add_office_hours(self, moment: datetime, hours: float) -> datetime:
        """The moment when ``hours`` office hours have elapsed after ``moment`` (timezone-aware)."""
        remaining = timedelta(hours=hours)
        local = moment.astimezone(VN_TZ)
        day = local.date()
        for _ in range(_MAX_SCAN_DAYS):
            for start, end in self._intervals(day):
                if end <= local:
                    continue
                begin = max(start, local)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("office hours never elapse")

    def office_hours_between(self, start: datetime, end: datetime) -> float:
        """Office hours elapsed between two moments (0 when ``end`` ≤ ``start``)."""
        if end <= start:
            return 0.0
        first, last = start.astimezone(VN_TZ), end.astimezone(VN_TZ)
        total = timedelta()
        day = first.date()
        while day <= last.date():
            for begin, finish in self._intervals(day):
                overlap = min(finish, last) - max(begin, first)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds() / 3600
