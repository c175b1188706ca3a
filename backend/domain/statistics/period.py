"""The period of a statistic or report: a month (``?month=2026-11``) or a date range (``?from=…&to=…``).

Dates are local (Asia/Ho_Chi_Minh) calendar days, both ends included. A range longer than
:data:`MAX_DAYS` or a malformed date is refused with a Vietnamese message (422), never clamped
silently: a 100-year report is not something anyone meant to ask for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from backend.errors import InvalidInputError
from backend.lib.clock import VN_TZ
from backend.lib.i18n import t

__all__ = ["MAX_DAYS", "Period", "parse_period"]

MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Period:
    """Local days ``start`` … ``end`` (inclusive)."""

    start: date
    end: date

    @property
    def lower(self) -> datetime:
        """The first moment of the period (aware)."""
        return datetime.combine(self.start, time.min, VN_TZ)

    @property
    def upper(self) -> datetime:
        """The first moment after the period (aware, exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, VN_TZ)

    @property
    def label(self) -> str:
        """``tháng 11/2026`` for a whole month, otherwise ``01/11/2026 – 15/11/2026``."""
        next_month = (self.start.replace(day=28) + timedelta(days=4)).replace(day=1)
        if self.start.day == 1 and self.end == next_month - timedelta(days=1):
            return t("statistics.period_month", month=self.start.strftime("%m/%Y"))
        return f"{self.start.strftime('%d/%m/%Y')} – {self.end.strftime('%d/%m/%Y')}"

    def query(self) -> str:
        """The query string that selects this period again."""
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def _month(value: str) -> Period:
    try:
        first = datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise InvalidInputError(t("statistics.bad_month"), field_errors={"month": t("statistics.bad_month")}) from None
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(first, next_month - timedelta(days=1))


def _day(params: Mapping[str, str], name: str, default: date) -> date:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(t("statistics.bad_date"), field_errors={name: t("statistics.bad_date")}) from None


def parse_period(params: Mapping[str, str], today: date) -> Period:
    """The period asked for; the current month (to today) when nothing is given.

    Raises:
        InvalidInputError: a malformed month or date, or a range over :data:`MAX_DAYS` days.
    """
    if (params.get("month") or "").strip():
        return _month(params["month"])
    start = _day(params, "from", today.replace(day=1))
    end = _day(params, "to", today)
    if end < start:
        start, end = end, start
    if (end - start).days + 1 > MAX_DAYS:
        message = t("statistics.range_too_long", days=MAX_DAYS)
        raise InvalidInputError(message, field_errors={"to": message})
    return Period(start, end)
