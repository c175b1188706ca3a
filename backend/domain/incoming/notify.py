"""Who is told about what, as outbox jobs written in the same transaction as the change.

Recipients: urgent arrivals → the agency's clerks; registration and submission → its leaders and
deputies; assignment → the assignees (a unit's head for a unit); hand-over → the specialist;
start and completion → whoever assigned it; return to the leader → the leaders. The acting user is
never notified of their own action. Urgent documents are flagged so the bell and (later) push
treat them first.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Assignment, IncomingDocument, Role, RoleGrant, User
from backend.domain.notifications.compose import notify_document

__all__ = ["assignee_user_ids", "notify", "role_holders"]


async def role_holders(db: AsyncSession, agency_id: int, *roles: Role) -> list[int]:
    """Active users holding any of ``roles`` in the agency."""
    return list((await db.scalars(
        sa.select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.agency_id == agency_id, RoleGrant.role.in_(roles), User.is_active.is_(True))
        .distinct()
    )).all())


async def assignee_user_ids(db: AsyncSession, agency_id: int, assignments: Iterable[Assignment]) -> list[int]:
    """People behind assignments: the assignee, or the heads of the assigned unit."""
    people: list[int] = []
    for assignment in assignments:
        if assignment.assignee_user_id is not None:
            people.append(assignment.assignee_user_id)
            continue
        heads = await db.scalars(
            sa.select(User.id).join(RoleGrant, RoleGrant.user_id == User.id)
            .where(User.unit_id == assignment.assignee_unit_id, User.is_active.is_(True),
                   RoleGrant.agency_id == agency_id, RoleGrant.role == Role.UNIT_HEAD)
        )
        people.extend(heads.all())
    return people


async def notify(db: AsyncSession, doc: IncomingDocument, kind: str, user_ids: Iterable[int], *,
                 actor_id: int | None, url: str) -> None:
    """Enqueue one notification job for ``user_ids`` (minus the actor); nothing when nobody is left."""
    await notify_document(db, user_ids=user_ids, actor_id=actor_id, title_key=f"incoming.notify.{kind}",
                          reference=f"{doc.code_number}/{doc.code_notation}", summary=doc.summary,
                          urgency=doc.urgency, url=url)
