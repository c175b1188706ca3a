"""The notifications context's controllers: the list behind the bell."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.notifications.controllers import NotificationController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [NotificationController]
