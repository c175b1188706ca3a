"""XLSX exports survive any stored text and never turn a text into a live formula."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from backend.lib.tabular import xlsx_bytes

HOSTILE = [
    "Dòng một\x0bdòng hai (ngắt dòng của Word)",
    "Trang một\x0ctrang hai",
    "Chuông\x07 thoát\x1b rỗng\x00 hết",
    '=HYPERLINK("http://evil.example","Bấm vào đây")',
    "+84 912 345 678",
    "-1+2",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "Ký tự lẻ \ud800 cuối",
]


def _sheet(rows: list[list[str | int]]):
    body = xlsx_bytes("Sổ", "=TIÊU ĐỀ", ["=Cột", "Số"], rows, [20, 8])
    return load_workbook(io.BytesIO(body)).active


def test_xlsx_export_keeps_control_characters_from_breaking_the_workbook() -> None:
    sheet = _sheet([[text, index] for index, text in enumerate(HOSTILE)])
    values = [sheet.cell(row=3 + i, column=1).value for i in range(len(HOSTILE))]
    assert values[0] == "Dòng một\ndòng hai (ngắt dòng của Word)"
    assert values[1] == "Trang một\ntrang hai"
    assert values[2] == "Chuông thoát rỗng hết"
    assert values[9].startswith("Ký tự lẻ ") and values[9].endswith(" cuối") and "\ufffd" in values[9]
    assert [sheet.cell(row=3 + i, column=2).value for i in range(len(HOSTILE))] == list(range(len(HOSTILE)))


def test_xlsx_export_writes_formula_like_text_as_quoted_text() -> None:
    sheet = _sheet([[text, 0] for text in HOSTILE[3:9]])
    for offset, text in enumerate(HOSTILE[3:9]):
        cell = sheet.cell(row=3 + offset, column=1)
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix
    assert sheet["A1"].value == "=TIÊU ĐỀ" and sheet["A1"].data_type == "s"
    assert sheet["A2"].value == "=Cột" and sheet["A2"].data_type == "s"
    plain = _sheet([["Công văn số 12", 1]])["A3"]
    assert plain.data_type == "s" and not plain.quotePrefix
