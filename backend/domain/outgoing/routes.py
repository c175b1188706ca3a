"""The outgoing context's controllers: pages, files and the JSON API."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.outgoing._controllers_files import OutgoingFilesController
from backend.domain.outgoing.api import OutgoingApiController
from backend.domain.outgoing.controllers import OutgoingController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [OutgoingController, OutgoingFilesController, OutgoingApiController]
