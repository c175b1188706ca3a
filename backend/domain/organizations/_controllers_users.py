"""``/admin/users``: list, create (initial password shown once), edit with roles, (de)activate,
password reset and unlock. Same thin-handler rules as :mod:`controllers` (forms through
:func:`backend.lib.forms.submit`)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import utcnow
from backend.db.models import Agency, Unit, User
from backend.domain.audit.deps import Meta
from backend.domain.organizations import services
from backend.domain.organizations._web import (
    ADMIN_DEPENDENCIES,
    AdminActor,
    int_or_none,
    pop_once,
    stash_once,
)
from backend.domain.organizations.schemas import UserForm, as_list
from backend.lib.deps import DB
from backend.lib.forms import form_values, redirect_with_flash, submit, submit_or_flash
from backend.lib.i18n import t
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
    admin: AdminActor,
    user: User | None,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    submitted: UserForm | None = None,
) -> Response[str]:
    raw_agency = str(values.get("agency_id") or "")
    options = await services.user_form_options(
        db, admin, agency_id=int(raw_agency) if raw_agency.isdigit() else None, user=user, form=submitted
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
        agencies = await services.agency_choices(db, admin)
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

    @get("/new", name="admin.user_new")
    async def new(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, agency_id: FromQuery[str] = ""
    ) -> Response[str]:
        values = {**form_values(UserForm()), "agency_id": int_or_none(agency_id) or admin.agency_id}
        return await _form_page(request, db, admin, None, values, {})

    @post("/new", name="admin.user_create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        data: URLEncodedBody[UserForm],
    ) -> Response[Any]:
        return await submit(
            services.create_user(db, admin, data, meta),
            invalid=lambda exc: _form_page(
                request, db, admin, None, form_values(data), exc.field_errors, submitted=data
            ),
            done=lambda created: _with_password(request, *created, "admin.flash.user_created"),
        )

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

    @get("/{user_id:int}/edit", name="admin.user_edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        user_id: FromPath[int],
        agency_id: FromQuery[str] = "",
    ) -> Response[str]:
        user = await services.get_user(db, admin, user_id)
        values = {**_user_values(user), **({"agency_id": agency_id} if int_or_none(agency_id) else {})}
        return await _form_page(request, db, admin, user, values, {})

    @post("/{user_id:int}/edit", name="admin.user_update")
    async def update(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        user_id: FromPath[int],
        data: URLEncodedBody[UserForm],
    ) -> Response[Any]:
        user = await services.get_user(db, admin, user_id)
        return await submit(
            services.update_user(db, admin, user_id, data, meta),
            invalid=lambda exc: _form_page(
                request,
                db,
                admin,
                user,
                {**form_values(data), "username": user.username},
                exc.field_errors,
                submitted=data,
            ),
            done=lambda _: redirect_with_flash(
                request, t("admin.flash.user_updated"), "admin.user_detail", user_id=user_id
            ),
        )

    @post("/{user_id:int}/deactivate", name="admin.user_deactivate")
    async def deactivate(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, user_id: FromPath[int]
    ) -> Redirect:
        return await submit_or_flash(
            request,
            services.set_user_active(db, admin, user_id, False, meta),
            lambda user: t("admin.flash.user_deactivated", username=user.username),
            "admin.user_detail",
            user_id=user_id,
        )

    @post("/{user_id:int}/reactivate", name="admin.user_reactivate")
    async def reactivate(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, user_id: FromPath[int]
    ) -> Redirect:
        user = await services.set_user_active(db, admin, user_id, True, meta)
        return redirect_with_flash(
            request,
            t("admin.flash.user_reactivated", username=user.username),
            "admin.user_detail",
            user_id=user_id,
        )

    @post("/{user_id:int}/reset-password", name="admin.user_reset_password")
    async def reset_password(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, user_id: FromPath[int]
    ) -> Redirect:
        user, password = await services.reset_password(db, admin, user_id, meta)
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
