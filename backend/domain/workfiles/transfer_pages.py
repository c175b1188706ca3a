"""HTML pages of the archive transfer: the archive page of the clerk (the archive holder) and the
transfer buttons of a file page (submit, keep back, accept, return, and the final settlement date of a
capital-construction file, which makes it due).

The archive page lists the files due within 30 days, the files waiting for the archive, the
files past their retention (for a destruction decision; nothing is destroyed here) and links to
the transfer list and the hand-over record. Every button posts one form to the same engine the
JSON API uses; a refusal rolls back and comes back as a message on the file page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import WorkFileState
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.web import see_other
from backend.domain.workfiles.api import service_for
from backend.domain.workfiles.archive_lists import due_files, expired_files, transferred
from backend.domain.workfiles.transfer import REMIND_DAYS, due_date, expires_on
from backend.domain.workfiles.workflow import TABLE, Event
from backend.errors import AppError, InvalidInputError, NotFoundError
from backend.lib import clock
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page

__all__ = ["TransferPagesController", "on_file_page"]

T = TypeVar("T")

_EVENTS = {Event.SUBMIT, Event.RETAIN, Event.ACCEPT, Event.RETURN}


class SettlementForm(msgspec.Struct, forbid_unknown_fields=False):
    settlement_date: str = ""
    version: str = ""


class TransferForm(msgspec.Struct, forbid_unknown_fields=False):
    event: str = ""
    reason: str = ""
    until: str = ""
    version: str = ""


class TransferPagesController(Controller):
    """``/work-files/archive``, ``/work-files/{id}/transfer`` and ``/work-files/{id}/settlement``."""

    path = "/work-files"

    @get("/archive", name="workfiles.archive")
    async def archive(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        today = clock.today()
        context = {"section": "workfiles", "labels": TABLE.state_labels, "remind_days": REMIND_DAYS,
                   "due": [(wf, due_date(wf)) for wf in await due_files(db, actor, today, within_days=REMIND_DAYS)],
                   "waiting": await transferred(db, actor, WorkFileState.SUBMITTED),
                   "expired": [(wf, expires_on(wf)) for wf in await expired_files(db, actor, today)]}
        return render_page(request, "pages/workfiles/archive.html", context)

    @post("/{file_id:int}/transfer", name="workfiles.transfer")
    async def transfer(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                       meta: Meta, file_id: FromPath[int],
                       data: Annotated[TransferForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
                       ) -> Response[Any]:
        if data.event not in _EVENTS:
            raise NotFoundError()
        work_file = await on_file_page(request, db, file_id, service_for(request, db, settings, meta).transfer(
            file_id, actor, Event(data.event), reason=data.reason, until=_date(data.until),
            expected_version=_version(data.version)))
        if work_file is None:
            return see_other(request, "workfiles.detail", file_id=file_id)
        flash(request, t("workfiles.flash.transfer", title=work_file.title, state=TABLE.label(work_file.state)))
        return see_other(request, "workfiles.detail", file_id=file_id)

    @post("/{file_id:int}/settlement", name="workfiles.settlement")
    async def settlement(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, file_id: FromPath[int],
                         data: Annotated[SettlementForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
                         ) -> Response[Any]:
        work_file = await on_file_page(request, db, file_id, service_for(request, db, settings, meta).settle(
            file_id, actor, _date(data.settlement_date), expected_version=_version(data.version)))
        if work_file is not None and (due := due_date(work_file)) is not None:
            flash(request, t("workfiles.flash.settled", title=work_file.title, due=due.strftime("%d/%m/%Y")))
        return see_other(request, "workfiles.detail", file_id=file_id)


def _date(value: str) -> dt.date | None:
    """A form's ISO date; ``None`` when empty or not a date (the service then names the field)."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _version(value: str) -> int | None:
    return parse_id(value)


async def on_file_page(request: Request[Any, Any, Any], db: AsyncSession, file_id: int,
                       action: Awaitable[T]) -> T | None:
    """Run a step of the file page: its result, or ``None`` after a refusal was rolled back and flashed."""
    try:
        return await action
    except (InvalidInputError, AppError) as exc:
        if not isinstance(exc, InvalidInputError) and exc.status_code != 409:
            raise
        await db.rollback()
        flash(request, exc.message, "error")
        return None
