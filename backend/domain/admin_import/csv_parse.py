"""Pure CSV import logic: row validation and planning (file reading lives in ``csv_read``).

Nothing here touches the database: the planners receive what already exists as plain mappings
and decide, row by row, whether to create, skip (already exists) or reject (with every reason in
Vietnamese). ``service`` does the look-ups and hands the writes to each context. Formats (docs/admin.md):

* agencies: ``organ_id,name,abbreviation,place_name,level,parent_organ_id,address,email,phone``
* units:    ``agency_organ_id,abbreviation,name``
* users:    ``username,full_name,agency_organ_id,unit_abbreviation,position_title,roles,email,phone,password``

Files are UTF-8 with or without BOM; the delimiter (``,`` or ``;``) is taken from the header line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backend.db.models import AgencyLevel, Role
from backend.domain.accounts.services import validate_new_password
from backend.domain.admin import validation as v
from backend.domain.admin_import.csv_read import Record, RejectedRow
from backend.lib.i18n import t
from backend.lib.text import clean

__all__ = [
    "AgencyRow",
    "Plan",
    "UnitRow",
    "UserRow",
    "parse_agency_row",
    "parse_unit_row",
    "parse_user_row",
    "plan_agencies",
    "plan_units",
    "plan_users",
]


@dataclass(frozen=True, slots=True)
class AgencyRow:
    line: int
    organ_id: str
    name: str
    abbreviation: str
    place_name: str
    level: AgencyLevel
    parent_organ_id: str
    address: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class UnitRow:
    line: int
    agency_organ_id: str
    abbreviation: str
    name: str


@dataclass(frozen=True, slots=True)
class UserRow:
    line: int
    username: str
    full_name: str
    agency_organ_id: str
    unit_abbreviation: str
    position_title: str
    roles: list[Role]
    email: str | None
    phone: str | None
    password: str | None


@dataclass(slots=True)
class Plan:
    """What to do with the rows of one file. ``create`` is in a safe creation order."""

    create: list[Any] = field(default_factory=list)
    skipped: list[Any] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


def _get(record: Record, key: str) -> str:
    return record.get(key, "")


def _label(column: str, label_key: str) -> str:
    return t("import.column", label=t(label_key), column=column)


def _text(
    errors: v.Errors, record: Record, column: str, label_key: str, limit: int, *, required: bool = True
) -> str:
    """A cleaned text cell, checked for presence and length; messages name the column."""
    label = _label(column, label_key)
    value = (
        v.check_required(errors, column, _get(record, column), label)
        if required
        else clean(_get(record, column))
    )
    return v.check_length(errors, column, value, label, limit)


def parse_agency_row(line: int, record: Record) -> AgencyRow | RejectedRow:
    """Validate one agency row (no cross-row or database checks)."""
    errors: v.Errors = {}
    organ_id = v.check_organ_id(errors, "organ_id", _get(record, "organ_id"))
    name = _text(errors, record, "name", "admin.f.name", 200)
    abbreviation = _text(errors, record, "abbreviation", "admin.f.abbreviation", 20).upper()
    place_name = _text(errors, record, "place_name", "admin.f.place_name", 100)
    level = v.parse_level(errors, "level", _get(record, "level"))
    parent = v.check_organ_id(
        errors,
        "parent_organ_id",
        _get(record, "parent_organ_id"),
        required=False,
        label=_label("parent_organ_id", "admin.f.parent_organ_id"),
    )
    address = _text(errors, record, "address", "admin.f.address", 300, required=False) or None
    email = v.check_email(errors, "email", _get(record, "email"))
    phone = v.check_phone(errors, "phone", _get(record, "phone"))
    if errors or level is None:
        return RejectedRow(line, organ_id or clean(_get(record, "name")), list(errors.values()))
    return AgencyRow(line, organ_id, name, abbreviation, place_name, level, parent, address, email, phone)


def parse_unit_row(line: int, record: Record) -> UnitRow | RejectedRow:
    """Validate one unit row."""
    errors: v.Errors = {}
    agency = v.check_organ_id(
        errors,
        "agency_organ_id",
        _get(record, "agency_organ_id"),
        label=_label("agency_organ_id", "admin.f.agency_organ_id"),
    )
    abbreviation = _text(errors, record, "abbreviation", "admin.f.unit_abbreviation", 20).upper()
    name = _text(errors, record, "name", "admin.f.unit_name", 200)
    if errors:
        return RejectedRow(line, f"{agency}/{abbreviation}", list(errors.values()))
    return UnitRow(line, agency, abbreviation, name)


def parse_user_row(line: int, record: Record, *, common_allowed: bool = False) -> UserRow | RejectedRow:
    """Validate one user row, including a supplied password against the password policy (a common
    password is accepted only with ``common_allowed``: the demo seed)."""
    errors: v.Errors = {}
    username = v.check_username(errors, "username", _get(record, "username"))
    full_name = _text(errors, record, "full_name", "admin.f.full_name", 200)
    agency = v.check_organ_id(
        errors,
        "agency_organ_id",
        _get(record, "agency_organ_id"),
        label=_label("agency_organ_id", "admin.f.agency_organ_id"),
    )
    unit = clean(_get(record, "unit_abbreviation")).upper()
    position = _text(errors, record, "position_title", "admin.f.position_title", 200, required=False)
    roles = v.parse_roles(errors, "roles", _get(record, "roles"))
    email = v.check_email(errors, "email", _get(record, "email"))
    phone = v.check_phone(errors, "phone", _get(record, "phone"))
    password = _get(record, "password").strip() or None
    if password is not None and username:
        for message in validate_new_password(username, password, password, common_allowed=common_allowed).values():
            errors.setdefault("password", t("import.user.password_invalid", reason=message))
    if errors:
        return RejectedRow(line, username, list(errors.values()))
    return UserRow(line, username, full_name, agency, unit, position, roles, email, phone, password)


def _split_duplicates(
    rows: Sequence[Any], key: Callable[[Any], object], label: Callable[[Any], str], plan: Plan
) -> list[Any]:
    """Rows whose key is unique in the file; every copy of a duplicated key is rejected."""
    groups: dict[object, list[Any]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    unique = []
    for group in groups.values():
        if len(group) == 1:
            unique.append(group[0])
            continue
        lines = ", ".join(str(r.line) for r in group)
        plan.rejected.extend(
            RejectedRow(r.line, label(r), [t("import.duplicate_in_file", lines=lines)]) for r in group
        )
    return unique


def _organ(row: AgencyRow) -> str:
    return row.organ_id


def _username(row: UserRow) -> str:
    return row.username


def _unit_key(row: UnitRow) -> tuple[str, str]:
    return (row.agency_organ_id, row.abbreviation)


def _unit_label(row: UnitRow) -> str:
    return f"{row.agency_organ_id}/{row.abbreviation}"


def _split_parsed(parsed: Sequence[Any], plan: Plan) -> list[Any]:
    plan.rejected.extend(r for r in parsed if isinstance(r, RejectedRow))
    return [r for r in parsed if not isinstance(r, RejectedRow)]


def plan_agencies(
    parsed: Sequence[AgencyRow | RejectedRow], existing: Mapping[str, int], scope: set[int] | None
) -> Plan:
    """Decide every agency row.

    Args:
        existing: organ_id → agency id of the referenced agencies already in the database.
        scope: ids the importer administers (``None``: unrestricted; a parent is then optional).
    """
    plan = Plan()
    rejected_lines = {r.key: r.line for r in parsed if isinstance(r, RejectedRow)}
    rows: list[AgencyRow] = _split_duplicates(_split_parsed(parsed, plan), _organ, _organ, plan)
    rejected_lines.update({r.key: r.line for r in plan.rejected})
    new: dict[str, AgencyRow] = {}
    for row in rows:
        if row.organ_id in existing:
            plan.skipped.append(row)
        else:
            new[row.organ_id] = row
    verdict: dict[str, str | None] = {}

    def resolve(organ_id: str, stack: list[str]) -> str | None:
        if organ_id in verdict:
            return verdict[organ_id]
        if organ_id in stack:
            cycle = stack[stack.index(organ_id) :]
            for member in cycle:
                verdict[member] = t("import.agency.cycle", chain=" → ".join([*cycle, organ_id]))
            return verdict[organ_id]
        row, parent = new[organ_id], new[organ_id].parent_organ_id
        stack.append(organ_id)
        reason: str | None = None
        if not parent:
            reason = None if scope is None else t("import.agency.parent_required")
        elif parent == organ_id:
            reason = t("import.agency.cycle", chain=f"{organ_id} → {organ_id}")
        elif parent in existing:
            in_scope = scope is None or existing[parent] in scope
            reason = None if in_scope else t("import.agency.parent_out_of_scope", parent=parent)
        elif parent in new:
            if resolve(parent, stack) is not None and organ_id not in verdict:
                reason = t("import.parent_rejected", parent=parent, line=new[parent].line)
        elif parent in rejected_lines:
            reason = t("import.parent_rejected", parent=parent, line=rejected_lines[parent])
        else:
            reason = t("import.agency.parent_unknown", parent=parent)
        stack.pop()
        if organ_id not in verdict:
            verdict[organ_id] = reason
            if reason is None:
                plan.create.append(row)
        return verdict[organ_id]

    for organ_id in new:
        resolve(organ_id, [])
    plan.rejected.extend(RejectedRow(new[o].line, o, [reason]) for o, reason in verdict.items() if reason)
    plan.rejected.sort(key=lambda r: r.line)
    return plan


def _agency_reason(
    organ_id: str, agencies: Mapping[str, tuple[int, bool]], scope: set[int] | None
) -> str | None:
    found = agencies.get(organ_id)
    if found is None:
        return t("import.agency_unknown", organ_id=organ_id)
    if scope is not None and found[0] not in scope:
        return t("import.agency_out_of_scope", organ_id=organ_id)
    if not found[1]:
        return t("import.agency_inactive", organ_id=organ_id)
    return None


def plan_units(
    parsed: Sequence[UnitRow | RejectedRow],
    agencies: Mapping[str, tuple[int, bool]],
    existing: set[tuple[str, str]],
    scope: set[int] | None,
) -> Plan:
    """Decide every unit row.

    Args:
        agencies: organ_id → (agency id, is_active) of the referenced agencies.
        existing: (agency organ_id, abbreviation) pairs already in the database.
    """
    plan = Plan()
    rows: list[UnitRow] = _split_duplicates(_split_parsed(parsed, plan), _unit_key, _unit_label, plan)
    for row in rows:
        reason = _agency_reason(row.agency_organ_id, agencies, scope)
        if reason:
            plan.rejected.append(RejectedRow(row.line, _unit_label(row), [reason]))
        elif _unit_key(row) in existing:
            plan.skipped.append(row)
        else:
            plan.create.append(row)
    plan.rejected.sort(key=lambda r: r.line)
    return plan


def plan_users(
    parsed: Sequence[UserRow | RejectedRow],
    agencies: Mapping[str, tuple[int, bool]],
    units: Mapping[tuple[str, str], int],
    existing: set[str],
    scope: set[int] | None,
) -> Plan:
    """Decide every user row.

    Args:
        agencies: organ_id → (agency id, is_active) of the referenced agencies.
        units: (agency organ_id, abbreviation) → id of the active units of those agencies.
        existing: usernames already taken.
    """
    plan = Plan()
    rows: list[UserRow] = _split_duplicates(_split_parsed(parsed, plan), _username, _username, plan)
    for row in rows:
        if row.username in existing:
            plan.skipped.append(row)
            continue
        reasons = [r for r in [_agency_reason(row.agency_organ_id, agencies, scope)] if r]
        if row.unit_abbreviation and (row.agency_organ_id, row.unit_abbreviation) not in units:
            reasons.append(
                t("import.user.unit_unknown", unit=row.unit_abbreviation, organ_id=row.agency_organ_id)
            )
        if reasons:
            plan.rejected.append(RejectedRow(row.line, row.username, reasons))
        else:
            plan.create.append(row)
    plan.rejected.sort(key=lambda r: r.line)
    return plan
