"""Subscriptions (subscribe, list, revoke) and quiet-hours preferences of one user.

Endpoints are checked before they are stored, because the worker will POST to them: only HTTPS
push services from ``PUSH_ENDPOINT_HOSTS`` are accepted (plus loopback in demo mode, for tests
and local receivers), so a subscription cannot turn the worker into a proxy into the network.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import PushPreference, PushSubscription
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.push.quiet import QuietWindow, parse_hhmm
from backend.domain.push.schemas import QuietHoursForm, SubscriptionIn
from backend.errors import InvalidInputError, NotFoundError
from backend.lib.i18n import t

__all__ = [
    "QuietHours", "device_label", "endpoint_hash", "list_devices", "load_quiet_hours", "quiet_window_of",
    "remove_by_endpoint", "revoke_device", "save_quiet_hours", "save_subscription", "validate_endpoint",
]

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A user's quiet hours as shown on the devices page."""

    enabled: bool
    start: str
    end: str


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()


def validate_endpoint(settings: Settings, endpoint: str) -> None:
    """Accept only known HTTPS push services (and loopback in demo mode).

    Raises:
        InvalidInputError: for any other URL.
    """
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if settings.is_demo and parts.scheme in {"http", "https"} and host in _LOOPBACK:
        return
    if parts.scheme == "https" and any(host == allowed or host.endswith("." + allowed)
                                       for allowed in settings.push_endpoint_hosts):
        return
    raise InvalidInputError(t("push.endpoint_not_allowed"))


def _decoded_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return -1


def device_label(user_agent: str) -> str:
    """A short human name for the device ("Chrome · Android") from its user agent."""
    ua = user_agent.lower()
    system = next((name for key, name in (("iphone", "iPhone"), ("ipad", "iPad"), ("android", "Android"),
                                         ("windows", "Windows"), ("mac os", "macOS"), ("linux", "Linux"))
                   if key in ua), "")
    browser = next((name for key, name in (("edg/", "Edge"), ("samsungbrowser", "Samsung Internet"),
                                          ("coc_coc", "Cốc Cốc"), ("firefox", "Firefox"), ("chrome", "Chrome"),
                                          ("chromium", "Chromium"), ("safari", "Safari"))
                    if key in ua), "")
    return " · ".join(part for part in (browser, system) if part) or t("push.device_unknown")


async def save_subscription(db: AsyncSession, settings: Settings, actor: Actor, data: SubscriptionIn,
                            user_agent: str, meta: RequestMeta) -> PushSubscription:
    """Store (or move to ``actor``) the subscription of this device; audited."""
    validate_endpoint(settings, data.endpoint)
    if len(data.endpoint) > 2048 or _decoded_length(data.keys.p256dh) != 65 or _decoded_length(data.keys.auth) != 16:
        raise InvalidInputError(t("push.subscription_invalid"))
    digest = endpoint_hash(data.endpoint)
    row = await db.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint_hash == digest))
    if row is None:
        row = PushSubscription(endpoint=data.endpoint, endpoint_hash=digest, user_id=actor.user_id)
        db.add(row)
    row.user_id = actor.user_id
    row.p256dh = data.keys.p256dh
    row.auth = data.keys.auth
    row.user_agent = user_agent[:300]
    row.label = device_label(user_agent)[:120]
    await db.flush()
    await record(db, "push.subscribe", actor_id=actor.user_id, actor_name=actor.username, agency_id=actor.agency_id,
                 object_type="push_subscription", object_id=row.id, meta=meta, detail={"device": row.label})
    return row


async def list_devices(db: AsyncSession, user_id: int) -> list[PushSubscription]:
    return list((await db.scalars(
        sa.select(PushSubscription).where(PushSubscription.user_id == user_id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
    )).all())


async def revoke_device(db: AsyncSession, actor: Actor, subscription_id: int, meta: RequestMeta) -> None:
    """Delete one of the actor's devices (another user's device looks like a missing one)."""
    row = await db.get(PushSubscription, subscription_id)
    if row is None or row.user_id != actor.user_id:
        raise NotFoundError()
    await db.delete(row)
    await record(db, "push.revoke", actor_id=actor.user_id, actor_name=actor.username, agency_id=actor.agency_id,
                 object_type="push_subscription", object_id=subscription_id, meta=meta, detail={"device": row.label})


async def remove_by_endpoint(db: AsyncSession, actor: Actor, endpoint: str) -> bool:
    """The browser unsubscribed: forget its endpoint if it is the actor's."""
    result = cast("CursorResult[Any]", await db.execute(sa.delete(PushSubscription).where(
        PushSubscription.endpoint_hash == endpoint_hash(endpoint), PushSubscription.user_id == actor.user_id)))
    return bool(result.rowcount)


def _default(settings: Settings) -> QuietHours:
    if settings.quiet_hours is None:
        return QuietHours(False, "21:00", "06:30")
    return QuietHours(True, *settings.quiet_hours)


async def load_quiet_hours(db: AsyncSession, settings: Settings, user_id: int) -> QuietHours:
    row = await db.get(PushPreference, user_id)
    if row is None:
        return _default(settings)
    return QuietHours(row.quiet_enabled, row.quiet_start, row.quiet_end)


def quiet_window_of(row: PushPreference | None, settings: Settings) -> QuietWindow | None:
    """The window that applies to a user (their row, else the configured default)."""
    hours = _default(settings) if row is None else QuietHours(row.quiet_enabled, row.quiet_start, row.quiet_end)
    if not hours.enabled:
        return None
    return parse_hhmm(hours.start), parse_hhmm(hours.end)


async def save_quiet_hours(db: AsyncSession, actor: Actor, form: QuietHoursForm) -> QuietHours:
    """Validate and store the actor's quiet hours.

    Raises:
        InvalidInputError: with per-field messages for malformed or equal times.
    """
    errors: dict[str, str] = {}
    parsed = {}
    for name in ("quiet_start", "quiet_end"):
        try:
            parsed[name] = parse_hhmm(getattr(form, name)).strftime("%H:%M")
        except ValueError:
            errors[name] = t("push.quiet_time_invalid")
    if not errors and parsed["quiet_start"] == parsed["quiet_end"]:
        errors["quiet_end"] = t("push.quiet_same_times")
    if errors:
        raise InvalidInputError(field_errors=errors)
    row = await db.get(PushPreference, actor.user_id)
    if row is None:
        row = PushPreference(user_id=actor.user_id)
        db.add(row)
    row.quiet_enabled = form.quiet_enabled in {"on", "true", "1"}
    row.quiet_start, row.quiet_end = parsed["quiet_start"], parsed["quiet_end"]
    await db.flush()
    return QuietHours(row.quiet_enabled, row.quiet_start, row.quiet_end)
