"""HTTP plumbing shared by the incoming and outgoing document controllers.

* :class:`DocumentPage` -- one domain's document page: the GET response, the answer after a
  successful action (for htmx the ``document_panel`` block re-rendered from fresh state with
  ``HX-Trigger: counts-changed`` and the message as an out-of-band toast; otherwise a flash and a
  303 to the page) and the 422 re-render after invalid input (the session is rolled back first, so
  nothing of the failed attempt is kept except the values the user typed).
* Downloads -- :func:`attachment_disposition`, :func:`not_modified` / :func:`pdf_file` (a stored
  PDF unchanged, its SHA-256 as a strong ETag), :func:`page_image` (the WebP rendering of one page).
* Registers -- :func:`require` (a policy decision or 403), :func:`register_range` (the
  ``from``/``to`` query) and :func:`table_download` (a CSV/XLSX export, never cached).

Nothing here knows a domain's rules: routes, templates, context builders and policies are passed in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import ETag
from litestar.response import File, Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.engine import end_reads
from backend.db.models import StoredFile
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.documents.files import PDF_CONTENT_TYPE, blob_store, page_image_bytes
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.lib import clock
from backend.lib.bounds import MAX_DATE, MIN_DATE, parse_date, parse_id
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import is_fragment_request, render_page
from backend.lib.transitions import Decision

__all__ = [
    "CSV", "XLSX", "ContextBuilder", "DocumentPage", "attachment_disposition", "form_version",
    "not_modified", "page_image", "pdf_file", "register_range", "require", "see_other", "table_download",
]

CSV = "text/csv"  # Litestar adds "; charset=utf-8" to every text/* type
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_CACHE = "private, no-store"
"""A document's files and page images: never kept by an HTTP cache (the service worker keeps its own copies)."""


class ContextBuilder(Protocol):
    """A page's context builder: ``build(request, db, settings, actor, doc_id, errors=..., values=...)``."""

    def __call__(self, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                 doc_id: int, *, errors: dict[str, str] | None = None,
                 values: dict[str, Any] | None = None) -> Awaitable[dict[str, Any]]: ...


def see_other(request: Request[Any, Any, Any], route: str, **params: Any) -> Redirect:
    """303 to the named route (POST → redirect → GET)."""
    return Redirect(request.app.route_reverse(route, **params), status_code=303)


def form_version(raw: str) -> int | None:
    """The document version a form was rendered for (its hidden ``version`` input), if it sent one."""
    return parse_id(raw)


def require(decision: Decision) -> None:
    """Raise :class:`PermissionDeniedError` with the decision's message unless it allows."""
    if not decision:
        raise PermissionDeniedError(t(decision.reason))


