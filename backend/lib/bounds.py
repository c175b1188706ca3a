"""The bounds every submitted value must respect before code beyond the controller edge sees it.

One place says what an id, a date and a text may be, so that no value can reach the database or
date arithmetic and fail there (an ``OverflowError``, PostgreSQL refusing a NUL) instead of being
refused with a message:

* an **id** is ASCII digits naming a number from 1 to :data:`MAX_ID` (the largest value a
  PostgreSQL ``INTEGER`` key holds; SQLite's keys are wider, but one rule serves both);
* a **date** lies between :data:`MIN_DATE` and :data:`MAX_DATE` (far beyond any document's
  lifetime, far inside what ``datetime`` arithmetic can add a day or a year to);
* a **text** is at most :data:`MAX_TEXT_CHARS` characters and holds no NUL and no lone UTF-16
  surrogate (neither can be stored or encoded as UTF-8). Other characters — right-to-left marks,
  zero-width joiners, combining marks, markup — are legitimate text: templates escape them.

No I/O, no domain knowledge. The request edge (``backend.server.edge``) applies :func:`text_problem`
to every decoded field; handlers and services parse ids and dates with :func:`parse_id` and
:func:`parse_date`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

__all__ = ["MAX_DATE", "MAX_ID", "MAX_TEXT_CHARS", "MIN_DATE", "FormInt", "id_in_range", "parse_date", "parse_id",
           "text_problem"]

MAX_ID = 2**31 - 1
"""The largest id any table can hold (PostgreSQL ``INTEGER``)."""

FormInt = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]
"""A whole-number field of a form struct (an id or a version): out of range is a 400 naming the field."""

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)

MAX_TEXT_CHARS = 100_000
"""No form field or JSON string is longer (the longest stored text, a description or a note, is far shorter)."""


def id_in_range(value: int) -> bool:
    """True when ``value`` can be an id of some row."""
    return 1 <= value <= MAX_ID


def parse_id(raw: str | None) -> int | None:
    """The id ``raw`` names, or ``None`` when it is empty, not ASCII digits, or out of range.

    ``str.isdigit`` is not enough: it accepts "²" and "٣", which ``int`` then refuses or reads as a
    number the user never typed.
    """
    text = (raw or "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if id_in_range(value) else None


def parse_date(raw: str | None) -> date | None:
    """An ISO date (``YYYY-MM-DD``, as ``<input type=date>`` sends it) within the bounds, else ``None``."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if MIN_DATE <= value <= MAX_DATE else None


def text_problem(value: str) -> str | None:
    """The catalogue key of what is wrong with ``value`` as submitted text, or ``None`` when it is acceptable.

    Keys: ``edge.text.nul``, ``edge.text.surrogate``, ``edge.text.too_long``.
    """
    if len(value) > MAX_TEXT_CHARS:
        return "edge.text.too_long"
    if "\x00" in value:
        return "edge.text.nul"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "edge.text.surrogate"
    return None
