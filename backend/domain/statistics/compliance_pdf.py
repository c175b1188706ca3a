"""The monthly compliance report as a PDF fit to print (issue 15 item 4): A4 landscape, FreeSerif.

The same report as the page and the XLSX: the heading (the agency whose scope it covers — the
province for the provincial office — and the period), when the figures were computed, the charts
(the page's chart data from :mod:`.chart_data`, drawn with PDF rectangles and text rather than the
page's SVG, whose text fpdf2 cannot set in a Vietnamese font), the agencies named for each
problem, and the ranked table (its heading row repeated on every page).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.domain.statistics.chart_data import compliance_charts
from backend.domain.statistics.charts import Bars, Chart, Stacked
from backend.domain.statistics.compliance import ComplianceReport
from backend.domain.statistics.exports import compliance_cells
from backend.domain.statistics.period import Period
from backend.domain.statistics.service import Overview
from backend.lib.clock import format_local
from backend.lib.i18n import t
from backend.lib.pdf_table import Table, centred, new_pdf, paragraph

__all__ = ["PDF", "compliance_pdf", "compliance_pdf_name"]

PDF = "application/pdf"
_GAP = 8.0
_BAR_STEP = 8.0
_TRACK = "#e5e7eb"
_WIDTHS = [6.0, 36.0] + [11.0] * 10
"""Relative column widths (the XLSX's), scaled to the page."""


def compliance_pdf_name(period: Period) -> str:
    """The download's file name."""
    return f"bao-cao-tuan-thu_{period.start}_{period.end}.pdf"


def _fill(pdf: Any, colour: str) -> None:
    pdf.set_fill_color(int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _stacked(pdf: Any, x: float, y: float, width: float, chart: Stacked) -> float:
    """One proportional bar and its legend; returns the bottom."""
    whole = sum(value for _label, value, _colour in chart.parts)
    left = x
    for _label, value, colour in chart.parts:
        part = width * value / whole if whole else 0.0
        if part:
            _fill(pdf, colour)
            pdf.rect(left, y, part, 6, style="F")
        left += part
    if not whole:
        _fill(pdf, _TRACK)
        pdf.rect(x, y, width, 6, style="F")
    y += 9
    for label, value, colour in chart.parts:
        _fill(pdf, colour)
        pdf.rect(x, y + 1, 3.5, 3.5, style="F")
        percent = f" ({100 * value / whole:.1f}%)" if whole else ""
        pdf.set_xy(x + 5, y)
        pdf.cell(width - 5, 5.5, f"{label}: {value}{percent}")
        y += 5.5
    return y


def _bars(pdf: Any, x: float, y: float, width: float, chart: Bars) -> float:
    """A labelled percent bar per item (the value at the end of the label line); returns the bottom."""
    for label, value in chart.bars:
        pdf.set_xy(x, y)
        pdf.cell(width - 16, 4, label[:90])
        pdf.cell(16, 4, f"{value:.1f}%", align="R")
        clipped = max(0.0, min(100.0, value))
        _fill(pdf, _TRACK)
        pdf.rect(x, y + 4.5, width, 2.5, style="F")
        if clipped:
            _fill(pdf, chart.colour)
            pdf.rect(x, y + 4.5, width * clipped / 100, 2.5, style="F")
        y += _BAR_STEP
    if not chart.bars:
        pdf.set_xy(x, y)
        pdf.cell(width, 5, t("statistics.chart.no_data"))
        y += 6
    return y


def _chart_height(chart: Chart) -> float:
    if isinstance(chart, Stacked):
        return 7 + 9 + 5.5 * len(chart.parts)
    return 7 + _BAR_STEP * max(1, len(chart.bars))


def _charts(pdf: Any, charts: Sequence[Chart]) -> None:
    """Two charts a row, a row moved to a new page when it does not fit."""
    width = (pdf.w - pdf.l_margin - pdf.r_margin - _GAP) / 2
    for start in range(0, len(charts), 2):
        row = charts[start:start + 2]
        height = max(_chart_height(chart) for chart in row)
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
        top, bottom = pdf.get_y(), pdf.get_y()
        for index, chart in enumerate(row):
            x = pdf.l_margin + index * (width + _GAP)
            pdf.set_font("FreeSerif", "B", 11)
            pdf.set_xy(x, top)
            pdf.cell(width, 6, chart.title)
            pdf.set_font("FreeSerif", "", 9)
            draw = _stacked if isinstance(chart, Stacked) else _bars
            bottom = max(bottom, draw(pdf, x, top + 7, width, chart))  # type: ignore[arg-type]
        pdf.set_xy(pdf.l_margin, bottom + 4)


def _named(pdf: Any, report: ComplianceReport) -> None:
    pdf.set_font("FreeSerif", "B", 12)
    pdf.cell(0, 7, t("statistics.report.named_heading"), new_x="LMARGIN", new_y="NEXT")
    none = t("statistics.report.named_none")
    for key, names in (("paper_only", report.paper_only), ("unneeded_paper", report.unneeded_paper),
                       ("missing_paper", report.missing_paper), ("unsigned", report.unsigned)):
        pdf.set_font("FreeSerif", "B", 10)
        pdf.cell(0, 5.5, f"{t(f'statistics.report.named_{key}')}:", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("FreeSerif", "", 10)
        paragraph(pdf, ", ".join(names) or none, 5.0)
        pdf.ln(1)


def compliance_pdf(scope_name: str, data: Overview, report: ComplianceReport) -> bytes:
    """The report of the agencies under ``scope_name`` (the actor's agency) as PDF bytes."""
    title = t("statistics.report.compliance_heading")
    pdf = new_pdf(f"{title} – {data.period.label}", landscape=True)
    pdf.set_font("FreeSerif", "B", 11)
    centred(pdf, 6, scope_name.upper())
    pdf.set_font("FreeSerif", "B", 14)
    centred(pdf, 7, title.upper())
    pdf.set_font("FreeSerif", "", 11)
    centred(pdf, 6, t("statistics.report.compliance_subtitle", period=data.period.label.capitalize(),
                      count=len(report.rows)))
    pdf.set_font("FreeSerif", "", 9)
    centred(pdf, 5, t("statistics.report.computed_at", at=format_local(data.computed_at)))
    pdf.ln(3)
    _charts(pdf, compliance_charts(data.total, report))
    _named(pdf, report)
    pdf.ln(2)
    pdf.set_font("FreeSerif", "B", 12)
    pdf.cell(0, 7, t("statistics.report.ranking_heading"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("FreeSerif", "", 9)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    table = Table(pdf, t("statistics.report.compliance_columns").split("|"),
                  [width * usable / sum(_WIDTHS) for width in _WIDTHS])
    for row in compliance_cells(report):
        table.row([str(cell) for cell in row])
    pdf.ln(3)
    pdf.multi_cell(0, 5, t("statistics.report.score_note"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
