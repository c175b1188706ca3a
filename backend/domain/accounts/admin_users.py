"""User administration: list, create, edit, roles per agency, (de)activation, password reset, unlock.

Rules beyond field validation:

* the home agency, and every agency a role is granted in, must be administered by the actor;
  grants in agencies outside the actor's subtree are shown read-only and never touched;
* the unit must be an active unit of the home agency;
* administrators cannot deactivate themselves nor drop their own ``admin`` role in the agency
  they are working in (they would lock themselves out);
* generated passwords are returned to the caller exactly once and never stored or logged in clear,
  and are hashed between transactions (:func:`~backend.db.engine.end_reads`: argon2id is slow and
  no lock may be held meanwhile).

Writes go through :class:`UserRecords` (advanced-alchemy, scoped by ``visible_users``, audited as
``user.*``); :func:`add_user` is the one create use case, shared by the form and the CSV import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import utcnow
from backend.db.engine import end_reads
from backend.db.models import Agency, Role, RoleGrant, Unit, User
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.schemas import UserForm, UserListItem
from backend.domain.accounts.session_epoch import end_sessions
from backend.domain.admin import validation as v
from backend.domain.admin.listing import Page, matches, paginate
from backend.domain.admin.records import AuditedRecords, repository_for
from backend.domain.admin.validation import as_list
from backend.domain.audit.services import RequestMeta
from backend.domain.organizations.policies import scope_ids, visible_agencies, visible_users
from backend.errors import InvalidInputError
from backend.lib.bounds import parse_id
from backend.lib.i18n import t
from backend.lib.security import generate_password, hash_password
from backend.lib.text import clean, fold

__all__ = [
    "USER_STATUSES",
    "Grant",
    "UserFormOptions",
    "UserRecords",
    "add_user",
    "create_user",
    "get_user",
    "grant_labels",
    "list_users",
    "reset_password",
    "role_labels",
    "set_user_active",
    "unlock_user",
    "update_user",
    "user_form_options",
    "user_grants",
]

Grant = tuple[int, Role]


def _int(raw: str) -> int | None:
    raw = clean(raw)
    return parse_id(raw)


class UserRecords(AuditedRecords[User]):
    """Users whose home agency is in the scope, audited as ``user.*``."""

    repository_type = repository_for(User)
    object_type = "user"

    @staticmethod
    def visible(actor: Actor) -> sa.Select[Any]:
        return visible_users(actor)

    def snapshot(self, obj: User) -> dict[str, Any]:
        return {
            "full_name": obj.full_name,
            "agency_id": obj.agency_id,
            "unit_id": obj.unit_id,
            "position_title": obj.position_title,
            "email": obj.email,
            "phone": obj.phone,
        }

    def agency_of(self, obj: User) -> int | None:
        return obj.agency_id


async def get_user(db: AsyncSession, actor: Actor, user_id: int) -> User:
    """The user if their home agency is in scope, else :class:`NotFoundError`."""
    return await UserRecords.scoped(db, actor, RequestMeta()).find(user_id)


USER_STATUSES = ("active", "inactive", "locked")


async def list_users(
    db: AsyncSession,
    actor: Actor,
    *,
    agency_id: int | None = None,
    query: str = "",
    status: str = "",
    page: int = 1,
) -> Page[UserListItem]:
    """Users in scope, optionally of one agency and one status, matching ``query`` (accent-insensitive).

    ``status`` is ``active``, ``inactive``, ``locked`` or empty (all).
    """
    stmt = (
        visible_users(actor)
        .add_columns(Agency.name, Unit.name)
        .join(Agency, Agency.id == User.agency_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
    )
    if agency_id is not None:
        stmt = stmt.where(User.agency_id == agency_id)
    now = utcnow()
    items = [
        UserListItem(
            id=u.id,
            username=u.username,
            full_name=u.full_name,
            position_title=u.position_title,
            agency_name=agency_name,
            unit_name=unit_name or "",
            is_active=u.is_active,
            is_locked=u.locked_until is not None and u.locked_until > now,
        )
        for u, agency_name, unit_name in (await db.execute(stmt)).all()
        if matches(query, (u.username, u.full_name, u.position_title, u.email, unit_name))
    ]
    if status == "active":
        items = [i for i in items if i.is_active]
    elif status == "inactive":
        items = [i for i in items if not i.is_active]
    elif status == "locked":
        items = [i for i in items if i.is_locked]
    items.sort(key=lambda i: (not i.is_active, fold(i.agency_name), fold(i.full_name)))
    return paginate(items, page)


async def user_grants(db: AsyncSession, user_id: int) -> set[Grant]:
    """Every ``(agency_id, role)`` the user holds."""
    rows = await db.execute(
        sa.select(RoleGrant.agency_id, RoleGrant.role).where(RoleGrant.user_id == user_id)
    )
    return {(agency_id, Role(role)) for agency_id, role in rows.all()}


async def grant_labels(db: AsyncSession, grants: set[Grant]) -> list[str]:
    """``"<organ_id>:<role>"`` labels of ``grants``, sorted, for audit details."""
    ids = {agency_id for agency_id, _ in grants}
    rows = (await db.execute(sa.select(Agency.id, Agency.organ_id).where(Agency.id.in_(ids)))).all()
    organ: dict[int, str] = {agency_id: organ_id for agency_id, organ_id in rows}
    return sorted(f"{organ.get(agency_id, agency_id)}:{role.value}" for agency_id, role in grants)


async def role_labels(db: AsyncSession, user_id: int) -> list[tuple[str, str]]:
    """``(agency name, Vietnamese role label)`` of every grant of the user, for display."""
    rows = (
        await db.execute(
            sa.select(Agency.name, RoleGrant.role)
            .join(Agency, Agency.id == RoleGrant.agency_id)
            .where(RoleGrant.user_id == user_id)
        )
    ).all()
    order = {role: index for index, role in enumerate(Role)}
    return [
        (name, t(f"role.{Role(role).value}"))
        for name, role in sorted(rows, key=lambda r: (fold(r[0]), order[Role(r[1])]))
    ]


@dataclass(frozen=True, slots=True)
class UserFormOptions:
    """What the user form offers: agencies and units in scope, and the role checkboxes."""

    agencies: list[tuple[int, str]]
    units: list[tuple[int, str]]
    home_agency_id: int | None
    home_roles: list[str]
    other_roles: list[tuple[int, str, list[tuple[str, bool]]]] = field(default_factory=list)
    foreign_grants: list[tuple[str, str]] = field(default_factory=list)
    roles: tuple[str, ...] = tuple(r.value for r in Role)


async def user_form_options(
    db: AsyncSession,
    actor: Actor,
    *,
    agency_id: int | None,
    user: User | None = None,
    form: UserForm | None = None,
) -> UserFormOptions:
    """Choices for the user form; ticked boxes come from ``form`` when re-rendering, else ``user``."""
    agencies = (await db.scalars(visible_agencies(actor))).all()
    names = {a.id: a.name for a in agencies}
    choices = sorted(
        (
            (a.id, f"{a.name} ({a.organ_id})")
            for a in agencies
            if a.is_active or (user is not None and a.id == user.agency_id)
        ),
        key=lambda c: fold(c[1]),
    )
    if agency_id is None and len(choices) == 1:
        agency_id = choices[0][0]
    units: list[tuple[int, str]] = []
    if agency_id in names:
        rows = (
            await db.scalars(
                sa.select(Unit)
                .where(Unit.agency_id == agency_id, Unit.is_active.is_(True))
                .order_by(Unit.abbreviation)
            )
        ).all()
        units = [(u.id, f"{u.abbreviation} — {u.name}") for u in rows]
    grants = await user_grants(db, user.id) if user is not None else set()
    if form is not None:
        home_roles = as_list(form.home_roles)
        ticked = set(as_list(form.roles))
    else:
        home_roles = [r.value for a, r in grants if a == agency_id]
        ticked = {f"{a}:{r.value}" for a, r in grants}
    other_ids = sorted({a for a, _ in grants if a in names and a != agency_id}, key=lambda a: fold(names[a]))
    other_roles = [(a, names[a], [(r.value, f"{a}:{r.value}" in ticked) for r in Role]) for a in other_ids]
    foreign_ids = {a for a, _ in grants if a not in names}
    foreign_rows = (await db.execute(sa.select(Agency.id, Agency.name).where(Agency.id.in_(foreign_ids)))).all()
    foreign_names: dict[int, str] = {agency_id: name for agency_id, name in foreign_rows}
    foreign = sorted((foreign_names.get(a, str(a)), r.value) for a, r in grants if a in foreign_ids)
    return UserFormOptions(
        agencies=choices,
        units=units,
        home_agency_id=agency_id,
        home_roles=home_roles,
        other_roles=other_roles,
        foreign_grants=foreign,
    )


async def _validate(
    db: AsyncSession, actor: Actor, form: UserForm, user: User | None
) -> tuple[dict[str, Any], set[Grant]]:
    """Field values and the requested in-scope grants, or :class:`InvalidInputError`."""
    errors: v.Errors = {}
    scope = await scope_ids(db, actor) or set()
    values: dict[str, Any] = {
        "full_name": v.check_length(
            errors,
            "full_name",
            v.check_required(errors, "full_name", form.full_name, t("admin.f.full_name")),
            t("admin.f.full_name"),
            200,
        ),
        "position_title": v.check_length(
            errors, "position_title", clean(form.position_title), t("admin.f.position_title"), 200
        ),
        "email": v.check_email(errors, "email", form.email),
        "phone": v.check_phone(errors, "phone", form.phone),
    }
    if user is None:
        username = v.check_username(errors, "username", form.username)
        if "username" not in errors and await db.scalar(sa.select(User.id).where(User.username == username)):
            errors["username"] = t("admin.username.taken", value=username)
        values["username"] = username
    agency_id = _int(form.agency_id)
    if agency_id is None or agency_id not in scope:
        errors["agency_id"] = t("admin.user.agency_required")
    values["agency_id"] = agency_id
    unit_id = _int(form.unit_id)
    if unit_id is None and clean(form.unit_id):
        errors["unit_id"] = t("admin.user.unit_not_in_agency")
    elif unit_id is not None:
        unit = await db.get(Unit, unit_id)
        if unit is None or unit.agency_id != agency_id or not unit.is_active:
            errors["unit_id"] = t("admin.user.unit_not_in_agency")
    values["unit_id"] = unit_id
    grants = _requested_grants(form, agency_id, scope, errors)
    if errors:
        raise InvalidInputError(field_errors=errors)
    return values, grants


def _requested_grants(form: UserForm, agency_id: int | None, scope: set[int], errors: v.Errors) -> set[Grant]:
    grants: set[Grant] = set()
    if agency_id is not None:
        grants |= {(agency_id, r) for r in v.parse_roles(errors, "roles", as_list(form.home_roles))}
    for value in as_list(form.roles):
        raw_agency, _, raw_role = value.partition(":")
        roles = v.parse_roles(errors, "roles", [raw_role])
        target = _int(raw_agency)
        if target is None or target not in scope:
            errors["roles"] = t("admin.user.role_out_of_scope")
        else:
            grants |= {(target, r) for r in roles}
    extra_roles = v.parse_roles(errors, "extra_roles", as_list(form.extra_roles))
    extra_agency = _int(form.extra_agency_id)
    if extra_roles and (extra_agency is None or extra_agency not in scope):
        errors["extra_agency_id"] = t("admin.user.role_out_of_scope")
    elif extra_agency is not None:
        grants |= {(extra_agency, r) for r in extra_roles}
    return grants


async def _apply_grants(records: UserRecords, user: User, wanted: set[Grant]) -> None:
    """Make the user's in-scope grants equal ``wanted``; out-of-scope grants are kept."""
    db = records.db
    scope = await scope_ids(db, records.scope) or set()
    current = await user_grants(db, user.id)
    in_scope = {g for g in current if g[0] in scope}
    removed, added = in_scope - wanted, wanted - in_scope
    if not removed and not added:
        return
    for agency_id, role in removed:
        await db.execute(
            sa.delete(RoleGrant).where(
                RoleGrant.user_id == user.id, RoleGrant.agency_id == agency_id, RoleGrant.role == role
            )
        )
    db.add_all(RoleGrant(user_id=user.id, agency_id=a, role=r) for a, r in added)
    await db.flush()
    await records.audit(
        "roles_changed",
        user,
        {
            "before": await grant_labels(db, current),
            "after": await grant_labels(db, (current - removed) | added),
        },
    )


