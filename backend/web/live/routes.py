"""Live updates' controllers (server-sent events and the polling fallback)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.web.live.controllers import LiveController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [LiveController]
