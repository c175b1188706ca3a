"""Vietnamese messages for Litestar's validation errors, one per named field.

Litestar reports a body or parameter that does not fit its declared type as a
``ValidationException`` whose ``extra`` lists ``{"message": <msgspec's English text>, "key":
<field path>, "source": ...}``. :func:`validation_messages` turns each entry into a sentence that
names the field and says what was expected and what was found, e.g. «Giá trị của «event» không hợp
lệ: cần chuỗi văn bản, nhận được số nguyên.». Unrecognised wording falls back to a generic
"invalid value" sentence that still names the field.
"""

from __future__ import annotations

import re
from typing import Any

from backend.lib.i18n import t

__all__ = ["validation_messages"]

_EXPECTED = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`")
_BOUND = re.compile(r"^Expected `[^`]+` (?:of length )?([<>]=?) ?(-?[\d.]+)")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"unknown field `([^`]+)`")
_TYPE_WORDS = {"str": "str", "int": "int", "float": "float", "bool": "bool", "array": "array", "object": "object",
               "null": "null", "list": "array", "dict": "object"}


def _type_word(name: str) -> str:
    base = name.split(" ")[0].split("|")[0]
    key = _TYPE_WORDS.get(base)
    return t(f"edge.type.{key}") if key else name


def _sentence(message: str, field: str) -> tuple[str, str]:
    """(field, Vietnamese sentence) for one msgspec message about ``field``."""
    if match := _MISSING.search(message):
        name = f"{field}.{match.group(1)}" if field and field != "data" else match.group(1)
        return name, t("edge.field.missing", field=name)
    if match := _UNKNOWN.search(message):
        name = f"{field}.{match.group(1)}" if field and field != "data" else match.group(1)
        return name, t("edge.field.unknown", field=name)
    name = field if field and field != "data" else "body"
    if match := _EXPECTED.search(message):
        detail = t("edge.field.expected", expected=_type_word(match.group(1)), found=_type_word(match.group(2)))
    elif match := _BOUND.search(message):
        detail = t("edge.field.range", bound=f"{match.group(1)} {match.group(2)}")
    else:
        detail = message
    return name, t("edge.field.invalid", field=name, detail=detail)


def validation_messages(extra: Any) -> dict[str, str]:
    """Field → Vietnamese message for each entry of a ``ValidationException.extra`` (empty if none)."""
    if not isinstance(extra, list):
        return {}
    result: dict[str, str] = {}
    for entry in extra:
        if isinstance(entry, dict) and isinstance(entry.get("message"), str):
            name, sentence = _sentence(entry["message"], str(entry.get("key") or ""))
            result.setdefault(name, sentence)
    return result
