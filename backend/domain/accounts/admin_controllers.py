"""``/admin/users``: list, create (initial password shown once), edit with roles, (de)activate,
password reset and unlock. Same thin-handler rules as the other admin pages (forms through
:func:`backend.lib.forms.submit`; ``admin`` dependency from :mod:`backend.domain.admin.web`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import utcnow
from backend.db.models import Agency, Unit, User
from backend.domain.accounts import admin_users as services
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.schemas import UserForm
from backend.domain.accounts.session_epoch import keep_session
from backend.domain.admin.activation import Activation, activation_routes
from backend.domain.admin.form_pages import AdminForm, blank_form, form_routes
from backend.domain.admin.validation import as_list
from backend.domain.admin.web import ADMIN_DEPENDENCIES, AdminActor, int_or_none, pop_once, stash_once
from backend.domain.audit.deps import Meta
from backend.domain.organizations.services import agency_choices
from backend.lib.bounds import parse_id
from backend.lib.deps import DB
from backend.lib.forms import redirect_with_flash
from backend.lib.i18n import t
from backend.lib.sessions import get_session
from backend.lib.templates import render_page

__all__ = ["UserController"]

_SECRET_KEY = "admin_new_password"
_FORM = "pages/admin/user_form.html"


def _user_values(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "agency_id": user.agency_id,
        "unit_id": user.unit_id or "",
        "position_title": user.position_title,
        "email": user.email or "",
        "phone": user.phone or "",
        "extra_agency_id": "",
        "extra_roles": [],
        "version": user.version,
    }


async def _form_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    admin: Actor,
    user: User | None,
    values: dict[str, Any],
    errors: dict[str, str],
    submitted: UserForm | None = None,
) -> Response[str]:
    if user is not None:
        values = {**values, "username": user.username}  # never edited, even when a re-post omits it
    raw_agency = str(values.get("agency_id") or "")
    options = await services.user_form_options(
        db, admin, agency_id=parse_id(raw_agency), user=user, form=submitted
    )
    values = {
        **values,
        "agency_id": options.home_agency_id or "",
        "extra_roles": as_list(values.get("extra_roles") or []),
    }
    context = {"section": "account", "user": user, "form": values, "errors": errors, "options": options}
    return render_page(request, _FORM, context, blocks={"unit-field": "unit_field"})


def _with_password(request: Request[Any, Any, Any], user: User, password: str, message_key: str) -> Redirect:
    """303 to the user's page, which shows the generated ``password`` once."""
    stash_once(request, _SECRET_KEY, {"user_id": user.id, "password": password})
    return redirect_with_flash(
        request, t(message_key, username=user.username), "admin.user_detail", user_id=user.id
    )


_USER_ACTIVATION = Activation[User](
    "user", "user_id", services.set_user_active, "admin.user_detail", lambda user: {"username": user.username}
)


async def _user_to_edit(
    request: Request[Any, Any, Any], db: AsyncSession, admin: Actor
) -> tuple[User, dict[str, Any]]:
    user = await services.get_user(db, admin, int(request.path_params["user_id"]))
    agency_id = request.query_params.get("agency_id", "")
    return user, {**_user_values(user), **({"agency_id": agency_id} if int_or_none(agency_id) else {})}


_NEW_USER = AdminForm[UserForm, tuple[User, str]](
    "/new",
    ("admin.user_new", "admin.user_create"),
    UserForm,
    blank_form(UserForm, "agency_id"),
    _form_page,
    lambda db, admin, _, form, meta: services.create_user(db, admin, form, meta),
    lambda request, _, created: _with_password(request, *created, "admin.flash.user_created"),
)
_EDIT_USER = AdminForm[UserForm, User](
    "/{user_id:int}/edit",
    ("admin.user_edit", "admin.user_update"),
    UserForm,
    _user_to_edit,
    _form_page,
    lambda db, admin, user, form, meta: services.update_user(db, admin, user.id, form, meta),
    lambda request, user, _: redirect_with_flash(
        request, t("admin.flash.user_updated"), "admin.user_detail", user_id=user.id
    ),
)


class UserController(Controller):
    """User administration inside the administrator's subtree."""

    path = "/admin/users"
    dependencies = ADMIN_DEPENDENCIES

    @get("/", name="admin.users")
    async def list_users(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        q: FromQuery[str] = "",
        agency_id: FromQuery[str] = "",
        status: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Response[str]:
        agency = int_or_none(agency_id)
        result = await services.list_users(
            db, admin, agency_id=agency, query=q, status=status, page=int_or_none(page) or 1
        )
        agencies = await agency_choices(db, admin)
        context = {
            "section": "account",
            "page": result,
            "q": q,
            "agency_id": agency,
            "status": status,
            "agencies": agencies,
            "statuses": services.USER_STATUSES,
        }
        return render_page(request, "pages/admin/users.html", context, blocks={"user-list": "user_list"})

    new, create = form_routes(_NEW_USER)

    @get("/{user_id:int}", name="admin.user_detail")
    async def detail(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, user_id: FromPath[int]
    ) -> Response[str]:
        user = await services.get_user(db, admin, user_id)
        secret = pop_once(request, _SECRET_KEY)
        password = (
            secret["password"] if isinstance(secret, dict) and secret.get("user_id") == user.id else None
        )
        agency = await db.get(Agency, user.agency_id)
        unit = await db.get(Unit, user.unit_id) if user.unit_id else None
        roles = await services.role_labels(db, user.id)
        context = {
            "section": "account",
            "user": user,
            "agency": agency,
            "unit": unit,
            "roles": roles,
            "password": password,
            "is_self": user.id == admin.user_id,
            "is_locked": user.locked_until is not None and user.locked_until > utcnow(),
        }
        return render_page(request, "pages/admin/user.html", context)

    edit, update = form_routes(_EDIT_USER)
    deactivate, reactivate = activation_routes(_USER_ACTIVATION)

    @post("/{user_id:int}/reset-password", name="admin.user_reset_password")
    async def reset_password(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, user_id: FromPath[int]
    ) -> Redirect:
        user, password = await services.reset_password(db, admin, user_id, meta)
        if user.id == admin.user_id:
            keep_session(get_session(request), user.session_epoch)
        return _with_password(request, user, password, "admin.flash.password_reset")

    @post("/{user_id:int}/unlock", name="admin.user_unlock")
    async def unlock(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, user_id: FromPath[int]
    ) -> Redirect:
        user = await services.unlock_user(db, admin, user_id, meta)
        return redirect_with_flash(
            request,
            t("admin.flash.user_unlocked", username=user.username),
            "admin.user_detail",
            user_id=user_id,
        )
