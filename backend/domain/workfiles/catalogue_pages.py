"""HTML pages of the file catalogue (danh mục hồ sơ): read it, keep it, open a file from an item.

``/work-files/catalogue/{year}`` shows the agency's catalogue of a year in print order, with each
item's opened file (or a "Mở hồ sơ" button that opens it from the item) and the ND 30 downloads.
Clerks and administrators also get the forms that keep it: create the year's catalogue or copy last
year's, add a heading, add a planned file. Every form posts to the same :class:`.CatalogueService`
the JSON API uses; a refusal rolls back and the page comes back with the message under its field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import WorkFile
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import RequestMeta
from backend.domain.documents.web import see_other
from backend.domain.workfiles.catalogue import CatalogueService, CatalogueView
from backend.domain.workfiles.policies import can_manage_catalogue, visible_work_files
from backend.domain.workfiles.schemas import HeadingRequest, ItemRequest
from backend.domain.workfiles.values import RETENTION_VALUES
from backend.errors import AppError, InvalidInputError
from backend.lib import clock
from backend.lib.bounds import parse_id
from backend.lib.deps import DB
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page

__all__ = ["CataloguePagesController"]

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""A catalogue form's fields as typed (every value is checked by the service)."""


def _id(value: str) -> int | None:
    return parse_id(value)


async def _opened(db: AsyncSession, actor: Actor, view: CatalogueView) -> dict[int, WorkFile]:
    """The visible files opened from the catalogue's items, by item id (the first one of each)."""
    item_ids = [item.id for item in view.items]
    if not item_ids:
        return {}
    files = (await db.scalars(visible_work_files(actor).where(WorkFile.catalogue_item_id.in_(item_ids))
                              .order_by(WorkFile.id))).all()
    opened: dict[int, WorkFile] = {}
    for work_file in files:
        if work_file.catalogue_item_id is not None:
            opened.setdefault(work_file.catalogue_item_id, work_file)
    return opened


async def _page(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, year: int, *,
                form: str = "", values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status_code: int = 200) -> Response[str]:
    service = CatalogueService(db)
    view = await service.view(actor, year) if await service.find(actor, year) is not None else None
    headings = view.headings if view else []
    context = {"section": "workfiles", "year": year, "today_year": clock.today().year, "view": view,
               "can_manage": bool(can_manage_catalogue(actor)),
               "opened": await _opened(db, actor, view) if view else {},
               "heading_options": [(h.id, view.label(h)) for h in headings] if view else [],
               "majors": [(h.id, view.label(h)) for h in headings if h.parent_id is None] if view else [],
               "retention_options": [(v, v) for v in RETENTION_VALUES],
               "form": form, "values": values or {}, "errors": errors or {}}
    return render_page(request, "pages/workfiles/catalogue.html", context, status_code=status_code)


class CataloguePagesController(Controller):
    """``/work-files/catalogue``: the agency's file catalogue of a year."""

    path = "/work-files/catalogue"

    @get("/", name="workfiles.catalogue_now")
    async def this_year(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[Any]:
        return see_other(request, "workfiles.catalogue", year=clock.today().year)

    @get("/{year:int}", name="workfiles.catalogue")
    async def show(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                   year: FromPath[int]) -> Response[str]:
        if not 2000 <= year <= 2100:
            return see_other(request, "workfiles.catalogue", year=clock.today().year)
        return await _page(request, db, actor, year)

    @post("/{year:int}", name="workfiles.catalogue_create")
    async def create(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                     year: FromPath[int], data: Form) -> Response[Any]:
        return await _keep(request, db, actor, year, "create", data,
                           lambda service: service.create(actor, year, data.get("decision_no", "")),
                           t("workfiles.flash.catalogue_created", year=year), meta)

    @post("/{year:int}/copy-forward", name="workfiles.catalogue_copy")
    async def copy(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                   year: FromPath[int]) -> Response[Any]:
        return await _keep(request, db, actor, year, "create", {},
                           lambda service: service.copy_forward(actor, year),
                           t("workfiles.flash.catalogue_copied", year=year, previous=year - 1), meta)

    @post("/{year:int}/headings", name="workfiles.catalogue_heading")
    async def heading(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                      year: FromPath[int], data: Form) -> Response[Any]:
        name = data.get("name", "")
        form = HeadingRequest(name=name, abbreviation=data.get("abbreviation", ""),
                              parent_id=_id(data.get("parent_id", "")))
        return await _keep(request, db, actor, year, "heading", data,
                           lambda service: service.add_heading(actor, year, form),
                           t("workfiles.flash.heading_added", name=name.strip()), meta)

    @post("/{year:int}/items", name="workfiles.catalogue_item")
    async def item(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                   year: FromPath[int], data: Form) -> Response[Any]:
        title = data.get("title", "")
        form = ItemRequest(heading_id=_id(data.get("heading_id", "")) or 0, title=title,
                           retention=data.get("retention", ""), note=data.get("note", ""))
        return await _keep(request, db, actor, year, "item", data,
                           lambda service: service.add_item(actor, year, form),
                           t("workfiles.flash.item_added", title=title.strip()), meta)


async def _keep(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, year: int, form: str,
                values: dict[str, str], change: Callable[[CatalogueService], Awaitable[object]], done: str,
                meta: RequestMeta) -> Response[Any]:
    """Run one catalogue change: back to the page with ``done``, or the page again with the refusal."""
    try:
        await change(CatalogueService(db, meta))
    except (InvalidInputError, AppError) as exc:
        if not isinstance(exc, InvalidInputError) and exc.status_code != 409:
            raise
        await db.rollback()
        fields = exc.field_errors if isinstance(exc, InvalidInputError) else {}
        errors = {**fields, "form": exc.message}
        return await _page(request, db, actor, year, form=form, values=values, errors=errors, status_code=422)
    flash(request, done)
    return see_other(request, "workfiles.catalogue", year=year)
