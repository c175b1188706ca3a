"""The exchange context's controllers: recall confirmation, the directory admin page, the dashboard."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.exchange.controllers import ExchangeController
from backend.domain.exchange.dashboard_api import DashboardApiController
from backend.domain.exchange.dashboard_pages import DashboardController
from backend.domain.exchange.directory_admin import DirectoryController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [ExchangeController, DirectoryController, DashboardController,
                                         DashboardApiController]
