"""Administration pages: home, agencies and their units.

Users (:mod:`backend.domain.accounts.admin_controllers`), CSV import
(:mod:`backend.domain.admin_import.controllers`) and the paper-copy list
(:mod:`backend.domain.outgoing.paper_copy_admin`) have their pages in their own contexts.

Handlers are thin: parse the form and hand one service call to :func:`backend.lib.forms.submit`,
which answers 303 with a flash message, or re-renders the full page with field errors (422)
keeping what was typed. Every handler depends on ``admin`` (403 for non-administrators); ids
outside the administrator's subtree are 404 in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, AgencyLevel, Unit
from backend.domain.accounts.actor import Actor
from backend.domain.admin.activation import Activation, activation_routes
from backend.domain.admin.form_pages import AdminForm, blank_form, form_routes
from backend.domain.admin.web import ADMIN_DEPENDENCIES, AdminActor
from backend.domain.organizations import services
from backend.domain.organizations.schemas import AgencyForm, UnitForm
from backend.domain.organizations.signer_block import competence
from backend.lib.deps import DB
from backend.lib.forms import form_values, redirect_with_flash
from backend.lib.i18n import t
from backend.lib.templates import render_page

__all__ = ["ORGANIZATION_CONTROLLERS", "AdminHomeController", "AgencyController", "UnitController"]

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
    admin: Actor,
    agency: Agency | None,
    values: dict[str, Any],
    errors: dict[str, str],
    submitted: AgencyForm | None = None,
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


_AGENCY_ACTIVATION = Activation[Agency](
    "agency", "agency_id", services.set_agency_active, "admin.agency_detail", lambda agency: {"name": agency.name}
)


async def _agency_to_edit(
    request: Request[Any, Any, Any], db: AsyncSession, admin: Actor
) -> tuple[Agency, dict[str, Any]]:
    agency = await services.get_agency(db, admin, int(request.path_params["agency_id"]))
    return agency, _agency_values(agency)


def _agency_saved(message: str) -> Callable[[Request[Any, Any, Any], Agency | None, Agency], Response[Any]]:
    return lambda request, _, agency: redirect_with_flash(
        request, t(message, name=agency.name), "admin.agency_detail", agency_id=agency.id
    )


_NEW_AGENCY = AdminForm[AgencyForm, Agency](
    "/new",
    ("admin.agency_new", "admin.agency_create"),
    AgencyForm,
    blank_form(AgencyForm, "parent_id"),
    _agency_form_page,
    lambda db, admin, _, form, meta: services.create_agency(db, admin, form, meta),
    _agency_saved("admin.flash.agency_created"),
)
_EDIT_AGENCY = AdminForm[AgencyForm, Agency](
    "/{agency_id:int}/edit",
    ("admin.agency_edit", "admin.agency_update"),
    AgencyForm,
    _agency_to_edit,
    _agency_form_page,
    lambda db, admin, agency, form, meta: services.update_agency(db, admin, agency.id, form, meta),
    _agency_saved("admin.flash.agency_updated"),
)


async def _unit_form_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    admin: Actor,
    subject: tuple[Agency, Unit | None],
    values: dict[str, Any],
    errors: dict[str, str],
    submitted: UnitForm | None = None,
) -> Response[str]:
    agency, unit = subject
    context = {"section": "account", "agency": agency, "unit": unit, "form": values, "errors": errors}
    return render_page(request, _UNIT_FORM, context)


_UNIT_ACTIVATION = Activation[Unit](
    "unit",
    "unit_id",
    services.set_unit_active,
    "admin.units",
    lambda unit: {"name": unit.name},
    route_params=lambda unit: {"agency_id": unit.agency_id},
)


_UnitSubject = tuple[Agency, Unit | None]


async def _new_unit(
    request: Request[Any, Any, Any], db: AsyncSession, admin: Actor
) -> tuple[_UnitSubject, dict[str, Any]]:
    agency = await services.get_agency(db, admin, int(request.path_params["agency_id"]))
    return (agency, None), form_values(UnitForm())


async def _unit_to_edit(
    request: Request[Any, Any, Any], db: AsyncSession, admin: Actor
) -> tuple[_UnitSubject, dict[str, Any]]:
    unit = await services.get_unit(db, admin, int(request.path_params["unit_id"]))
    agency = await services.get_agency(db, admin, unit.agency_id)
    return (agency, unit), {"abbreviation": unit.abbreviation, "name": unit.name, "version": unit.version}


def _unit_saved(message: str) -> Callable[[Request[Any, Any, Any], _UnitSubject, Unit], Response[Any]]:
    return lambda request, _, unit: redirect_with_flash(
        request, t(message, name=unit.name), "admin.units", agency_id=unit.agency_id
    )


_NEW_UNIT = AdminForm[UnitForm, Unit](
    "/{agency_id:int}/units/new",
    ("admin.unit_new", "admin.unit_create"),
    UnitForm,
    _new_unit,
    _unit_form_page,
    lambda db, admin, subject, form, meta: services.create_unit(db, admin, subject[0].id, form, meta),
    _unit_saved("admin.flash.unit_created"),
)
_EDIT_UNIT = AdminForm[UnitForm, Unit](
    "/{unit_id:int}/edit",
    ("admin.unit_edit", "admin.unit_update"),
    UnitForm,
    _unit_to_edit,
    _unit_form_page,
    lambda db, admin, subject, form, meta: services.update_unit(db, admin, subject[1].id, form, meta),
    _unit_saved("admin.flash.unit_updated"),
)


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

    new, create = form_routes(_NEW_AGENCY)

    @get("/{agency_id:int}", name="admin.agency_detail")
    async def detail(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, agency_id: FromPath[int]
    ) -> Response[str]:
        agency = await services.get_agency(db, admin, agency_id)
        parent = await db.get(Agency, agency.parent_id) if agency.parent_id else None
        units = await services.list_units(db, admin, agency_id)
        user_count = await services.count_users(db, admin, agency_id)
        context = {
            "section": "account",
            "agency": agency,
            "parent": parent,
            "unit_count": len(units),
            "user_count": user_count,
            "is_own": agency.id == admin.agency_id,
            "signer_titles": f"{competence('TM.', agency)} · {competence('KT.', agency)}",
        }
        return render_page(request, "pages/admin/agency.html", context)

    edit, update = form_routes(_EDIT_AGENCY)
    deactivate, reactivate = activation_routes(_AGENCY_ACTIVATION)

    @get("/{agency_id:int}/units", name="admin.units")
    async def units(
        self, request: Request[Any, Any, Any], db: DB, admin: AdminActor, agency_id: FromPath[int]
    ) -> Response[str]:
        agency = await services.get_agency(db, admin, agency_id)
        units = await services.list_units(db, admin, agency_id)
        return render_page(
            request, "pages/admin/units.html", {"section": "account", "agency": agency, "units": units}
        )

    new_unit, create_unit = form_routes(_NEW_UNIT)


class UnitController(Controller):
    """``/admin/units/{id}``: edit and (de)activate one unit."""

    path = "/admin/units"
    dependencies = ADMIN_DEPENDENCIES

    edit, update = form_routes(_EDIT_UNIT)
    deactivate, reactivate = activation_routes(_UNIT_ACTIVATION)


ORGANIZATION_CONTROLLERS = [AdminHomeController, AgencyController, UnitController]
