"""Which agencies' statistics an actor may see — one scoping query (Kon Tum rule, issue 15).

A leader, deputy, clerk, administrator or auditor of agency A sees A and every agency below it: the
provincial office (UBND tỉnh) every department, district and commune, a district office its
communes, a department or a commune itself. Nobody else sees statistics (deny unless allowed). An
agency outside the scope is indistinguishable from a missing one (404, never an empty report).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, Role
from backend.domain.accounts.actor import Actor
from backend.domain.organizations.policies import agency_subtree_ids
from backend.errors import NotFoundError, PermissionDeniedError
from backend.lib.i18n import t

__all__ = ["STATISTICS_ROLES", "can_view_statistics", "require_statistics", "scoped_agency", "statistics_agency_ids"]

STATISTICS_ROLES = frozenset({Role.LEADER, Role.DEPUTY, Role.CLERK, Role.ADMIN, Role.AUDITOR})


def can_view_statistics(actor: Actor) -> bool:
    """True when the actor's roles in the active agency allow statistics and reports."""
    return bool(actor.roles & STATISTICS_ROLES)


def require_statistics(actor: Actor) -> None:
    """Raise 403 unless :func:`can_view_statistics`."""
    if not can_view_statistics(actor):
        raise PermissionDeniedError(t("statistics.forbidden"))


def statistics_agency_ids(actor: Actor) -> sa.Select[tuple[int]]:
    """The active agency and every agency below it (recursive CTE); empty without a role."""
    return agency_subtree_ids(actor, STATISTICS_ROLES, "stats_tree")


async def scoped_agency(db: AsyncSession, actor: Actor, agency_id: int) -> Agency:
    """The agency when it is in the actor's scope; :class:`NotFoundError` otherwise (also without a role)."""
    agency = await db.scalar(sa.select(Agency).where(Agency.id == agency_id,
                                                     Agency.id.in_(statistics_agency_ids(actor))))
    if agency is None:
        raise NotFoundError()
    return agency
