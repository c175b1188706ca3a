"""``/admin/directory``: the agency directory for administrators -- search, sync on demand, local overrides.

Every administrator may read the page; the province's administrators (the deployment's lists are
theirs, as for the paper-copy list) may sync it on demand and set an entry's local name or hide it
from the recipient picker. Each action answers 303 back to the page with a flash message; a sync
the axis refuses or cannot answer changes nothing and says why in Vietnamese.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, DirectoryAgency, DirectorySource
from backend.domain.accounts.actor import Actor
from backend.domain.admin.web import ADMIN_DEPENDENCIES, AdminActor
from backend.domain.exchange.axis_client import AxisError
from backend.domain.exchange.directory import (
    last_synced_at,
    list_entries,
    path_label,
    set_override,
    sync_directory,
)
from backend.domain.organizations.policies import can_edit_deployment_lists
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.lib import clock
from backend.lib.deps import DB, AppSettings
from backend.lib.forms import redirect_with_flash
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page
from backend.lib.text import clean

__all__ = ["DirectoryController"]


class OverrideForm(msgspec.Struct, kw_only=True):
    local_name: str = ""
    hidden: str = ""


async def _can_edit(db: AsyncSession, actor: Actor) -> bool:
    agency = await db.get(Agency, actor.agency_id)
    return agency is not None and can_edit_deployment_lists(actor, agency)


async def _require_editor(db: AsyncSession, actor: Actor) -> None:
    if not await _can_edit(db, actor):
        raise PermissionDeniedError()


class DirectoryController(Controller):
    """The directory page, the sync button and the override form."""

    path = "/admin/directory"
    dependencies = ADMIN_DEPENDENCIES

    @get("/", name="admin.directory")
    async def page(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, admin: AdminActor,
                   q: FromQuery[str] = "") -> Response[str]:
        entries = await list_entries(db, q)
        context = {"section": "account", "q": q, "entries": entries, "can_edit": await _can_edit(db, admin),
                   "axis_configured": bool(settings.axis_url),
                   "synced_at": clock.format_local(await last_synced_at(db)),
                   "labels": {source: path_label(source) for source in DirectorySource}}
        return render_page(request, "pages/admin/directory.html", context,
                           blocks={"directory-list": "directory_list"})

    @post("/sync", name="admin.directory_sync")
    async def sync(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                   admin: AdminActor) -> Redirect:
        await _require_editor(db, admin)
        try:
            platform, axis = await sync_directory(db, settings, clock.now(), actor_name=admin.username,
                                                  actor_id=admin.user_id)
        except AxisError as exc:
            await db.rollback()
            message = (t("exchange.directory.axis_unavailable") if exc.transient
                       else t("exchange.directory.axis_refused", reason=exc.code or exc.message))
            flash(request, message, "error")
            return Redirect(request.app.route_reverse("admin.directory"), status_code=303)
        if axis is None:
            return redirect_with_flash(request, t("exchange.directory.flash.synced_platform_only"), "admin.directory")
        return redirect_with_flash(request, t("exchange.directory.flash.synced", added=platform.added + axis.added,
                                              updated=platform.updated + axis.updated,
                                              deactivated=platform.deactivated + axis.deactivated), "admin.directory")

    @post("/{entry_id:int}/override", name="admin.directory_override")
    async def override(self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, entry_id: FromPath[int],
                       data: URLEncodedBody[OverrideForm]) -> Redirect:
        await _require_editor(db, admin)
        entry = await db.get(DirectoryAgency, entry_id)
        if entry is None:
            raise NotFoundError()
        if len(clean(data.local_name)) > 300:
            raise InvalidInputError(t("exchange.directory.name_too_long"))
        await set_override(db, entry, local_name=data.local_name, hidden=bool(data.hidden),
                           actor_id=admin.user_id, actor_name=admin.username)
        return redirect_with_flash(request, t("exchange.directory.flash.saved"), "admin.directory")
