"""ASGI middleware: offline cache headers on responses, and idempotent replay of queued actions.

GET responses: an authenticated, full-page HTML response (or a document's image) gets
``CV-User`` (the per-user cache id) and ``CV-Offline`` (how the service worker may keep it);
``/static/…?v=<hash>`` gets ``Cache-Control: immutable``. HTTP caches still see ``no-store`` on
HTML: only the service worker keeps copies, per user.

POST with ``Idempotency-Key`` (queued offline actions, and every online htmx form: a double tap or a
retry is one action): claimed before the handler runs; a key seen before gets the stored response
(``CV-Offline-Result: replayed``; an htmx request is sent to the page as it now is) and the handler
is not run again. Routes flagged ``needs_otp`` (signing, sealing) refuse queued replays
(``CV-Offline-Replay``) outright. Registered as app middleware, so it runs
after routing and sees the matched route handler.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from markupsafe import escape

from backend.lib.i18n import t
from backend.lib.sessions import get_session
from backend.web.offline import idempotency
from backend.web.offline.policy import never_replayed, offline_kind, user_cache_id

__all__ = ["OfflineMiddleware"]

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_IMMUTABLE = "public, max-age=31536000, immutable"


def _user_id(scope: Scope) -> int | None:
    try:
        uid = get_session(ASGIConnection(scope)).get("uid")
    except KeyError:
        return None
    return uid if isinstance(uid, int) else None


async def _send_simple(send: Send, status: int, headers: dict[str, str], body: bytes = b"") -> None:
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_message(send: Send, status: int, message: str, result: str) -> None:
    body = f'<div class="toast toast-error" role="alert">{escape(message)}</div>'.encode()
    await _send_simple(send, status, {
        "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "vary": "HX-Request",
        "hx-retarget": "#toast", "hx-reswap": "innerHTML", "cv-offline-result": result,
    }, body)


async def _send_replayed(send: Send, claim: idempotency.Claim, *, fragment: bool) -> None:
    """The stored outcome of an action applied before. htmx gets no body to swap (it would blank the
    target) but the page as it now is: ``HX-Redirect`` to where the action led, else ``HX-Refresh``."""
    replay = {"cache-control": "no-store", "cv-offline-result": "replayed", "idempotent-replayed": "true"}
    if fragment:
        replay["hx-redirect" if claim.location else "hx-refresh"] = claim.location or "true"
        await _send_simple(send, 200, replay)
        return
    if claim.location:
        replay["location"] = claim.location
    await _send_simple(send, claim.status_code or 204, replay)


class OfflineMiddleware:
    """See the module docstring. ``secret_key`` keys the per-user cache id."""

    def __init__(self, app: ASGIApp, *, secret_key: str) -> None:
        self.app = app
        self.secret_key = secret_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        if scope["method"] == "POST" and "idempotency-key" in headers:
            await self._replayable(scope, receive, send, headers)
            return
        if scope["method"] == "GET":
            await self.app(scope, receive, self._annotating(scope, headers, send))
            return
        await self.app(scope, receive, send)

    def _annotating(self, scope: Scope, headers: Headers, send: Send) -> Send:
        path: str = scope["path"]
        fragment = headers.get("hx-request") == "true"
        static_hashed = path.startswith("/static/") and b"v=" in scope.get("query_string", b"")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                out = MutableScopeHeaders.from_message(message)
                if static_hashed:
                    out["Cache-Control"] = _IMMUTABLE
                elif not fragment:
                    kind = offline_kind(path, out.get("content-type") or "")
                    uid = _user_id(scope) if kind else None
                    if kind and uid is not None:
                        out["CV-Offline"] = kind
                        out["CV-User"] = user_cache_id(self.secret_key, uid)
            await send(message)

        return wrapped

    async def _replayable(self, scope: HTTPScope, receive: Receive, send: Send, headers: Headers) -> None:
        key = headers.get("idempotency-key", "")
        path: str = scope["path"]
        handler = scope.get("route_handler")
        queued = "cv-offline-replay" in headers  # sent by the service worker's queue, not by an online form
        if handler is None or (queued and never_replayed(handler.opt)):
            await _send_message(send, 409, t("offline.signing_never_queued"), "refused")
            return
        uid = _user_id(scope)
        if uid is None or not _KEY.match(key):
            await self.app(scope, receive, send)  # anonymous: the handler answers (login redirect)
            return
        sessions = scope["litestar_app"].state.sessions
        claim = await idempotency.claim(sessions, uid, key, scope["method"], path)
        if claim.in_flight:
            await _send_message(send, 409, t("offline.in_flight"), "in-flight")
            return
        if not claim.new:
            await _send_replayed(send, claim, fragment=headers.get("hx-request") == "true" and not queued)
            return
        outcome: dict[str, Any] = {}

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                response_headers = MutableScopeHeaders.from_message(message)
                outcome["location"] = response_headers.get("location")
                response_headers["CV-Offline-Result"] = "applied" if message["status"] < 400 else "failed"
            await send(message)

        assert claim.action_id is not None
        scope.setdefault("state", {})[idempotency.SCOPE_KEY] = claim.action_id
        try:
            await self.app(scope, receive, recording)
        except BaseException:
            await idempotency.release(sessions, claim.action_id)
            raise
        status = int(outcome.get("status", 500))
        if status < 400:
            await idempotency.complete(sessions, claim.action_id, status, outcome.get("location"))
        else:
            await idempotency.release(sessions, claim.action_id)
