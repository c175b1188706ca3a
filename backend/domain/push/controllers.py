"""``/account/devices``: enable push on this device, see and revoke devices, set quiet hours, test."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Redirect

from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.push.jobs import PUSH_SEND, PushSend
from backend.domain.push.keys import load_vapid
from backend.domain.push.schemas import QuietHoursForm, SubscriptionIn, UnsubscribeIn
from backend.domain.push.services import (
    QuietHours,
    list_devices,
    load_quiet_hours,
    remove_by_endpoint,
    revoke_device,
    save_quiet_hours,
    save_subscription,
)
from backend.errors import InvalidInputError, NotFoundError
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page
from backend.tasks.outbox import enqueue

__all__ = ["DevicesController"]

_TEMPLATE = "pages/push/devices.html"


class DevicesController(Controller):
    """The actor's own devices."""

    path = "/account/devices"

    async def _page(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    quiet: QuietHours | None = None, errors: dict[str, str] | None = None,
                    status_code: int = 200) -> Response[str]:
        keys = load_vapid(settings)
        context = {
            "section": "account",
            "devices": await list_devices(db, actor.user_id),
            "quiet": quiet or await load_quiet_hours(db, settings, actor.user_id),
            "vapid_public_key": keys.public_key if keys else "",
            "errors": errors or {},
        }
        return render_page(request, _TEMPLATE, context, blocks={"device-list": "device_list"},
                           status_code=status_code)

    @get("/", name="push.devices")
    async def devices(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                      actor: CurrentActor) -> Response[str]:
        return await self._page(request, db, settings, actor)

    @post("/subscribe", name="push.subscribe", status_code=201)
    async def subscribe(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                        meta: Meta, data: JSONBody[SubscriptionIn]) -> Response[dict[str, Any]]:
        if load_vapid(settings) is None:
            raise NotFoundError()
        row = await save_subscription(db, settings, actor, data, request.headers.get("user-agent", ""), meta)
        return Response({"id": row.id, "label": row.label}, status_code=201, headers={"Cache-Control": "no-store"})

    @post("/unsubscribe", name="push.unsubscribe", status_code=200)
    async def unsubscribe(self, db: DB, actor: CurrentActor, data: JSONBody[UnsubscribeIn]) -> Response[dict[str, Any]]:
        removed = await remove_by_endpoint(db, actor, data.endpoint)
        return Response({"removed": removed}, headers={"Cache-Control": "no-store"})

    @post("/{subscription_id:int}/revoke", name="push.revoke")
    async def revoke(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                     subscription_id: FromPath[int]) -> Redirect:
        await revoke_device(db, actor, subscription_id, meta)
        flash(request, t("push.device_revoked"))
        return Redirect("/account/devices", status_code=303)

    @post("/quiet-hours", name="push.quiet_hours")
    async def quiet_hours(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                          data: URLEncodedBody[QuietHoursForm]) -> Response[Any]:
        try:
            await save_quiet_hours(db, actor, data)
        except InvalidInputError as exc:
            shown = QuietHours(data.quiet_enabled in {"on", "true", "1"}, data.quiet_start, data.quiet_end)
            return await self._page(request, db, settings, actor, quiet=shown, errors=exc.field_errors,
                                    status_code=422)
        flash(request, t("push.quiet_saved"))
        return Redirect("/account/devices", status_code=303)

    @post("/test", name="push.test")
    async def test_push(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Redirect:
        await enqueue(db, PUSH_SEND, PushSend(user_id=actor.user_id, title=t("push.test_title"),
                                              body=t("push.test_body"), url="/account/devices", topic="test"),
                      max_attempts=3)
        flash(request, t("push.test_queued"))
        return Redirect("/account/devices", status_code=303)
