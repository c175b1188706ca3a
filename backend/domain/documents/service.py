"""The base of every document service: one transaction, one workflow engine, one clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.domain.audit.services import RequestMeta
from backend.domain.documents.engine import Lifecycle, Workflow

__all__ = ["DocumentService"]

D = TypeVar("D")


class DocumentService(Generic[D]):
    """Use cases of one lifecycle bound to one transaction; subclasses name their ``lifecycle``.

    Args:
        links: builds the URL of a document page for notifications (``route_reverse`` of the
            detail route), so no URL is hard-coded here.
        now: a fixed clock for tests; defaults to the real time.
    """

    lifecycle: ClassVar[Lifecycle[Any]]

    def __init__(self, db: AsyncSession, settings: Settings, *, links: Callable[[int], str],
                 meta: RequestMeta | None = None, now: datetime | None = None) -> None:
        self.db = db
        self.settings = settings
        self.links = links
        self.flow: Workflow[D] = Workflow(self.lifecycle, db, settings, links=links, meta=meta, now=now)

    @property
    def now(self) -> datetime:
        return self.flow.now

    @property
    def today(self) -> date:
        return self.flow.today
