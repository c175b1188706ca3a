"""Home of the shell: the start page sends leaders and deputies to the leader home, an auditor who holds no other
role to the audit viewer, others to the incoming inbox.

Incoming documents and tasks (Công việc) are served by ``backend.domain.incoming``; outgoing
documents by ``backend.domain.outgoing``; search by :mod:`backend.domain.search`.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Redirect

from backend.db.models import Role
from backend.domain.accounts.deps import CurrentActor

__all__ = ["ShellController"]


class ShellController(Controller):
    """Section landing pages of the shell."""

    @get("/", name="shell.home")
    async def home(self, actor: CurrentActor) -> Redirect:
        if actor.has(Role.LEADER, Role.DEPUTY):
            return Redirect("/home")
        return Redirect("/admin/audit" if actor.roles == {Role.AUDITOR} else "/incoming")
