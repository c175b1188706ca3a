"""Request-scoped dependency providers: the database session, request metadata and the actor.

The names controllers annotate with live below the server (:mod:`backend.lib.deps`,
:mod:`backend.domain.accounts.deps`, :mod:`backend.domain.audit.deps`), so no controller imports
this package; the app registers :data:`dependencies` under those names.

The database session commits when the handler succeeds and rolls back when anything raises,
so a handler's changes, audit rows and outbox jobs land together or not at all. Requests with a
safe method (GET, HEAD, OPTIONS) get a read-only session, which on SQLite takes no write lock.
For a writing request, authentication ends its own short transaction, so a handler's slow work before its
first query (reading a large upload, for instance) holds no lock either; a read-only request reads in one
transaction.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.domain.accounts.actor import Actor, load_actor
from backend.domain.accounts.session_epoch import session_epoch
from backend.domain.audit.services import RequestMeta
from backend.errors import NotAuthenticatedError, PasswordChangeRequiredError
from backend.lib.deps import DB
from backend.lib.sessions import get_session
from backend.lib.templates import is_fragment_request
from backend.web.live.counts import nav_counts, unread_count
from backend.web.offline.idempotency import SCOPE_KEY, mark_applied

__all__ = ["dependencies", "provide_actor", "provide_db", "provide_meta", "provide_settings"]


_ALLOWED_BEFORE_PASSWORD_CHANGE = frozenset({"/account/password", "/logout"})


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def provide_db(request: Request[Any, Any, Any], state: State) -> AsyncGenerator[AsyncSession, None]:
    """One session per request: read-only for safe methods, a writing one otherwise."""
    sessions = state.read_sessions if request.method in _SAFE_METHODS else state.sessions
    async with sessions() as db:
        try:
            yield db
        except BaseException:
            await db.rollback()
            raise
        else:
            offline_action = request.scope.get("state", {}).get(SCOPE_KEY)
            if offline_action is not None:  # a replayable action: recorded as applied with what it changed
                await mark_applied(db, offline_action)
            await db.commit()


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_meta(request: Request[Any, Any, Any]) -> RequestMeta:
    """Client address and user agent, for audit rows."""
    client = request.client.host if request.client else ""
    return RequestMeta(ip=client, user_agent=request.headers.get("user-agent", ""))


def _renders_layout(request: Request[Any, Any, Any]) -> bool:
    """Whether the response may be a whole page with the bell, the bottom navigation and their counts.

    Fragments (htmx swaps refresh the counts through the live-count trigger) and the JSON API never
    show them, so the signing tap, a search's results and every other htmx action skip those queries.
    """
    return not (is_fragment_request(request) or request.url.path.startswith("/api/"))


async def provide_actor(request: Request[Any, Any, Any], db: DB) -> Actor:
    """The logged-in actor, or :class:`NotAuthenticatedError` (the error handler redirects to login)."""
    session = get_session(request)
    user_id = session.get("uid")
    if not isinstance(user_id, int):
        raise NotAuthenticatedError()
    actor = await load_actor(db, user_id, session.get("agency_id"), session_epoch(session))
    if actor is None:
        session.clear()
        raise NotAuthenticatedError()
    request.state.actor = actor
    if actor.must_change_password and request.url.path not in _ALLOWED_BEFORE_PASSWORD_CHANGE:
        raise PasswordChangeRequiredError()
    if _renders_layout(request):
        request.state.unread_count = await unread_count(db, actor)
        request.state.nav_counts = await nav_counts(db, actor)
    if request.method not in _SAFE_METHODS:
        # End the authentication's transaction: on SQLite a writing one holds the write lock from its first
        # statement, and none is held until the handler's first query. A read-only request keeps its one
        # transaction (no lock to release; one connection checkout and one BEGIN fewer per page).
        await db.commit()
    flash = session.get("flash")
    if flash:
        request.state.flash = flash
        session.set("flash", None)
    return actor


dependencies: dict[str, Callable[..., Any]] = {
    "db": provide_db,
    "settings": provide_settings,
    "meta": provide_meta,
    "actor": provide_actor,
}
