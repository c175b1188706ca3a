"""Dates and timestamps as edXML writes them, read tolerantly.

We write ``yyyy/MM/dd`` and ``yyyy/MM/dd HH:mm:ss`` (domain.md §16.2). Real traffic also carries
``dd/MM/yyyy`` (one of the real samples), and some SDKs write ISO ``yyyy-MM-dd``: all are read.
Timestamps are Vietnam local time without a zone; they stay naive here.
"""

from __future__ import annotations

from datetime import date, datetime

from backend.domain.exchange.edxml.errors import InvalidValueError

__all__ = ["format_date", "format_timestamp", "parse_date", "parse_timestamp"]

_DATE_FORMATS = ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d")
_TIMESTAMP_FORMATS = ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def parse_date(text: str, field: str) -> date:
    """``text`` in any accepted form.

    Raises:
        InvalidValueError: not a real calendar date in an accepted form (the reason names ``field``).
    """
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InvalidValueError("edxml.bad_date", field=field, value=text[:40])


def parse_timestamp(text: str, field: str) -> datetime:
    """``text`` as a naive local timestamp; a bare date means midnight.

    Raises:
        InvalidValueError: in no accepted form.
    """
    for pattern in _TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return datetime.combine(parse_date(text, field), datetime.min.time())
    except InvalidValueError:
        raise InvalidValueError("edxml.bad_timestamp", field=field, value=text[:40]) from None


def format_date(value: date) -> str:
    """``2026/12/07``."""
    return f"{value:%Y/%m/%d}"


def format_timestamp(value: datetime) -> str:
    """``2026/12/07 09:05:00`` (seconds kept, fractions dropped)."""
    return f"{value:%Y/%m/%d %H:%M:%S}"
