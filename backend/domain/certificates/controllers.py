"""Certificate pages: the actor's own certificates (report a compromised key) and the admin register.

Thin handlers: they call one service and either render, or 303 back with a flash message. The
signing server being unreachable (or not configured) never gives a 500: the page is rendered with
status 503 and a Vietnamese message, and a refused action comes back as an error flash.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from backend.config.settings import Settings
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.certificates import services
from backend.domain.organizations.policies import require_admin
from backend.domain.signing import SigningServerUnavailableError, SigningServiceError
from backend.errors import InvalidInputError
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page

__all__ = ["AdminCertificateController", "CertificateController", "ReasonForm", "ReportForm"]

_MINE = "pages/certificates/mine.html"
_ADMIN = "pages/certificates/admin.html"


class ReportForm(msgspec.Struct, forbid_unknown_fields=False):
    """"Báo mất/lộ khóa": a reason and an explicit confirmation."""

    reason: str = ""
    confirm: str = ""


class ReasonForm(msgspec.Struct, forbid_unknown_fields=False):
    """Administrator revocation: a reason, and the filter to return to."""

    reason: str = ""
    filter: str = "live"


def signing_message(exc: SigningServiceError) -> str:
    """The Vietnamese message for a signing-server failure on these pages."""
    if isinstance(exc, SigningServerUnavailableError):
        return t("certificates.unavailable")
    return exc.user_message


async def _mine_page(request: Request[Any, Any, Any], settings: Settings, actor: Actor, *,
                     errors: dict[str, str] | None = None, error_for: str = "", reason: str = "",
                     status_code: int = 200) -> Response[str]:
    views: list[services.CertificateView] = []
    error = None
    try:
        views = await services.my_certificates(settings, actor)
    except SigningServiceError as exc:
        error, status_code = signing_message(exc), 503
    context = {
        "section": "account", "live": [v for v in views if v.is_live], "revoked": [v for v in views if not v.is_live],
        "error": error, "errors": errors or {}, "error_for": error_for, "reason": reason,
        "warning_days": settings.cert_expiry_warning_days, "max_reason": services.MAX_REASON,
    }
    return render_page(request, _MINE, context, status_code=status_code)


class CertificateController(Controller):
    """``/account/certificates``: the actor's personal certificate and, for clerks, the agency seal."""

    path = "/account/certificates"

    @get("/", name="certificates.mine")
    async def mine(self, request: Request[Any, Any, Any], actor: CurrentActor, settings: AppSettings
                   ) -> Response[str]:
        return await _mine_page(request, settings, actor)

    @post("/{credential_id:str}/report", name="certificates.report")
    async def report(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, settings: AppSettings,
                     meta: Meta, credential_id: FromPath[str], data: URLEncodedBody[ReportForm]) -> Response[str]:
        try:
            if data.confirm != "yes":
                raise InvalidInputError(field_errors={"confirm": t("certificates.confirm_required")})
            await services.report_compromised(db, settings, actor, credential_id, data.reason, meta)
        except InvalidInputError as exc:
            if not exc.field_errors:
                flash(request, exc.message, "error")
                return Redirect(request.app.route_reverse("certificates.mine"), status_code=303)
            return await _mine_page(request, settings, actor, errors=exc.field_errors, error_for=credential_id,
                                    reason=data.reason, status_code=422)
        except SigningServiceError as exc:
            flash(request, signing_message(exc), "error")
            return Redirect(request.app.route_reverse("certificates.mine"), status_code=303)
        flash(request, t("certificates.reported"))
        return Redirect(request.app.route_reverse("certificates.mine"), status_code=303)


class AdminCertificateController(Controller):
    """``/admin/certificates``: every certificate in the administrator's scope; revoke."""

    path = "/admin/certificates"

    @get("/", name="certificates.admin")
    async def register(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, settings: AppSettings,
                       filter: FromQuery[str] = "live") -> Response[str]:  # noqa: A002 - the query name
        require_admin(actor)
        current = filter if filter in services.ADMIN_FILTERS else "live"
        views: list[services.CertificateView] = []
        error, status_code = None, 200
        try:
            views = await services.admin_certificates(db, settings, actor, current)
        except SigningServiceError as exc:
            error, status_code = signing_message(exc), 503
        context = {"section": "account", "items": views, "filter": current, "error": error,
                   "warning_days": settings.cert_expiry_warning_days, "max_reason": services.MAX_REASON}
        return render_page(request, _ADMIN, context, status_code=status_code)

    @post("/{credential_id:str}/revoke", name="certificates.revoke")
    async def revoke(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, settings: AppSettings,
                     meta: Meta, credential_id: FromPath[str], data: URLEncodedBody[ReasonForm]) -> Response[str]:
        require_admin(actor)
        back = request.app.route_reverse("certificates.admin") + (
            f"?filter={data.filter}" if data.filter in services.ADMIN_FILTERS else "")
        try:
            view = await services.revoke_certificate(db, settings, actor, credential_id, data.reason, meta)
        except InvalidInputError as exc:
            flash(request, next(iter(exc.field_errors.values()), exc.message), "error")
            return Redirect(back, status_code=303)
        except SigningServiceError as exc:
            flash(request, signing_message(exc), "error")
            return Redirect(back, status_code=303)
        flash(request, t("certificates.revoked", owner=view.owner_label))
        return Redirect(back, status_code=303)
