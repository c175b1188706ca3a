"""The search context's controllers."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.search.api import SearchApiController
from backend.domain.search.controllers import SearchController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [SearchController, SearchApiController]
