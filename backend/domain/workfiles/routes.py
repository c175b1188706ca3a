"""The work-files context's controllers: pages (files, archive transfer), the work-file and catalogue API, downloads."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.workfiles.api import CatalogueApiController, WorkFileApiController
from backend.domain.workfiles.catalogue_pages import CataloguePagesController
from backend.domain.workfiles.controllers import WorkFilePagesController
from backend.domain.workfiles.member_pages import MemberPagesController
from backend.domain.workfiles.transfer_exports import TransferExportController
from backend.domain.workfiles.transfer_pages import TransferPagesController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [
    WorkFilePagesController, TransferPagesController, WorkFileApiController, CatalogueApiController,
    TransferExportController, CataloguePagesController, MemberPagesController]
