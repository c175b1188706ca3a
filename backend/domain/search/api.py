"""JSON API ``GET /api/v1/search``: the search page's results as JSON, with the same filters, scoping and
keyset pages (``next_cursor``). Bad filters are 422 ``application/problem+json``; an empty search is 422 too."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import QueryParameter

from backend.domain.accounts.deps import CurrentActor
from backend.domain.search.queries import parse_filters, run_search
from backend.errors import InvalidInputError
from backend.lib.deps import DB

__all__ = ["SearchApiController"]


class ApiHit(msgspec.Struct):
    kind: str
    kind_label: str
    id: int
    url: str
    reference: str
    title: str
    date: date
    urgency: str
    urgency_label: str
    state: str
    state_label: str
    content: str
    """``text``, ``no_text_layer`` (a scan: only the metadata is searched), ``unreadable`` or ``pending``."""
    snippet_html: str
    """An HTML-escaped excerpt with the matched words in ``<mark>``."""


class ApiSearchPage(msgspec.Struct):
    items: list[ApiHit]
    next_cursor: str | None


Text = Annotated[str, QueryParameter(required=False, max_length=10_000)]


def _named(name: str, description: str | None = None) -> QueryParameter:
    return QueryParameter(name=name, required=False, max_length=10_000, description=description)


class SearchApiController(Controller):
    path = "/api/v1/search"
    tags = ["search"]
    include_in_schema = True

    @get("/", name="api.search", summary="Search documents in the actor's scope (diacritics optional, "
                                         '"exact phrase" in quotes, prefix words)')
    async def search(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, q: Text = "",
                     kind: Text = "", urgency: Text = "",
                     type_id: Annotated[str, _named("type", "document type id")] = "",
                     issuer: Text = "", signer: Text = "",
                     state_name: Annotated[str, _named("state")] = "",
                     date_from: Annotated[str, _named("from", "YYYY-MM-DD")] = "",
                     date_to: Annotated[str, _named("to", "YYYY-MM-DD")] = "",
                     work_file: Annotated[str, _named("file", "work file id: only that file's documents")] = "",
                     sort: Annotated[str, _named("sort", "relevance | date")] = "relevance",
                     cursor: Text = "") -> ApiSearchPage:
        filters = parse_filters({"q": q, "kind": kind, "urgency": urgency, "type": type_id, "issuer": issuer,
                                 "signer": signer, "state": state_name, "from": date_from, "to": date_to,
                                 "file": work_file, "sort": sort, "cursor": cursor})
        if not filters.narrows:
            raise InvalidInputError("Hãy nhập từ cần tìm hoặc chọn một điều kiện lọc.", field_errors={
                "q": "Chưa có từ cần tìm."})
        page = await run_search(db, actor, filters)
        items = [ApiHit(kind=hit.kind, kind_label=hit.kind_label, id=hit.doc_id,
                        url=request.app.route_reverse(hit.route, **hit.route_params), reference=hit.reference,
                        title=hit.title, date=hit.doc_date, urgency=hit.urgency, urgency_label=hit.urgency_label,
                        state=hit.state, state_label=hit.state_label, content=str(hit.content_status),
                        snippet_html=str(hit.snippet)) for hit in page.hits]
        return ApiSearchPage(items, page.next_cursor or None)
