"""The organisations context's controllers: the admin home, agencies and their units."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.organizations.controllers import ORGANIZATION_CONTROLLERS

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [*ORGANIZATION_CONTROLLERS]
