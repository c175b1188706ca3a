"""Turning an assignment decision (form rows or API JSON) into a validated :class:`AssignPlan`.

Rules: at least one assignee; exactly one lead (chủ trì); no assignee twice; units and people
must belong to the document's agency; deadlines may not lie in the past and, for the lead and
cooperating assignees, default to ``HANDLING_DEFAULT_WORKING_DAYS`` working days from today --
never after the document's reply-by date, and a cooperating assignee's never after the lead's
(issue 11 item 9). A cooperating deadline typed after the lead's, or a lead deadline after the
reply-by date, is refused with the date to respect.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import AssignmentRole, Classification, Unit, User
from backend.domain.incoming._intake import parse_date
from backend.domain.incoming.schemas import ApiAssignRequest, AssigneeLine, AssignForm, AssignPlan, as_list
from backend.errors import InvalidInputError
from backend.lib.bounds import parse_id
from backend.lib.i18n import t
from backend.lib.text import clean
from backend.lib.workdays import WorkCalendar

__all__ = ["default_deadline", "plan_from_api", "plan_from_form", "validate_plan"]


def _target(raw: str) -> tuple[int | None, int | None] | None:
    kind, _, ident = raw.strip().partition(":")
    number = parse_id(ident)
    if number is None:
        return None
    if kind == "unit":
        return number, None
    if kind == "user":
        return None, number
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


def default_deadline(today: date, calendar: WorkCalendar, default_days: int, *caps: date | None) -> date:
    """``default_days`` working days from today, but never after any cap that is not already past."""
    due = calendar.add_working_days(today, default_days)
    return min([due, *(cap for cap in caps if cap is not None and cap >= today)])


def _late_deadline(plan: AssignPlan, reply_by: date | None, lead_due: date | None) -> str | None:
    """The message for a typed deadline after the date it must respect, or ``None``."""
    for line in plan.lines:
        if line.due_on is None:
            continue
        if line.role is AssignmentRole.LEAD and reply_by is not None and line.due_on > reply_by:
            return t("incoming.assign.due_after_reply_by", date=reply_by.strftime("%d/%m/%Y"))
        if line.role is AssignmentRole.COORDINATE and lead_due is not None and line.due_on > lead_due:
            return t("incoming.assign.due_after_lead", date=lead_due.strftime("%d/%m/%Y"))
    return None


async def validate_plan(db: AsyncSession, agency_id: int, plan: AssignPlan, today: date,
                        calendar: WorkCalendar, default_days: int, reply_by: date | None = None) -> AssignPlan:
    """Check the plan against the agency and fill default deadlines.

    ``reply_by`` is the document's reply-by date (the plan's own, when it classifies, wins).

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
    reply_by = plan.reply_by_on or reply_by
    lead_due = next((line.due_on for line in leads), None) or default_deadline(today, calendar, default_days, reply_by)
    late = None if errors else _late_deadline(plan, reply_by, lead_due)
    if late:
        errors["assignees"] = late
    if errors:
        raise InvalidInputError(field_errors=errors)
    others_due = default_deadline(today, calendar, default_days, reply_by, lead_due)
    lines = tuple(
        line if line.due_on is not None or line.role is AssignmentRole.INFORM
        else AssigneeLine(line.role, line.unit_id, line.user_id,
                          lead_due if line.role is AssignmentRole.LEAD else others_due)
        for line in plan.lines
    )
    return AssignPlan(lines, plan.instruction, plan.classification, plan.reply_by_on)
