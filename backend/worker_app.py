"""The worker's composition root: every context's job handlers in one registry, and the entry point.

Contexts declare their job kinds and export ``HANDLERS`` (and, when they need one, ``STARTUP``
hooks); only this module knows them all. ``python -m backend worker`` runs :func:`run_worker`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.domain.certificates import jobs as certificates
from backend.domain.documents import jobs as documents
from backend.domain.documents import sweeper as documents_sweeper
from backend.domain.exchange import axis_poller as exchange_axis
from backend.domain.exchange import directory_jobs as exchange_directory
from backend.domain.exchange import jobs as exchange
from backend.domain.notifications import jobs as notifications
from backend.domain.reminders import jobs as reminders
from backend.domain.search import jobs as search
from backend.domain.workfiles import jobs as workfiles
from backend.lib import clock
from backend.tasks import worker
from backend.tasks.bus import Registry
from backend.web.live import channels as live
from backend.web.push import transport as push

__all__ = ["REGISTRY", "STARTUP", "run_once", "run_worker"]

REGISTRY = Registry((*notifications.HANDLERS, *push.HANDLERS, *live.HANDLERS, *certificates.HANDLERS,
                     *exchange.HANDLERS, *exchange_directory.HANDLERS, *search.HANDLERS, *reminders.HANDLERS,
                     *documents.HANDLERS, *exchange_axis.HANDLERS, *workfiles.HANDLERS,
                     *documents_sweeper.HANDLERS))
"""Every job kind the worker runs, with its handler."""

STARTUP: tuple[worker.StartupHook, ...] = (*certificates.STARTUP, *exchange_directory.STARTUP, *reminders.STARTUP,
                                          *exchange_axis.STARTUP, *documents_sweeper.STARTUP)
"""Run when a worker starts (the daily certificate reminder, directory sync and the reminder scan and digest make
sure they are scheduled; the axis poller when the axis is configured; the daily
sweep of orphaned blobs)."""


async def run_once(settings: Settings, sessions: async_sessionmaker[AsyncSession], batch: int = 20, *,
                   now: Callable[[], datetime] = clock.now) -> int:
    """Claim and run one batch of due jobs (due by the clock ``now``) with the full registry; returns how many
    were claimed."""
    return await worker.Worker(REGISTRY, settings, sessions, now=now).run_once(batch)


async def run_worker(settings: Settings, *, once: bool = False) -> None:
    """The worker process: start-up hooks, then poll the outbox until stopped."""
    await worker.run_worker(settings, REGISTRY, STARTUP, once=once)
