"""The app shell's controllers."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.web.shell.controllers import ShellController
from backend.web.shell.leader_home import LeaderHomeController
from backend.web.shell.offline_sync import OfflineSyncController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [ShellController, LeaderHomeController, OfflineSyncController]
