"""Server-side sessions kept in a Litestar store (memory or Redis), with id rotation.

The browser holds only a random id in an HttpOnly cookie. ``rotate()`` (called at login) moves
the data to a fresh id and deletes the old one, which defeats session fixation; ``clear()``
(logout) deletes it. Sessions expire after the configured idle time, and in any case
``max_age_seconds`` after they were started (the start time is kept in the data under ``_started``;
``clear()`` forgets it, so a login starts the clock again and ``rotate()`` does not): a session
older than that is deleted when it is next presented, whatever its activity.

Saving happens as the response starts. When the store refuses it (Redis down), the response cannot go
out as planned (it would log nobody in, or drop a change of session); the middleware then answers with
``on_save_error(scope, exc)`` instead, an ASGI app the server provides (its Vietnamese 503 page).
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.stores.base import Store
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE_NAME", "Session", "SessionMiddleware", "flash", "get_session"]

COOKIE_NAME = "cv_session"
_SCOPE_KEY = "congvan_session"
_STARTED_KEY = "_started"


@dataclass
class Session:
    """The session of one request. Mutate ``data`` through the methods so changes are saved."""

    id: str | None
    data: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False
    old_id: str | None = None
    cleared: bool = False

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.dirty = True

    def rotate(self) -> None:
        """Give the session a new id; the old id is deleted from the store when the response starts."""
        if self.id is not None:
            self.old_id = self.id
        self.id = None
        self.dirty = True

    def clear(self) -> None:
        """Forget everything: the old id is deleted and the cookie dropped (or replaced, if data follows)."""
        if self.id is not None:
            self.old_id = self.id
        self.id = None
        self.data = {}
        self.cleared = True
        self.dirty = True


def get_session(connection: ASGIConnection[Any, Any, Any, Any]) -> Session:
    """The current request's session (created empty by the middleware when there is none)."""
    session: Session = connection.scope[_SCOPE_KEY]  # type: ignore[literal-required]
    return session


class SessionMiddleware:
    """ASGI middleware loading the session before the handler and saving it before the headers."""

    def __init__(self, app: ASGIApp, *, store_name: str, idle_seconds: int, max_age_seconds: int,
                 secure: bool, on_save_error: Callable[[Scope, Exception], ASGIApp]) -> None:
        self.app = app
        self.on_save_error = on_save_error
        self.store_name = store_name
        self.idle_seconds = idle_seconds
        self.max_age_seconds = max_age_seconds
        self.secure = secure

    def _cookie(self, value: str, *, expire: bool = False) -> str:
        cookie = Cookie(key=COOKIE_NAME, value=value, path="/", httponly=True, samesite="lax",
                        secure=self.secure, max_age=0 if expire else None)
        return cookie.to_header(header="")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        store: Store = scope["litestar_app"].stores.get(self.store_name)
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        session_id = connection.cookies.get(COOKIE_NAME)
        session = Session(id=None)
        if session_id:
            raw = await store.get(session_id, renew_for=self.idle_seconds)
            if raw is not None:
                session = Session(id=session_id, data=json.loads(raw))
                if self._remaining(session.data) <= 0:
                    session.clear()  # past its absolute lifetime: deleted, cookie dropped
        scope[_SCOPE_KEY] = session  # type: ignore[literal-required]

        save_error: list[Exception] = []

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and session.dirty:
                headers = MutableScopeHeaders.from_message(message)
                session.dirty = False  # saved once, whatever happens
                try:
                    await self._persist(store, session, headers)
                except Exception as exc:
                    save_error.append(exc)
                    raise
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            if not save_error:
                raise
            await self.on_save_error(scope, save_error[0])(scope, receive, send)  # nothing was sent yet

    def _remaining(self, data: dict[str, Any]) -> float:
        """Seconds left of the session's absolute lifetime (a session without a start time has none)."""
        started = data.get(_STARTED_KEY)
        if not isinstance(started, int | float):
            return 0
        return started + self.max_age_seconds - time.time()

    async def _persist(self, store: Store, session: Session, headers: MutableScopeHeaders) -> None:
        if session.old_id:
            await store.delete(session.old_id)
        if session.cleared and not session.data:
            headers.add("Set-Cookie", self._cookie("", expire=True))
            return
        if session.id is None:
            session.id = secrets.token_urlsafe(32)
        session.data.setdefault(_STARTED_KEY, int(time.time()))
        expires_in = max(1, min(self.idle_seconds, math.ceil(self._remaining(session.data))))
        await store.set(session.id, json.dumps(session.data), expires_in=expires_in)
        headers.add("Set-Cookie", self._cookie(session.id))
        session.dirty = False


def flash(connection: ASGIConnection[Any, Any, Any, Any], message: str, kind: str = "success") -> None:
    """Show ``message`` once on the next page this session renders (after a 303 redirect)."""
    get_session(connection).set("flash", {"message": message, "kind": kind})
