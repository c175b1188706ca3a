"""HTML pages of work files: my files (open one), a file (documents, close, exports), and the
"Đưa vào hồ sơ" sheet of the document pages.

The sheet is two taps on a phone: the button on a document page loads it (htmx; a plain link
without JavaScript), and each of my open files in it is a one-button form that adds the document
and returns to the document page with a message. Refusals roll back before the message is shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.web import see_other
from backend.domain.workfiles.api import service_for
from backend.domain.workfiles.members import INCOMING, OUTGOING, find_document
from backend.domain.workfiles.policies import can_catalogue, can_change, can_settle
from backend.domain.workfiles.queries import catalogue_items, list_files, load_view
from backend.domain.workfiles.schemas import OpenRequest
from backend.domain.workfiles.transfer import due_date
from backend.domain.workfiles.values import RETENTION_VALUES, RIGHTS_VALUES
from backend.domain.workfiles.workflow import TABLE, Event
from backend.errors import AppError, InvalidInputError, NotFoundError
from backend.lib import clock
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page

__all__ = ["WorkFilePagesController"]

_FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class OpenForm(msgspec.Struct, forbid_unknown_fields=False):
    catalogue_item_id: str = ""
    title: str = ""
    file_notation: str = ""
    retention: str = ""
    rights: str = "Hạn chế"


class AddForm(msgspec.Struct, forbid_unknown_fields=False):
    kind: str = ""
    document_id: str = ""


class CloseForm(msgspec.Struct, forbid_unknown_fields=False):
    end_date: str = ""
    version: str = ""


def _options() -> dict[str, Any]:
    return {"retention_options": [(v, v) for v in RETENTION_VALUES], "rights_options": [(v, v) for v in RIGHTS_VALUES]}


async def _list_page(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, values: dict[str, str],
                     errors: dict[str, str], status_code: int = 200) -> Response[str]:
    context = {"section": "workfiles", "files": await list_files(db, actor), "labels": TABLE.state_labels,
               "values": values, "errors": errors, **_options()}
    return render_page(request, "pages/workfiles/list.html", context, status_code=status_code)


def _doc_page(request: Request[Any, Any, Any], kind: str, doc_id: int) -> Response[Any]:
    return see_other(request, f"{kind}.detail", doc_id=doc_id)


class WorkFilePagesController(Controller):
    """``/work-files``: pages of the actor's work files."""

    path = "/work-files"

    @get("/", name="workfiles.list")
    async def list_page(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        return await _list_page(request, db, actor, {"rights": "Hạn chế", "retention": ""}, {})

    @post("/", name="workfiles.create")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, data: Annotated[OpenForm, _FORM]) -> Response[Any]:
        item_id = data.catalogue_item_id
        form = OpenRequest(title=data.title, file_notation=data.file_notation, retention=data.retention,
                           rights=data.rights,
                           catalogue_item_id=parse_id(item_id))
        try:
            work_file = await service_for(request, db, settings, meta).open(actor, form)
        except InvalidInputError as exc:
            await db.rollback()
            return await _list_page(request, db, actor, msgspec.structs.asdict(data), exc.field_errors, 422)
        flash(request, t("workfiles.flash.opened", title=work_file.title))
        return see_other(request, "workfiles.detail", file_id=work_file.id)

    @get("/{file_id:int}", name="workfiles.detail")
    async def detail(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                     file_id: FromPath[int]) -> Response[str]:
        view = await load_view(db, actor, file_id)
        wf = view.work_file
        rows = TABLE.available(actor, wf, None)
        can_close = any(row.event == Event.CLOSE for row in rows)
        uncatalogued = wf.catalogue_item_id is None and bool(can_catalogue(actor, wf))
        context = {"section": "workfiles", "view": view, "wf": wf, "label": TABLE.label(wf.state),
                   "can_close": can_close, "can_settle": bool(can_settle(actor, wf)),
                   "can_change": bool(can_change(actor, wf)),
                   "catalogue_items": await catalogue_items(db, wf.agency_id, wf.year) if uncatalogued else None,
                   "today": clock.today().isoformat(), "transfer_due": due_date(wf),
                   "transfer_rows": [row for row in rows if row.event != Event.CLOSE]}
        return render_page(request, "pages/workfiles/detail.html", context)

    @get("/sheet", name="workfiles.sheet")
    async def sheet(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, kind: FromQuery[str],
                    doc_id: FromQuery[int]) -> Response[str]:
        if kind not in (INCOMING, OUTGOING):
            raise NotFoundError()
        await find_document(db, actor, kind, doc_id)
        files = await list_files(db, actor, mine=True, state="open")
        context = {"section": kind, "files": files, "kind": kind, "doc_id": doc_id}
        return render_page(request, "pages/workfiles/sheet.html", context, blocks={"wf-sheet": "sheet"})

    @post("/{file_id:int}/add", name="workfiles.add")
    async def add(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                  meta: Meta, file_id: FromPath[int], data: Annotated[AddForm, _FORM]) -> Response[Any]:
        doc_id = parse_id(data.document_id)
        if data.kind not in (INCOMING, OUTGOING) or doc_id is None:
            raise NotFoundError()
        try:
            await service_for(request, db, settings, meta).add_document(file_id, actor, data.kind, doc_id)
        except InvalidInputError as exc:
            await db.rollback()
            flash(request, exc.message, "error")
            return _doc_page(request, data.kind, doc_id)
        view = await load_view(db, actor, file_id)
        flash(request, t("workfiles.flash.added", title=view.work_file.title))
        return _doc_page(request, data.kind, doc_id)

    @post("/{file_id:int}/close", name="workfiles.close")
    async def close(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    meta: Meta, file_id: FromPath[int], data: Annotated[CloseForm, _FORM]) -> Response[Any]:
        try:
            end = dt.date.fromisoformat(data.end_date) if data.end_date else None
        except ValueError:
            end = None
        version = parse_id(data.version)
        try:
            work_file = await service_for(request, db, settings, meta).close(file_id, actor, end_date=end,
                                                                             expected_version=version)
        except (InvalidInputError, AppError) as exc:
            if not isinstance(exc, InvalidInputError) and exc.status_code not in (409,):
                raise
            await db.rollback()
            flash(request, exc.message, "error")
            return see_other(request, "workfiles.detail", file_id=file_id)
        flash(request, t("workfiles.flash.closed", title=work_file.title))
        return see_other(request, "workfiles.detail", file_id=file_id)
