"""The CSV import's controller."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.admin_import.controllers import ImportController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [ImportController]
