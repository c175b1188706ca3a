"""Administration use cases for agencies and units; user use cases live in ``_users.py``.

Every look-up goes through the ``visible_*`` scoping of :mod:`policies`, so an id outside the
administrator's subtree raises :class:`NotFoundError`. Every change writes an audit row with the
changed fields before and after. Validation problems raise :class:`InvalidInputError` carrying
``field_errors`` (all problems at once) for the form to show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.db.base import utcnow
from backend.db.models import Agency, AgencyLevel, Unit, User
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta
from backend.domain.organizations import _validation as v
from backend.domain.organizations._common import audit, changes, descendant_ids, matches, scope_ids
from backend.domain.organizations._users import (
    USER_STATUSES,
    create_user,
    get_user,
    list_users,
    reset_password,
    role_labels,
    set_user_active,
    unlock_user,
    update_user,
    user_form_options,
    user_grants,
)
from backend.domain.organizations.policies import (
    administered_agency_ids,
    visible_agencies,
    visible_units,
    visible_users,
)
from backend.domain.organizations.schemas import AdminCounts, AgencyForm, AgencyListItem, UnitForm
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = [
    "USER_STATUSES",
    "admin_counts",
    "agency_choices",
    "agency_snapshot",
    "create_agency",
    "create_unit",
    "create_user",
    "get_agency",
    "get_unit",
    "get_user",
    "list_agencies",
    "list_units",
    "list_users",
    "parent_options",
    "reset_password",
    "role_labels",
    "set_agency_active",
    "set_unit_active",
    "set_user_active",
    "unlock_user",
    "update_agency",
    "update_unit",
    "update_user",
    "user_form_options",
    "user_grants",
]

_LEVEL_ORDER = {level: index for index, level in enumerate(AgencyLevel)}


def agency_snapshot(agency: Agency) -> dict[str, Any]:
    """The audited fields of an agency."""
    return {
        "organ_id": agency.organ_id,
        "name": agency.name,
        "abbreviation": agency.abbreviation,
        "place_name": agency.place_name,
        "level": str(agency.level),
        "parent_id": agency.parent_id,
        "address": agency.address,
        "email": agency.email,
        "phone": agency.phone,
    }


async def admin_counts(db: AsyncSession, actor: Actor, now: datetime | None = None) -> AdminCounts:
    """Counts for the admin home page, all inside the actor's scope."""
    now = now or utcnow()

    async def count(query: sa.Select[Any]) -> int:
        return int(await db.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0)

    users = visible_users(actor)
    return AdminCounts(
        agencies=await count(visible_agencies(actor)),
        units=await count(visible_units(actor)),
        users=await count(users),
        inactive_users=await count(users.where(User.is_active.is_(False))),
        locked_users=await count(users.where(User.locked_until > now)),
    )


async def get_agency(db: AsyncSession, actor: Actor, agency_id: int) -> Agency:
    """The agency if the actor administers it.

    Raises:
        NotFoundError: unknown id or outside the actor's subtree.
    """
    agency = await db.scalar(visible_agencies(actor).where(Agency.id == agency_id))
    if agency is None:
        raise NotFoundError()
    return agency


async def list_agencies(db: AsyncSession, actor: Actor, query: str = "") -> list[AgencyListItem]:
    """Agencies in scope matching ``query`` (name, abbreviation or mã định danh; accent-insensitive)."""
    parent = aliased(Agency)
    rows = (
        await db.execute(
            sa.select(Agency, parent.name)
            .outerjoin(parent, parent.id == Agency.parent_id)
            .where(Agency.id.in_(administered_agency_ids(actor)))
        )
    ).all()
    items = [
        AgencyListItem(
            id=a.id,
            organ_id=a.organ_id,
            name=a.name,
            level=str(a.level),
            parent_name=parent_name or "",
            is_active=a.is_active,
        )
        for a, parent_name in rows
        if matches(query, (a.name, a.abbreviation, a.organ_id, a.place_name))
    ]
    items.sort(key=lambda i: (not i.is_active, _LEVEL_ORDER.get(AgencyLevel(i.level), 9), fold(i.name)))
    return items


async def agency_choices(
    db: AsyncSession, actor: Actor, *, exclude_subtree_of: int | None = None
) -> list[tuple[int, str]]:
    """``(id, label)`` of active agencies in scope, for parent and agency selects."""
    excluded = await descendant_ids(db, exclude_subtree_of) if exclude_subtree_of else set()
    rows = (await db.scalars(visible_agencies(actor).where(Agency.is_active.is_(True)))).all()
    choices = [(a.id, f"{a.name} ({a.organ_id})") for a in rows if a.id not in excluded]
    return sorted(choices, key=lambda c: fold(c[1]))


