"""Expiry reminders (domain.md §22): tell the owner and the administrators before a certificate ends.

Reminder windows: a certificate is reminded once when it enters the ``CERT_EXPIRY_WARNING_DAYS``
window (default 30 days), once more at 7 days and at 1 day left (when inside the window), and once
when it has expired while still live. Recipients: the owner (personal certificate) or the agency's
clerks (seal certificate), and the agency's administrators (the nearest agency up the tree that has
some), each group with a link to its own page.

Idempotency without a table: every reminder writes an audit row ``certificate.expiry_reminded``
(object = the certificate serial, detail ``window_days``) in the same transaction as its
notification jobs, and a (serial, window) pair that already has such a row is skipped. On
PostgreSQL the run holds a transaction-scoped advisory lock, so two concurrent runs cannot both
remind; on SQLite the ``BEGIN IMMEDIATE`` write lock serialises them. A renewed certificate has a new
serial, so its reminders start afresh.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, AuditEvent, Role, RoleGrant, User
from backend.domain.audit.services import RequestMeta, record
from backend.domain.certificates.services import agency_admin_ids, classify, local_date, signing_client
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.signing import CertificateRecord
from backend.domain.signing.credentials import PACKAGE_SEAL_PREFIX
from backend.lib.clock import now as utc_now
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder
from backend.tasks.outbox import enqueue

__all__ = ["REMINDED_ACTION", "remind_expiring", "reminder_window"]

log = logging.getLogger("congvan.certificates")

REMINDED_ACTION = "certificate.expiry_reminded"
_LOCK_KEY = 0x43564345  # "CVCE"


def reminder_window(days_left: int, warning_days: int) -> int | None:
    """The reminder window a certificate with *days_left* is in (``None``: not yet inside any).

    Windows are ``warning_days``, 7 and 1 (those not above ``warning_days``) and 0 (expired or ending
    today); a certificate is in the smallest window that is at least its days left.
    """
    if days_left > warning_days:
        return None
    windows = sorted({w for w in (warning_days, 7, 1) if w <= warning_days} | {0})
    return next(w for w in windows if days_left <= w)


async def _reminded_windows(db: AsyncSession, serial: str) -> set[int]:
    details = (await db.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == REMINDED_ACTION,
                                           AuditEvent.object_type == "certificate", AuditEvent.object_id == serial)
    )).all()
    windows = set()
    for detail in details:
        value = json.loads(detail or "{}").get("window_days")
        if isinstance(value, int):
            windows.add(value)
    return windows


async def _recipients(db: AsyncSession, cert: CertificateRecord) -> tuple[list[int], int | None, str]:
    """(owner-side user ids, agency id for the administrators, owner label)."""
    if cert.owner_kind == "user":
        user = (await db.execute(
            sa.select(User.id, User.agency_id, User.full_name, User.is_active).where(User.username == cert.owner)
        )).first()
        if user is None:
            return [], None, cert.display_name
        return ([user.id] if user.is_active else []), user.agency_id, f"{user.full_name} ({cert.owner})"
    organ_id = cert.owner.removeprefix(PACKAGE_SEAL_PREFIX)  # a package seal is its agency's too
    agency = (await db.execute(sa.select(Agency.id, Agency.name).where(Agency.organ_id == organ_id))).first()
    if agency is None:
        return [], None, cert.display_name
    clerks = (await db.scalars(
        sa.select(User.id).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.agency_id == agency.id, RoleGrant.role == Role.CLERK, User.is_active.is_(True))
        .order_by(User.id).distinct()
    )).all()
    return list(clerks), agency.id, agency.name


async def _remind_one(db: AsyncSession, urls: UrlBuilder, cert: CertificateRecord, window: int, days_left: int,
                      now: dt.datetime) -> bool:
    owners, agency_id, owner_label = await _recipients(db, cert)
    admins = [uid for uid in (await agency_admin_ids(db, agency_id) if agency_id else []) if uid not in owners]
    if not owners and not admins:
        log.warning("certificate %s of %s %s: nobody to remind", cert.cert_serial, cert.owner_kind, cert.owner)
        return False
    expired = days_left <= 0 and window == 0 and now >= cert.not_after
    params = {"owner": owner_label, "kind": t(f"certificates.kind_short.{cert.owner_kind}"),
              "serial": cert.cert_serial.upper(), "date": local_date(cert.not_after), "days": max(days_left, 0)}
    title = t("certificates.notify.expired_title" if expired else "certificates.notify.expiring_title", **params)
    body = t("certificates.notify.expired_body" if expired else "certificates.notify.expiring_body", **params)
    for user_ids, url in ((owners, urls("certificates.mine")),
                          (admins, urls("certificates.admin") + "?filter=expiring")):
        if user_ids:
            await enqueue(db, NOTIFY, Notify(user_ids=user_ids, title=title[:200], body=body[:1000], url=url,
                                             urgent=window <= 1))
    await record(db, REMINDED_ACTION, actor_name="system", agency_id=agency_id, object_type="certificate",
                 object_id=cert.cert_serial, meta=RequestMeta(ip="worker"),
                 detail={"window_days": window, "days_left": days_left, "credential_id": cert.credential_id,
                         "owner_kind": cert.owner_kind, "owner": cert.owner, "notified": len(owners) + len(admins)})
    return True


async def remind_expiring(db: AsyncSession, settings: Settings, urls: UrlBuilder,
                          now: dt.datetime | None = None) -> int:
    """Ask the signing server for certificates ending within the warning window and remind once per window.

    Runs in the caller's transaction (the outbox job's); ``urls`` builds the notifications' links.
    Returns how many certificates were reminded.

    :raises SigningServiceError: the signing server is unreachable or refused (nothing is written).
    """
    warning = settings.cert_expiry_warning_days
    async with signing_client(settings) as client:
        certs = await client.list_certificates(expiring_within_days=warning)
    now = now or utc_now()
    if db.bind.dialect.name == "postgresql":
        await db.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
    reminded = 0
    for cert in sorted(certs, key=lambda c: (c.not_after, c.cert_serial)):
        _status, days_left = classify(cert, now, warning)
        window = reminder_window(days_left, warning)
        if window is None or window in await _reminded_windows(db, cert.cert_serial):
            continue
        if await _remind_one(db, urls, cert, window, days_left, now):
            reminded += 1
    return reminded
