"""The actor: who is making this request, in which agency, with which roles.

It is loaded once per request from the server-side session and passed explicitly to services and
policies (never read from a global).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, Role, RoleGrant, Unit, User

__all__ = ["Actor", "load_actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """A logged-in user acting in ``agency_id`` with ``roles`` there."""

    user_id: int
    username: str
    full_name: str
    position_title: str
    agency_id: int
    agency_name: str
    agency_organ_id: str
    unit_id: int | None
    unit_name: str
    roles: frozenset[Role]
    agencies: tuple[tuple[int, str], ...]
    must_change_password: bool = False

    def has(self, *roles: Role) -> bool:
        """True when the actor holds at least one of ``roles`` in the active agency."""
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def works_here(self) -> bool:
        """True when the actor holds a working role in the active agency: any role but the read-only auditor's,
        who sees the audit trail and the statistics and never handles documents or work files."""
        return bool(self.roles - {Role.AUDITOR})


async def load_actor(db: AsyncSession, user_id: int, agency_id: int | None,
                     session_epoch: int | None = None) -> Actor | None:
    """Build the actor for ``user_id`` acting in ``agency_id`` (default: the home agency).

    Returns ``None`` when the account no longer exists, was deactivated, or its home agency was, and
    when ``session_epoch`` (a request's session) is given and the account's sessions were ended since
    (``backend.domain.accounts.session_epoch``).

    Every request runs this, so it is two plain statements (the account with its home agency and unit, then
    its grants in active agencies), no ORM objects.
    """
    user = (await db.execute(
        sa.select(User.id, User.username, User.full_name, User.position_title, User.agency_id, User.is_active,
                  User.session_epoch, User.must_change_password, Agency.name.label("home_name"),
                  Agency.organ_id.label("home_organ_id"), Agency.is_active.label("home_active"),
                  Unit.id.label("unit_id"), Unit.name.label("unit_name"), Unit.agency_id.label("unit_agency_id"))
        .join(Agency, Agency.id == User.agency_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.id == user_id)
    )).first()
    if user is None or not user.is_active or not user.home_active:
        return None
    if session_epoch is not None and session_epoch != user.session_epoch:
        return None
    grants = (await db.execute(
        sa.select(RoleGrant.agency_id, RoleGrant.role, Agency.name, Agency.organ_id)
        .join(Agency, Agency.id == RoleGrant.agency_id)
        .where(RoleGrant.user_id == user.id, Agency.is_active.is_(True))
    )).all()
    agencies = {user.agency_id: (user.home_name, user.home_organ_id)}
    for grant_agency_id, _role, name, organ_id in grants:
        agencies[grant_agency_id] = (name, organ_id)
    active: int = agency_id if agency_id is not None and agency_id in agencies else user.agency_id
    in_unit = user.unit_id is not None and user.unit_agency_id == active
    return Actor(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        position_title=user.position_title,
        agency_id=active,
        agency_name=agencies[active][0],
        agency_organ_id=agencies[active][1],
        unit_id=user.unit_id if in_unit else None,
        unit_name=user.unit_name if in_unit else "",
        roles=frozenset(role for gid, role, _name, _organ in grants if gid == active),
        agencies=tuple(sorted(((gid, name) for gid, (name, _organ) in agencies.items()), key=lambda item: item[1])),
        must_change_password=user.must_change_password,
    )
