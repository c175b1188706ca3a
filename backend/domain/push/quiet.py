"""Quiet hours: when a non-urgent push waits until morning.

A window is a pair of local times (Asia/Ho_Chi_Minh) and may wrap midnight (21:00–06:30). A push
falling inside the window is deferred to its end; urgent pushes are never deferred.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo

from backend.lib.clock import VN_TZ

__all__ = ["QuietWindow", "parse_hhmm", "quiet_until"]

QuietWindow = tuple[time, time]
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_hhmm(text: str) -> time:
    """``"21:00"`` → ``time(21, 0)``.

    Raises:
        ValueError: when ``text`` is not ``HH:MM``.
    """
    match = _HHMM.match(text.strip())
    if match is None:
        raise ValueError(f"not HH:MM: {text!r}")
    return time(int(match.group(1)), int(match.group(2)))  # raises ValueError for 25:00


def quiet_until(moment: datetime, window: QuietWindow | None, *, urgent: bool = False,
                zone: tzinfo = VN_TZ) -> datetime | None:
    """The UTC instant the quiet window containing ``moment`` ends, or ``None`` to send now.

    Args:
        moment: the (timezone-aware) instant the push would be sent.
        window: ``(start, end)`` local times; ``None`` means no quiet hours.
        urgent: urgent pushes ignore quiet hours.
    """
    if urgent or window is None:
        return None
    start, end = window
    if start == end:
        return None
    local = moment.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= now < end:
            return None
        end_day = local.date()
    else:
        if not (now >= start or now < end):
            return None
        end_day = local.date() + timedelta(days=1) if now >= start else local.date()
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)
