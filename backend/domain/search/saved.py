"""Saved searches: a user keeps the query string of a search under a name, and removes it (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import SavedSearch
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.search.queries import Filters
from backend.errors import InvalidInputError, NotFoundError
from backend.lib.text import clean

__all__ = ["MAX_SAVED", "delete_saved", "list_saved", "save_search"]

MAX_SAVED = 30
"""Saved searches a user may keep in one agency."""


def _mine(actor: Actor) -> sa.Select[tuple[SavedSearch]]:
    return sa.select(SavedSearch).where(SavedSearch.user_id == actor.user_id,
                                        SavedSearch.agency_id == actor.agency_id)


async def list_saved(db: AsyncSession, actor: Actor) -> Sequence[SavedSearch]:
    return (await db.scalars(_mine(actor).order_by(SavedSearch.name, SavedSearch.id))).all()


async def save_search(db: AsyncSession, actor: Actor, name: str, filters: Filters,
                      meta: RequestMeta | None = None) -> SavedSearch:
    """Keep ``filters`` (without the page cursor) under ``name``.

    Raises:
        InvalidInputError: no name, nothing to search, or the user already keeps :data:`MAX_SAVED`.
    """
    name = clean(name)[:100]
    errors = {}
    if not name:
        errors["name"] = "Hãy đặt tên cho tìm kiếm."
    params = filters.params(cursor="")
    if not params:
        errors["q"] = "Hãy nhập từ cần tìm hoặc chọn một điều kiện lọc trước khi lưu."
    count = await db.scalar(sa.select(sa.func.count()).select_from(_mine(actor).subquery()))
    if (count or 0) >= MAX_SAVED:
        errors["name"] = f"Mỗi người lưu được tối đa {MAX_SAVED} tìm kiếm; hãy xóa bớt."
    if errors:
        raise InvalidInputError("Chưa lưu được tìm kiếm.", field_errors=errors)
    row = SavedSearch(user_id=actor.user_id, agency_id=actor.agency_id, name=name,
                      query_string=urlencode(params)[:2000])
    db.add(row)
    await db.flush()
    await record(db, "search.saved", actor_id=actor.user_id, actor_name=actor.username, agency_id=actor.agency_id,
                 object_type="saved_search", object_id=row.id, meta=meta,
                 detail={"name": name, "query": row.query_string})
    return row


async def delete_saved(db: AsyncSession, actor: Actor, saved_id: int, meta: RequestMeta | None = None) -> None:
    """Remove one of the actor's saved searches (another user's is "not found")."""
    row = await db.scalar(_mine(actor).where(SavedSearch.id == saved_id))
    if row is None:
        raise NotFoundError()
    await db.delete(row)
    await record(db, "search.saved_deleted", actor_id=actor.user_id, actor_name=actor.username,
                 agency_id=actor.agency_id, object_type="saved_search", object_id=saved_id, meta=meta,
                 detail={"name": row.name})
