"""Login, logout, the account page, password change and switching the active agency."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from backend.domain.accounts.demo_otp import demo_enrolments
from backend.domain.accounts.deps import CurrentActor
from backend.domain.accounts.schemas import AgencySwitchForm, LoginForm, PasswordForm
from backend.domain.accounts.services import LoginOutcome, authenticate, change_password
from backend.domain.accounts.session_epoch import keep_session, open_session
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import record
from backend.errors import InvalidInputError
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash, get_session
from backend.lib.templates import render_page

__all__ = ["AccountController", "AuthController", "safe_next"]

def safe_next(target: str | None) -> str:
    """Only same-site absolute paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AuthController(Controller):
    """Anonymous endpoints: the login form and logout."""

    @get("/login", name="auth.login_form")
    async def login_form(self, request: Request[Any, Any, Any]) -> Response[str]:
        target = safe_next(request.query_params.get("next"))
        if isinstance(get_session(request).get("uid"), int):
            return Redirect(target)
        return render_page(request, "pages/accounts/login.html", {"next": target, "username": "", "error": None})

    @post("/login", name="auth.login")
    async def login(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                    meta: Meta, data: URLEncodedBody[LoginForm]) -> Response[str]:
        result = await authenticate(db, settings, data.username, data.password, meta)
        if result.outcome is LoginOutcome.THROTTLED:
            context = {"next": safe_next(data.next), "username": data.username, "error": result.message}
            response = render_page(request, "pages/accounts/login.html", context, status_code=429)
            response.headers["Retry-After"] = str(result.retry_after)
            return response
        if result.outcome is not LoginOutcome.OK or result.user is None:
            context = {"next": safe_next(data.next), "username": data.username, "error": result.message}
            return render_page(request, "pages/accounts/login.html", context, status_code=401)
        open_session(get_session(request), result.user)
        return Redirect(safe_next(data.next), status_code=303)

    @post("/logout", name="auth.logout")
    async def logout(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                     meta: Meta) -> Response[str]:
        await record(db, "auth.logout", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=actor.agency_id, object_type="user", object_id=actor.user_id, meta=meta)
        get_session(request).clear()
        return Redirect("/login", status_code=303, headers={"Clear-Site-Data": '"cache", "storage"'})


class AccountController(Controller):
    """The actor's own account."""

    path = "/account"

    @get("/", name="account.page")
    async def page(self, request: Request[Any, Any, Any], actor: CurrentActor, settings: AppSettings
                   ) -> Response[str]:
        enrolments = demo_enrolments(settings, actor)
        return render_page(request, "pages/accounts/account.html", {"section": "account", "enrolments": enrolments})

    @get("/password", name="account.password_form")
    async def password_form(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[str]:
        return render_page(request, "pages/accounts/password.html",
                           {"section": "account", "errors": {}, "forced": actor.must_change_password})

    @post("/password", name="account.password")
    async def password(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                       meta: Meta, data: URLEncodedBody[PasswordForm]) -> Response[str]:
        try:
            epoch = await change_password(db, actor.user_id, data.current_password, data.new_password,
                                          data.confirm_password, meta)
        except InvalidInputError as exc:
            return render_page(request, "pages/accounts/password.html",
                               {"section": "account", "errors": exc.field_errors,
                                "forced": actor.must_change_password}, status_code=422)
        keep_session(get_session(request), epoch)
        flash(request, t("password.changed"))
        return Redirect("/account", status_code=303)

    @post("/agency", name="account.switch_agency")
    async def switch_agency(self, request: Request[Any, Any, Any], actor: CurrentActor,
                            data: URLEncodedBody[AgencySwitchForm]) -> Response[str]:
        if data.agency_id not in {agency_id for agency_id, _ in actor.agencies}:
            raise InvalidInputError(t("account.agency_not_yours"))
        get_session(request).set("agency_id", data.agency_id)
        flash(request, t("account.agency_switched"))
        return Redirect("/", status_code=303)
