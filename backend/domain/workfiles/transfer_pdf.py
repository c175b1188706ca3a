"""The archive transfer's printable records as PDF: the transfer list and the hand-over record.

Both carry the same rows as their XLSX twins (:mod:`.archive_lists` builds them once); the PDF adds
what a paper record has: the national heading, the title, and the signature blocks of both parties.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.domain.workfiles.archive_lists import TRANSFER_COLUMNS, TRANSFER_WIDTHS
from backend.lib.pdf_table import Table, centred, new_pdf

__all__ = ["handover_pdf", "transfer_list_pdf"]

_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_MOTTO = "Độc lập - Tự do - Hạnh phúc"


def transfer_list_pdf(title: str, rows: Sequence[Sequence[str | int]]) -> bytes:
    """The transfer list (mục lục hồ sơ, tài liệu nộp lưu), landscape, its heading row on every page."""
    pdf = new_pdf(title, landscape=True)
    pdf.set_font("FreeSerif", "B", 13)
    centred(pdf, 7, title)
    pdf.ln(3)
    pdf.set_font("FreeSerif", "", 10)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    scale = usable / sum(TRANSFER_WIDTHS)
    table = Table(pdf, TRANSFER_COLUMNS, [width * scale for width in TRANSFER_WIDTHS])
    for row in rows:
        table.row([str(cell) for cell in row])
    pdf.ln(4)
    pdf.cell(0, 6, f"Tổng số hồ sơ: {len(rows)}.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def handover_pdf(agency_name: str, items: Sequence[tuple[str, str | int]]) -> bytes:
    """The hand-over record (biên bản giao nhận hồ sơ, tài liệu) with both parties' signature blocks."""
    pdf = new_pdf("Biên bản giao nhận hồ sơ, tài liệu")
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    _two_columns(pdf, half, (agency_name.upper(), _NATION), bold=True)
    _two_columns(pdf, half, ("", _MOTTO), bold=True)
    pdf.ln(8)
    pdf.set_font("FreeSerif", "B", 14)
    centred(pdf, 7, "BIÊN BẢN")
    pdf.set_font("FreeSerif", "B", 12)
    centred(pdf, 7, "Về việc giao nhận hồ sơ, tài liệu vào Lưu trữ cơ quan")
    pdf.ln(4)
    pdf.set_font("FreeSerif", "", 11)
    table = Table(pdf, ("Mục", "Nội dung"), (60.0, pdf.w - pdf.l_margin - pdf.r_margin - 60.0))
    for label, value in items:
        table.row((label, str(value)))
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Biên bản này được lập thành hai bản; bên giao giữ một bản, bên nhận giữ một bản.",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _two_columns(pdf, half, ("ĐẠI DIỆN BÊN GIAO", "ĐẠI DIỆN BÊN NHẬN"), bold=True)
    _two_columns(pdf, half, ("(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên)"), bold=False)
    return bytes(pdf.output())


def _two_columns(pdf: Any, width: float, texts: tuple[str, str], *, bold: bool) -> None:
    pdf.set_font("FreeSerif", "B" if bold else "", 11)
    pdf.cell(width, 6, texts[0], align="C")
    pdf.cell(width, 6, texts[1], align="C", new_x="LMARGIN", new_y="NEXT")
