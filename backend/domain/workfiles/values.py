"""The closed value lists of work files and the field rules shared by the catalogue and the files.

Retention (thời hạn bảo quản, domain.md §3.7) is "Vĩnh viễn" or a number of years; the list below
holds the periods used by the retention tables (TT 10/2022/TT-BNV) and anything else is refused.
Usage regime (chế độ sử dụng, ``Rights``, §3.8) is "Công khai" or "Hạn chế".
"""

from __future__ import annotations

from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.lib.text import clean

__all__ = [
    "PERMANENT", "PUBLIC", "RESTRICTED", "RETENTION_VALUES", "RIGHTS_VALUES", "check_retention", "check_rights",
    "required_text", "retention_years",
]

PERMANENT = "Vĩnh viễn"
RETENTION_VALUES: tuple[str, ...] = (PERMANENT, "70 năm", "50 năm", "20 năm", "10 năm", "5 năm", "2 năm")
PUBLIC = "Công khai"
RESTRICTED = "Hạn chế"
RIGHTS_VALUES: tuple[str, ...] = (PUBLIC, RESTRICTED)


def retention_years(value: str) -> int | None:
    """The number of years of a fixed-term retention value (``None`` for "Vĩnh viễn")."""
    return None if value == PERMANENT else int(value.split()[0])


def _one_of(value: str, allowed: tuple[str, ...], key: str, field: str) -> str:
    cleaned = clean(value)
    if cleaned not in allowed:
        message = t(key, value=cleaned[:40], allowed=", ".join(allowed))
        raise InvalidInputError(message, field_errors={field: message})
    return cleaned


def check_retention(value: str, field: str = "retention") -> str:
    """``value`` when it is one of :data:`RETENTION_VALUES`.

    Raises:
        InvalidInputError: any other value, with the allowed list in the message.
    """
    return _one_of(value, RETENTION_VALUES, "workfiles.retention.invalid", field)


def check_rights(value: str, field: str = "rights") -> str:
    """``value`` when it is one of :data:`RIGHTS_VALUES` (else :class:`InvalidInputError`)."""
    return _one_of(value, RIGHTS_VALUES, "workfiles.rights.invalid", field)


def required_text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    """``value`` cleaned, present when ``required`` and at most ``limit`` characters.

    Raises:
        InvalidInputError: empty when required, or too long (the field's label in the message).
    """
    cleaned = clean(value)
    label = t(f"workfiles.f.{field}")
    if required and not cleaned:
        message = t("workfiles.required", field=label)
        raise InvalidInputError(message, field_errors={field: message})
    if len(cleaned) > limit:
        message = t("workfiles.too_long", field=label, length=len(cleaned), limit=limit)
        raise InvalidInputError(message, field_errors={field: message})
    return cleaned
