"""The bounds of submitted ids, dates and texts (``backend.lib.bounds``)."""

from __future__ import annotations

from datetime import date

import pytest

from backend.lib.bounds import MAX_ID, MAX_TEXT_CHARS, parse_date, parse_id, text_problem


@pytest.mark.parametrize("raw", ["", "  ", "0", "-1", "abc", "²", "٣", "1.5", str(MAX_ID + 1), str(2**63), str(2**64)])
def test_parse_id_refuses_what_no_row_can_have(raw: str) -> None:
    assert parse_id(raw) is None


def test_parse_id_reads_ordinary_ids() -> None:
    assert parse_id(" 42 ") == 42 and parse_id(str(MAX_ID)) == MAX_ID


@pytest.mark.parametrize("raw", ["2026-02-31", "0000-01-01", "9999-12-31", "1899-12-31", "31/02/2026", "hôm nay"])
def test_parse_date_refuses_malformed_and_out_of_bounds_dates(raw: str) -> None:
    assert parse_date(raw) is None


def test_parse_date_reads_iso_dates_within_bounds() -> None:
    assert parse_date("2026-12-07") == date(2026, 12, 7) and parse_date("1926-01-01") == date(1926, 1, 1)


@pytest.mark.parametrize(("value", "key"), [("a\x00b", "edge.text.nul"), ("a\ud800b", "edge.text.surrogate"),
                                             ("x" * (MAX_TEXT_CHARS + 1), "edge.text.too_long")])
def test_text_problem_names_what_cannot_be_stored(value: str, key: str) -> None:
    assert text_problem(value) == key


@pytest.mark.parametrize("value", ["\u202eCông văn", "Công\u200b văn", "e\u0301\u0323", "<script>alert(1)</script>"])
def test_text_problem_accepts_legitimate_text(value: str) -> None:
    assert text_problem(value) is None
