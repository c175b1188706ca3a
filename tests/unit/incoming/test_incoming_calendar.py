"""Working-day arithmetic over weekends, public holidays and Tết; office hours; the §9 timing flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from backend.config.settings import load_settings
from backend.db.models import IncomingDocument, Urgency
from backend.domain.incoming.timing import deadline_info, timing_for
from backend.lib.clock import VN_TZ
from backend.lib.workdays import WorkCalendar, public_holidays

CAL = WorkCalendar()


def test_tet_holidays_come_from_the_holidays_package() -> None:
    tet_2027 = {date(2027, 2, d) for d in range(4, 11)}  # 29 tháng Chạp … mùng 5 Tết Đinh Mùi
    assert tet_2027 <= public_holidays(2027)
    assert date(2026, 2, 17) in public_holidays(2026)  # mùng 1 Tết Bính Ngọ


def test_next_working_day_skips_the_whole_tet_break() -> None:
    assert CAL.next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)
    assert CAL.add_working_days(date(2027, 2, 3), 3) == date(2027, 2, 15)  # skips the weekend after Tết too
    assert CAL.working_days_between(date(2027, 2, 3), date(2027, 2, 11)) == 1


def test_weekends_and_national_days() -> None:
    assert CAL.next_working_day(date(2026, 11, 20)) == date(2026, 11, 23)  # Friday → Monday
    assert not CAL.is_working_day(date(2026, 9, 2))
    assert CAL.add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 23)  # Saturday rolls forward


def test_compensatory_days_are_configurable() -> None:
    swapped = WorkCalendar(extra_working_days=frozenset({date(2027, 2, 13)}),
                           extra_days_off=frozenset({date(2027, 2, 11)}))
    assert swapped.is_working_day(date(2027, 2, 13)) and not swapped.is_working_day(date(2027, 2, 11))
    assert swapped.next_working_day(date(2027, 2, 3)) == date(2027, 2, 12)
    settings = load_settings({"SECRET_KEY": "k" * 40, "DATA_DIR": "/tmp/cv-cal",
                              "COMPENSATORY_WORKING_DAYS": "2027-02-13", "COMPENSATORY_DAYS_OFF": "2027-02-11",
                              "OFFICE_HOURS": "07:00-11:30,13:30-17:00"})
    assert settings.compensatory_working_days == {date(2027, 2, 13)}
    assert settings.office_hours[0] == (time(7, 0), time(11, 30))


def test_office_hours_skip_lunch_nights_and_tet() -> None:
    friday_4pm = datetime(2026, 11, 20, 16, 0, tzinfo=VN_TZ)
    assert CAL.add_office_hours(friday_4pm, 2) == datetime(2026, 11, 23, 8, 30, tzinfo=VN_TZ)
    morning = datetime(2026, 11, 23, 10, 30, tzinfo=VN_TZ)
    assert CAL.add_office_hours(morning, 2) == datetime(2026, 11, 23, 14, 30, tzinfo=VN_TZ)
    before_tet = datetime(2027, 2, 3, 16, 30, tzinfo=VN_TZ)
    assert CAL.add_office_hours(before_tet, 2) == datetime(2027, 2, 11, 9, 0, tzinfo=VN_TZ)
    assert CAL.office_hours_between(before_tet, datetime(2027, 2, 11, 9, 0, tzinfo=VN_TZ)) == 2.0


def test_deadline_status() -> None:
    today = date(2026, 11, 23)
    assert deadline_info(date(2026, 11, 20), today, CAL, 2).kind == "overdue"
    assert deadline_info(date(2026, 11, 20), today, CAL, 2).days == 3
    assert deadline_info(today, today, CAL, 2).kind == "today"
    assert deadline_info(date(2026, 11, 25), today, CAL, 2).kind == "soon"
    assert deadline_info(date(2026, 12, 10), today, CAL, 2).kind == "ok"
    assert deadline_info(None, today, CAL, 2) is None


def _doc(urgency: Urgency, received: datetime, **moments: datetime) -> IncomingDocument:
    return IncomingDocument(urgency=urgency, received_at=received, **moments)


def test_timing_flags_of_domain_section_9() -> None:
    settings = load_settings({"SECRET_KEY": "k" * 40, "DATA_DIR": "/tmp/cv-cal"})
    received = datetime(2027, 2, 3, 9, 0, tzinfo=VN_TZ).astimezone(UTC)
    urgent = timing_for(_doc(Urgency.HOA_TOC, received), settings, received)
    assert urgent.immediate and urgent.submit_by == date(2027, 2, 3)
    normal = _doc(Urgency.NORMAL, received, submitted_at=datetime(2027, 2, 11, 8, 0, tzinfo=VN_TZ))
    flags = timing_for(normal, settings, datetime(2027, 3, 1, tzinfo=UTC))
    assert flags.submit_by == date(2027, 2, 11) and not flags.submit_late  # next working day is after Tết
    assert flags.clerk_sla_breached and flags.clerk_hours_used == 6.5  # 9:00–17:00 minus lunch, then 7:30–8:00
    quick = _doc(Urgency.NORMAL, received, submitted_at=datetime(2027, 2, 3, 10, 0, tzinfo=VN_TZ))
    assert not timing_for(quick, settings, datetime(2027, 3, 1, tzinfo=UTC)).clerk_sla_breached
