"""The app shell's controllers."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.web.shell.controllers import ShellController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [ShellController]
