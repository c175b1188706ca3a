"""Time: UTC for storage, Asia/Ho_Chi_Minh for display."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["VN_TZ", "format_local", "next_local_time", "now", "to_local", "today"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """The current instant in UTC (timezone-aware)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Vietnam (the date on documents, registers and deadlines)."""
    return to_local(now()).date()


def to_local(moment: datetime) -> datetime:
    """``moment`` converted to Vietnam time."""
    return moment.astimezone(VN_TZ)


def format_local(moment: datetime | None, pattern: str = "%H:%M %d/%m/%Y") -> str:
    """Vietnam-time text for a stored UTC instant; empty for ``None``."""
    return "" if moment is None else to_local(moment).strftime(pattern)


def next_local_time(moment: datetime, at: time) -> datetime:
    """The next Vietnam-time ``at`` strictly after ``moment``, in UTC (the run time of a daily job)."""
    local = to_local(moment)
    candidate = datetime.combine(local.date(), at, tzinfo=VN_TZ)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)
