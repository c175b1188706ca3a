"""Administration use cases for agencies and units (users: :mod:`backend.domain.accounts.admin_users`).

Reads and writes go through :class:`AgencyRecords` / :class:`UnitRecords`, advanced-alchemy services
whose base statement is the administrator's ``visible_*`` scoping, so an id outside the subtree
raises :class:`NotFoundError`; every write is audited by :mod:`backend.domain.admin.records`.
Validation problems raise :class:`InvalidInputError` carrying ``field_errors`` (all problems at
once) for the form to show. The CSV import creates through the same records
(``AgencyRecords.scoped``, ``UnitRecords.scoped``) with the system or an administrator as scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.db.base import utcnow
from backend.db.models import Agency, AgencyLevel, DocumentType, Unit, User
from backend.domain.accounts.actor import Actor
from backend.domain.admin import validation as v
from backend.domain.admin.listing import matches
from backend.domain.admin.records import AuditedRecords, repository_for
from backend.domain.audit.services import RequestMeta
from backend.domain.organizations.policies import (
    administered_agency_ids,
    descendant_ids,
    scope_ids,
    visible_agencies,
    visible_units,
    visible_users,
)
from backend.domain.organizations.schemas import AdminCounts, AgencyForm, AgencyListItem, UnitForm
from backend.domain.outgoing.numbering import longest_notation, symbol_problem
from backend.domain.signing.nd30 import CONG_VAN
from backend.errors import InvalidInputError
from backend.lib.bounds import parse_id
from backend.lib.clock import today
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = [
    "AgencyRecords",
    "UnitRecords",
    "admin_counts",
    "agency_choices",
    "agency_snapshot",
    "count_users",
    "create_agency",
    "create_unit",
    "get_agency",
    "get_unit",
    "list_agencies",
    "list_units",
    "parent_options",
    "set_agency_active",
    "set_unit_active",
    "symbol_too_long",
    "update_agency",
    "update_unit",
]

_LEVEL_ORDER = {level: index for index, level in enumerate(AgencyLevel)}


def agency_snapshot(agency: Agency) -> dict[str, Any]:
    """The audited fields of an agency (also the edit form's values)."""
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
        "head_title": agency.head_title,
        "collective_name": agency.collective_name,
    }


class AgencyRecords(AuditedRecords[Agency]):
    """Agencies in the scope, audited as ``agency.*``."""

    repository_type = repository_for(Agency)
    object_type = "agency"

    @staticmethod
    def visible(actor: Actor) -> sa.Select[Any]:
        return visible_agencies(actor)

    def snapshot(self, obj: Agency) -> dict[str, Any]:
        return agency_snapshot(obj)

    def agency_of(self, obj: Agency) -> int | None:
        return obj.id


class UnitRecords(AuditedRecords[Unit]):
    """Units of the agencies in the scope, audited as ``unit.*``."""

    repository_type = repository_for(Unit)
    object_type = "unit"

    @staticmethod
    def visible(actor: Actor) -> sa.Select[Any]:
        return visible_units(actor)

    def snapshot(self, obj: Unit) -> dict[str, Any]:
        return {"abbreviation": obj.abbreviation, "name": obj.name}

    def agency_of(self, obj: Unit) -> int | None:
        return obj.agency_id


_READ = RequestMeta()
"""Request metadata for records used only to read (nothing is audited)."""


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


async def count_users(db: AsyncSession, actor: Actor, agency_id: int) -> int:
    """How many users in scope have ``agency_id`` as their home agency (for the agency page)."""
    query = visible_users(actor).where(User.agency_id == agency_id).subquery()
    return int(await db.scalar(sa.select(sa.func.count()).select_from(query)) or 0)


async def get_agency(db: AsyncSession, actor: Actor, agency_id: int) -> Agency:
    """The agency if the actor administers it.

    Raises:
        NotFoundError: unknown id or outside the actor's subtree.
    """
    return await AgencyRecords.scoped(db, actor, _READ).find(agency_id)


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
        "head_title": v.check_length(errors, "head_title", clean(form.head_title), t("admin.f.head_title"), 100),
        "collective_name": v.check_length(errors, "collective_name", clean(form.collective_name),
                                          t("admin.f.collective_name"), 200),
    }
    if values["organ_id"] and "organ_id" not in errors:
        clash = await db.scalar(sa.select(Agency.id).where(Agency.organ_id == values["organ_id"]))
        if clash is not None and (existing is None or clash != existing.id):
            errors["organ_id"] = t("admin.organ_id.taken", value=values["organ_id"])
    values["parent_id"] = await _validate_parent(db, actor, form.parent_id, existing, errors)
    if values["abbreviation"] and "abbreviation" not in errors:
        units = [] if existing is None else (await db.scalars(
            sa.select(Unit.abbreviation).where(Unit.agency_id == existing.id, Unit.is_active))).all()
        problem = await symbol_too_long(db, existing.id if existing else None, values["abbreviation"], units)
        if problem is not None:
            errors["abbreviation"] = problem
    if errors:
        raise InvalidInputError(field_errors=errors)
    return values


