"""Register exports: a table (headings + text rows) as UTF-8 CSV or as an XLSX workbook.

No domain knowledge: callers pass the headings, the rows already formatted as text, a title and
the column widths. CSV cells that a spreadsheet would run as a formula are neutralised.

XLSX cells are made safe in one place (:func:`xlsx_text`), so no stored text can break or arm an export:

* control characters that XML 1.0 cannot carry (C0 except tab, LF, CR) would make openpyxl refuse the
  whole workbook; Word's manual line break (VT) and page break (FF) become a line break, the others
  are dropped, and lone surrogates become U+FFFD;
* every text cell is written as a string cell, never a formula, and one starting with ``=``, ``+``,
  ``-``, ``@``, tab or CR also carries Excel's "quote prefix" style, so editing it keeps it text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font

__all__ = ["csv_bytes", "csv_safe", "xlsx_bytes", "xlsx_text"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAKS = re.compile(r"[\x0b\x0c]")
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0e-\x1f]")


def xlsx_text(value: str) -> str:
    """``value`` with the characters an XLSX cannot hold replaced (see the module docstring)."""
    value = _NOT_IN_XML.sub("", _LINE_BREAKS.sub("\n", value))
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


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
    _text_cell(sheet["A1"], title)
    sheet["A1"].font = Font(bold=True, size=13)
    for column, heading in enumerate(headings, start=1):
        _text_cell(sheet.cell(row=2, column=column), heading)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=3):
        for column, value in enumerate(row, start=1):
            if isinstance(value, str):
                _text_cell(sheet.cell(row=number, column=column), value)
            else:
                sheet.cell(row=number, column=column, value=value)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(cell: Cell, value: str) -> None:
    """Write ``value`` as a string cell (never a formula), quote-prefixed when it looks like one."""
    text = xlsx_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True
