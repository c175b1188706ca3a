"""Register exports: a table (headings + text rows) as UTF-8 CSV or as an XLSX workbook.

No domain knowledge: callers pass the headings, the rows already formatted as text, a title and
the column widths. CSV cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

__all__ = ["csv_bytes", "csv_safe", "xlsx_bytes"]


def csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_bytes(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 CSV with a BOM (so spreadsheet programs detect the encoding)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheet_name: str, title: str, headings: Sequence[str], rows: Sequence[Sequence[str | int | float]],
               widths: Sequence[int]) -> bytes:
    """A workbook with a bold title row, bold wrapped headings and wrapped, top-aligned cells."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_name[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(headings))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