async def add_user(
    records: UserRecords,
    values: dict[str, Any],
    grants: Iterable[Grant],
    role_labels: list[str],
    **detail: Any,
) -> User:
    """Insert a user (``values`` include the already computed ``password_hash``) with their roles.

    ``role_labels`` are the ``"<organ_id>:<role>"`` labels of ``grants`` for the audit row;
    ``detail`` adds keys beside ``after`` (the CSV source and line).
    """
    user = await records.add(values, after={"username": values["username"], "roles": role_labels}, **detail)
    records.db.add_all(RoleGrant(user_id=user.id, agency_id=a, role=r) for a, r in grants)
    await records.db.flush()
    return user


async def create_user(db: AsyncSession, actor: Actor, form: UserForm, meta: RequestMeta) -> tuple[User, str]:
    """Create a user with a generated initial password (returned once; must be changed at first login).

    Raises:
        InvalidInputError: with field errors.
    """
    values, grants = await _validate(db, actor, form, None)
    labels = await grant_labels(db, grants)
    password = generate_password()
    await end_reads(db)
    password_hash = await hash_password(password)
    user = await add_user(
        UserRecords.scoped(db, actor, meta),
        {**values, "password_hash": password_hash, "must_change_password": True},
        grants,
        labels,
    )
    return user, password


