"""Realistic ND 30 outgoing drafts (Công văn) for the demo, the tests and the benchmark.

:func:`outgoing_draft_pdf` lays out a draft the way a specialist uploads it before signing
(domain.md §10, ND 30 PL I): agency name and the national heading side by side, the
``Số:      /UBND-VX`` placeholder under the agency, the italic date placeholder
``<place>, ngày     tháng     năm 20..``, the summary ("V/v ..."), "Kính gửi", the body, the
recipients list ("Nơi nhận") and the signer block ``TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / <space for the
signature> / <printed name>``. Fonts: FreeSerif (Times-like, covers Vietnamese) from Debian's
``fonts-freefont-otf``. The number and date stay blank: the clerk fills them after the leader signs
(:func:`backend.domain.signing.stamping.fill_number_and_date`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FONT_DIR", "DraftSpec", "outgoing_draft_pdf"]

FONT_DIR = Path("/usr/share/fonts/opentype/freefont")

_DEFAULT_BODY = (
    "Thực hiện Kế hoạch số 45/KH-UBND ngày 12 tháng 3 năm 2026 của Ủy ban nhân dân huyện về chuyển đổi "
    "số trong cơ quan nhà nước, Ủy ban nhân dân xã đề nghị các đơn vị rà soát danh mục hồ sơ công việc, "
    "cập nhật đầy đủ văn bản điện tử lên hệ thống quản lý văn bản và điều hành.",
    "Thời hạn hoàn thành trước ngày 30 tháng 6 năm 2026. Trong quá trình thực hiện, nếu có vướng mắc, "
    "đề nghị liên hệ Văn phòng HĐND và UBND xã (số điện thoại 0238.3861.xxx) để được hướng dẫn.",
)


@dataclass(frozen=True, slots=True)
class DraftSpec:
    """What the draft says; every field has a demo default."""

    agency_parent: str = "ỦY BAN NHÂN DÂN"
    agency_name: str = "XÃ NGHI PHONG"
    symbol: str = "UBND-VX"
    place: str = "Nghi Phong"
    summary: str = "V/v triển khai chuyển đổi số năm 2026"
    addressee: str = "Các cơ quan, đơn vị trên địa bàn xã"
    body: Sequence[str] = field(default=_DEFAULT_BODY)
    recipients: Sequence[str] = ("- Như trên;", "- TT Đảng ủy, TT HĐND xã;", "- Lưu: VT, VX.")
    authority: str = "TM. ỦY BAN NHÂN DÂN"
    """Signing-authority prefix line (TM./KT./TL./TUQ./Q. + ...); empty for none."""
    position: str = "CHỦ TỊCH"
    signer_name: str = "Nguyễn Văn A"
    extra_body_pages: int = 0
    """Pages of extra body text before the signer block (the block then sits on the last page)."""


def _fonts(pdf: object) -> None:
    for style, name in (("", "FreeSerif.otf"), ("B", "FreeSerifBold.otf"), ("I", "FreeSerifItalic.otf"),
                        ("BI", "FreeSerifBoldItalic.otf")):
        pdf.add_font("FreeSerif", style, fname=str(FONT_DIR / name))  # type: ignore[attr-defined]


def outgoing_draft_pdf(spec: DraftSpec | None = None) -> bytes:
    """An A4 Công văn draft (PDF bytes) with blank number and date, ready for signing."""
    from fpdf import FPDF  # imported lazily: fpdf2 is part of the ``signing`` extra only

    s = spec or DraftSpec()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(left=30, top=20, right=15)
    pdf.set_auto_page_break(auto=True, margin=20)
    _fonts(pdf)
    pdf.add_page()
    left_w, right_x, right_w = 70.0, 95.0, 100.0
    # Box 1-2: issuing agency (left) and national heading (right)
    pdf.set_xy(30, 20)
    pdf.set_font("FreeSerif", "", 12)
    pdf.cell(left_w, 6, s.agency_parent, align="C")
    pdf.set_xy(right_x, 20)
    pdf.set_font("FreeSerif", "B", 12)
    pdf.cell(right_w, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_xy(30, 26)
    pdf.set_font("FreeSerif", "B", 12)
    pdf.cell(left_w, 6, s.agency_name, align="C")
    pdf.set_xy(right_x, 26)
    pdf.set_font("FreeSerif", "B", 13)
    pdf.cell(right_w, 6, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.line(30 + left_w / 2 - 12, 32.5, 30 + left_w / 2 + 12, 32.5)
    pdf.line(right_x + right_w / 2 - 28, 32.5, right_x + right_w / 2 + 28, 32.5)
    # Box 3-4: number placeholder and date placeholder
    pdf.set_xy(30, 36)
    pdf.set_font("FreeSerif", "", 13)
    pdf.cell(left_w, 6, f"Số:         /{s.symbol}", align="C")
    pdf.set_xy(right_x, 36)
    pdf.set_font("FreeSerif", "I", 13)
    pdf.cell(right_w, 6, f"{s.place}, ngày       tháng       năm 20..", align="C")
    # Box 5b: summary of a Công văn under the number
    pdf.set_xy(30, 43)
    pdf.set_font("FreeSerif", "", 12)
    pdf.multi_cell(left_w, 5.5, s.summary, align="C")
    # Box 9a: addressee, then the body
    pdf.set_xy(30, 62)
    pdf.set_font("FreeSerif", "", 14)
    pdf.multi_cell(0, 7, f"Kính gửi: {s.addressee}.", align="C")
    pdf.ln(3)
    for _ in range(s.extra_body_pages):
        for _ in range(9):
            pdf.multi_cell(0, 7, "      " + s.body[0], align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.add_page()
    for paragraph in s.body:
        pdf.multi_cell(0, 7, "      " + paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    closing = "      Ủy ban nhân dân xã đề nghị các đơn vị quan tâm, phối hợp thực hiện./."
    pdf.multi_cell(0, 7, closing, align="J", new_x="LMARGIN", new_y="NEXT")
    # Box 9b and 7: recipients (left) and the signer block (right)
    if pdf.get_y() > 297 - 20 - 60:
        pdf.add_page()
    top = pdf.get_y() + 6
    pdf.set_xy(30, top)
    pdf.set_font("FreeSerif", "BI", 12)
    pdf.cell(60, 5, "Nơi nhận:")
    pdf.set_font("FreeSerif", "", 11)
    for i, line in enumerate(s.recipients):
        pdf.set_xy(30, top + 5 + 5 * i)
        pdf.cell(60, 5, line)
    pdf.set_font("FreeSerif", "B", 13)
    y = top
    for line in (s.authority, s.position):
        if line:
            pdf.set_xy(right_x + 10, y)
            pdf.cell(90, 6, line, align="C")
            y += 6
    pdf.set_xy(right_x + 10, y + 28)
    pdf.cell(90, 6, s.signer_name, align="C")
    return bytes(pdf.output())
