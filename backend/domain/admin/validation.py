"""Pure field rules shared by the admin forms and the CSV import (no I/O, no database).

Every checker takes raw text, returns the normalised value and appends Vietnamese messages to
an error list (or a field-error dict) instead of raising, so a form can show all of its problems
at once and a CSV row can be rejected with every reason. Rules:

* mã định danh (``organ_id``): upper-cased, ``^[0-9A-Z.]{3,35}$`` (domain.md §17, permissive on
  purpose: QCVN 102 and QĐ 20/2020 codes both fit);
* usernames: lower-cased, ``^[a-z0-9._-]{3,64}$``;
* agency levels and roles: the English code or the Vietnamese word, compared after
  :func:`backend.lib.text.fold` so case and diacritics do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from backend.db.models import AgencyLevel, Role
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = [
    "ORGAN_ID_PATTERN",
    "USERNAME_PATTERN",
    "Errors",
    "as_list",
    "check_email",
    "check_length",
    "check_organ_id",
    "check_phone",
    "check_required",
    "check_username",
    "parse_level",
    "parse_roles",
]

ORGAN_ID_PATTERN = re.compile(r"^[0-9A-Z.]{3,35}$")
USERNAME_PATTERN = re.compile(r"^[a-z0-9._-]{3,64}$")
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_PATTERN = re.compile(r"^[0-9 +().\-/]{3,50}$")

Errors = dict[str, str]
"""Field name → Vietnamese message (the first problem found for that field)."""

_LEVEL_WORDS: dict[str, AgencyLevel] = {
    "tinh": AgencyLevel.PROVINCE,
    "cap tinh": AgencyLevel.PROVINCE,
    "so": AgencyLevel.DEPARTMENT,
    "so, ban, nganh": AgencyLevel.DEPARTMENT,
    "nganh": AgencyLevel.DEPARTMENT,
    "huyen": AgencyLevel.DISTRICT,
    "cap huyen": AgencyLevel.DISTRICT,
    "xa": AgencyLevel.COMMUNE,
    "cap xa": AgencyLevel.COMMUNE,
    "khac": AgencyLevel.OTHER,
}
_ROLE_WORDS: dict[str, Role] = {
    "van thu": Role.CLERK,
    "lanh dao": Role.LEADER,
    "cap pho": Role.DEPUTY,
    "truong phong": Role.UNIT_HEAD,
    "chuyen vien": Role.SPECIALIST,
    "quan tri": Role.ADMIN,
    "kiem soat": Role.AUDITOR,
    "kiem soat vien": Role.AUDITOR,
}


def as_list(value: list[str] | str) -> list[str]:
    """A checkbox group's values as a list whatever the browser sent (one ticked box is a string)."""
    if isinstance(value, str):
        return [value] if value else []
    return list(value)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, message)


def check_required(errors: Errors, field: str, value: str, label: str) -> str:
    """``value`` cleaned; an error when it is empty."""
    value = clean(value)
    if not value:
        _add(errors, field, t("admin.required", field=label))
    return value


def check_length(errors: Errors, field: str, value: str, label: str, limit: int) -> str:
    """An error when ``value`` is longer than the column allows."""
    if len(value) > limit:
        _add(errors, field, t("admin.too_long", field=label, limit=limit, length=len(value)))
    return value


def check_organ_id(
    errors: Errors, field: str, raw: str, *, required: bool = True, label: str | None = None
) -> str:
    """The mã định danh upper-cased; an error when missing or not matching the pattern.

    ``label`` names the field in messages (default: "Mã định danh").
    """
    value = clean(raw).upper()
    label = label or t("admin.f.organ_id")
    if not value:
        if required:
            _add(errors, field, t("admin.organ_id.required", field=label))
        return value
    if not ORGAN_ID_PATTERN.match(value):
        _add(errors, field, t("admin.organ_id.invalid", field=label, value=value))
    return value


def check_username(errors: Errors, field: str, raw: str) -> str:
    """The username lower-cased; an error when missing or not matching the pattern."""
    value = clean(raw).lower()
    if not value:
        _add(errors, field, t("admin.username.required"))
    elif not USERNAME_PATTERN.match(value):
        _add(errors, field, t("admin.username.invalid", value=value))
    return value


def check_email(errors: Errors, field: str, raw: str) -> str | None:
    """An optional e-mail address (``None`` when empty)."""
    value = clean(raw)
    if not value:
        return None
    if len(value) > 200 or not _EMAIL_PATTERN.match(value):
        _add(errors, field, t("admin.email.invalid", value=value))
    return value


def check_phone(errors: Errors, field: str, raw: str) -> str | None:
    """An optional telephone number (digits, spaces and ``+().-/``; ``None`` when empty)."""
    value = clean(raw)
    if not value:
        return None
    if not _PHONE_PATTERN.match(value):
        _add(errors, field, t("admin.phone.invalid", value=value))
    return value


def parse_level(errors: Errors, field: str, raw: str) -> AgencyLevel | None:
    """An agency level from its code (``commune``) or Vietnamese word (``xã``, ``Cấp xã``)."""
    value = clean(raw)
    if not value:
        _add(errors, field, t("admin.level.required"))
        return None
    folded = fold(value)
    for level in AgencyLevel:
        if folded == level.value:
            return level
    named = _LEVEL_WORDS.get(folded)
    if named is None:
        _add(errors, field, t("admin.level.invalid", value=value))
    return named


def parse_roles(errors: Errors, field: str, raw: str | Iterable[str]) -> list[Role]:
    """Roles from codes or Vietnamese labels; a string is split on ``;`` or ``|``.

    Unknown words produce one error naming all of them; duplicates are dropped; the order of the
    result follows :class:`Role`.
    """
    parts = re.split(r"[;|]", raw) if isinstance(raw, str) else list(raw)
    found: set[Role] = set()
    unknown: list[str] = []
    for part in parts:
        word = clean(part)
        if not word:
            continue
        folded = fold(word)
        code = folded.replace("-", "_").replace(" ", "_")
        role = next((r for r in Role if r.value == code), None) or _ROLE_WORDS.get(folded)
        if role is None:
            unknown.append(word)
        else:
            found.add(role)
    if unknown:
        _add(errors, field, t("admin.roles.invalid", values=", ".join(unknown)))
    return [role for role in Role if role in found]
