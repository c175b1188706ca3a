"""Downloads of the archive transfer: the transfer list and the hand-over record, each as XLSX and as PDF.

``GET /api/v1/work-files/transfer/list.{xlsx,pdf}`` (``state=submitted``, the default, or ``archived``)
and ``GET /api/v1/work-files/transfer/handover.{xlsx,pdf}`` (the files waiting for the archive); and the
transfer package of an archived file, ``GET /api/v1/work-files/{id}/package/{pdf,xml}``. All
read the visible files through the context's one scoping query; the rows are built once in
:mod:`.archive_lists`, so the spreadsheet and the printable record never disagree.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Stream

from backend.db.models import WorkFile, WorkFileState
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.files import blob_store
from backend.domain.workfiles.api import download_headers, record_export
from backend.domain.workfiles.archive_lists import (
    TRANSFER_COLUMNS,
    TRANSFER_WIDTHS,
    handover,
    handover_rows,
    transfer_rows,
    transferred,
)
from backend.domain.workfiles.queries import load_file
from backend.domain.workfiles.transfer_package import packages_of
from backend.domain.workfiles.transfer_pdf import handover_pdf, transfer_list_pdf
from backend.errors import NotFoundError
from backend.lib import clock
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.tabular import xlsx_bytes

__all__ = ["TransferExportController"]

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LIST_SUMMARY = "The transfer list (mục lục hồ sơ, tài liệu nộp lưu): state=submitted (default) or archived"
_HANDOVER_SUMMARY = "The hand-over record (biên bản giao nhận) of the files waiting for the archive"


async def _listed(request: Request[Any, Any, Any], db: DB, actor: Actor) -> tuple[str, list[WorkFile]]:
    archived = request.query_params.get("state", "") == WorkFileState.ARCHIVED
    files = await transferred(db, actor, WorkFileState.ARCHIVED if archived else WorkFileState.SUBMITTED)
    return f"MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU CỦA {actor.agency_name.upper()}", files


async def _handover_items(db: DB, actor: Actor) -> list[tuple[str, str | int]]:
    files = await transferred(db, actor, WorkFileState.SUBMITTED)
    return handover_rows(actor.agency_name, handover(files), clock.today())


class TransferExportController(Controller):
    """``/api/v1/work-files/transfer/{list,handover}.{xlsx,pdf}`` and ``/api/v1/work-files/{id}/package/{pdf,xml}``."""

    path = "/api/v1/work-files"
    tags = ["work-files"]

    @get("/transfer/list.xlsx", name="api.workfiles.transfer_list", summary=_LIST_SUMMARY)
    async def list_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        title, files = await _listed(request, db, actor)
        return Response(xlsx_bytes("Mục lục nộp lưu", title, TRANSFER_COLUMNS, transfer_rows(files), TRANSFER_WIDTHS),
                        media_type=_XLSX, headers=download_headers("muc-luc-ho-so-nop-luu.xlsx"))

    @get("/transfer/list.pdf", name="api.workfiles.transfer_list_pdf", summary=f"{_LIST_SUMMARY}, printable PDF")
    async def list_pdf(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        title, files = await _listed(request, db, actor)
        return Response(transfer_list_pdf(title, transfer_rows(files)), media_type="application/pdf",
                        headers=download_headers("muc-luc-ho-so-nop-luu.pdf"))

    @get("/transfer/handover.xlsx", name="api.workfiles.handover", summary=_HANDOVER_SUMMARY)
    async def handover_xlsx(self, db: DB, actor: CurrentActor) -> Response[bytes]:
        items = await _handover_items(db, actor)
        return Response(xlsx_bytes("Biên bản giao nhận", "BIÊN BẢN GIAO NHẬN HỒ SƠ, TÀI LIỆU", ("Mục", "Nội dung"),
                                   items, (28, 60)),
                        media_type=_XLSX, headers=download_headers("bien-ban-giao-nhan.xlsx"))

    @get("/transfer/handover.pdf", name="api.workfiles.handover_pdf", summary=f"{_HANDOVER_SUMMARY}, printable PDF")
    async def handover_pdf(self, db: DB, actor: CurrentActor) -> Response[bytes]:
        items = await _handover_items(db, actor)
        return Response(handover_pdf(actor.agency_name, items), media_type="application/pdf",
                        headers=download_headers("bien-ban-giao-nhan.pdf"))

    @get("/{file_id:int}/package/{fmt:str}", name="api.workfiles.package",
         summary="The transfer package of an archived file: its .pdf or .xml export as frozen on acceptance")
    async def package(self, db: DB, settings: AppSettings, actor: CurrentActor, meta: Meta, file_id: FromPath[int],
                      fmt: FromPath[str]) -> Stream:
        work_file = await load_file(db, actor, file_id)
        frozen = {row.format: row for row in await packages_of(db, file_id)}.get(fmt)
        if frozen is None:
            raise NotFoundError(t("workfiles.package.missing"))
        await record_export(db, actor, meta, file_id, f"package-{fmt}")
        name = f"nop-luu-ho-so-{work_file.file_notation}-{work_file.year}.{fmt}"
        return Stream(blob_store(settings).iter_chunks(frozen.sha256),
                      media_type="application/pdf" if fmt == "pdf" else "application/xml",
                      headers={**download_headers(name), "ETag": f'"{frozen.sha256}"'})
