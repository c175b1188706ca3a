"""The transfer rules as plain functions: month arithmetic, due dates, retention ends, who is transferred."""

from __future__ import annotations

import datetime as dt

from backend.db.models import WorkFile
from backend.domain.workfiles.transfer import add_months, due_date, expires_on, transferable


def _file(**fields: object) -> WorkFile:
    base: dict[str, object] = {"retention": "10 năm", "start_date": dt.date(2024, 1, 5), "end_date": None,
                               "capital_construction": False, "settlement_date": None}
    return WorkFile(**{**base, **fields})


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 15), 3) == dt.date(2026, 2, 15)


def test_due_one_year_after_end_or_three_months_after_settlement() -> None:
    assert due_date(_file()) is None
    assert due_date(_file(end_date=dt.date(2025, 3, 10))) == dt.date(2026, 3, 10)
    assert due_date(_file(end_date=dt.date(2025, 3, 10), capital_construction=True)) is None
    assert due_date(_file(end_date=dt.date(2025, 3, 10), capital_construction=True,
                          settlement_date=dt.date(2025, 11, 30))) == dt.date(2026, 2, 28)


def test_only_five_years_or_more_are_transferred_and_fixed_terms_expire() -> None:
    assert [transferable(_file(retention=r)) for r in ("Vĩnh viễn", "70 năm", "5 năm", "2 năm")] == [
        True, True, True, False]
    assert expires_on(_file(retention="Vĩnh viễn", end_date=dt.date(2020, 1, 1))) is None
    assert expires_on(_file(retention="2 năm", end_date=dt.date(2020, 1, 1))) == dt.date(2022, 1, 1)
