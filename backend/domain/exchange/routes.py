"""The exchange context's controllers: the recipient's recall confirmation, the agency directory's admin page."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.exchange.controllers import ExchangeController
from backend.domain.exchange.directory_admin import DirectoryController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [ExchangeController, DirectoryController]
