"""Numbering and symbol rules of domain.md §5 (pure parts: padding, symbols, series, year, date line)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from backend.db.models import DocumentType, DocumentTypeCategory
from backend.domain.outgoing.numbering import (
    Allocated,
    longest_notation,
    notation_for,
    number_year,
    series_for,
    symbol_problem,
)
from backend.domain.signing.nd30 import date_line


def _type(code: str, abbr: str, category: DocumentTypeCategory = DocumentTypeCategory.ADMINISTRATIVE) -> DocumentType:
    return DocumentType(code=code, name=code, abbreviation=abbr, category=category)


@pytest.mark.parametrize(("number", "text"), [(1, "01"), (9, "09"), (10, "10"), (125, "125")])
def test_outgoing_number_pads_below_ten(number: int, text: str) -> None:
    assert Allocated("administrative", 2026, number).code_number == text


def test_outgoing_symbols_follow_nd30() -> None:
    assert notation_for(_type("cong_van", ""), "UBND", "VX", 2026) == "UBND-VX"
    assert notation_for(_type("to_trinh", "TTr"), "UBND", "VX", 2026) == "TTr-UBND"
    assert notation_for(_type("quy_dinh", "QyĐ"), "UBND", None, 2026) == "QyĐ-UBND"
    assert notation_for(_type("nghi_dinh", "NĐ", DocumentTypeCategory.LEGAL), "CP", None, 2026) == "2026/NĐ-CP"


def test_outgoing_series_shared_for_administrative_types_and_own_for_legal_ones() -> None:
    assert series_for(_type("cong_van", "")) == series_for(_type("to_trinh", "TTr")) == "administrative"
    assert series_for(_type("to_trinh", "TTr"), per_type=True) == "type:to_trinh"
    assert series_for(_type("nghi_dinh", "NĐ", DocumentTypeCategory.LEGAL)) == "type:nghi_dinh"


def test_outgoing_year_is_the_vietnamese_calendar_year() -> None:
    assert number_year(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == 2026
    assert number_year(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == 2027  # 00:00 on 1 January in Hanoi


def test_outgoing_date_line_padding() -> None:
    assert date_line("Nghi Phong", date(2027, 1, 5)) == "Nghi Phong, ngày 05 tháng 01 năm 2027"
    assert date_line("Nghi Phong", date(2026, 6, 29)) == "Nghi Phong, ngày 29 tháng 6 năm 2026"


def test_the_longest_symbol_an_abbreviation_makes_and_the_30_character_limit() -> None:
    types = [_type("cong_van", ""), _type("quy_dinh", "QyĐ"), _type("luat", "", DocumentTypeCategory.LEGAL),
             _type("nghi_quyet", "NQ", DocumentTypeCategory.LEGAL)]
    assert longest_notation(types, "UBND", ["VX", "VHXHTTTT", None], 2026) == "UBND-VHXHTTTT"
    assert longest_notation(types, "UBNDHUYENNGHILOC", [None], 2026) == "2026/NQ-UBNDHUYENNGHILOC"
    assert longest_notation(types, "", ["VX"], 2026) == ""
    assert symbol_problem("A" * 30) is None
    assert symbol_problem("UBNDXANGHIPHONG-ĐCXDMOITRUONGNN") == (
        "Ký hiệu văn bản “UBNDXANGHIPHONG-ĐCXDMOITRUONGNN” dài 31 ký tự, vượt giới hạn 30 ký tự của chuẩn "
        "liên thông (QCVN 102): cơ quan nhận sẽ từ chối văn bản. Hãy rút ngắn chữ viết tắt của cơ quan hoặc "
        "đơn vị soạn thảo.")
