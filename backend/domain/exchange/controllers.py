"""Recipient-side exchange actions: answer a recall, and the receipt as JSON.

``POST /exchange/receipts/{incoming_id}/confirm-recall`` and ``…/refuse-recall`` (field ``reason``)
(the receiving clerk, plain forms, 303 back to the incoming document; :mod:`.recall_answer`) and
``GET /api/v1/exchange/receipts/{incoming_id}`` (the verification report and recall state, same
scoping as the incoming document; platform and axis arrivals alike).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from backend.db.models import IncomingDocument
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.exchange.recall_answer import confirm_recall, refuse_recall
from backend.domain.exchange.receipts import receipt_view
from backend.domain.incoming.policies import visible_incoming
from backend.errors import NotFoundError
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.int_bounds import PathId
from backend.lib.sessions import flash

__all__ = ["ExchangeController"]


class ApiCheck(msgspec.Struct):
    signer: str
    verdict: str
    message: str


class ApiReceipt(msgspec.Struct):
    incoming_id: int
    verified_ok: bool | None
    checks: list[ApiCheck]
    recalled: bool
    recall_reason: str
    recall_confirmed: bool
    recall_refusal: str = ""


class RefuseRecallForm(msgspec.Struct, forbid_unknown_fields=False):
    reason: str = ""


def _links(request: Request[Any, Any, Any]) -> Callable[[int], str]:
    return lambda doc_id: request.app.route_reverse("incoming.detail", doc_id=doc_id)


class ExchangeController(Controller):
    """Recall confirmation and the receipt of a platform delivery."""

    tags = ["exchange"]

    @post("/exchange/receipts/{incoming_id:int}/confirm-recall", name="exchange.confirm_recall")
    async def confirm(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                      meta: Meta, incoming_id: PathId) -> Redirect:
        await confirm_recall(db, settings, _links(request), actor, incoming_id, meta)
        flash(request, t("exchange.flash.recall_confirmed"))
        return Redirect(request.app.route_reverse("incoming.detail", doc_id=incoming_id), status_code=303)

    @post("/exchange/receipts/{incoming_id:int}/refuse-recall", name="exchange.refuse_recall")
    async def refuse(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, incoming_id: PathId, data: URLEncodedBody[RefuseRecallForm]) -> Redirect:
        await refuse_recall(db, settings, _links(request), actor, incoming_id, data.reason, meta)
        flash(request, t("exchange.flash.recall_refused"))
        return Redirect(request.app.route_reverse("incoming.detail", doc_id=incoming_id), status_code=303)

    @get("/api/v1/exchange/receipts/{incoming_id:int}", name="api.exchange.receipt", include_in_schema=True,
         summary="Signature verification on receipt and recall state of a delivered document")
    async def receipt(self, db: DB, actor: CurrentActor, incoming_id: PathId) -> ApiReceipt:
        if await db.scalar(visible_incoming(actor).where(IncomingDocument.id == incoming_id)) is None:
            raise NotFoundError()
        view = await receipt_view(db, incoming_id)
        if view is None:
            raise NotFoundError()
        return ApiReceipt(incoming_id, view.verified_ok,
                          [ApiCheck(c.get("signer", ""), c["verdict"], c["message"]) for c in view.checks],
                          view.recalled, view.recall_reason, view.recall_confirmed_at is not None,
                          view.recall_refusal)
