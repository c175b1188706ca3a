"""Failures of the environment (not of the request), mapped to what the user should be told.

* Redis or PostgreSQL unreachable, or a connection dropped mid-request (server restarted) → 503
  "temporarily interrupted, try again shortly" with ``Retry-After``;
* the disk of the blob store (or the data directory) full → 507 "storage full, the file was not saved".

The driver's exception is often wrapped (SQLAlchemy wraps asyncpg's, Litestar's store wraps Redis'),
so the whole ``__cause__`` / ``__context__`` chain is searched.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

import asyncpg
import redis.exceptions
from sqlalchemy.exc import DBAPIError

from backend.lib.i18n import t

__all__ = ["OUTAGE_CODES", "RETRY_AFTER_SECONDS", "classify_outage", "outage_cause"]

RETRY_AFTER_SECONDS = 30
OUTAGE_CODES = frozenset({"SERVICE_UNAVAILABLE", "STORAGE_FULL"})

_UNREACHABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.ConnectionFailureError,
    ConnectionError,  # refused / reset by a server that is down or restarting
)
_FULL = {errno.ENOSPC, errno.EDQUOT}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_outage(link: BaseException) -> bool:
    return ((isinstance(link, OSError) and link.errno in _FULL) or isinstance(link, _UNREACHABLE)
            or (isinstance(link, DBAPIError) and link.connection_invalidated))


def outage_cause(exc: BaseException) -> str:
    """One line naming the failure behind an outage (what an operator needs; a traceback per request is noise)."""
    link = next((link for link in _chain(exc) if _is_outage(link)), exc)
    return f"{type(link).__name__}: {str(link).splitlines()[0] if str(link) else ''}"[:300]


def classify_outage(exc: BaseException) -> tuple[int, str, str] | None:
    """(status, stable code, Vietnamese message) when ``exc`` is an outage of a service or the disk."""
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in _FULL:
            return 507, "STORAGE_FULL", t("error.storage_full")
        if isinstance(link, _UNREACHABLE) or (isinstance(link, DBAPIError) and link.connection_invalidated):
            return 503, "SERVICE_UNAVAILABLE", t("error.unavailable")
    return None
