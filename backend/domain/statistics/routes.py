"""The statistics context's controllers: the pages and the JSON API."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.statistics.api import ReportsApiController, StatisticsApiController
from backend.domain.statistics.controllers import ReportsController, StatisticsController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [StatisticsController, ReportsController, StatisticsApiController,
                                         ReportsApiController]
