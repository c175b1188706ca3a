"""Offline support's controllers (manifest, service worker, offline page)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.web.offline.controllers import PwaController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [PwaController]
