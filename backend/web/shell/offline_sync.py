"""What a device keeps ready offline for its user: new documents to read, and recalled ones to drop.

``GET /offline/sync`` (JSON, never cached) answers, for the logged-in user:

* ``prefetch`` -- the pages of the newest documents given to them: incoming documents they are to
  handle (or, for a leader, to assign) and outgoing documents awaiting their signature. The service
  worker fetches them (and their page images) ahead, when the user turned on "Tự lưu trước văn bản
  mới được giao cho tôi" on this device, the device is online and not in data-saver mode;
* ``recalled`` -- ``{"url", "at"}`` for each document visible to them that was recalled in the last
  :data:`RECALL_DAYS` days (incoming: the sender recalled it; outgoing: the agency recalled it), ``at``
  the instant of the recall (ISO 8601, UTC). Every device drops its copies of them (page and images)
  and, where it had one, keeps the page as it is now -- the recall notice, without the content --
  whatever the setting. The service worker marks that notice with ``at``, so later syncs keep it: it
  is not downloaded again on every page, and a link dropping midway cannot leave the device without it.

Only documents the user may see are listed (the same visibility policies as the pages).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Response, get
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import ExchangeReceipt, IncomingDocument, OutgoingDocument, OutgoingState
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.incoming.policies import visible_incoming
from backend.domain.incoming.queries import ListFilters, filtered_query, inboxes_for
from backend.domain.outgoing.policies import visible_outgoing
from backend.lib import clock
from backend.lib.deps import DB

__all__ = ["PREFETCH_LIMIT", "RECALL_DAYS", "OfflineSyncController", "offline_sync"]

PREFETCH_LIMIT = 10
RECALL_DAYS = 30
_GIVEN_INBOXES = ("to_assign", "to_handle")


async def _given_incoming(db: AsyncSession, actor: Actor) -> list[int]:
    today = clock.to_local(clock.now()).date()
    ids: set[int] = set()
    for inbox in _GIVEN_INBOXES:
        if inbox not in inboxes_for(actor):
            continue
        query = filtered_query(actor, inbox, ListFilters(), today).where(~sa.exists().where(
            ExchangeReceipt.incoming_id == IncomingDocument.id, ExchangeReceipt.recall_requested_at.is_not(None)))
        ids.update((await db.scalars(query.with_only_columns(IncomingDocument.id)
                                     .order_by(IncomingDocument.id.desc()).limit(PREFETCH_LIMIT))).all())
    return sorted(ids, reverse=True)[:PREFETCH_LIMIT]


async def _to_sign(db: AsyncSession, actor: Actor) -> list[int]:
    query = visible_outgoing(actor).where(OutgoingDocument.state == OutgoingState.AWAITING_SIGNATURE,
                                          OutgoingDocument.signer_id == actor.user_id)
    return list((await db.scalars(query.with_only_columns(OutgoingDocument.id)
                                  .order_by(OutgoingDocument.id.desc()).limit(PREFETCH_LIMIT))).all())


async def _recalled(db: AsyncSession, actor: Actor) -> list[dict[str, str]]:
    since = clock.now() - timedelta(days=RECALL_DAYS)
    incoming = visible_incoming(actor).join(ExchangeReceipt, ExchangeReceipt.incoming_id == IncomingDocument.id) \
        .where(ExchangeReceipt.recall_requested_at >= since) \
        .with_only_columns(IncomingDocument.id, ExchangeReceipt.recall_requested_at)
    outgoing = visible_outgoing(actor).where(OutgoingDocument.state == OutgoingState.RECALLED,
                                             OutgoingDocument.recalled_at >= since) \
        .with_only_columns(OutgoingDocument.id, OutgoingDocument.recalled_at)
    found = [(f"/incoming/{doc_id}", at) for doc_id, at in (await db.execute(incoming)).all()]
    found += [(f"/outgoing/{doc_id}", at) for doc_id, at in (await db.execute(outgoing)).all()]
    return [{"url": url, "at": at.isoformat()} for url, at in found]


async def offline_sync(db: AsyncSession, actor: Actor) -> dict[str, Any]:
    """``{"prefetch": [url, ...], "recalled": [{"url", "at"}, ...]}`` for ``actor`` (see the module docstring)."""
    prefetch = [f"/incoming/{doc_id}" for doc_id in await _given_incoming(db, actor)]
    prefetch += [f"/outgoing/{doc_id}" for doc_id in await _to_sign(db, actor)]
    return {"prefetch": prefetch[:PREFETCH_LIMIT], "recalled": await _recalled(db, actor)}


class OfflineSyncController(Controller):
    """The list a device's service worker syncs its offline copies with."""

    @get("/offline/sync", name="offline.sync", include_in_schema=False)
    async def sync(self, db: DB, actor: CurrentActor) -> Response[dict[str, Any]]:
        return Response(await offline_sync(db, actor), headers={"Cache-Control": "no-store"})
