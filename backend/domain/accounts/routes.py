"""The accounts context's controllers: sign-in, the account pages and user administration."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.accounts.admin_controllers import UserController
from backend.domain.accounts.controllers import AccountController, AuthController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [AuthController, AccountController, UserController]
