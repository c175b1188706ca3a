"""``/admin/paper-copy``: the deployment's list of documents that also travel on paper (domain.md §22).

Every administrator may read the page; only the province's administrators see the forms and may
post (others get 403 from the service). Without JS each action answers 303 back to the page with a
flash message, or the page again with field errors (422). With htmx the ``paper_copy_rules`` block
comes back from fresh state, with the message as an out-of-band toast and
``HX-Trigger: paper-copy-changed``; errors come back in the same block (422).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.admin.activation import Activation, activation_routes
from backend.domain.admin.web import ADMIN_DEPENDENCIES, AdminActor
from backend.domain.audit.deps import Meta
from backend.domain.outgoing import paper_copy_rules as rules
from backend.domain.outgoing.paper_copy_rules import PaperCopyForm
from backend.lib.deps import DB
from backend.lib.forms import form_values, redirect_with_flash, submit
from backend.lib.i18n import t
from backend.lib.templates import is_fragment_request, render_page

__all__ = ["PaperCopyController"]

_PAGE = "pages/admin/paper_copy.html"
_BLOCK = "paper_copy_rules"
_BLOCKS = {"paper-copy-rules": _BLOCK}


async def _page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    admin: AdminActor,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    *,
    toast: str | None = None,
) -> Response[str]:
    """The list page (or its block for htmx) built from the current state of the list."""
    context = {
        "section": "account",
        "rules": await rules.list_rules(db),
        "types": await rules.type_choices(db),
        "can_edit": await rules.can_edit(db, admin),
        "form": values or form_values(PaperCopyForm()),
        "errors": errors or {},
        "keyword_min": rules.KEYWORD_MIN,
        "oob_flash": toast,
    }
    headers = {"HX-Trigger": "paper-copy-changed"} if toast else None
    return render_page(
        request, _PAGE, context, blocks=_BLOCKS, default_block=_BLOCK if toast else None, headers=headers
    )


async def _changed(
    request: Request[Any, Any, Any], db: AsyncSession, admin: AdminActor, message: str
) -> Response[Any]:
    """After a change: the refreshed block for htmx, else flash and 303 back to the list."""
    if is_fragment_request(request):
        return await _page(request, db, admin, toast=message)
    return redirect_with_flash(request, message, "admin.paper_copy")


_RULE_ACTIVATION = Activation[str](
    "paper_copy",
    "rule_id",
    rules.set_rule_active,
    "admin.paper_copy",
    lambda label: {"label": label},
    message="paper_copy.flash.{past}",
    respond=_changed,
)


class PaperCopyController(Controller):
    """Read the paper-copy list; the province's administrators add, (de)activate and delete rules."""

    path = "/admin/paper-copy"
    dependencies = ADMIN_DEPENDENCIES

    @get("/", name="admin.paper_copy")
    async def list_rules(self, request: Request[Any, Any, Any], db: DB, admin: AdminActor) -> Response[str]:
        return await _page(request, db, admin)

    @post("/", name="admin.paper_copy_create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        data: URLEncodedBody[PaperCopyForm],
    ) -> Response[Any]:
        return await submit(
            rules.create_rule(db, admin, data, meta),
            invalid=lambda exc: _page(request, db, admin, form_values(data), exc.field_errors),
            done=lambda label: _changed(request, db, admin, t("paper_copy.flash.created", label=label)),
        )

    deactivate, reactivate = activation_routes(_RULE_ACTIVATION)

    @post("/{rule_id:int}/delete", name="admin.paper_copy_delete")
    async def delete(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, rule_id: FromPath[int]
    ) -> Response[Any]:
        label = await rules.delete_rule(db, admin, rule_id, meta)
        return await _changed(request, db, admin, t("paper_copy.flash.deleted", label=label))