async def update_user(
    db: AsyncSession, actor: Actor, user_id: int, form: UserForm, meta: RequestMeta
) -> User:
    """Edit a user's details and in-scope roles (the username never changes).

    Raises:
        NotFoundError, ConflictError, InvalidInputError.
    """
    records = UserRecords.scoped(db, actor, meta)
    wanted: set[Grant] = set()

    async def validate(user: User) -> dict[str, Any]:
        values, grants = await _validate(db, actor, form, user)
        if user.id == actor.user_id and (actor.agency_id, Role.ADMIN) not in grants:
            raise InvalidInputError(field_errors={"roles": t("admin.user.cannot_drop_own_admin")})
        wanted.update(grants)
        return values

    user = await records.edit(user_id, form.version, validate)
    await _apply_grants(records, user, wanted)
    return user


async def set_user_active(
    db: AsyncSession, actor: Actor, user_id: int, active: bool, meta: RequestMeta
) -> User:
    """Deactivate (the account can no longer log in; its sessions end for good, a reactivation does not
    revive them) or reactivate a user.

    Raises:
        NotFoundError: outside scope.
        InvalidInputError: deactivating oneself.
    """
    user = await UserRecords.scoped(db, actor, meta).switch_active(
        user_id,
        active,
        protected=lambda user: user.id == actor.user_id,
        refusal="admin.user.cannot_deactivate_self",
    )
    if not active:
        end_sessions(user)
        await db.flush()
    return user


async def reset_password(db: AsyncSession, actor: Actor, user_id: int, meta: RequestMeta) -> tuple[User, str]:
    """Replace the password with a generated one (returned once) that must be changed at next login,
    and end every session of the account (an administrator resetting their own keeps the current one:
    the controller calls ``keep_session`` with ``user.session_epoch``)."""
    records = UserRecords.scoped(db, actor, meta)
    user = await records.find(user_id)
    password = generate_password()
    await end_reads(db)
    user.password_hash = await hash_password(password)
    user.must_change_password = True
    end_sessions(user)
    await db.flush()
    await records.audit("password_reset", user, {"after": {"must_change_password": True, "sessions_ended": True}})
    return user, password


async def unlock_user(db: AsyncSession, actor: Actor, user_id: int, meta: RequestMeta) -> User:
    """Lift a lockout after repeated failed logins and reset the failure counter."""
    records = UserRecords.scoped(db, actor, meta)
    user = await records.find(user_id)
    before = {
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "failed_logins": user.failed_logins,
    }
    user.locked_until = None
    user.failed_logins = 0
    user.first_failed_at = None
    await db.flush()
    await records.audit("unlocked", user, {"before": before, "after": {"locked_until": None, "failed_logins": 0}})
    return user
