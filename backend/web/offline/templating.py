"""Template helpers of the offline and live features, installed into the Jinja environment at app build."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from litestar import Request

from backend.lib.sessions import get_session
from backend.web.live.kinds import live_mode
from backend.web.offline.policy import user_cache_id

__all__ = ["install_template_globals"]


def _pwa_user(request: Request[Any, Any, Any]) -> str:
    """The per-user cache id of the logged-in user ("" when anonymous)."""
    try:
        uid = get_session(request).get("uid")
    except KeyError:  # rendered outside the session middleware (e.g. an unmatched route)
        return ""
    return user_cache_id(request.app.state.settings.secret_key, uid) if isinstance(uid, int) else ""


def _live_mode(request: Request[Any, Any, Any]) -> str:
    return live_mode(request.app.state.settings)


def install_template_globals(env: Environment) -> None:
    """``pwa_user(request)`` and ``live_mode(request)`` for the layouts (idempotent)."""
    env.globals.setdefault("pwa_user", _pwa_user)
    env.globals.setdefault("live_mode", _live_mode)
