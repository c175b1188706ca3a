"""``/search`` (Tìm kiếm in the bottom navigation): incoming and outgoing documents within the actor's scope.

Each kind goes through its own context's scoped search (``visible_incoming`` / ``visible_outgoing``),
so the page never shows more than the documents' own pages would.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from backend.domain.accounts.deps import CurrentActor
from backend.domain.incoming.queries import search_documents as search_incoming
from backend.domain.outgoing.queries import search_documents as search_outgoing
from backend.lib.deps import DB
from backend.lib.templates import render_page
from backend.lib.text import clean

__all__ = ["SearchController"]

QUERY_LIMIT = 100
"""Characters of the query that are searched."""


class SearchController(Controller):
    """One search box over both registers."""

    @get("/search", name="search.page")
    async def search(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        query = clean(request.query_params.get("q", ""))[:QUERY_LIMIT]
        incoming = await search_incoming(db, actor, query) if query else []
        outgoing = await search_outgoing(db, actor, query) if query else []
        return render_page(request, "pages/search.html",
                           {"section": "search", "q": query, "incoming": incoming, "outgoing": outgoing},
                           blocks={"search-results": "search_results"})
