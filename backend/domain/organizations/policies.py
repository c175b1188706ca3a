"""Who may administer which agencies, units and users — one scoping query per aggregate.

An administrator (role ``admin``) of agency A administers A and every agency below it (its
subtree through ``parent_id``). Nothing is visible by default: lists, counts, exports and object
look-ups all go through ``visible_*`` so another agency's objects are indistinguishable from
missing ones (404). Deployment-wide lists (the paper-copy list) are edited only by the
administrators of a top-level agency, the province.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, Role, Unit, User
from backend.domain.accounts.actor import Actor
from backend.errors import PermissionDeniedError

__all__ = [
    "administered_agency_ids",
    "agency_subtree_ids",
    "can_edit_deployment_lists",
    "descendant_ids",
    "require_admin",
    "scope_ids",
    "subtree_ids",
    "visible_agencies",
    "visible_units",
    "visible_users",
]


def require_admin(actor: Actor) -> None:
    """Raise :class:`PermissionDeniedError` unless the actor administers the active agency."""
    if Role.ADMIN not in actor.roles:
        raise PermissionDeniedError()


def can_edit_deployment_lists(actor: Actor, agency: Agency) -> bool:
    """True for an administrator working in ``agency`` when it is top-level (no parent: the province).

    Lists that hold for the whole deployment, like the paper-copy list the provincial chairman
    decides (domain.md §22), are the province's to edit; other administrators may read them.
    """
    return Role.ADMIN in actor.roles and agency.id == actor.agency_id and agency.parent_id is None


def agency_subtree_ids(actor: Actor, roles: frozenset[Role], name: str) -> sa.Select[tuple[int]]:
    """Ids of the active agency and all its descendants (recursive CTE ``name``) when the actor holds one of
    ``roles`` there; nothing otherwise."""
    if not actor.roles & roles:
        return sa.select(Agency.id).where(sa.false())
    return subtree_ids(actor.agency_id, name)


def subtree_ids(agency_id: int, name: str) -> sa.Select[tuple[int]]:
    """Ids of ``agency_id`` and all its descendants (recursive CTE ``name``); no permission check."""
    tree = sa.select(Agency.id).where(Agency.id == agency_id).cte(name, recursive=True)
    tree = tree.union_all(sa.select(Agency.id).where(Agency.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def administered_agency_ids(actor: Actor) -> sa.Select[tuple[int]]:
    """Ids of the active agency and all its descendants (recursive CTE; empty unless admin)."""
    return agency_subtree_ids(actor, frozenset({Role.ADMIN}), "admin_tree")


def visible_agencies(actor: Actor) -> sa.Select[tuple[Agency]]:
    """Agencies the actor administers."""
    return sa.select(Agency).where(Agency.id.in_(administered_agency_ids(actor)))


def visible_units(actor: Actor) -> sa.Select[tuple[Unit]]:
    """Units of the agencies the actor administers."""
    return sa.select(Unit).where(Unit.agency_id.in_(administered_agency_ids(actor)))


def visible_users(actor: Actor) -> sa.Select[tuple[User]]:
    """Users whose home agency the actor administers."""
    return sa.select(User).where(User.agency_id.in_(administered_agency_ids(actor)))


async def scope_ids(db: AsyncSession, scope: Actor | None) -> set[int] | None:
    """Ids of the agencies ``scope`` administers, or ``None`` (unrestricted) for the system."""
    if scope is None:
        return None
    return set((await db.scalars(administered_agency_ids(scope))).all())


async def descendant_ids(db: AsyncSession, agency_id: int) -> set[int]:
    """``agency_id`` and every agency below it."""
    tree = sa.select(Agency.id).where(Agency.id == agency_id).cte("subtree", recursive=True)
    tree = tree.union_all(sa.select(Agency.id).where(Agency.parent_id == tree.c.id))
    return set((await db.scalars(sa.select(tree.c.id))).all())
