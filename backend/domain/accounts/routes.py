"""The accounts context's controllers: sign-in and the account pages."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.accounts.controllers import AccountController, AuthController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [AuthController, AccountController]
