"""JSON API ``/api/v1/work-files`` and ``/api/v1/file-catalogues``: the work-file and catalogue use cases.

Same services, policies and scoping as everywhere: a file outside the actor's scope is 404, a
denied action 403, an illegal transition 409, invalid input 422 (``application/problem+json`` with
``errors`` per field). Session cookie + ``X-CSRFToken`` header for unsafe methods (see
``GET /api/v1/session``). Exports stream: ``.xml`` document by document, ``.pdf`` original by original.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromQuery, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import User
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import RequestMeta, record
from backend.domain.documents.files import blob_store
from backend.domain.workfiles.archive_lists import due_files, expired_files
from backend.domain.workfiles.catalogue import CatalogueService, CatalogueView
from backend.domain.workfiles.export_pdf import entries_of, iter_pdf, toc_pdf
from backend.domain.workfiles.export_xml import iter_xml
from backend.domain.workfiles.members import Member
from backend.domain.workfiles.queries import FileView, list_files, load_file, load_view
from backend.domain.workfiles.schemas import (
    AddDocumentRequest,
    CatalogueItemRequest,
    CatalogueRequest,
    CloseRequest,
    HeadingRequest,
    ItemRequest,
    NoteRequest,
    OpenRequest,
    OrderRequest,
    SettlementRequest,
    TransferRequest,
)
from backend.domain.workfiles.services import WorkFileService
from backend.domain.workfiles.transfer import REMIND_DAYS, due_date, expires_on
from backend.domain.workfiles.workflow import TABLE, Event
from backend.errors import AppError, InvalidInputError
from backend.lib import clock
from backend.lib.deps import DB, AppSettings
from backend.lib.int_bounds import PathId, PathYear
from backend.lib.tabular import csv_bytes, xlsx_bytes

__all__ = ["CatalogueApiController", "WorkFileApiController", "download_headers", "record_export", "service_for"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


class ApiMember(msgspec.Struct):
    """A document (``kind`` incoming or outgoing) or a note (``kind`` note: ``note`` holds its text, no document)."""

    link_id: int
    position: int
    kind: str
    document_id: int | None
    reference: str
    issued_on: date | None
    issuer: str
    summary: str
    page_count: int
    note: str = ""


class ApiEvent(msgspec.Struct):
    at: datetime
    actor: str
    kind: str
    text: str


class ApiWorkFile(msgspec.Struct):
    id: int
    state: str
    state_label: str
    catalogue_item_id: int | None
    file_notation: str
    year: int
    title: str
    retention: str
    rights: str
    owner_user_id: int
    start_date: date
    end_date: date | None
    version: int
    capital_construction: bool
    settlement_date: date | None
    retained_until: date | None
    transfer_due: date | None
    retention_ends: date | None


class ApiPackage(msgspec.Struct):
    format: str
    sha256: str
    size: int
    documents: int
    made_at: datetime


class ApiWorkFileDetail(ApiWorkFile, kw_only=True):
    owner_name: str
    description: str
    doc_total: int
    page_total: int
    documents: list[ApiMember]
    history: list[ApiEvent]
    transfer_package: list[ApiPackage]


class ApiHeading(msgspec.Struct):
    id: int
    parent_id: int | None
    label: str
    abbreviation: str


class ApiItem(msgspec.Struct):
    id: int
    heading_id: int
    file_number: int
    file_notation: str
    title: str
    retention: str
    creator_user_id: int | None
    expected_count: int | None
    note: str


class ApiCatalogue(msgspec.Struct):
    id: int
    year: int
    decision_no: str
    headings: list[ApiHeading]
    items: list[ApiItem]


def service_for(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings,
                meta: RequestMeta) -> WorkFileService:
    """The service for this request, with links built from the route table."""
    return WorkFileService(db, settings, meta=meta,
                           links=lambda file_id: request.app.route_reverse("api.workfiles.get", file_id=file_id))


def _summary(work_file: Any) -> dict[str, Any]:
    return {"id": work_file.id, "state": str(work_file.state), "state_label": TABLE.label(work_file.state),
            "catalogue_item_id": work_file.catalogue_item_id, "file_notation": work_file.file_notation,
            "year": work_file.year, "title": work_file.title,
            "retention": work_file.retention, "rights": work_file.rights, "owner_user_id": work_file.owner_user_id,
            "start_date": work_file.start_date, "end_date": work_file.end_date, "version": work_file.version,
            "capital_construction": work_file.capital_construction, "settlement_date": work_file.settlement_date,
            "retained_until": work_file.retained_until, "transfer_due": due_date(work_file),
            "retention_ends": expires_on(work_file)}


def _detail(view: FileView) -> ApiWorkFileDetail:
    wf = view.work_file
    return ApiWorkFileDetail(
        **_summary(wf), owner_name=view.owner_name, description=wf.description, doc_total=wf.doc_total,
        page_total=wf.page_total,
        documents=[_member(m) for m in view.members],
        history=[ApiEvent(e.at, e.actor_name, e.kind, e.text) for e in view.events],
        transfer_package=[ApiPackage(p.format, p.sha256, p.size, p.documents, p.made_at) for p in view.packages])


def _member(m: Member) -> ApiMember:
    if m.is_note:
        return ApiMember(m.link_id, m.position, m.kind, None, "", m.issued_on, "", "", 0, note=m.summary)
    return ApiMember(m.link_id, m.position, m.kind, m.document_id, m.reference, m.issued_on, m.issuer, m.summary,
                     m.page_count)


def _catalogue(view: CatalogueView) -> ApiCatalogue:
    c = view.catalogue
    return ApiCatalogue(c.id, c.year, c.decision_no,
                        [ApiHeading(h.id, h.parent_id, view.label(h), h.abbreviation) for h in view.headings],
                        [ApiItem(i.id, i.heading_id, i.file_number, i.file_notation, i.title, i.retention,
                                 i.creator_user_id, i.expected_count, i.note) for i in view.items])


def _problem(exc: AppError) -> Response[dict[str, Any]]:
    body = {"type": f"urn:congvan:error:{exc.code}", "title": exc.message, "status": exc.status_code,
            "code": exc.code, "errors": getattr(exc, "field_errors", {})}
    return Response(body, status_code=exc.status_code, media_type="application/problem+json",
                    headers={"Cache-Control": "no-store"})


async def _fresh(db: AsyncSession, actor: Actor, file_id: int) -> ApiWorkFileDetail:
    await db.flush()
    return _detail(await load_view(db, actor, file_id))


async def _changed(db: AsyncSession, actor: Actor, file_id: int, change: Awaitable[Any]) -> Response[Any]:
    """Apply ``change`` (a service call on the file): refused, nothing is kept and the problem is answered;
    else the file as it now is."""
    try:
        await change
    except InvalidInputError as exc:
        await db.rollback()
        return _problem(exc)
    return Response(await _fresh(db, actor, file_id))


def download_headers(name: str) -> dict[str, str]:
    """A generated download: saved under ``name``, never cached."""
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


class WorkFileApiController(Controller):
    """``/api/v1/work-files``."""

    path = "/api/v1/work-files"
    tags = ["work-files"]
    include_in_schema = True

    @get("/", name="api.workfiles.list", summary="Visible work files (mine=1: only mine; state=open|closed)")
    async def list_all(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                       mine: FromQuery[bool] = False) -> list[ApiWorkFile]:
        file_state = request.query_params.get("state", "")  # "state" is reserved for a handler parameter name
        return [ApiWorkFile(**_summary(wf)) for wf in await list_files(db, actor, mine=mine, state=file_state)]

    @post("/", name="api.workfiles.open", status_code=201,
          summary="Open a work file from a catalogue item or an ad-hoc one")
    async def open_file(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                        meta: Meta, data: JSONBody[OpenRequest]) -> Response[Any]:
        try:
            work_file = await service_for(request, db, settings, meta).open(actor, data)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc)
        return Response(await _fresh(db, actor, work_file.id), status_code=201)

    @get("/{file_id:int}", name="api.workfiles.get", summary="A work file with its documents in order and history")
    async def get_file(self, db: DB, actor: CurrentActor, file_id: PathId) -> ApiWorkFileDetail:
        return _detail(await load_view(db, actor, file_id))

    @post("/{file_id:int}/documents", name="api.workfiles.add", status_code=200,
          summary="Add an incoming or outgoing document to the file (linked, not copied)")
    async def add(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                  meta: Meta, file_id: PathId, data: JSONBody[AddDocumentRequest]) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.add_document(file_id, actor, data.kind, data.document_id))

    @post("/{file_id:int}/notes", name="api.workfiles.note", status_code=200,
          summary="Add a short note (at most 1,000 characters) at the end of the file's order")
    async def note(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                   meta: Meta, file_id: PathId, data: JSONBody[NoteRequest]) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.add_note(file_id, actor, data.text))

    @post("/{file_id:int}/catalogue", name="api.workfiles.catalogue", status_code=200,
          summary="Attach an ad-hoc file to a catalogue item of its agency and year (clerk)")
    async def catalogue(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                        meta: Meta, file_id: PathId, data: JSONBody[CatalogueItemRequest]) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.catalogue(file_id, actor, data.catalogue_item_id,
                                                                    expected_version=data.version))

    @delete("/{file_id:int}/documents/{link_id:int}", name="api.workfiles.remove", status_code=200,
            summary="Take a document or a note out of the file")
    async def remove(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, file_id: PathId, link_id: PathId) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.remove_document(file_id, actor, link_id))

    @put("/{file_id:int}/order", name="api.workfiles.order", summary="Put the file's documents in a new order")
    async def order(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    meta: Meta, file_id: PathId, data: JSONBody[OrderRequest]) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.reorder(file_id, actor, data.link_ids))

    @post("/{file_id:int}/close", name="api.workfiles.close", status_code=200,
          summary="Close the file with its end date (refused when it holds no document)")
    async def close(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    meta: Meta, file_id: PathId, data: JSONBody[CloseRequest]) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.close(file_id, actor, end_date=data.end_date,
                                                                expected_version=data.version))

    @post("/{file_id:int}/settlement", name="api.workfiles.settlement", status_code=200,
          summary="Record the final settlement date of a capital-construction file (transfer due 3 months later)")
    async def settlement(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, file_id: PathId, data: JSONBody[SettlementRequest]) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.settle(file_id, actor, data.settlement_date,
                                                                 expected_version=data.version))

    async def _transfer(self, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                        meta: RequestMeta, file_id: int, event: Event, data: TransferRequest) -> Response[Any]:
        service = service_for(request, db, settings, meta)
        return await _changed(db, actor, file_id, service.transfer(file_id, actor, event, reason=data.reason,
                                                                   until=data.until, expected_version=data.version))

    @post("/{file_id:int}/submit", name="api.workfiles.submit", status_code=200,
          summary="Transfer the file to the agency archive (nộp lưu): due, kept at least 5 years, all signed")
    async def submit(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, file_id: PathId, data: JSONBody[TransferRequest]) -> Response[Any]:
        return await self._transfer(request, db, settings, actor, meta, file_id, Event.SUBMIT, data)

    @post("/{file_id:int}/retain", name="api.workfiles.retain", status_code=200,
          summary="Keep a due file back (giữ lại) until a date at most two years away, with a reason (leader)")
    async def retain(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, file_id: PathId, data: JSONBody[TransferRequest]) -> Response[Any]:
        return await self._transfer(request, db, settings, actor, meta, file_id, Event.RETAIN, data)

    @post("/{file_id:int}/accept", name="api.workfiles.accept", status_code=200,
          summary="The archive holder accepts a transferred file (read-only from then on)")
    async def accept(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, file_id: PathId, data: JSONBody[TransferRequest]) -> Response[Any]:
        return await self._transfer(request, db, settings, actor, meta, file_id, Event.ACCEPT, data)

    @post("/{file_id:int}/return", name="api.workfiles.return", status_code=200,
          summary="The archive holder returns a transferred file to the unit, with a reason")
    async def return_file(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                          actor: CurrentActor, meta: Meta, file_id: PathId,
                          data: JSONBody[TransferRequest]) -> Response[Any]:
        return await self._transfer(request, db, settings, actor, meta, file_id, Event.RETURN, data)

    @get("/transfer/due", name="api.workfiles.due",
         summary=f"Closed files due for transfer now or within {REMIND_DAYS} days (kept ≥ 5 years)")
    async def due(self, db: DB, actor: CurrentActor) -> list[ApiWorkFile]:
        today = clock.today()
        return [ApiWorkFile(**_summary(wf)) for wf in await due_files(db, actor, today, within_days=REMIND_DAYS)]

    @get("/transfer/expired", name="api.workfiles.expired",
         summary="Files whose retention has ended: listed for a destruction decision (nothing is destroyed)")
    async def expired(self, db: DB, actor: CurrentActor) -> list[ApiWorkFile]:
        today = clock.today()
        return [ApiWorkFile(**_summary(wf)) for wf in await expired_files(db, actor, today)]

    @get("/{file_id:int}/export.xml", name="api.workfiles.export_xml", media_type="application/xml",
         summary="The file and each document's metadata as XML (docs/workfile.xsd), streamed")
    async def export_xml(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                         file_id: PathId) -> Stream:
        work_file = await load_file(db, actor, file_id)
        creator = await db.get(User, work_file.owner_user_id)
        await record_export(db, actor, meta, work_file.id, "xml")
        sessions = request.app.state.read_sessions
        name, organ = creator.full_name if creator else "", actor.agency_organ_id

        async def body() -> Any:
            async with sessions() as own:
                async for chunk in iter_xml(own, work_file, organ_id=organ, creator=name):
                    yield chunk

        return Stream(body(), media_type="application/xml",
                      headers=download_headers(f"ho-so-{work_file.file_notation}-{work_file.year}.xml"))

    @get("/{file_id:int}/export.pdf", name="api.workfiles.export_pdf", media_type="application/pdf",
         summary="Table of contents with the signed originals embedded unchanged, streamed")
    async def export_pdf(self, db: DB, settings: AppSettings, actor: CurrentActor, meta: Meta,
                         file_id: PathId) -> Stream:
        view = await load_view(db, actor, file_id)
        entries = entries_of(view.members)
        toc = toc_pdf(view.work_file, actor.agency_name.upper(), entries)
        await record_export(db, actor, meta, file_id, "pdf")
        return Stream(iter_pdf(blob_store(settings), toc, entries), media_type="application/pdf",
                      headers=download_headers(f"ho-so-{view.work_file.file_notation}-{view.work_file.year}.pdf"))


async def record_export(db: AsyncSession, actor: Actor, meta: RequestMeta, file_id: int, kind: str) -> None:
    """An export is an access worth recording (PL VI §III.5.a)."""
    await record(db, "workfiles.exported", actor_id=actor.user_id, actor_name=actor.username,
                 agency_id=actor.agency_id, object_type="workfiles", object_id=file_id, meta=meta,
                 detail={"format": kind})


class CatalogueApiController(Controller):
    """``/api/v1/file-catalogues/{year}``: the agency's catalogue of a year."""

    path = "/api/v1/file-catalogues"
    tags = ["work-files"]
    include_in_schema = True

    @post("/", name="api.catalogues.create", status_code=201, summary="Create the catalogue of a year")
    async def create(self, db: DB, actor: CurrentActor, meta: Meta, data: JSONBody[CatalogueRequest]
                     ) -> Response[Any]:
        service = CatalogueService(db, meta)
        try:
            await service.create(actor, data.year, data.decision_no)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc)
        return Response(_catalogue(await service.view(actor, data.year)), status_code=201)

    @get("/{year:int}", name="api.catalogues.get", summary="The catalogue of a year in print order")
    async def get_one(self, db: DB, actor: CurrentActor, year: PathYear) -> ApiCatalogue:
        return _catalogue(await CatalogueService(db).view(actor, year))

    @post("/{year:int}/headings", name="api.catalogues.heading", status_code=201, summary="Add a heading")
    async def heading(self, db: DB, actor: CurrentActor, meta: Meta, year: PathYear,
                      data: JSONBody[HeadingRequest]) -> Response[Any]:
        service = CatalogueService(db, meta)
        try:
            await service.add_heading(actor, year, data)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc)
        return Response(_catalogue(await service.view(actor, year)), status_code=201)

    @post("/{year:int}/items", name="api.catalogues.item", status_code=201, summary="Add a planned file")
    async def item(self, db: DB, actor: CurrentActor, meta: Meta, year: PathYear,
                   data: JSONBody[ItemRequest]) -> Response[Any]:
        service = CatalogueService(db, meta)
        try:
            await service.add_item(actor, year, data)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc)
        return Response(_catalogue(await service.view(actor, year)), status_code=201)

    @put("/{year:int}/items/{item_id:int}", name="api.catalogues.item_update",
         summary="Change a planned file (title, retention, creator, expected count, note)")
    async def item_update(self, db: DB, actor: CurrentActor, meta: Meta, year: PathYear, item_id: PathId,
                          data: JSONBody[ItemRequest]) -> Response[Any]:
        service = CatalogueService(db, meta)
        try:
            await service.update_item(actor, year, item_id, data)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc)
        return Response(_catalogue(await service.view(actor, year)))

    @post("/{year:int}/copy-forward", name="api.catalogues.copy", status_code=201,
          summary="Create this year's catalogue as a copy of last year's")
    async def copy(self, db: DB, actor: CurrentActor, meta: Meta, year: PathYear) -> Response[Any]:
        service = CatalogueService(db, meta)
        try:
            await service.copy_forward(actor, year)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc)
        return Response(_catalogue(await service.view(actor, year)), status_code=201)

    @get("/{year:int}/export.xlsx", name="api.catalogues.xlsx", media_type=XLSX,
         summary="The catalogue as ND 30 lays it out (XLSX)")
    async def export_xlsx(self, db: DB, actor: CurrentActor, year: PathYear) -> Response[bytes]:
        view = await CatalogueService(db).view(actor, year)
        title = f"DANH MỤC HỒ SƠ CỦA {actor.agency_name.upper()} NĂM {year}"
        return Response(xlsx_bytes(f"Danh mục {year}", title, _COLUMNS, view.rows(), (14, 60, 14, 24, 20)),
                        media_type=XLSX, headers=download_headers(f"danh-muc-ho-so-{year}.xlsx"))

    @get("/{year:int}/export.csv", name="api.catalogues.csv", media_type=CSV,
         summary="The catalogue as ND 30 lays it out (CSV)")
    async def export_csv(self, db: DB, actor: CurrentActor, year: PathYear) -> Response[bytes]:
        view = await CatalogueService(db).view(actor, year)
        return Response(csv_bytes(_COLUMNS, view.rows()), media_type=CSV,
                        headers=download_headers(f"danh-muc-ho-so-{year}.csv"))


_COLUMNS = ("Số và ký hiệu hồ sơ", "Tên đề mục và tiêu đề hồ sơ", "Thời hạn bảo quản", "Đơn vị/người lập hồ sơ",
            "Ghi chú")
"""The columns of the catalogue (ND 30 PL V, Mẫu danh mục hồ sơ)."""
