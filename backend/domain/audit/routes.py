"""The audit context's controllers: the administrators' audit viewer."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.audit.controllers import AuditController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [AuditController]
