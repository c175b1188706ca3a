"""The exchange's job handlers (kinds in :mod:`.kinds`), exported to the worker's composition root.

Each handler runs inside the transaction that marks its job done, so a crash before the commit
leaves the job pending and the worker runs it again; the handlers are idempotent (a recipient line
that already has its incoming document is not delivered twice). The status job reports a received
document's new state to its sender: on the platform (:func:`.receipts.apply_status`) or over the axis
(:func:`.axis_status.answer_over_axis`); each ignores documents that did not come its way.
"""

from __future__ import annotations

from backend.domain.exchange.axis_status import answer_over_axis
from backend.domain.exchange.delivery import run_delivery, run_recall
from backend.domain.exchange.kinds import DELIVER, RECALL, STATUS, Deliver, Recall, StatusChanged
from backend.domain.exchange.receipts import apply_status
from backend.tasks.bus import Handles, JobContext

__all__ = ["HANDLERS"]


async def deliver(ctx: JobContext, payload: Deliver) -> None:
    await run_delivery(ctx, payload.recipient_id)


async def recall(ctx: JobContext, payload: Recall) -> None:
    await run_recall(ctx, payload.recipient_id, payload.reason)


async def status(ctx: JobContext, payload: StatusChanged) -> None:
    await apply_status(ctx.db, ctx.urls, payload.incoming_id, payload.state, payload.reason)
    await answer_over_axis(ctx.db, ctx.settings, payload.incoming_id, payload.state, payload.reason)


HANDLERS = (Handles(DELIVER, deliver), Handles(RECALL, recall), Handles(STATUS, status))
