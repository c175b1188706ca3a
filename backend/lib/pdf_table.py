"""Generated A4 PDFs in FreeSerif (Vietnamese text) with a fast bordered table (work-file lists, reports).

The table draws single-line cells with words wrapped by hand (fpdf2's ``multi_cell``/``table`` cost ~10 ms
per cell, too slow for a list of thousands of rows) and repeats its heading row on every new page.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["FONT_DIR", "Table", "centred", "new_pdf", "paragraph"]

FONT_DIR = Path("/usr/share/fonts/opentype/freefont")
_LINE = 5.0


def new_pdf(title: str, *, landscape: bool = False) -> Any:
    """An A4 document with FreeSerif regular and bold registered, margins set, and its first page added."""
    from fpdf import FPDF  # the ``signing`` extra, like the other generated PDFs

    pdf = FPDF(orientation="L" if landscape else "P", format="A4", unit="mm")
    pdf.set_margins(left=20, top=15, right=15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("FreeSerif", "", fname=str(FONT_DIR / "FreeSerif.otf"))
    pdf.add_font("FreeSerif", "B", fname=str(FONT_DIR / "FreeSerifBold.otf"))
    pdf.set_title(title)
    pdf.add_page()
    return pdf


def centred(pdf: Any, height: float, text: str) -> None:
    """One centred paragraph across the page."""
    pdf.multi_cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


class _Widths:
    """String widths in the current font, summed from each character's width (measured once per character:
    fpdf2's ``get_string_width`` costs ~0.3 ms a call)."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.chars: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        total = 0.0
        for char in text:
            if char not in self.chars:
                self.chars[char] = self.pdf.get_string_width(char)
            total += self.chars[char]
        return total


def _wrap(measure: _Widths, text: str, width: float) -> list[str]:
    """Words of ``text`` in lines no wider than ``width`` (a long word is cut by characters)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while measure(word) > width:
            cut = max(1, int(len(word) * width / measure(word)))
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    return [*lines, current] if current else lines or [""]


def paragraph(pdf: Any, text: str, height: float = _LINE) -> None:
    """``text`` across the page in the current font, words wrapped by hand (fpdf2's ``write`` and ``multi_cell``
    cost ~0.1 ms per character, too slow for a paragraph naming a hundred agencies)."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for line in _wrap(_Widths(pdf), text, width):
        pdf.cell(width, height, line, new_x="LMARGIN", new_y="NEXT")


class Table:
    """A bordered table of fixed column widths (mm) in the current font; the heading row opens every page."""

    def __init__(self, pdf: Any, headings: Sequence[str], widths: Sequence[float]) -> None:
        self.pdf, self.headings, self.widths = pdf, headings, widths
        self.measure = _Widths(pdf)
        self._draw(self._wrapped(headings))

    def row(self, cells: Sequence[str]) -> None:
        """Draw one row, on a new page (under the headings again) when it does not fit on this one."""
        wrapped = self._wrapped(cells)
        if self.pdf.get_y() + self._height(wrapped) > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()
            self._draw(self._wrapped(self.headings))
        self._draw(wrapped)

    def _wrapped(self, cells: Sequence[str]) -> list[list[str]]:
        return [_wrap(self.measure, text, width - 2) for text, width in zip(cells, self.widths, strict=True)]

    @staticmethod
    def _height(wrapped: list[list[str]]) -> float:
        return max(len(lines) for lines in wrapped) * _LINE

    def _draw(self, wrapped: list[list[str]]) -> None:
        pdf, height = self.pdf, self._height(wrapped)
        x, y = pdf.l_margin, pdf.get_y()
        for lines, width in zip(wrapped, self.widths, strict=True):
            pdf.rect(x, y, width, height)
            for index, line in enumerate(lines):
                pdf.set_xy(x + 1, y + index * _LINE)
                pdf.cell(width - 2, _LINE, line)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)
