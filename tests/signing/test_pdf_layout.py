"""Pure parts of the PDF signing library: ND 30 text rules, locating boxes, demo images (no server)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from backend.domain.signing.appearance import locate_date_area, locate_number_area, locate_signature_box, placement_at
from backend.domain.signing.assets import seal_png, signature_png
from backend.domain.signing.formfill import (
    DATE_FIELD,
    NUMBER_FIELD,
    fill_number_and_date,
    reserve_number_and_date,
    reserved_fields,
)
from backend.domain.signing.nd30 import (
    date_line,
    format_number,
    number_symbol,
    parse_date_line,
    split_number_symbol,
    symbol_for,
    vn_timestamp,
)
from backend.domain.signing.pdf_errors import ReservedFieldsMissingError
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf
from backend.domain.signing.stamping import seal_box


def test_number_padding_and_symbols() -> None:
    assert [format_number(n) for n in (1, 5, 9, 10, 123)] == ["01", "05", "09", "10", "123"]
    with pytest.raises(ValueError):
        format_number(0)
    assert symbol_for("", "UBND", "VX") == "UBND-VX"
    assert symbol_for("TTr", "UBND") == "TTr-UBND" and symbol_for("QyĐ", "UBND") == "QyĐ-UBND"
    assert symbol_for("QĐ", "CTUBND") == "QĐ-CTUBND"
    assert number_symbol(12, "UBND-VX") == "12/UBND-VX" and number_symbol(5, "TTr-UBND") == "05/TTr-UBND"
    assert split_number_symbol("05/QĐ-UBND") == ("05", "QĐ-UBND")
    with pytest.raises(ValueError):
        symbol_for("QĐ", "UB ND")


def test_date_line_padding_rules() -> None:
    assert date_line("Nghi Phong", dt.date(2027, 1, 5)) == "Nghi Phong, ngày 05 tháng 01 năm 2027"
    assert date_line("Hà Nội", dt.date(2019, 6, 29)) == "Hà Nội, ngày 29 tháng 6 năm 2019"
    assert date_line("Vinh", dt.date(2020, 2, 10)) == "Vinh, ngày 10 tháng 02 năm 2020"
    assert date_line("Vinh", dt.date(2020, 12, 9)) == "Vinh, ngày 09 tháng 12 năm 2020"
    parts = parse_date_line("Nghi Phong, ngày 05 tháng 01 năm 2027")
    assert (parts.place, parts.day, parts.month, parts.year) == ("Nghi Phong", "05", "01", "2027")
    with pytest.raises(ValueError):
        parse_date_line("ngày tháng năm")
    assert vn_timestamp(dt.datetime(2025, 3, 14, 2, 30, 15, 123, tzinfo=dt.UTC)) == "2025-03-14T09:30:15+07:00"


def test_signature_box_for_deputy_on_the_last_page() -> None:
    pdf = outgoing_draft_pdf(DraftSpec(extra_body_pages=1, authority="KT. CHỦ TỊCH", position="PHÓ CHỦ TỊCH",
                                       signer_name="Lê Văn Cường"))
    by_name = locate_signature_box(pdf, signer_name="Lê Văn Cường")
    heuristic = locate_signature_box(pdf)
    assert by_name is not None and by_name == heuristic
    assert by_name.page == 2 and by_name.height > 60 and by_name.width >= 120
    assert locate_signature_box(pdf, signer_name="Người Khác") is None


def test_number_and_date_placeholders_are_found() -> None:
    pdf = outgoing_draft_pdf()
    number, date = locate_number_area(pdf), locate_date_area(pdf)
    assert number is not None and date is not None
    assert number.page == date.page == 0 and not number.italic and date.italic
    assert number.font_size == date.font_size == 13
    assert number.rect[2] < date.rect[0]  # number under the agency (left), date on the right
    assert abs(number.rect[1] - date.rect[1]) < 1


def test_tap_placement_from_page_image_fractions() -> None:
    pdf = outgoing_draft_pdf()
    box = placement_at(pdf, 0, 0.5, 0.25, fractions=True, width=100, height=40)
    assert abs((box.x0 + box.x1) / 2 - 595.28 / 2) < 0.01 and abs((box.y0 + box.y1) / 2 - 841.89 * 0.75) < 0.01
    corner = placement_at(pdf, 0, 0, 0, fractions=True, width=100, height=40)
    assert corner.x0 == 0 and corner.y1 == pytest.approx(841.89)
    with pytest.raises(ValueError):
        placement_at(pdf, 0, 1.5, 0, fractions=True)


def test_seal_box_geometry() -> None:
    from backend.domain.signing.appearance import Placement

    sig = Placement(0, 300, 200, 450, 260)
    seal = seal_box(sig, (36, 36), (0, 0, 595, 842))
    assert seal.x1 == pytest.approx(350) and seal.width == pytest.approx(102.05, abs=0.01)
    assert (seal.y0 + seal.y1) / 2 == pytest.approx(230)
    edge = seal_box(Placement(0, 20, 200, 140, 260), (36, 36), (0, 0, 595, 842))
    assert edge.x0 == 0  # clamped to the page


def test_reserve_and_fill_unsigned_and_refusal_without_fields() -> None:
    draft = outgoing_draft_pdf()
    with pytest.raises(ReservedFieldsMissingError) as info:
        fill_number_and_date(draft, number_symbol="01/UBND-VX", date_line="Nghi Phong, ngày 02 tháng 01 năm 2027")
    assert "ký lại" in info.value.user_message
    reserved = reserve_number_and_date(draft)
    assert set(reserved_fields(reserved)) == {NUMBER_FIELD, DATE_FIELD}
    filled = fill_number_and_date(reserved, number_symbol="01/UBND-VX",
                                  date_line="Nghi Phong, ngày 02 tháng 01 năm 2027")
    assert len(filled) > len(reserved)
    with pytest.raises(ValueError):
        fill_number_and_date(reserved, number_symbol="01/UBND-VX", date_line="02/01/2027")


def test_demo_images_are_transparent_and_coloured() -> None:
    for data, colour in ((signature_png("nguyenvana"), "blue"), (seal_png("Ủy ban nhân dân xã Nghi Phong"), "red")):
        img = Image.open(io.BytesIO(data))
        assert img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0
        raw = img.tobytes()
        inked = [raw[i:i + 4] for i in range(0, len(raw), 4) if raw[i + 3] > 200]
        assert len(inked) > 500
        r, g, b = (sum(p[i] for p in inked) / len(inked) for i in range(3))
        assert (b > 2 * r) if colour == "blue" else (r > 2 * b)
    assert signature_png("a") == signature_png("a") != signature_png("b")
