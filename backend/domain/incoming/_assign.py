"""Turning an assignment decision (form rows or API JSON) into a validated :class:`AssignPlan`.

Rules: at least one assignee; exactly one lead (chủ trì); no assignee twice; units and people
must belong to the document's agency; deadlines may not lie in the past and, for the lead and
cooperating assignees, default to ``HANDLING_DEFAULT_WORKING_DAYS`` working days from today.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import AssignmentRole, Classification, Unit, User
from backend.domain.incoming._intake import parse_date
from backend.domain.incoming.schemas import ApiAssignRequest, AssigneeLine, AssignForm, AssignPlan, as_list
from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.lib.text import clean
from backend.lib.workdays import WorkCalendar

__all__ = ["plan_from_api", "plan_from_form", "validate_plan"]


def _target(raw: str) -> tuple[int | None, int | None] | None:
    kind, _, ident = raw.strip().partition(":")
    if not ident.isdigit():
        return None
    if kind == "unit":
        return int(ident), None
    if kind == "user":
        return None, int(ident)
    return None


def _classification(raw: str) -> Classification | None:
    return Classification(raw) if raw in {c.value for c in Classification} else None


def plan_from_form(form: AssignForm) -> AssignPlan:
    """Rows with an empty target are ignored. Raises :class:`InvalidInputError` on malformed rows."""
    targets, roles, dues = as_list(form.target), as_list(form.role), as_list(form.due_on)
    lines: list[AssigneeLine] = []
    errors: dict[str, str] = {}
    for index, raw in enumerate(targets):
        if not raw.strip():
            continue
        parsed = _target(raw)
        role_raw = roles[index] if index < len(roles) else ""
        due_raw = dues[index] if index < len(dues) else ""
        due = parse_date(due_raw)
        if parsed is None or role_raw not in {r.value for r in AssignmentRole}:
            errors["assignees"] = t("incoming.assign.row_invalid", row=index + 1)
            continue
        if due_raw.strip() and due is None:
            errors["assignees"] = t("incoming.field.date_invalid")
            continue
        lines.append(AssigneeLine(AssignmentRole(role_raw), parsed[0], parsed[1], due))
    reply_by = parse_date(form.reply_by_on)
    if form.reply_by_on.strip() and reply_by is None:
        errors["reply_by_on"] = t("incoming.field.date_invalid")
    if errors:
        raise InvalidInputError(field_errors=errors)
    return AssignPlan(tuple(lines), clean(form.instruction), _classification(form.classification), reply_by)


def plan_from_api(data: ApiAssignRequest) -> AssignPlan:
    lines = tuple(AssigneeLine(a.role, a.unit_id, a.user_id, a.due_on) for a in data.assignees
                  if (a.unit_id is None) != (a.user_id is None))
    if len(lines) != len(data.assignees):
        message = t("incoming.assign.one_target")
        raise InvalidInputError(message, field_errors={"assignees": message})
    return AssignPlan(lines, clean(data.instruction), data.classification, data.reply_by_on)


async def validate_plan(db: AsyncSession, agency_id: int, plan: AssignPlan, today: date,
                        calendar: WorkCalendar, default_days: int) -> AssignPlan:
    """Check the plan against the agency and fill default deadlines.

    Raises:
        InvalidInputError: with ``field_errors`` for the form.
    """
    errors: dict[str, str] = {}
    if not plan.lines:
        errors["assignees"] = t("incoming.assign.none")
    leads = [line for line in plan.lines if line.role is AssignmentRole.LEAD]
    if plan.lines and len(leads) != 1:
        errors["assignees"] = t("incoming.assign.one_lead")
    keys = [(line.unit_id, line.user_id) for line in plan.lines]
    if len(set(keys)) != len(keys):
        errors["assignees"] = t("incoming.assign.twice")
    unit_ids = {line.unit_id for line in plan.lines if line.unit_id is not None}
    user_ids = {line.user_id for line in plan.lines if line.user_id is not None}
    known_units = set((await db.scalars(sa.select(Unit.id).where(
        Unit.id.in_(unit_ids), Unit.agency_id == agency_id, Unit.is_active.is_(True)))).all()) if unit_ids else set()
    known_users = set((await db.scalars(sa.select(User.id).where(
        User.id.in_(user_ids), User.agency_id == agency_id, User.is_active.is_(True)))).all()) if user_ids else set()
    if unit_ids - known_units or user_ids - known_users:
        errors["assignees"] = t("incoming.assign.unknown_target")
    if any(line.due_on is not None and line.due_on < today for line in plan.lines):
        errors["assignees"] = t("incoming.assign.due_past")
    if plan.classification is Classification.NEEDS_REPLY and plan.reply_by_on is None:
        errors["reply_by_on"] = t("incoming.classify.reply_by_required")
    if errors:
        raise InvalidInputError(field_errors=errors)
    default_due = calendar.add_working_days(today, default_days)
    lines = tuple(
        line if line.due_on is not None or line.role is AssignmentRole.INFORM
        else AssigneeLine(line.role, line.unit_id, line.user_id, default_due)
        for line in plan.lines
    )
    return AssignPlan(lines, plan.instruction, plan.classification, plan.reply_by_on)
