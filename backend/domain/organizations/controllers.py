"""Administration pages: home, agencies and their units (users, CSV import, paper-copy list in siblings).

Handlers are thin: parse the form and hand one service call to :func:`backend.lib.forms.submit`,
which answers 303 with a flash message, or re-renders the full page with field errors (422)
keeping what was typed. Every handler depends on ``admin`` (403 for non-administrators); ids
outside the administrator's subtree are 404 in the services.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, AgencyLevel, Unit
from backend.domain.audit.deps import Meta
from backend.domain.organizations import services
from backend.domain.organizations._controllers_import import ImportController
from backend.domain.organizations._controllers_paper_copy import PaperCopyController
from backend.domain.organizations._controllers_users import UserController
from backend.domain.organizations._web import ADMIN_DEPENDENCIES, AdminActor, int_or_none
from backend.domain.organizations.schemas import AgencyForm, UnitForm
from backend.lib.deps import DB
from backend.lib.forms import form_values, redirect_with_flash, submit, submit_or_flash
from backend.lib.i18n import t
from backend.lib.templates import render_page

__all__ = ["ADMIN_CONTROLLERS", "AdminHomeController", "AgencyController", "UnitController"]

_AGENCY_FORM = "pages/admin/agency_form.html"
_UNIT_FORM = "pages/admin/unit_form.html"


class AdminHomeController(Controller):
    """``/admin``: counts and the way into each area."""

    path = "/admin"
    dependencies = ADMIN_DEPENDENCIES

    @get("/", name="admin.home")
    async def home(self, request: Request[Any, Any, Any], db: DB, admin: AdminActor) -> Response[str]:
        counts = await services.admin_counts(db, admin)
        return render_page(request, "pages/admin/home.html", {"section": "account", "counts": counts})


def _agency_values(agency: Agency) -> dict[str, Any]:
    """The edit form's values: the audited fields (missing ones as empty text) and the version."""
    fields = services.agency_snapshot(agency)
    return {
        **{key: "" if value is None else value for key, value in fields.items()},
        "version": agency.version,
    }


async def _agency_form_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    admin: AdminActor,
    agency: Agency | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response[str]:
    context = {
        "section": "account",
        "agency": agency,
        "form": values,
        "errors": errors,
        "levels": [(level.value, t(f"level.{level.value}")) for level in AgencyLevel],
        "parents": await services.parent_options(db, admin, agency),
    }
    return render_page(request, _AGENCY_FORM, context)


class AgencyController(Controller):
    """``/admin/agencies``: list, create, view, edit, (de)activate; units of an agency."""

    path = "/admin/agencies"
    dependencies = ADMIN_DEPENDENCIES

    @get("/", name="admin.agencies")
    async def list_agencies(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, q: FromQuery[str] = ""
    ) -> Response[str]:
        items = await services.list_agencies(db, admin, q)
        return render_page(
            request,
            "pages/admin/agencies.html",
            {"section": "account", "items": items, "q": q},
            blocks={"agency-list": "agency_list"},
        )

    @get("/new", name="admin.agency_new")
    async def new(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, parent_id: FromQuery[str] = ""
    ) -> Response[str]:
        values = {**form_values(AgencyForm()), "parent_id": int_or_none(parent_id) or admin.agency_id}
        return await _agency_form_page(request, db, admin, None, values, {})

    @post("/new", name="admin.agency_create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        data: URLEncodedBody[AgencyForm],
    ) -> Response[Any]:
        return await submit(
            services.create_agency(db, admin, data, meta),
            invalid=lambda exc: _agency_form_page(
                request, db, admin, None, form_values(data), exc.field_errors
            ),
            done=lambda agency: redirect_with_flash(
                request,
                t("admin.flash.agency_created", name=agency.name),
                "admin.agency_detail",
                agency_id=agency.id,
            ),
        )

    @get("/{agency_id:int}", name="admin.agency_detail")
    async def detail(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, agency_id: FromPath[int]
    ) -> Response[str]:
        agency = await services.get_agency(db, admin, agency_id)
        parent = await db.get(Agency, agency.parent_id) if agency.parent_id else None
        units = await services.list_units(db, admin, agency_id)
        users = await services.list_users(db, admin, agency_id=agency_id)
        context = {
            "section": "account",
            "agency": agency,
            "parent": parent,
            "unit_count": len(units),
            "user_count": users.total,
            "is_own": agency.id == admin.agency_id,
        }
        return render_page(request, "pages/admin/agency.html", context)

    @get("/{agency_id:int}/edit", name="admin.agency_edit")
    async def edit(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, agency_id: FromPath[int]
    ) -> Response[str]:
        agency = await services.get_agency(db, admin, agency_id)
        return await _agency_form_page(request, db, admin, agency, _agency_values(agency), {})

    @post("/{agency_id:int}/edit", name="admin.agency_update")
    async def update(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        agency_id: FromPath[int],
        data: URLEncodedBody[AgencyForm],
    ) -> Response[Any]:
        agency = await services.get_agency(db, admin, agency_id)
        return await submit(
            services.update_agency(db, admin, agency_id, data, meta),
            invalid=lambda exc: _agency_form_page(
                request, db, admin, agency, form_values(data), exc.field_errors
            ),
            done=lambda _: redirect_with_flash(
                request, t("admin.flash.agency_updated"), "admin.agency_detail", agency_id=agency_id
            ),
        )

    @post("/{agency_id:int}/deactivate", name="admin.agency_deactivate")
    async def deactivate(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, agency_id: FromPath[int]
    ) -> Redirect:
        return await self._set_active(request, db, admin, meta, agency_id, False)

    @post("/{agency_id:int}/reactivate", name="admin.agency_reactivate")
    async def reactivate(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, agency_id: FromPath[int]
    ) -> Redirect:
        return await self._set_active(request, db, admin, meta, agency_id, True)

    @staticmethod
    async def _set_active(
        request: Request[Any, Any, Any],
        db: AsyncSession,
        admin: AdminActor,
        meta: Meta,
        agency_id: int,
        active: bool,
    ) -> Redirect:
        key = "admin.flash.agency_reactivated" if active else "admin.flash.agency_deactivated"
        return await submit_or_flash(
            request,
            services.set_agency_active(db, admin, agency_id, active, meta),
            lambda agency: t(key, name=agency.name),
            "admin.agency_detail",
            agency_id=agency_id,
        )

    @get("/{agency_id:int}/units", name="admin.units")
    async def units(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, agency_id: FromPath[int]
    ) -> Response[str]:
        agency = await services.get_agency(db, admin, agency_id)
        units = await services.list_units(db, admin, agency_id)
        return render_page(
            request, "pages/admin/units.html", {"section": "account", "agency": agency, "units": units}
        )

    @get("/{agency_id:int}/units/new", name="admin.unit_new")
    async def new_unit(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, agency_id: FromPath[int]
    ) -> Response[str]:
        agency = await services.get_agency(db, admin, agency_id)
        return _unit_form_page(request, agency, None, form_values(UnitForm()), {})

    @post("/{agency_id:int}/units/new", name="admin.unit_create")
    async def create_unit(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        agency_id: FromPath[int],
        data: URLEncodedBody[UnitForm],
    ) -> Response[Any]:
        agency = await services.get_agency(db, admin, agency_id)
        return await submit(
            services.create_unit(db, admin, agency_id, data, meta),
            invalid=lambda exc: _unit_form_page(request, agency, None, form_values(data), exc.field_errors),
            done=lambda unit: redirect_with_flash(
                request, t("admin.flash.unit_created", name=unit.name), "admin.units", agency_id=agency_id
            ),
        )


