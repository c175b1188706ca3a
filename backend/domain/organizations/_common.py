"""Helpers shared by the organisation services: scope resolution, audit shortcuts, paging, search.

``scope`` is an :class:`Actor` (an administrator, limited to the subtree they administer) or
``None`` for the system itself (seeding, the CLI), which is unrestricted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.organizations.policies import administered_agency_ids
from backend.lib.text import clean, fold

__all__ = ["PAGE_SIZE", "Page", "audit", "changes", "descendant_ids", "matches", "paginate", "scope_ids"]

PAGE_SIZE = 50
T = TypeVar("T")


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


async def audit(
    db: AsyncSession,
    action: str,
    scope: Actor | None,
    meta: RequestMeta,
    *,
    object_type: str,
    object_id: int | str,
    agency_id: int | None,
    detail: dict[str, Any] | None = None,
    actor_name: str = "system",
) -> None:
    """Write one audit row on behalf of ``scope`` (or the named system actor)."""
    await record(
        db,
        action,
        actor_id=scope.user_id if scope else None,
        actor_name=scope.username if scope else actor_name,
        agency_id=agency_id,
        object_type=object_type,
        object_id=object_id,
        meta=meta,
        detail=detail,
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"before": {...}, "after": {...}}`` restricted to the keys whose value changed."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


def matches(query: str, values: Iterable[str | None]) -> bool:
    """Accent- and case-insensitive substring search over ``values`` (an empty query matches)."""
    needle = fold(clean(query))
    return not needle or any(needle in fold(value or "") for value in values)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, with what the pager needs."""

    items: Sequence[T]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(items: Sequence[T], number: int) -> Page[T]:
    """Slice ``items`` to page ``number`` (1-based, clamped to the valid range)."""
    total = len(items)
    last = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), last)
    start = (number - 1) * PAGE_SIZE
    return Page(items=items[start : start + PAGE_SIZE], number=number, total=total)
