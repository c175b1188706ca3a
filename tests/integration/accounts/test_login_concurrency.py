"""A login and another request of the same account never deadlock: on PostgreSQL they take the audit chain lock
one order, so PostgreSQL never has to break a deadlock between them (issue 16, docs/performance.md).

The other request runs in a thread of its own: the test client blocks the test's event loop while the
login is served.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import asyncpg
import pytest

from backend.domain.audit.services import _ADVISORY_LOCK_KEY
from tests.conftest import ON_POSTGRES, csrf_from

CLERK = "vanthu.xanghiphong"

@pytest.fixture
def settings_env(settings_env: dict[str, str]) -> dict[str, str]:
    """Short lock waits, so a deadlock shows as a failure in seconds rather than half a minute."""
    return {**settings_env, "DB_LOCK_TIMEOUT_SECONDS": "5", "PAGE_RENDER_TIMEOUT_SECONDS": "2"}


async def _other_request(dsn: str, user_id: int, holding: threading.Event) -> str:
    """Append to the audit chain (holding its lock), wait for the login to queue behind it, then write a
    row referencing the account (a foreign-key check takes KEY SHARE on the account row)."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL lock_timeout = '8s'")
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _ADVISORY_LOCK_KEY)
            holding.set()
            deadline = time.monotonic() + 10
            while not await conn.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "  # pg_locks: live, not
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"):  # a snapshot
                if time.monotonic() > deadline:
                    return "the login never reached the audit chain"
                await asyncio.sleep(0.05)
            await conn.fetchval("SELECT id FROM user_account WHERE id = $1 FOR KEY SHARE", user_id)
        return "ok"
    except asyncpg.PostgresError as error:
        return f"{type(error).__name__}: {error}"
    finally:
        await conn.close()


def _sqlite_writer(path: str, holding: threading.Event) -> str:
    """SQLite's one writer: hold the write lock (as a request appending to the audit chain does) for a while."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(1.5)
        conn.execute("ROLLBACK")
        return "ok"
    finally:
        conn.close()


async def test_login_and_a_request_holding_the_audit_chain_do_not_deadlock(client, demo, database_url) -> None:
    """PostgreSQL: the lock order above. SQLite (one writer): the login waits for the other writer, then answers."""
    user = await demo.user(CLERK)
    token = csrf_from((await client.get("/login")).text)
    holding, outcome = threading.Event(), []
    if ON_POSTGRES:
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
        other = threading.Thread(target=lambda: outcome.append(asyncio.run(_other_request(dsn, user.id, holding))))
    else:
        path = database_url.split("///", 1)[1]
        other = threading.Thread(target=lambda: outcome.append(_sqlite_writer(path, holding)))
    other.start()
    assert holding.wait(10)
    response = await client.post("/login", data={"username": CLERK, "password": "wrong-pass-1", "next": "/",
                                                  "_csrf_token": token})
    other.join(20)
    assert outcome == ["ok"]
    assert response.status_code == 401 and "không đúng" in response.text