@dataclass(frozen=True, slots=True)
class DocumentPage:
    """The document page of one domain and the three ways a handler answers with it.

    Attributes:
        template: the page template, whose ``document_panel`` block is the htmx fragment.
        route: the page's route name, the target of the no-JS 303.
        build: the page's context builder (the same for full pages and fragments).
        extra: context added to the fragment sent after a successful htmx action (for example a
            flag asking the template to refresh other regions out of band).
    """

    template: str
    route: str
    build: ContextBuilder
    extra: Mapping[str, Any] = field(default_factory=dict)
    blocks: Mapping[str, str] = field(default_factory=lambda: {"document-panel": "document_panel"})

    async def show(self, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                   doc_id: int, meta: RequestMeta | None = None) -> Response[str]:
        """The page (or, for an htmx request targeting the panel, the panel alone).

        With ``meta``, a whole-page view is audited as ``<domain>.viewed`` (domain.md §4.13) once the
        page was built, i.e. only for a document the actor may see. The reads are ended first, so on
        SQLite the row is written in a fresh, short transaction and the page's reads never hold the
        write lock; panel refreshes after an action are not views and are not logged.
        """
        context = await self.build(request, db, settings, actor, doc_id)
        if meta is not None and not is_fragment_request(request):
            await end_reads(db)
            kind = self.route.split(".", 1)[0]
            await record(db, f"{kind}.viewed", actor_id=actor.user_id, actor_name=actor.username,
                         agency_id=context["doc"].agency_id, object_type=kind, object_id=doc_id, meta=meta)
        return render_page(request, self.template, context, blocks=self.blocks)

    async def done(self, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                   doc_id: int, message: str) -> Response[Any]:
        """After a successful action: the fresh panel + ``HX-Trigger`` for htmx, else a flash and 303."""
        if is_fragment_request(request):
            await db.flush()
            context = await self.build(request, db, settings, actor, doc_id)
            context.update(self.extra, oob_flash=message)
            return render_page(request, self.template, context, blocks=self.blocks, default_block="document_panel",
                               headers={"HX-Trigger": "counts-changed"})
        flash(request, message)
        return see_other(request, self.route, doc_id=doc_id)

    async def invalid(self, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                      doc_id: int, exc: InvalidInputError, values: dict[str, Any]) -> Response[str]:
        """Invalid input: roll back, then the page (panel for htmx) with the messages and ``values``, 422."""
        await db.rollback()
        errors = exc.field_errors or {"form": exc.message}
        context = await self.build(request, db, settings, actor, doc_id, errors=errors, values=values)
        return render_page(request, self.template, context, blocks=self.blocks, default_block="document_panel",
                           status_code=422)

    async def run(self, request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                  doc_id: int, action: Callable[[], Awaitable[object]], flash_key: str,
                  values: dict[str, Any]) -> Response[Any]:
        """Run one service call: :meth:`done` with ``t(flash_key)``, or :meth:`invalid` with ``values``."""
        try:
            await action()
        except InvalidInputError as exc:
            return await self.invalid(request, db, settings, actor, doc_id, exc, values)
        return await self.done(request, db, settings, actor, doc_id, t(flash_key))


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition: attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def not_modified(request: Request[Any, Any, Any], stored: StoredFile) -> Response[Any] | None:
    """304 when the client already holds this SHA-256 (``If-None-Match``), else ``None``."""
    etag = f'"{stored.sha256}"'
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers={"ETag": etag, "Cache-Control": _FILE_CACHE})
    return None


async def pdf_file(settings: Settings, stored: StoredFile) -> File:
    """The stored PDF unchanged, as a download named after the file, with its SHA-256 as ETag."""
    return File(path=await blob_store(settings).local_path(stored.sha256), media_type=PDF_CONTENT_TYPE,
                etag=ETag(value=stored.sha256),
                headers={"cache-control": _FILE_CACHE, "content-disposition": attachment_disposition(stored.filename)})


async def page_image(request: Request[Any, Any, Any], settings: Settings, stored: StoredFile,
                     page: int) -> Response[Any]:
    """Page ``page`` of ``stored`` as WebP at phone width (304 on a matching ETag).

    Raises:
        NotFoundError: the file has no such page.
    """
    if page < 1 or page > stored.page_count:
        raise NotFoundError()
    tag = f"{stored.sha256[:32]}-p{page}-w{settings.page_image_width}"
    headers = {"Cache-Control": _FILE_CACHE}
    if request.headers.get("if-none-match") == f'"{tag}"':
        return Response(b"", status_code=304, headers={"ETag": f'"{tag}"', **headers})
    data = await page_image_bytes(settings, stored, page)
    return Response(data, media_type="image/webp", headers={
        "ETag": f'"{tag}"', "Content-Disposition": f'inline; filename="trang-{page}.webp"', **headers})


def register_range(request: Request[Any, Any, Any],
                   default_range: Callable[[date], tuple[date, date]]) -> tuple[date, date]:
    """The register's ``from``/``to`` dates (ISO; the default range when missing), in order.

    Raises:
        InvalidInputError: a date that is malformed or outside :mod:`backend.lib.bounds` (naming the field).
    """
    today = clock.to_local(clock.now()).date()
    start, end = default_range(today)
    errors: dict[str, str] = {}
    picked: dict[str, date] = {}
    for name, label in (("from", t("edge.date.from")), ("to", t("edge.date.to"))):
        raw = request.query_params.get(name, "")
        if not raw:
            continue
        value = parse_date(raw)
        if value is None:
            errors[name] = t("edge.date.out_of_range", field=label, min=MIN_DATE.strftime("%d/%m/%Y"),
                             max=MAX_DATE.strftime("%d/%m/%Y"), value=raw[:40])
        else:
            picked[name] = value
    if errors:
        raise InvalidInputError(" ".join(errors.values()), field_errors=errors)
    start, end = picked.get("from", start), picked.get("to", end)
    return (start, end) if start <= end else (end, start)


def table_download(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    """A register export as an attachment; never stored by any cache."""
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": attachment_disposition(filename), "Cache-Control": "no-store"})
