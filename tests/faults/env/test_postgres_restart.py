"""PostgreSQL restarted while a request is in flight: a clear error, then service as before, nothing half-done.

The test's database lives on a cluster of its own (a copy of the seeded template), so the test can restart
it. A registration is held up on a table lock while the cluster restarts (``pg_ctl restart -m fast``
terminates every connection): the user gets the Vietnamese 503 page, no traceback; the very next request
works (the pool pings and replaces dead connections); the registration is either entirely there or not at
all (here: not, its transaction was rolled back), and registering again succeeds.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from backend.db.models import IncomingDocument
from tests.faults.env.conftest import ThrowawayPostgres
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, type_id
from tests.support.template_copies import TemplateCopies

CLERK = "vanthu.xanghiphong"
UNAVAILABLE = "Hệ thống tạm thời gián đoạn"


@pytest.fixture
def database_url(template_copies: TemplateCopies, throwaway_postgres: ThrowawayPostgres,
                 tmp_path: Path) -> Iterator[str]:
    """The seeded template copied (pg_dump of a copy | psql) into the throwaway cluster."""
    source = template_copies.take(tmp_path / "source.db")
    subprocess.run(["psql", "-q", f"{throwaway_postgres.server_url}/postgres", "-c", "CREATE DATABASE congvan"],
                   check=True, stdout=subprocess.DEVNULL)
    dump = subprocess.run(["pg_dump", "--no-owner", source.replace("postgresql+asyncpg://", "postgresql://")],
                          check=True, capture_output=True).stdout
    template_copies.give_back(source)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{throwaway_postgres.server_url}/congvan"], input=dump,
                   check=True, stdout=subprocess.DEVNULL)
    yield f"{throwaway_postgres.server_url}/congvan".replace("postgresql://", "postgresql+asyncpg://")


@asynccontextmanager
async def table_locked(url: str, table: str) -> AsyncIterator[None]:
    """Another session holding an EXCLUSIVE lock on ``table`` (ended by the restart, or at the end)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    await conn.execute(f"BEGIN; LOCK TABLE {table} IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        conn.terminate()


async def _count(db_sessionmaker: Any, code_number: str) -> int:
    async with db_sessionmaker() as db:
        return int(await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)
                                   .where(IncomingDocument.code_number == code_number)) or 0)


async def test_restart_mid_request_gives_503_then_service_resumes_with_nothing_half_written(
        clients: Any, db_sessionmaker: Any, database_url: str, throwaway_postgres: ThrowawayPostgres) -> None:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker), code_number="4242")
    pdf = make_pdf(1)

    restarter = threading.Timer(1.5, throwaway_postgres.restart)  # while the registration waits for the lock
    async with table_locked(database_url, "incoming_document"):
        restarter.start()
        response = await intake(clerk, fields, pdf)
    restarter.join()
    assert response.status_code == 503, response.text[:2000]
    assert UNAVAILABLE in response.text and "Traceback" not in response.text and "asyncpg" not in response.text
    assert response.headers["retry-after"]

    page = await clerk.get("/incoming")  # the next request works: dead pooled connections are replaced
    assert page.status_code == 200
    assert await _count(db_sessionmaker, "4242") == 0  # rolled back entirely, not half-registered

    doc_id = doc_id_from(await intake(clerk, fields, pdf))
    assert await _count(db_sessionmaker, "4242") == 1
    detail = await clerk.get(f"/incoming/{doc_id}")
    assert detail.status_code == 200 and "4242" in detail.text