async def parent_options(db: AsyncSession, actor: Actor, agency: Agency | None) -> list[tuple[int, str]]:
    """Parent choices for the agency form: active agencies in scope outside ``agency``'s own subtree,
    plus the current parent when it lies above the actor's subtree (it may be kept, not chosen)."""
    choices = await agency_choices(db, actor, exclude_subtree_of=agency.id if agency else None)
    if (
        agency is not None
        and agency.parent_id is not None
        and agency.parent_id not in {c[0] for c in choices}
    ):
        parent = await db.get(Agency, agency.parent_id)
        if parent is not None:
            choices.insert(0, (parent.id, f"{parent.name} ({parent.organ_id})"))
    return choices


async def _validate_agency(
    db: AsyncSession, actor: Actor, form: AgencyForm, existing: Agency | None
) -> dict[str, Any]:
    errors: v.Errors = {}
    values: dict[str, Any] = {
        "organ_id": v.check_organ_id(errors, "organ_id", form.organ_id),
        "name": v.check_length(
            errors,
            "name",
            v.check_required(errors, "name", form.name, t("admin.f.name")),
            t("admin.f.name"),
            200,
        ),
        "abbreviation": v.check_length(
            errors,
            "abbreviation",
            v.check_required(errors, "abbreviation", form.abbreviation, t("admin.f.abbreviation")).upper(),
            t("admin.f.abbreviation"),
            20,
        ),
        "place_name": v.check_length(
            errors,
            "place_name",
            v.check_required(errors, "place_name", form.place_name, t("admin.f.place_name")),
            t("admin.f.place_name"),
            100,
        ),
        "level": v.parse_level(errors, "level", form.level),
        "address": v.check_length(errors, "address", clean(form.address), t("admin.f.address"), 300) or None,
        "email": v.check_email(errors, "email", form.email),
        "phone": v.check_phone(errors, "phone", form.phone),
    }
    if values["organ_id"] and "organ_id" not in errors:
        clash = await db.scalar(sa.select(Agency.id).where(Agency.organ_id == values["organ_id"]))
        if clash is not None and (existing is None or clash != existing.id):
            errors["organ_id"] = t("admin.organ_id.taken", value=values["organ_id"])
    values["parent_id"] = await _validate_parent(db, actor, form.parent_id, existing, errors)
    if errors:
        raise InvalidInputError(field_errors=errors)
    return values


async def _validate_parent(
    db: AsyncSession, actor: Actor, raw: str, existing: Agency | None, errors: v.Errors
) -> int | None:
    raw = clean(raw)
    parent_id = int(raw) if raw.isdigit() else None
    if existing is not None and parent_id == existing.parent_id:
        return parent_id  # unchanged, even when the current parent lies above the admin's subtree
    if parent_id is None:
        errors["parent_id"] = t("admin.parent.required")
        return None
    scope = await scope_ids(db, actor)
    if scope is not None and parent_id not in scope:
        errors["parent_id"] = t("admin.parent.out_of_scope")
    elif existing is not None and parent_id in await descendant_ids(db, existing.id):
        errors["parent_id"] = t("admin.parent.cycle")
    return parent_id


async def create_agency(db: AsyncSession, actor: Actor, form: AgencyForm, meta: RequestMeta) -> Agency:
    """Create an agency below one the actor administers.

    Raises:
        InvalidInputError: with field errors (bad or taken mã định danh, missing fields, bad parent).
    """
    values = await _validate_agency(db, actor, form, None)
    agency = Agency(**values)
    db.add(agency)
    await db.flush()
    await audit(
        db,
        "agency.created",
        actor,
        meta,
        object_type="agency",
        object_id=agency.id,
        agency_id=agency.id,
        detail={"after": agency_snapshot(agency)},
    )
    return agency


async def update_agency(
    db: AsyncSession, actor: Actor, agency_id: int, form: AgencyForm, meta: RequestMeta
) -> Agency:
    """Edit an agency in scope (optimistic check on ``form.version``).

    Raises:
        NotFoundError, ConflictError, InvalidInputError.
    """
    agency = await get_agency(db, actor, agency_id)
    if form.version and form.version != agency.version:
        raise ConflictError()
    values = await _validate_agency(db, actor, form, agency)
    before = agency_snapshot(agency)
    for key, value in values.items():
        setattr(agency, key, value)
    diff = changes(before, agency_snapshot(agency))
    if diff["after"]:
        await db.flush()
        await audit(
            db,
            "agency.updated",
            actor,
            meta,
            object_type="agency",
            object_id=agency.id,
            agency_id=agency.id,
            detail=diff,
        )
    return agency


