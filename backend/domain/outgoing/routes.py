"""The outgoing context's controllers: pages, files, the JSON API and the paper-copy list."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.outgoing._controllers_files import OutgoingFilesController
from backend.domain.outgoing.api import OutgoingApiController
from backend.domain.outgoing.controllers import OutgoingController
from backend.domain.outgoing.paper_copy_admin import PaperCopyController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [
    OutgoingController,
    OutgoingFilesController,
    OutgoingApiController,
    PaperCopyController,
]
