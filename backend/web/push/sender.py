"""Deliver encrypted pushes with pywebpush over one aiohttp session, VAPID headers cached per push service.

pywebpush traps handled here (stack-notes §5): ``TTL`` is always set (its default 0 drops messages
for phones that are offline); ``Urgency`` and ``Topic`` are passed as headers (pywebpush sets
neither); the VAPID claims are a fresh dict per audience, because pywebpush writes ``aud`` and
``exp`` into the dict it is given. Results are classified, never raised: 404/410 mean the
subscription is gone, 429/5xx and network errors are retryable, other 4xx are rejected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from urllib.parse import urlsplit

import aiohttp
from pywebpush import WebPusher, WebPushException

from backend.domain.push.keys import VapidKeys

__all__ = ["DeliveryOutcome", "DeliveryResult", "PushSender", "PushTarget", "classify"]

log = logging.getLogger("congvan.push")

_JWT_LIFETIME = 12 * 3600
_JWT_RENEW_BEFORE = 3600


class DeliveryOutcome(StrEnum):
    """What the push service said about one message."""

    DELIVERED = "delivered"
    GONE = "gone"
    RETRY = "retry"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class PushTarget:
    """A device to push to (copied out of the ORM row so delivery needs no session)."""

    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome for one target; ``retry_after`` in seconds when the service asked for it."""

    subscription_id: int
    outcome: DeliveryOutcome
    status: int | None
    retry_after: float | None = None


def _audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def classify(status: int) -> DeliveryOutcome:
    """Map a push service status code to what we do next."""
    if 200 <= status < 300:
        return DeliveryOutcome.DELIVERED
    if status in (404, 410):
        return DeliveryOutcome.GONE
    if status == 429 or status >= 500:
        return DeliveryOutcome.RETRY
    return DeliveryOutcome.REJECTED


class PushSender:
    """``async with PushSender(keys) as sender: await sender.send_many(...)``."""

    def __init__(self, keys: VapidKeys, *, timeout_seconds: float = 10.0, concurrency: int = 32) -> None:
        self.keys = keys
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._limit = asyncio.Semaphore(concurrency)
        self._vapid_cache: dict[str, tuple[float, dict[str, str]]] = {}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> PushSender:
        connector = aiohttp.TCPConnector(limit_per_host=16, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def vapid_headers(self, endpoint: str) -> dict[str, str]:
        """``Authorization: vapid t=…, k=…`` for the endpoint's push service, signed once per audience."""
        audience = _audience(endpoint)
        now = time.time()
        cached = self._vapid_cache.get(audience)
        if cached is None or cached[0] - now < _JWT_RENEW_BEFORE:
            expires = int(now) + _JWT_LIFETIME
            claims = {"sub": self.keys.subject, "aud": audience, "exp": expires}  # a fresh dict every time
            cached = (float(expires), dict(self.keys.vapid.sign(claims)))
            self._vapid_cache[audience] = cached
        return dict(cached[1])

    async def send(self, target: PushTarget, data: bytes, *, ttl: int, urgency: str, topic: str) -> DeliveryResult:
        """Encrypt (aes128gcm) and POST one message; never raises for delivery problems."""
        if self._session is None:
            raise RuntimeError("PushSender used outside 'async with'")
        headers = {**self.vapid_headers(target.endpoint), "Urgency": urgency, "Topic": topic}
        subscription = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        async with self._limit:
            try:
                pusher = WebPusher(subscription, aiohttp_session=self._session)
                response = await pusher.send_async(data, headers, ttl=ttl, timeout=self._timeout)
            except WebPushException as exc:
                log.warning("push subscription %s unusable: %s", target.subscription_id, exc.message)
                return DeliveryResult(target.subscription_id, DeliveryOutcome.REJECTED, None)
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.info("push to subscription %s failed in transit: %r", target.subscription_id, exc)
                return DeliveryResult(target.subscription_id, DeliveryOutcome.RETRY, None)
        status = response.status
        retry_after = _retry_after(response.headers.get("Retry-After"))
        return DeliveryResult(target.subscription_id, classify(status), status, retry_after)

    async def send_many(self, targets: Iterable[PushTarget], data: bytes, *, ttl: int, urgency: str,
                        topic: str) -> list[DeliveryResult]:
        """Send the same message to every target concurrently (bounded by ``concurrency``)."""
        return list(await asyncio.gather(*(self.send(target, data, ttl=ttl, urgency=urgency, topic=topic)
                                           for target in targets)))
