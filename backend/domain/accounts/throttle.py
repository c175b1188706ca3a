"""The per-address login throttle: too many failed logins from one client address → 429 for a while.

The failures are the ``auth.login_failed`` audit rows the login already writes (with the client
address as the app sees it: uvicorn resolves ``X-Forwarded-For`` from the trusted proxies in
``FORWARDED_ALLOW_IPS``), counted through a partial index on ``(ip, at)``. Nothing else is stored,
so the throttle holds across web processes and restarts, and an administrator reads its history in
the audit log. ``LOGIN_IP_MAX_FAILURES`` failures within ``LOGIN_FAILURE_WINDOW_MINUTES`` refuse
every further attempt from that address, right or wrong, until the oldest of them leaves the
sliding window; refused attempts are not failures, so they do not extend it.

The check runs before the account is looked at: a throttled attempt neither hashes a password nor
counts against the account's lockout, so one address can lock at most
``LOGIN_IP_MAX_FAILURES / LOGIN_MAX_FAILURES`` accounts per window.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.inline import inline_eq
from backend.db.models import AuditEvent

__all__ = ["retry_after_seconds"]


async def retry_after_seconds(db: AsyncSession, settings: Settings, ip: str, now: datetime) -> int | None:
    """Seconds until ``ip`` may try again, or ``None`` when it is not throttled."""
    limit = settings.login_ip_max_failures
    window = timedelta(minutes=settings.login_failure_window_minutes)
    if not ip or limit <= 0:
        return None
    oldest_counted = await db.scalar(
        sa.select(AuditEvent.at)
        .where(inline_eq(AuditEvent.action, "auth.login_failed"), AuditEvent.ip == ip[:64],
               AuditEvent.at > now - window)
        .order_by(AuditEvent.at.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if oldest_counted is None:
        return None
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))