async def symbol_too_long(
    db: AsyncSession, agency_id: int | None, issuer_abbr: str, unit_abbrs: Sequence[str],
    *, unit_types_only: bool = False,
) -> str | None:
    """The message when a document symbol of the agency would exceed QCVN 102's 30 characters, else ``None``.

    The symbols are those of the agency's active document types with each unit of ``unit_abbrs``
    (and none); ``unit_types_only``: only the types whose symbol carries the drafting unit (Công văn).
    """
    doc_types = (await db.scalars(
        sa.select(DocumentType).where(
            DocumentType.is_active,
            sa.or_(DocumentType.agency_id.is_(None), DocumentType.agency_id == agency_id),
        )
    )).all()
    if unit_types_only:
        doc_types = [d for d in doc_types if d.abbreviation in ("", CONG_VAN)]
    longest = longest_notation(doc_types, issuer_abbr, [*unit_abbrs, None], today().year)
    return symbol_problem(longest, "edxml.symbol_too_long_admin")


async def _validate_parent(
    db: AsyncSession, actor: Actor, raw: str, existing: Agency | None, errors: v.Errors
) -> int | None:
    raw = clean(raw)
    parent_id = parse_id(raw)
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
    return await AgencyRecords.scoped(db, actor, meta).add(values)


async def update_agency(
    db: AsyncSession, actor: Actor, agency_id: int, form: AgencyForm, meta: RequestMeta
) -> Agency:
    """Edit an agency in scope (optimistic check on ``form.version``).

    Raises:
        NotFoundError, ConflictError, InvalidInputError.
    """
    return await AgencyRecords.scoped(db, actor, meta).edit(
        agency_id, form.version, lambda agency: _validate_agency(db, actor, form, agency)
    )


async def set_agency_active(
    db: AsyncSession, actor: Actor, agency_id: int, active: bool, meta: RequestMeta
) -> Agency:
    """Deactivate or reactivate an agency in scope.

    Raises:
        NotFoundError: outside scope.
        InvalidInputError: deactivating the agency the actor is currently working in.
    """
    return await AgencyRecords.scoped(db, actor, meta).switch_active(
        agency_id,
        active,
        protected=lambda agency: agency.id == actor.agency_id,
        refusal="admin.agency.cannot_deactivate_own",
    )


async def get_unit(db: AsyncSession, actor: Actor, unit_id: int) -> Unit:
    """The unit if its agency is in scope, else :class:`NotFoundError`."""
    return await UnitRecords.scoped(db, actor, _READ).find(unit_id)


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
    if abbreviation and "abbreviation" not in errors:
        agency = await db.get(Agency, agency_id)
        assert agency is not None
        problem = await symbol_too_long(db, agency_id, agency.abbreviation, [abbreviation], unit_types_only=True)
        if problem is not None:
            errors["abbreviation"] = problem
    if errors:
        raise InvalidInputError(field_errors=errors)
    return {"abbreviation": abbreviation, "name": name}


async def create_unit(
    db: AsyncSession, actor: Actor, agency_id: int, form: UnitForm, meta: RequestMeta
) -> Unit:
    """Add a unit to an agency in scope (abbreviation unique within the agency)."""
    agency = await get_agency(db, actor, agency_id)
    values = await _validate_unit(db, agency.id, form, None)
    return await UnitRecords.scoped(db, actor, meta).add({"agency_id": agency.id, **values})


async def update_unit(
    db: AsyncSession, actor: Actor, unit_id: int, form: UnitForm, meta: RequestMeta
) -> Unit:
    """Rename a unit or change its abbreviation."""
    return await UnitRecords.scoped(db, actor, meta).edit(
        unit_id, form.version, lambda unit: _validate_unit(db, unit.agency_id, form, unit)
    )


async def set_unit_active(
    db: AsyncSession, actor: Actor, unit_id: int, active: bool, meta: RequestMeta
) -> Unit:
    """Deactivate or reactivate a unit in scope."""
    return await UnitRecords.scoped(db, actor, meta).switch_active(unit_id, active)
