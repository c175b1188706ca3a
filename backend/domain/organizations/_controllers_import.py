"""``/admin/import``: upload a CSV of agencies, units or users; the report is shown once after a 303."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery

from backend.domain.organizations._web import ADMIN_DEPENDENCIES, AdminActor, pop_once, see_other, stash_once
from backend.domain.organizations.csv_import import (
    MAX_UPLOAD_BYTES,
    ImportKind,
    import_upload,
    report_to_session,
    template_csv,
)
from backend.domain.organizations.schemas import ImportForm
from backend.errors import InvalidInputError, NotFoundError
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page
from backend.server.deps import DB, Meta

__all__ = ["ImportController"]

_REPORT_KEY = "admin_import_report"
_PAGE = "pages/admin/import.html"


def _import_page(
    request: Request[Any, Any, Any],
    kind: str,
    errors: dict[str, str],
    message: str | None,
    status_code: int = 200,
) -> Response[str]:
    context = {
        "section": "account",
        "kind": kind,
        "errors": errors,
        "message": message,
        "kinds": [k.value for k in ImportKind],
        "limit_mb": MAX_UPLOAD_BYTES // 2**20,
    }
    return render_page(request, _PAGE, context, status_code=status_code)


class ImportController(Controller):
    """CSV import inside the administrator's scope."""

    path = "/admin/import"
    dependencies = ADMIN_DEPENDENCIES

    @get("/", name="admin.import_form")
    async def form(
        self, request: Request[Any, Any, Any], admin: AdminActor, kind: FromQuery[str] = "users"
    ) -> Response[str]:
        return _import_page(request, kind, {}, None)

    @post("/", name="admin.import")
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[str]:
        file = data.file
        raw = await file.read(MAX_UPLOAD_BYTES + 1) if file is not None else None
        try:
            kind, report = await import_upload(
                db,
                data.kind,
                file.filename if file else None,
                file.content_type if file else None,
                raw,
                scope=admin,
                meta=meta,
            )
        except InvalidInputError as exc:
            message = None if exc.field_errors else exc.message
            return _import_page(request, data.kind, exc.field_errors, message, 422)
        finally:
            if file is not None:
                await file.close()
        stash_once(request, _REPORT_KEY, report_to_session(kind, report))
        flash(
            request,
            t(
                "admin.flash.import_done",
                created=report.created,
                skipped=report.skipped,
                rejected=len(report.rejected),
            ),
        )
        return see_other(request, "admin.import_report")

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
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="mau-{import_kind.value}.csv"',
                "Cache-Control": "no-store",
            },
        )
