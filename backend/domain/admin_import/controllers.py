"""``/admin/import``: upload a CSV of agencies, units or users; the report is shown once after a 303."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect

from backend.domain.admin.web import ADMIN_DEPENDENCIES, AdminActor, pop_once, stash_once
from backend.domain.admin_import.service import (
    MAX_UPLOAD_BYTES,
    ImportKind,
    ImportReport,
    import_upload,
    report_to_session,
    template_csv,
)
from backend.domain.audit.deps import Meta
from backend.errors import InvalidInputError, NotFoundError
from backend.lib.deps import DB
from backend.lib.forms import redirect_with_flash, see_other, submit
from backend.lib.i18n import t
from backend.lib.templates import render_page

__all__ = ["ImportController", "ImportForm"]

_REPORT_KEY = "admin_import_report"


class ImportForm(msgspec.Struct, forbid_unknown_fields=False):
    """The multipart upload of the import page: the CSV kind and the file."""

    kind: str = ""
    file: UploadFile | None = None

_PAGE = "pages/admin/import.html"


def _import_page(
    request: Request[Any, Any, Any], kind: str, error: InvalidInputError | None = None
) -> Response[str]:
    """The upload form; a refused file shows its field errors, or its one message when it has none."""
    context = {
        "section": "account",
        "kind": kind,
        "errors": error.field_errors if error else {},
        "message": error.message if error and not error.field_errors else None,
        "kinds": [k.value for k in ImportKind],
        "limit_mb": MAX_UPLOAD_BYTES // 2**20,
    }
    return render_page(request, _PAGE, context)


def _imported(request: Request[Any, Any, Any], kind: ImportKind, report: ImportReport) -> Redirect:
    """303 to the report page, which shows the report (and generated passwords) once."""
    stash_once(request, _REPORT_KEY, report_to_session(kind, report))
    message = t(
        "admin.flash.import_done",
        created=report.created,
        skipped=report.skipped,
        rejected=len(report.rejected),
    )
    return redirect_with_flash(request, message, "admin.import_report")


class ImportController(Controller):
    """CSV import inside the administrator's scope."""

    path = "/admin/import"
    dependencies = ADMIN_DEPENDENCIES

    @get("/", name="admin.import_form")
    async def form(
        self, request: Request[Any, Any, Any], admin: AdminActor, kind: FromQuery[str] = "users"
    ) -> Response[str]:
        return _import_page(request, kind)

    @post("/", name="admin.import")
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[Any]:
        file = data.file
        raw = await file.read(MAX_UPLOAD_BYTES + 1) if file is not None else None
        if file is not None:
            await file.close()
        return await submit(
            import_upload(
                db,
                data.kind,
                file.filename if file else None,
                file.content_type if file else None,
                raw,
                scope=admin,
                meta=meta,
            ),
            invalid=lambda exc: _import_page(request, data.kind, exc),
            done=lambda result: _imported(request, *result),
        )

    @get("/report", name="admin.import_report")
    async def report(self, request: Request[Any, Any, Any], admin: AdminActor) -> Response[str]:
        report = pop_once(request, _REPORT_KEY)
        if not isinstance(report, dict):
            return see_other(request, "admin.import_form")
        password_csv = "username,password\r\n" + "".join(f"{u},{p}\r\n" for u, p in report["passwords"])
        return render_page(
            request,
            "pages/admin/import_report.html",
            {"section": "account", "report": report, "password_csv": password_csv},
        )

    @get("/template/{kind:str}", name="admin.import_template")
    async def template(self, admin: AdminActor, kind: FromPath[str]) -> Response[str]:
        try:
            import_kind = ImportKind(kind)
        except ValueError:
            raise NotFoundError() from None
        return Response(
            template_csv(import_kind),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="mau-{import_kind.value}.csv"',
                "Cache-Control": "no-store",
            },
        )
