"""A write a database constraint refuses is a 409 "reload and retry" in Vietnamese, never a 500.

The services check what they can before writing; a constraint that still fires (two users racing,
data changed behind the app's back) reaches ``backend.server.errors`` as SQLAlchemy's
``IntegrityError``. A route registered on the real app for this test makes the real database refuse a
duplicate agency code, inside the request's own transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from litestar import Litestar, post
from litestar.testing import AsyncTestClient

from backend.db.models import Agency, AgencyLevel
from backend.lib.deps import DB


@post(["/api/v1/test-duplicate-agency", "/test-duplicate-agency"], status_code=200)
async def duplicate_agency(db: DB) -> dict[str, str]:
    existing = await db.scalar(sa.select(Agency).order_by(Agency.id).limit(1))
    assert existing is not None
    db.add(Agency(organ_id=existing.organ_id, name="Bản sao", abbreviation="BS", place_name="Nghệ An",
                     level=AgencyLevel.OTHER))
    await db.flush()
    return {"stored": "yes"}


async def test_a_constraint_violation_is_a_409_conflict(app: Litestar, client: AsyncTestClient[Litestar],
                                                        login: Callable[..., Awaitable[Any]], db_sessionmaker) -> None:
    app.register(duplicate_agency)
    await login(client, "quantri.xanghiphong")
    token = (await client.get("/api/v1/session")).json()["csrf_token"]
    async with db_sessionmaker() as db:
        before = await db.scalar(sa.select(sa.func.count()).select_from(Agency))

    api = await client.post("/api/v1/test-duplicate-agency", headers={"X-CSRFToken": token})
    assert api.status_code == 409, api.text
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["code"] == "CONFLICT" and "tải lại trang" in api.json()["title"]

    page = await client.post("/test-duplicate-agency", headers={"X-CSRFToken": token})
    assert page.status_code == 409 and "tải lại trang" in page.text and "<html" in page.text.lower()
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(Agency)) == before
