"""``/search`` (Tìm kiếm in the bottom navigation): the search page with filters, keyset pages, exports and
saved searches. Everything goes through :func:`run_search`, so the page, the exports and the API agree."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect

from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import record
from backend.domain.documents.reference import document_types, urgency_options
from backend.domain.documents.web import CSV, XLSX, table_download
from backend.domain.search import export
from backend.domain.search.queries import (
    KIND_LABELS,
    Filters,
    Page,
    export_rows,
    parse_filters,
    run_search,
    state_options,
)
from backend.domain.search.saved import delete_saved, list_saved, save_search
from backend.errors import InvalidInputError
from backend.lib.deps import DB
from backend.lib.sessions import flash
from backend.lib.templates import is_fragment_request, render_page

__all__ = ["SearchController"]


class SaveForm(msgspec.Struct, forbid_unknown_fields=False):
    name: str = ""
    query: str = ""


RESULTS = "search-results"
"""The ``HX-Target`` of the results fragment (the filter form re-fetches only the results)."""


def _params(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {key: request.query_params.get(key, "") for key in request.query_params}


class SearchController(Controller):
    """One search box over every kind of document in the actor's scope."""

    path = "/search"

    async def _render(self, request: Request[Any, Any, Any], db: DB, actor: Actor, params: dict[str, str],
                      save_errors: dict[str, str] | None = None, status_code: int = 200) -> Response[str]:
        errors: dict[str, str] = {}
        page = Page([], "")
        try:
            filters = parse_filters(params)
        except InvalidInputError as exc:
            filters, errors = Filters(q=params.get("q", "")[:500]), exc.field_errors
            status_code = 422 if not request.headers.get("hx-request") else 200
        searching = filters.narrows and not errors
        if searching:
            try:
                page = await run_search(db, actor, filters)
            except InvalidInputError as exc:
                errors = exc.field_errors
        results_only = is_fragment_request(request) and request.headers.get("hx-target") == RESULTS
        context = {
            "section": "search", "filters": filters, "page": page, "errors": errors, "searching": searching,
            "typed": bool(params.get("q", "").strip()), "kinds": KIND_LABELS, "urgencies": urgency_options(),
            "states": state_options(), "save_errors": save_errors or {},
            # the results fragment shows neither the filter form nor the saved searches: not read for it
            "types": [] if results_only else await document_types(db, actor.agency_id),
            "saved": [] if results_only else await list_saved(db, actor),
            "query_string": urlencode(filters.params(cursor="")),
            "query_string_without_file": urlencode(filters.params(cursor="", file="")),
            "filtered": bool(set(filters.params()) - {"q", "sort", "cursor"}),
            "next_query": urlencode(filters.params(cursor=page.next_cursor)) if page.next_cursor else "",
        }
        return render_page(request, "pages/search.html", context,
                           blocks={RESULTS: "search_results"}, status_code=status_code)

    @get("/", name="search.page")
    async def page(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        return await self._render(request, db, actor, _params(request))

    async def _export(self, request: Request[Any, Any, Any], db: DB, actor: Actor, meta: Meta,
                      media: str) -> Response[bytes]:
        filters = parse_filters(_params(request))
        if not filters.narrows:
            raise InvalidInputError("Hãy nhập từ cần tìm hoặc chọn một điều kiện lọc trước khi xuất.")
        hits = await export_rows(db, actor, filters)
        await record(db, "search.exported", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=actor.agency_id, object_type="search", meta=meta,
                     detail={"query": urlencode(filters.params(cursor="")), "rows": len(hits), "format": media})
        if media == "csv":
            return table_download(export.as_csv(hits), CSV, "ket-qua-tim-kiem.csv")
        title = f"Kết quả tìm kiếm “{filters.q}” – {actor.agency_name}" if filters.q else "Kết quả tìm kiếm"
        return table_download(export.as_xlsx(hits, title), XLSX, "ket-qua-tim-kiem.xlsx")

    @get("/export.csv", name="search.export_csv")
    async def export_csv(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                         meta: Meta) -> Response[bytes]:
        return await self._export(request, db, actor, meta, "csv")

    @get("/export.xlsx", name="search.export_xlsx")
    async def export_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                          meta: Meta) -> Response[bytes]:
        return await self._export(request, db, actor, meta, "xlsx")

    @post("/saved", name="search.save")
    async def save(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                   data: URLEncodedBody[SaveForm]) -> Response[Any]:
        params = dict(parse_qsl(data.query[:2000]))
        try:
            await save_search(db, actor, data.name, parse_filters(params), meta)
        except InvalidInputError as exc:
            await db.rollback()
            return await self._render(request, db, actor, params, save_errors=exc.field_errors, status_code=422)
        flash(request, "Đã lưu tìm kiếm.")
        return Redirect(f"/search?{urlencode(parse_filters(params).params(cursor=''))}", status_code=303)

    @post("/saved/{saved_id:int}/delete", name="search.delete_saved")
    async def delete(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                     saved_id: FromPath[int]) -> Redirect:
        await delete_saved(db, actor, saved_id, meta)
        flash(request, "Đã xóa tìm kiếm đã lưu.")
        return Redirect("/search", status_code=303)

