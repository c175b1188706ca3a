"""Home of the shell: the start page redirects to the incoming inbox.

Incoming documents, tasks (Công việc) and search are served by ``backend.domain.incoming``;
the outgoing section shows what will appear there until outgoing documents arrive.
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

    @get("/outgoing", name="outgoing.list")
    async def outgoing(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[str]:
        return render_page(request, "pages/shell/section.html", {"section": "outgoing"})
