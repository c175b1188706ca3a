"""The work-files context's controllers: the pages, the JSON API of work files and of the file catalogue."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.workfiles.api import CatalogueApiController, WorkFileApiController
from backend.domain.workfiles.controllers import WorkFilePagesController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [WorkFilePagesController, WorkFileApiController, CatalogueApiController]
