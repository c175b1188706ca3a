"""Certificate register use cases: list, report a compromised key, revoke; expiry classification.

The certificates themselves live in the signing server (its ``/ext/v1`` extension); this module
reads them per request through :class:`~backend.domain.signing.SigningClient` and keeps in the
database only what the backend owns: audit rows and notification jobs.

Order of effects for the two state changes: the signing server revokes first (the safety-critical
part must not wait for anything), then the audit row and the notification job are written in the
request's transaction. A failure of the signing server raises before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, Role, RoleGrant, User
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.certificates.policies import AdminScope, admin_scope, may_report, own_owner_ids
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.signing import CertificateRecord, SigningClient, SigningServiceConfig, SigningServiceError
from backend.errors import InvalidInputError, NotFoundError
from backend.lib.clock import VN_TZ, to_local
from backend.lib.clock import now as utc_now
from backend.lib.i18n import t
from backend.tasks.outbox import enqueue

__all__ = [
    "ADMIN_FILTERS", "MAX_REASON", "CertificateView", "SigningNotConfiguredError", "admin_certificates",
    "agency_admin_ids", "classify", "local_date", "my_certificates", "report_compromised", "revoke_certificate",
    "signing_client", "signing_config",
]

MAX_REASON = 300
ADMIN_FILTERS = ("live", "expiring", "revoked")
"""Admin register filters: live certificates, those expiring within the warning window, revoked ones."""
_TIMEOUT_SECONDS = 10.0
_CSS = {"valid": "pill", "expiring": "pill pill-warn", "locked": "pill pill-warn", "disabled": "pill pill-warn",
        "not_yet_valid": "pill pill-warn", "expired": "pill pill-off", "revoked": "pill pill-off"}


class SigningNotConfiguredError(SigningServiceError):
    """The backend has no client credentials for the signing server (neither env nor demo file)."""

    code: ClassVar[str] = "SIGN_NOT_CONFIGURED"
    message_key: ClassVar[str] = "certificates.not_configured"


def signing_config(settings: Settings) -> SigningServiceConfig:
    """Where the signing server is (``SIGNING_URL``) and the backend's client credentials.

    ``SIGNING_CLIENT_ID`` / ``SIGNING_CLIENT_SECRET`` when set; otherwise, in demo mode, the
    ``<DATA_DIR>/signing/client.json`` the signing server writes.

    :raises SigningNotConfiguredError: neither is available.
    """
    if settings.signing_client_id and settings.signing_client_secret:
        return SigningServiceConfig(url=settings.signing_url, client_id=settings.signing_client_id,
                                    client_secret=settings.signing_client_secret, timeout_seconds=_TIMEOUT_SECONDS)
    client_file = settings.data_dir / "signing" / "client.json"
    if settings.is_demo and client_file.exists():
        config = SigningServiceConfig.from_client_file(client_file, url=settings.signing_url)
        return SigningServiceConfig(url=config.url, client_id=config.client_id, client_secret=config.client_secret,
                                    timeout_seconds=_TIMEOUT_SECONDS)
    raise SigningNotConfiguredError("no SIGNING_CLIENT_ID/SIGNING_CLIENT_SECRET and no demo client.json")


@asynccontextmanager
async def signing_client(settings: Settings) -> AsyncIterator[SigningClient]:
    """A signing-server client for one request or job (closed afterwards)."""
    async with SigningClient(signing_config(settings)) as client:
        yield client


def classify(cert: CertificateRecord, now: dt.datetime, warning_days: int) -> tuple[str, int]:
    """(status key, days left) of a certificate at *now*; days are counted in Vietnam calendar days.

    Status keys (``certificates.status.*``): ``revoked``, ``expired``, ``locked``, ``disabled``,
    ``not_yet_valid``, ``expiring`` (ends within *warning_days*), ``valid``.
    """
    days_left = (to_local(cert.not_after).date() - to_local(now).date()).days
    if cert.status == "revoked":
        status = "revoked"
    elif now >= cert.not_after:
        status = "expired"
    elif cert.status in ("locked", "disabled"):
        status = cert.status
    elif now < cert.not_before:
        status = "not_yet_valid"
    elif days_left <= warning_days:
        status = "expiring"
    else:
        status = "valid"
    return status, days_left


@dataclass(frozen=True, slots=True)
class CertificateView:
    """A certificate as the pages show it."""

    cert: CertificateRecord
    status: str
    days_left: int
    owner_label: str
    agency_label: str
    can_report: bool = False
    can_revoke: bool = False

    @property
    def status_label(self) -> str:
        """Vietnamese status (Đang hiệu lực, Sắp hết hạn, Đã hết hạn, Đã thu hồi, Tạm khóa, Vô hiệu…)."""
        return t(f"certificates.status.{self.status}")

    @property
    def status_css(self) -> str:
        return _CSS[self.status]

    @property
    def kind_label(self) -> str:
        return t(f"certificates.kind.{self.cert.owner_kind}")

    @property
    def serial(self) -> str:
        """Serial number as certificate viewers show it (upper-case hex)."""
        return self.cert.cert_serial.upper()

    @property
    def is_live(self) -> bool:
        return self.cert.status != "revoked"

    @property
    def valid_from(self) -> str:
        return to_local(self.cert.not_before).strftime("%H:%M %d/%m/%Y")

    @property
    def valid_to(self) -> str:
        return to_local(self.cert.not_after).strftime("%H:%M %d/%m/%Y")

    @property
    def revoked_at(self) -> str:
        return to_local(self.cert.revoked_at).strftime("%H:%M %d/%m/%Y") if self.cert.revoked_at else ""


async def my_certificates(settings: Settings, actor: Actor) -> list[CertificateView]:
    """The actor's personal certificates and, for clerks, their agency's seal; live ones first."""
    users, seals = own_owner_ids(actor)
    async with signing_client(settings) as client:
        certs = await client.list_certificates(user_ids=users, agency_ids=seals, include_revoked=True)
    now = utc_now()
    views = []
    for cert in certs:
        status, days_left = classify(cert, now, settings.cert_expiry_warning_days)
        owner = actor.full_name if cert.owner_kind == "user" else actor.agency_name
        views.append(CertificateView(cert, status, days_left, owner, actor.agency_name,
                                     can_report=cert.status != "revoked" and may_report(actor, cert)))
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    views.sort(key=lambda v: (not v.is_live, v.cert.owner_kind != "user",
                              -(v.cert.revoked_at or far_past).timestamp() if not v.is_live else 0))
    return views


def _reason(raw: str) -> str:
    reason = " ".join(raw.split())
    if not reason:
        raise InvalidInputError(field_errors={"reason": t("certificates.reason_required")})
    if len(reason) > MAX_REASON:
        raise InvalidInputError(field_errors={"reason": t("certificates.reason_too_long", n=MAX_REASON)})
    return reason


async def agency_admin_ids(db: AsyncSession, agency_id: int) -> list[int]:
    """Active administrators of the agency; if it has none, of the nearest ancestor that has some."""
    current: int | None = agency_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        ids = (await db.scalars(
            sa.select(User.id).join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.agency_id == current, RoleGrant.role == Role.ADMIN, User.is_active.is_(True))
            .order_by(User.id).distinct()
        )).all()
        if ids:
            return list(ids)
        current = await db.scalar(sa.select(Agency.parent_id).where(Agency.id == current))
    return []


async def report_compromised(db: AsyncSession, settings: Settings, actor: Actor, credential_id: str,
                             reason: str, meta: RequestMeta) -> CertificateRecord:
    """Revoke the actor's own (or, for a clerk, the seal's) credential at once; audit; tell the admins.

    :raises NotFoundError: not the actor's certificate (or no such credential).
    :raises InvalidInputError: no reason given, or the certificate is already revoked.
    :raises SigningServiceError: the signing server refused or is unreachable (nothing was written).
    """
    reason = _reason(reason)
    users, seals = own_owner_ids(actor)
    async with signing_client(settings) as client:
        mine = await client.list_certificates(user_ids=users, agency_ids=seals, include_revoked=True)
        cert = next((c for c in mine if c.credential_id == credential_id and may_report(actor, c)), None)
        if cert is None:
            raise NotFoundError(t("certificates.not_found"))
        if cert.status == "revoked":
            raise InvalidInputError(t("certificates.already_revoked"))
        revoked = await client.report_compromised(credential_id, reason, requested_by=actor.username)
    detail = {"credential_id": credential_id, "owner_kind": cert.owner_kind, "owner": cert.owner,
              "reason": reason, "status_reason": revoked.status_reason}
    await record(db, "certificate.reported_compromised", actor_id=actor.user_id, actor_name=actor.username,
                 agency_id=actor.agency_id, object_type="certificate", object_id=cert.cert_serial, meta=meta,
                 detail=detail)
    if cert.owner_kind == "user":
        home = await db.scalar(sa.select(User.agency_id).where(User.id == actor.user_id))
        owner_label = f"{actor.full_name} ({actor.username})"
    else:
        home, owner_label = actor.agency_id, actor.agency_name
    admins = await agency_admin_ids(db, home or actor.agency_id)
    if admins:
        kind = t(f"certificates.kind_short.{cert.owner_kind}")
        await enqueue(db, NOTIFY, Notify(
            user_ids=admins, urgent=True, url="/admin/certificates?filter=revoked",
            title=t("certificates.notify.compromised_title", owner=owner_label)[:200],
            body=t("certificates.notify.compromised_body", reporter=f"{actor.full_name} ({actor.username})",
                   kind=kind, owner=owner_label, serial=cert.cert_serial.upper(), reason=reason)[:1000],
        ))
    return revoked


def _admin_views(certs: list[CertificateRecord], scope: AdminScope, now: dt.datetime,
                 warning_days: int) -> list[CertificateView]:
    views = []
    for cert in certs:
        owner = scope.owner(cert)
        if owner is None:
            continue
        status, days_left = classify(cert, now, warning_days)
        views.append(CertificateView(cert, status, days_left, owner.label, owner.agency_name,
                                     can_revoke=cert.status != "revoked"))
    return views


async def admin_certificates(db: AsyncSession, settings: Settings, actor: Actor,
                             filter_: str = "live") -> list[CertificateView]:
    """Certificates of people and agencies the administrator manages, soonest expiry first.

    :param filter_: ``live`` (default), ``expiring`` (live, ending within
        ``CERT_EXPIRY_WARNING_DAYS`` or already expired) or ``revoked``.
    """
    scope = await admin_scope(db, actor)
    if not scope.users and not scope.agencies:
        return []
    async with signing_client(settings) as client:
        certs = await client.list_certificates(
            user_ids=sorted(scope.users), agency_ids=sorted(scope.agencies), include_revoked=filter_ == "revoked",
            expiring_within_days=settings.cert_expiry_warning_days if filter_ == "expiring" else None)
    if filter_ == "revoked":
        certs = [c for c in certs if c.status == "revoked"]
    views = _admin_views(certs, scope, utc_now(), settings.cert_expiry_warning_days)
    views.sort(key=lambda v: (v.cert.not_after, v.owner_label))
    return views


async def revoke_certificate(db: AsyncSession, settings: Settings, actor: Actor, credential_id: str,
                             reason: str, meta: RequestMeta) -> CertificateView:
    """Administrator revocation of a certificate in scope; audit row ``certificate.revoked``.

    :raises NotFoundError: outside the administrator's scope or unknown.
    :raises InvalidInputError: no reason, or already revoked.
    """
    reason = _reason(reason)
    scope = await admin_scope(db, actor)
    async with signing_client(settings) as client:
        certs = await client.list_certificates(user_ids=sorted(scope.users), agency_ids=sorted(scope.agencies),
                                               include_revoked=True)
        cert = next((c for c in certs if c.credential_id == credential_id and scope.owner(c)), None)
        if cert is None:
            raise NotFoundError(t("certificates.not_found"))
        if cert.status == "revoked":
            raise InvalidInputError(t("certificates.already_revoked"))
        revoked = await client.revoke_credential(credential_id, reason, requested_by=actor.username)
    await record(db, "certificate.revoked", actor_id=actor.user_id, actor_name=actor.username,
                 agency_id=actor.agency_id, object_type="certificate", object_id=cert.cert_serial, meta=meta,
                 detail={"credential_id": credential_id, "owner_kind": cert.owner_kind, "owner": cert.owner,
                         "reason": reason})
    return _admin_views([revoked], scope, utc_now(), settings.cert_expiry_warning_days)[0]


def local_date(moment: dt.datetime) -> str:
    """``dd/mm/yyyy`` in Vietnam time."""
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y")
