"""The administration area's controllers (agencies, units, users, import, paper-copy rules)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.organizations.controllers import ADMIN_CONTROLLERS

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [*ADMIN_CONTROLLERS]