async def set_agency_active(
    db: AsyncSession, actor: Actor, agency_id: int, active: bool, meta: RequestMeta
) -> Agency:
    """Deactivate or reactivate an agency in scope.

    Raises:
        NotFoundError: outside scope.
        InvalidInputError: deactivating the agency the actor is currently working in.
    """
    agency = await get_agency(db, actor, agency_id)
    if not active and agency.id == actor.agency_id:
        raise InvalidInputError(t("admin.agency.cannot_deactivate_own"))
    if agency.is_active != active:
        agency.is_active = active
        await db.flush()
        await audit(
            db,
            "agency.reactivated" if active else "agency.deactivated",
            actor,
            meta,
            object_type="agency",
            object_id=agency.id,
            agency_id=agency.id,
            detail={"before": {"is_active": not active}, "after": {"is_active": active}},
        )
    return agency


async def get_unit(db: AsyncSession, actor: Actor, unit_id: int) -> Unit:
    """The unit if its agency is in scope, else :class:`NotFoundError`."""
    unit = await db.scalar(visible_units(actor).where(Unit.id == unit_id))
    if unit is None:
        raise NotFoundError()
    return unit


async def list_units(db: AsyncSession, actor: Actor, agency_id: int) -> list[Unit]:
    """Units of one agency in scope, active first, by abbreviation."""
    await get_agency(db, actor, agency_id)
    units = (await db.scalars(visible_units(actor).where(Unit.agency_id == agency_id))).all()
    return sorted(units, key=lambda u: (not u.is_active, u.abbreviation))


async def _validate_unit(
    db: AsyncSession, agency_id: int, form: UnitForm, existing: Unit | None
) -> dict[str, str]:
    errors: v.Errors = {}
    label = t("admin.f.unit_abbreviation")
    abbreviation = v.check_length(
        errors,
        "abbreviation",
        v.check_required(errors, "abbreviation", form.abbreviation, label).upper(),
        label,
        20,
    )
    name = v.check_length(
        errors,
        "name",
        v.check_required(errors, "name", form.name, t("admin.f.unit_name")),
        t("admin.f.unit_name"),
        200,
    )
    if abbreviation and "abbreviation" not in errors:
        clash = await db.scalar(
            sa.select(Unit.id).where(Unit.agency_id == agency_id, Unit.abbreviation == abbreviation)
        )
        if clash is not None and (existing is None or clash != existing.id):
            errors["abbreviation"] = t("admin.unit.abbreviation_taken", value=abbreviation)
    if errors:
        raise InvalidInputError(field_errors=errors)
    return {"abbreviation": abbreviation, "name": name}


async def create_unit(
    db: AsyncSession, actor: Actor, agency_id: int, form: UnitForm, meta: RequestMeta
) -> Unit:
    """Add a unit to an agency in scope (abbreviation unique within the agency)."""
    agency = await get_agency(db, actor, agency_id)
    values = await _validate_unit(db, agency.id, form, None)
    unit = Unit(agency_id=agency.id, **values)
    db.add(unit)
    await db.flush()
    await audit(
        db,
        "unit.created",
        actor,
        meta,
        object_type="unit",
        object_id=unit.id,
        agency_id=agency.id,
        detail={"after": values},
    )
    return unit


async def update_unit(
    db: AsyncSession, actor: Actor, unit_id: int, form: UnitForm, meta: RequestMeta
) -> Unit:
    """Rename a unit or change its abbreviation."""
    unit = await get_unit(db, actor, unit_id)
    if form.version and form.version != unit.version:
        raise ConflictError()
    values = await _validate_unit(db, unit.agency_id, form, unit)
    diff = changes({"abbreviation": unit.abbreviation, "name": unit.name}, values)
    if diff["after"]:
        unit.abbreviation, unit.name = values["abbreviation"], values["name"]
        await db.flush()
        await audit(
            db,
            "unit.updated",
            actor,
            meta,
            object_type="unit",
            object_id=unit.id,
            agency_id=unit.agency_id,
            detail=diff,
        )
    return unit


async def set_unit_active(
    db: AsyncSession, actor: Actor, unit_id: int, active: bool, meta: RequestMeta
) -> Unit:
    """Deactivate or reactivate a unit in scope."""
    unit = await get_unit(db, actor, unit_id)
    if unit.is_active != active:
        unit.is_active = active
        await db.flush()
        await audit(
            db,
            "unit.reactivated" if active else "unit.deactivated",
            actor,
            meta,
            object_type="unit",
            object_id=unit.id,
            agency_id=unit.agency_id,
            detail={"before": {"is_active": not active}, "after": {"is_active": active}},
        )
    return unit
