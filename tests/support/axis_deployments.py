"""Two CôngVăn deployments in one test process, exchanging over the axis stand-in (issue 13, "two provinces").

Nothing in the backend is process-global: the app, its engine, the worker's jobs and the poller all take their
:class:`~backend.config.settings.Settings`, so the second deployment is a second app (its own database, data
directory, signing server, axis system and secret) served by its own test client, and its worker jobs run with
its own settings (:func:`~tests.support.outgoing.run_jobs`, the worker's ``run_once``). The axis poll is the
production job ``exchange.poll_axis``, enqueued due now and run by that loop.

Province B is a copy of the demo database whose Nghi Phong agency is renamed to UBND tỉnh Tây Ninh
(:data:`TAY_NINH`, system ``tinh-a`` of :data:`tests.support.axis.CONFIG`): its users, units and seeds are the
demo's, its identity on the axis is another province's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.asgi import create_app
from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, DeliveryStatus, IncomingDocument, OutgoingRecipient
from backend.domain.exchange.axis_poller import POLL_AXIS, PollAxis
from backend.lib import clock
from backend.tasks.outbox import enqueue
from tests.support.outgoing import Api, run_jobs

__all__ = ["NGHI_PHONG", "TAY_NINH", "TAY_NINH_SYSTEM", "Deployment", "running_deployment"]

NGHI_PHONG, TAY_NINH = "000.01.21.H41", "000.00.00.H53"
TAY_NINH_SYSTEM = {"AXIS_SYSTEM_ID": "tinh-a", "AXIS_SECRET": "s3cret-A-never-logged"}
"""Province B's connection to the stand-in (its system in :data:`tests.support.axis.CONFIG`)."""


@dataclass
class Deployment:
    """One running deployment: its settings, an HTTP client on its app, sessions on its database."""

    settings: Settings
    client: AsyncTestClient[Litestar]
    sessions: async_sessionmaker[AsyncSession]
    logins: dict[str, Api] = field(default_factory=dict)

    async def login(self, username: str) -> Api:
        """``username`` logged in on this deployment (once: later calls reuse the session)."""
        if username not in self.logins:
            self.logins[username] = await Api(self.client).login(username)
        return self.logins[username]

    async def run_jobs(self) -> None:
        """The worker's due jobs (deliveries, statuses, notifications) until none is due."""
        await run_jobs(self.settings)

    async def poll(self) -> None:
        """One run of the worker's axis poll (``exchange.poll_axis``, due now), then the jobs it left due."""
        async with self.sessions() as db:
            await enqueue(db, POLL_AXIS, PollAxis(), run_after=clock.now())
            await db.commit()
        await run_jobs(self.settings)

    async def line_status(self, line_id: int) -> tuple[DeliveryStatus, str]:
        """An outgoing recipient line's status and note."""
        async with self.sessions() as db:
            line = await db.get(OutgoingRecipient, line_id)
            assert line is not None
            return DeliveryStatus(line.status), line.status_note

    async def incoming_by_identifier(self, identifier: str) -> list[IncomingDocument]:
        async with self.sessions() as db:
            return list((await db.scalars(sa.select(IncomingDocument).where(
                IncomingDocument.document_identifier == identifier))).all())

    async def rename_agency(self, organ_id: str, new_organ_id: str, name: str) -> None:
        """Give one of the seeded agencies another identity (province B's agency on the axis)."""
        async with self.sessions() as db:
            agency = await db.scalar(sa.select(Agency).where(Agency.organ_id == organ_id))
            assert agency is not None
            agency.organ_id, agency.name = new_organ_id, name
            await db.commit()


@asynccontextmanager
async def running_deployment(settings: Settings) -> AsyncIterator[Deployment]:
    """The app of ``settings`` behind a test client, and sessions on its database, for the block."""
    app = create_app(settings)
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            client.follow_redirects = False
            yield Deployment(settings, client, create_sessionmaker(engine))
    finally:
        await engine.dispose()
        await app.state.engine.dispose()
