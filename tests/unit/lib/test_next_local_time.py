"""``clock.next_local_time``: the next Vietnam-time run of a daily job, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, time

from backend.lib.clock import next_local_time


def test_next_local_time_is_strictly_later_and_in_utc() -> None:
    # 18:00 UTC = 01:00 next day in Vietnam: 02:00 local is one hour later (19:00 UTC)
    assert next_local_time(datetime(2026, 12, 7, 18, 0, tzinfo=UTC), time(2, 0)) == datetime(2026, 12, 7, 19, 0,
                                                                                              tzinfo=UTC)
    # exactly 02:00 local: tomorrow's
    assert next_local_time(datetime(2026, 12, 7, 19, 0, tzinfo=UTC), time(2, 0)) == datetime(2026, 12, 8, 19, 0,
                                                                                              tzinfo=UTC)