def _unit_form_page(
    request: Request[Any, Any, Any],
    agency: Agency,
    unit: Unit | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response[str]:
    context = {"section": "account", "agency": agency, "unit": unit, "form": values, "errors": errors}
    return render_page(request, _UNIT_FORM, context)


class UnitController(Controller):
    """``/admin/units/{id}``: edit and (de)activate one unit."""

    path = "/admin/units"
    dependencies = ADMIN_DEPENDENCIES

    @get("/{unit_id:int}/edit", name="admin.unit_edit")
    async def edit(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, unit_id: FromPath[int]
    ) -> Response[str]:
        unit = await services.get_unit(db, admin, unit_id)
        agency = await services.get_agency(db, admin, unit.agency_id)
        values = {"abbreviation": unit.abbreviation, "name": unit.name, "version": unit.version}
        return _unit_form_page(request, agency, unit, values, {})

    @post("/{unit_id:int}/edit", name="admin.unit_update")
    async def update(
        self,
        request: Request[Any, Any, Any],
        db: DB,
        admin: AdminActor,
        meta: Meta,
        unit_id: FromPath[int],
        data: URLEncodedBody[UnitForm],
    ) -> Response[Any]:
        unit = await services.get_unit(db, admin, unit_id)
        agency = await services.get_agency(db, admin, unit.agency_id)
        return await submit(
            services.update_unit(db, admin, unit_id, data, meta),
            invalid=lambda exc: _unit_form_page(request, agency, unit, form_values(data), exc.field_errors),
            done=lambda _: redirect_with_flash(
                request, t("admin.flash.unit_updated"), "admin.units", agency_id=unit.agency_id
            ),
        )

    @post("/{unit_id:int}/deactivate", name="admin.unit_deactivate")
    async def deactivate(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, unit_id: FromPath[int]
    ) -> Redirect:
        return await self._set_active(request, db, admin, meta, unit_id, False)

    @post("/{unit_id:int}/reactivate", name="admin.unit_reactivate")
    async def reactivate(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, meta: Meta, unit_id: FromPath[int]
    ) -> Redirect:
        return await self._set_active(request, db, admin, meta, unit_id, True)

    @staticmethod
    async def _set_active(
        request: Request[Any, Any, Any],
        db: AsyncSession,
        admin: AdminActor,
        meta: Meta,
        unit_id: int,
        active: bool,
    ) -> Redirect:
        unit = await services.set_unit_active(db, admin, unit_id, active, meta)
        key = "admin.flash.unit_reactivated" if active else "admin.flash.unit_deactivated"
        return redirect_with_flash(request, t(key, name=unit.name), "admin.units", agency_id=unit.agency_id)


ADMIN_CONTROLLERS = [
    AdminHomeController,
    AgencyController,
    UnitController,
    UserController,
    ImportController,
    PaperCopyController,
]
