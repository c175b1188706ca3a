"""The file page's forms for its members and its place in the catalogue: add a note, take a document or a
note out or move it one place up or down, and (the clerk) attach an ad-hoc file to a catalogue item of its year.

Each form posts to the same service the JSON API uses and returns to the file page; a refusal rolls back
and comes back as a message there (:func:`.transfer_pages.on_file_page`).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.web import see_other
from backend.domain.workfiles.api import service_for
from backend.domain.workfiles.transfer_pages import on_file_page
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash

__all__ = ["MemberPagesController"]

_FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class NoteForm(msgspec.Struct, forbid_unknown_fields=False):
    text: str = ""


class RemoveForm(msgspec.Struct, forbid_unknown_fields=False):
    link_id: str = ""


class MoveForm(msgspec.Struct, forbid_unknown_fields=False):
    link_id: str = ""
    direction: str = ""


class CatalogueForm(msgspec.Struct, forbid_unknown_fields=False):
    catalogue_item_id: str = ""
    version: str = ""


def _posted_id(value: str) -> int:
    """The id a form posted; a missing or malformed one becomes 0, which names no row: the service checks the
    actor's rights on the file first and only then refuses the id, naming its field."""
    return parse_id(value) or 0


class MemberPagesController(Controller):
    """``/work-files/{id}/notes``, ``/remove``, ``/move`` and ``/catalogue``."""

    path = "/work-files"

    @post("/{file_id:int}/notes", name="workfiles.note")
    async def note(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                   meta: Meta, file_id: FromPath[int], data: Annotated[NoteForm, _FORM]) -> Response[Any]:
        added = await on_file_page(request, db, file_id, service_for(request, db, settings, meta).add_note(
            file_id, actor, data.text))
        if added is not None:
            flash(request, t("workfiles.flash.note_added"))
        return see_other(request, "workfiles.detail", file_id=file_id)

    @post("/{file_id:int}/remove", name="workfiles.remove")
    async def remove(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, file_id: FromPath[int], data: Annotated[RemoveForm, _FORM]) -> Response[Any]:
        async def run() -> bool:
            await service_for(request, db, settings, meta).remove_document(
                file_id, actor, _posted_id(data.link_id))
            return True

        if await on_file_page(request, db, file_id, run()):
            flash(request, t("workfiles.flash.removed"))
        return see_other(request, "workfiles.detail", file_id=file_id)

    @post("/{file_id:int}/move", name="workfiles.move")
    async def move(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                   meta: Meta, file_id: FromPath[int], data: Annotated[MoveForm, _FORM]) -> Response[Any]:
        step = {"up": -1, "down": 1}.get(data.direction, 0)
        moved = await on_file_page(request, db, file_id, service_for(request, db, settings, meta).move(
            file_id, actor, _posted_id(data.link_id), step))
        if moved:
            flash(request, t("workfiles.flash.moved"))
        return see_other(request, "workfiles.detail", file_id=file_id)

    @post("/{file_id:int}/catalogue", name="workfiles.file_catalogue")
    async def catalogue(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                        meta: Meta, file_id: FromPath[int], data: Annotated[CatalogueForm, _FORM]) -> Response[Any]:
        async def run() -> Any:
            return await service_for(request, db, settings, meta).catalogue(
                file_id, actor, _posted_id(data.catalogue_item_id),
                expected_version=parse_id(data.version))

        work_file = await on_file_page(request, db, file_id, run())
        if work_file is not None:
            flash(request, t("workfiles.flash.catalogued", notation=work_file.file_notation))
        return see_other(request, "workfiles.detail", file_id=file_id)
