"""``create_app()``: the only place the web application is built (``uvicorn backend.asgi:create_app --factory``)."""

from __future__ import annotations

from litestar import Litestar

from backend.config.settings import Settings, load_settings
from backend.server.core import build_app

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app from ``settings`` (default: read from the environment)."""
    return build_app(settings or load_settings())
