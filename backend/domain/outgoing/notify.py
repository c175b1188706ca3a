"""Who is told about what, as outbox jobs written in the same transaction as the change.

Submission → the head of the drafting unit (or the leaders); approval → the clerks (format check);
awaiting signature / revised → the designated signer; returned → the drafter; signed → the clerks;
issued / recall confirmed → the drafter and the signer; replaced (when the replacing document is
issued) → the drafter and the signer of the replaced one. The acting user is never notified of their
own action; urgent documents are flagged so the bell and push treat them first.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import OutgoingDocument, Role, RoleGrant, User
from backend.domain.incoming.notify import role_holders
from backend.domain.notifications.compose import notify_document
from backend.lib.text import shorten

__all__ = ["notify", "role_holders", "unit_heads"]


async def unit_heads(db: AsyncSession, agency_id: int, unit_id: int | None) -> list[int]:
    """Active heads of ``unit_id`` in the agency (empty when there is no unit)."""
    if unit_id is None:
        return []
    return list((await db.scalars(
        sa.select(User.id).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(User.unit_id == unit_id, User.is_active.is_(True), RoleGrant.agency_id == agency_id,
               RoleGrant.role == Role.UNIT_HEAD).distinct()
    )).all())


async def notify(db: AsyncSession, doc: OutgoingDocument, kind: str, user_ids: Iterable[int], *,
                 actor_id: int | None, url: str) -> None:
    """Enqueue one notification job for ``user_ids`` (minus the actor); nothing when nobody is left."""
    reference = f"{doc.code_number}/{doc.code_notation}" if doc.code_number else shorten(doc.summary, 60)
    await notify_document(db, user_ids=user_ids, actor_id=actor_id,
                          title_key=f"outgoing.notify.{kind}", reference=reference, summary=doc.summary,
                          urgency=doc.urgency, url=url)
