"""Assembles the Litestar application: stores, middleware, CSRF, dependencies, routes, errors."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from litestar import Litestar, Request
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.types import ASGIApp, Scope

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_read_sessionmaker, create_sessionmaker
from backend.lib.sessions import SessionMiddleware
from backend.lib.templates import STATIC_DIR, environment
from backend.server import deps
from backend.server.api_errors import handle_bad_request, handle_method_not_allowed
from backend.server.api_schema import StrictStructSchemaPlugin, declare_problem_responses
from backend.server.edge import EdgeRequest, check_request
from backend.server.errors import handle_exception
from backend.server.middleware import security_headers
from backend.server.routes import ROUTES
from backend.server.workflow_globals import install_workflow_globals
from backend.web.live.channels import build_channels_plugin
from backend.web.offline.middleware import OfflineMiddleware
from backend.web.offline.templating import install_template_globals

__all__ = ["build_app", "MAX_REQUEST_BYTES"]

MAX_REQUEST_BYTES = 60 * 1024 * 1024


def _stores(settings: Settings) -> dict[str, Store]:
    if settings.redis_url:
        root = RedisStore.with_client(url=settings.redis_url, namespace="congvan")
        return {"sessions": root.with_namespace("sessions"), "cache": root.with_namespace("cache")}
    return {"sessions": MemoryStore(), "cache": MemoryStore()}


def _session_save_failed(scope: Scope, exc: Exception) -> ASGIApp:
    """The error page for a response whose session could not be saved (the session store is down)."""
    request: Request[Any, Any, Any] = Request(scope)
    return handle_exception(request, exc).to_asgi_response(app=None, request=request)


def _provide(fn: Callable[..., Any]) -> Provide:
    is_async = inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)
    return Provide(fn) if is_async else Provide(fn, sync_to_thread=False)


_NOT_COMPRESSED = ["/live/events", r"^/(incoming|outgoing)/\d+/pages/\d+$"]
"""SSE (never buffered) and page images (WebP is already compressed: gzip only costs time on a phone)."""


def _compression() -> CompressionConfig:
    """gzip for every text response (brotli when the ``brotli`` package is installed); see ``_NOT_COMPRESSED``."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        return CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6, exclude=_NOT_COMPRESSED)
    return CompressionConfig(backend="brotli", minimum_size=500, brotli_gzip_fallback=True, exclude=_NOT_COMPRESSED)


def build_app(settings: Settings) -> Litestar:
    """The web application for ``settings`` (database engine created here, disposed at shutdown)."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size,
                           pool_timeout=settings.db_pool_timeout_seconds, lock_timeout=settings.db_lock_timeout_seconds)
    sessions, read_sessions = create_sessionmaker(engine), create_read_sessionmaker(engine)
    install_template_globals(environment())
    install_workflow_globals(environment())

    async def dispose_engine() -> None:
        await engine.dispose()

    static = create_static_files_router(
        path="/static", directories=[STATIC_DIR], name="static", include_in_schema=False,
        cache_control=None, send_as_attachment=False,
    )
    app = Litestar(
        route_handlers=[static, *ROUTES],
        dependencies={name: _provide(fn) for name, fn in deps.dependencies.items()},
        before_send=[security_headers(hsts=settings.cookie_secure)],
        middleware=[
            DefineMiddleware(SessionMiddleware, store_name="sessions",
                             idle_seconds=settings.session_idle_minutes * 60,
                             max_age_seconds=settings.session_max_hours * 3600, secure=settings.cookie_secure,
                             on_save_error=_session_save_failed),
            DefineMiddleware(OfflineMiddleware, secret_key=settings.secret_key),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_name="cv_csrf", header_name="x-csrftoken",
            cookie_secure=settings.cookie_secure, cookie_httponly=True, cookie_samesite="lax",
        ),
        stores=_stores(settings),
        plugins=[build_channels_plugin(settings), StrictStructSchemaPlugin()],
        compression_config=_compression(),
        exception_handlers={Exception: handle_exception, 400: handle_bad_request, 405: handle_method_not_allowed},
        request_class=EdgeRequest,
        before_request=check_request,
        state=State({"settings": settings, "sessions": sessions, "read_sessions": read_sessions, "engine": engine}),
        on_shutdown=[dispose_engine],
        request_max_body_size=max(MAX_REQUEST_BYTES, (settings.upload_max_mb + 2) * 1024 * 1024),
        openapi_config=OpenAPIConfig(
            title="CôngVăn API", version="1", path="/schema", render_plugins=[JsonRenderPlugin()],
            description="The JSON API under /api/v1 (pages are not part of it). Authentication: the web session "
                        "cookie; POST/PUT/DELETE need the X-CSRFToken header (GET /api/v1/session returns it). "
                        "Errors are application/problem+json with a stable `code` and, for 400/422, `errors` "
                        "naming each field.",
        ),
        include_in_schema=False,  # only the API controllers opt in (backend/server/api_schema.py)
        debug=False,
    )
    declare_problem_responses(app)
    return app
