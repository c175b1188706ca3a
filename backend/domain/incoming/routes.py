"""The incoming context's controllers: pages, files, the work list and the JSON API."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.incoming._controllers_files import IncomingFilesController
from backend.domain.incoming._controllers_work import WorkController
from backend.domain.incoming.api import IncomingApiController
from backend.domain.incoming.controllers import IncomingController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [IncomingController, IncomingFilesController, WorkController,
                                         IncomingApiController]
