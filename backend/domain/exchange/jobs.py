"""Outbox job kinds of the exchange and their handlers (registered in ``backend.tasks.jobs``).

* ``exchange.deliver`` ``{recipient_id}`` -- hand an issued document to one recipient agency;
* ``exchange.recall`` ``{recipient_id, reason}`` -- tell that recipient the document is recalled;
* ``exchange.status`` ``{incoming_id, state, reason}`` -- the recipient's workflow moved: update the
  sender's per-recipient status (domain.md §8.4).

Each handler runs inside the transaction that marks its job done, so a crash before the commit
leaves the job pending and the worker runs it again; the handlers are idempotent (a recipient line
that already has its incoming document is not delivered twice). The domain modules are imported
inside the handlers: they import ``backend.tasks.jobs`` themselves (for ``NOTIFY``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend.tasks.outbox import ClaimedJob

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["DELIVER_JOB", "EXCHANGE_HANDLERS", "RECALL_JOB", "STATUS_JOB"]

DELIVER_JOB = "exchange.deliver"
RECALL_JOB = "exchange.recall"
STATUS_JOB = "exchange.status"


async def deliver_job(db: AsyncSession, job: ClaimedJob) -> None:
    from backend.domain.exchange.delivery import run_delivery

    await run_delivery(db, int(job.payload["recipient_id"]))


async def recall_job(db: AsyncSession, job: ClaimedJob) -> None:
    from backend.domain.exchange.delivery import run_recall

    await run_recall(db, int(job.payload["recipient_id"]), str(job.payload.get("reason", "")))


async def status_job(db: AsyncSession, job: ClaimedJob) -> None:
    from backend.domain.exchange.receipts import apply_status

    await apply_status(db, int(job.payload["incoming_id"]), str(job.payload["state"]),
                       str(job.payload.get("reason", "")))


EXCHANGE_HANDLERS: dict[str, Callable[[AsyncSession, ClaimedJob], Awaitable[None]]] = {
    DELIVER_JOB: deliver_job, RECALL_JOB: recall_job, STATUS_JOB: status_job,
}
