"""The push context's controllers: the devices page (subscriptions and quiet hours)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.push.controllers import DevicesController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [DevicesController]
