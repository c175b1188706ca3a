"""Async engine and session factory for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on. A transaction that may write starts with
``BEGIN IMMEDIATE`` so that writers are serialised up front (row-lock semantics for numbering
and the audit hash chain) instead of failing at commit time; SQLite has one write lock for the
whole database, so such a transaction must be short (no parsing, rendering, hashing or signing
inside it). A read-only transaction (sessions from :func:`create_read_sessionmaker`, used for
GET requests) starts with a plain deferred ``BEGIN``: in WAL mode it never blocks a writer, and a
writer never blocks it.

``lock_timeout`` bounds how long a writer waits for a lock: SQLite's busy timeout, and PostgreSQL's
``lock_timeout``. Slow work elsewhere is given shorter time limits, so that no single request can
hold the lock past it.

PostgreSQL connections are opened with two session settings, because the app's queries are short
OLTP look-ups served by indexes (issue 12, EXPLAIN plans in docs/performance.md):

* ``jit=off``: the planner's cost estimate for the tab and badge counts over a large agency crosses
  ``jit_above_cost``, and LLVM then spends 100–400 ms compiling expressions on *every* execution of
  a query that runs in a few milliseconds. Nothing the app runs is a long analytic scan that JIT
  would speed up.
* ``plan_cache_mode=force_custom_plan``: asyncpg prepares every statement, and after five runs
  PostgreSQL may switch a prepared statement to a generic plan made without the parameter values.
  Agencies differ by 100× in size (a commune vs. the province's own office), so a generic plan
  that fits the average agency is a sequential scan for the big one. Planning with the actual
  values costs well under a millisecond for these queries.

The pool is sized per process (``DB_POOL_SIZE``, no overflow) and a request waits up to
``DB_POOL_TIMEOUT_SECONDS`` for a free connection, so a burst queues instead of failing
(docs/configuration.md explains the sizing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

__all__ = ["READ_ONLY", "create_engine", "create_read_sessionmaker", "create_sessionmaker", "end_reads"]

READ_ONLY = "congvan_read_only"
"""Execution option of an engine whose SQLite transactions start deferred (they do not write)."""


def _configure_sqlite(engine: AsyncEngine, lock_timeout: float) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


POSTGRES_SESSION_SETTINGS = {"jit": "off", "plan_cache_mode": "force_custom_plan"}


def create_engine(database_url: str, *, echo: bool = False, pool: bool = True, pool_size: int = 10,
                  pool_timeout: int = 120, lock_timeout: float = 30.0) -> AsyncEngine:
    """Create the engine for ``database_url`` (already normalised by the settings).

    ``pool=False`` opens a fresh connection per use (for short-lived tools and tests that run on
    several event loops). ``lock_timeout`` is SQLite's busy timeout in seconds.
    """
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo, pool_size=pool_size, max_overflow=0,
                                     pool_timeout=pool_timeout, connect_args={"timeout": lock_timeout})
        _configure_sqlite(engine, lock_timeout)
        return engine
    settings = {**POSTGRES_SESSION_SETTINGS, "lock_timeout": str(int(lock_timeout * 1000))}
    connect_args = {"server_settings": settings}
    if not pool:
        return create_async_engine(database_url, echo=echo, poolclass=NullPool, connect_args=connect_args)
    return create_async_engine(database_url, echo=echo, pool_size=pool_size, max_overflow=0,
                               pool_timeout=pool_timeout, pool_pre_ping=True, connect_args=connect_args)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (templates render after commit)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: on SQLite their transactions take no write lock.

    A write through such a session still works when nobody else is writing, but it is not
    serialised with other writers: code that writes must use :func:`create_sessionmaker`'s sessions.
    """
    return create_sessionmaker(engine.execution_options(**{READ_ONLY: True}))


async def end_reads(db: AsyncSession) -> None:
    """End the session's transaction before slow work that needs no database (password hashing, parsing, signing).

    On SQLite a writing transaction takes the write lock at its first statement (``BEGIN IMMEDIATE``),
    so a use case that read and now hashes would block every other writer meanwhile. Call this
    before the use case's first write: it commits the reads (``expire_on_commit`` is off, loaded
    objects stay usable) and the writes that follow run in a fresh transaction.

    Raises:
        RuntimeError: the session holds unflushed changes (a programming error: write after).
    """
    if db.new or db.dirty or db.deleted:
        raise RuntimeError("end_reads() called with pending changes")
    if db.in_transaction():
        await db.commit()
