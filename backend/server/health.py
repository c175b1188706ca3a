"""``/healthz``: liveness plus a database round trip, for load balancers and ``make run``."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import get
from litestar.datastructures import State

__all__ = ["health"]


@get("/healthz", name="health", cache=False)
async def health(state: State) -> dict[str, str]:
    async with state.sessions() as db:
        await db.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
