"""ND 30/2020 text rules for outgoing documents: number, symbol, date line, signing timestamp.

Pure functions (no pyHanko, no I/O) so the outgoing workflow, registers and templates can import
them cheaply. Rules from domain.md:

* §5.1 number: leading zero below 10 ("05"), unpadded from 10 on;
* §5.2 symbol: ``<TypeAbbr>-<IssuerAbbr>`` for typed documents (``QĐ-UBND``, ``TTr-UBND``,
  ``QyĐ-UBND``), ``<IssuerAbbr>-<UnitAbbr>`` for a Công văn (``UBND-VX``); ``/`` between number and
  symbol, ``-`` between groups, no spaces;
* §5.3 date line: ``<place>, ngày DD tháng MM năm YYYY``, leading zero for days below 10 and for
  months 1 and 2 only ("ngày 05 tháng 01", but "ngày 29 tháng 6");
* §11.6 timestamp: ISO 8601 with seconds and the Vietnam offset, ``2025-03-14T09:30:15+07:00``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = [
    "CONG_VAN",
    "NUMBER_SYMBOL_RE",
    "VN_TZ",
    "DateParts",
    "date_line",
    "date_parts",
    "format_number",
    "number_symbol",
    "parse_date_line",
    "split_number_symbol",
    "symbol_for",
    "vn_timestamp",
]

VN_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Vietnam has used UTC+07:00 without daylight saving since 1975; a fixed offset needs no tzdata."""

CONG_VAN = "CV"
"""Pseudo type code of a Công văn (its symbol carries no type abbreviation)."""

NUMBER_SYMBOL_RE = re.compile(r"^(\d{2,})/([A-Za-zĐđ]+)(-[A-Za-zĐđ0-9]+)+$")
"""domain.md §5.2 suggestion for the ``number/symbol`` of administrative documents."""

_DATE_RE = re.compile(r"^(?P<place>.*?),?\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})\s*$")


def format_number(n: int) -> str:
    """``5 -> "05"``, ``12 -> "12"`` (ND 30 PL I §II.3.a)."""
    if n < 1:
        raise ValueError(f"document numbers start at 1, got {n}")
    return f"{n:02d}"


def symbol_for(type_abbr: str, issuer_abbr: str, unit_abbr: str | None = None) -> str:
    """The symbol (ký hiệu) of a document.

    :param type_abbr: ND 30 type abbreviation (``QĐ``, ``TTr``, ``QyĐ``, ``KH`` ...), or
        :data:`CONG_VAN` / ``""`` for a Công văn.
    :param issuer_abbr: the issuing agency or position (``UBND``, ``CTUBND``, ``BNV``).
    :param unit_abbr: for a Công văn, the drafting unit or field (``VX``, ``VP``); optional.

    >>> symbol_for("QĐ", "UBND"), symbol_for("", "UBND", "VX"), symbol_for("QyĐ", "UBND")
    ('QĐ-UBND', 'UBND-VX', 'QyĐ-UBND')
    """
    parts = [issuer_abbr, unit_abbr] if type_abbr in ("", CONG_VAN) else [type_abbr, issuer_abbr, unit_abbr]
    groups = [p.strip() for p in parts if p and p.strip()]
    if not groups or any(" " in g or "-" in g or "/" in g for g in groups):
        raise ValueError(f"symbol groups must be non-empty and free of spaces, '-' and '/': {groups}")
    return "-".join(groups)


def number_symbol(n: int, symbol: str) -> str:
    """``number_symbol(12, "UBND-VX") -> "12/UBND-VX"``."""
    return f"{format_number(n)}/{symbol}"


def split_number_symbol(text: str) -> tuple[str, str]:
    """``"12/UBND-VX" -> ("12", "UBND-VX")``; a text without ``/`` is all number."""
    number, _, symbol = text.strip().partition("/")
    return number.strip(), symbol.strip()


def _dd(value: int, pad: bool) -> str:
    return f"{value:02d}" if pad else str(value)


@dataclass(frozen=True, slots=True)
class DateParts:
    """The pieces of a date line as they are printed (day and month already padded per ND 30)."""

    place: str
    day: str
    month: str
    year: str

    @property
    def line(self) -> str:
        """The whole date line."""
        return f"{self.place}, ngày {self.day} tháng {self.month} năm {self.year}"


def date_parts(place: str, date: dt.date) -> DateParts:
    """Pieces of the date line of *date* (see :func:`date_line`)."""
    return DateParts(place.strip(), _dd(date.day, date.day < 10), _dd(date.month, date.month <= 2), str(date.year))


def date_line(place: str, date: dt.date) -> str:
    """``date_line("Nghi Phong", date(2027, 1, 5)) -> "Nghi Phong, ngày 05 tháng 01 năm 2027"``.

    Days below 10 and months 1 and 2 take a leading zero; other months do not ("tháng 6").
    """
    return date_parts(place, date).line


def parse_date_line(text: str) -> DateParts:
    """Split a date line back into its pieces (raises ``ValueError`` when it is not one)."""
    match = _DATE_RE.match(" ".join(text.split()))
    if match is None:
        raise ValueError(f"not an ND 30 date line: {text!r}")
    return DateParts(match["place"].strip(), match["d"], match["m"], match["y"])


def vn_timestamp(when: dt.datetime | None = None) -> str:
    """ISO 8601 in Vietnam time with seconds: ``2025-03-14T09:30:15+07:00`` (domain.md §11.6).

    A naive *when* is taken as UTC; ``None`` means now.
    """
    moment = when or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()
