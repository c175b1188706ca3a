"""The exchange context's controllers: the recipient's recall confirmation."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.exchange.controllers import ExchangeController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [ExchangeController]
