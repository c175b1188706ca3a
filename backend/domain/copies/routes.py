"""The copies context's controllers."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.copies.controllers import CopiesController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [CopiesController]
