"""The ordered list of controllers, one line per domain."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.accounts.controllers import AccountController, AuthController
from backend.domain.notifications.controllers import NotificationController
from backend.domain.organizations.controllers import ADMIN_CONTROLLERS
from backend.domain.shell.controllers import ShellController
from backend.server.health import health

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [
    health,
    AuthController,
    AccountController,
    ShellController,
    NotificationController,
    *ADMIN_CONTROLLERS,
]
