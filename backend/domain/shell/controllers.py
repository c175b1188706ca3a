"""Home and the bottom-navigation sections.

Documents, tasks and search arrive with their own domains; until the actor has any, each section
shows what will appear there and who puts it there, so nobody meets a blank screen.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Redirect

from backend.lib.templates import render_page
from backend.server.deps import CurrentActor

__all__ = ["ShellController"]


class ShellController(Controller):
    """Section landing pages of the shell."""

    @get("/", name="shell.home")
    async def home(self, actor: CurrentActor) -> Redirect:
        return Redirect("/incoming")

    @get("/incoming", name="incoming.list")
    async def incoming(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[str]:
        return render_page(request, "pages/shell/section.html", {"section": "incoming"})

    @get("/outgoing", name="outgoing.list")
    async def outgoing(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[str]:
        return render_page(request, "pages/shell/section.html", {"section": "outgoing"})

    @get("/tasks", name="tasks.list")
    async def tasks(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[str]:
        return render_page(request, "pages/shell/section.html", {"section": "tasks"})

    @get("/search", name="search.page")
    async def search(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[str]:
        query = request.query_params.get("q", "").strip()
        return render_page(request, "pages/shell/search.html", {"section": "search", "q": query})
