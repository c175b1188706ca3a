"""The effect and the recipients of each incoming transition (registered in :mod:`.workflow`).

Effects are ``async (step, docs) -> None`` and run inside
:meth:`backend.domain.documents.engine.Workflow.apply` after every check passed; they write the
history text and audit detail into ``step.outcome`` and leave the users to notify (when they
depend on what the effect changed) in ``step.outcome.data``. Recipient functions are
``async (step, doc) -> list[int]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from backend.db.models import Assignment, AssignmentRole, AssignmentStatus, IncomingDocument, Role, Unit, User
from backend.domain.documents.engine import Step
from backend.domain.incoming._assign import validate_plan
from backend.domain.incoming._intake import search_text_for
from backend.domain.incoming.notify import assignee_user_ids, role_holders
from backend.domain.incoming.numbering import allocate_arrival_number
from backend.domain.incoming.policies import DocContext, my_assignments
from backend.domain.incoming.schemas import AssignPlan
from backend.domain.incoming.timing import calendar_for
from backend.errors import InvalidInputError
from backend.lib.i18n import t

__all__ = [
    "assign", "cancel", "clerks_and_leaders", "complete", "leaders", "named_by_effect", "register", "return_to_leader",
    "return_to_sender", "start", "submit",
]

_LIVE = (AssignmentStatus.PENDING, AssignmentStatus.IN_PROGRESS)


def _live(step: Step, doc: IncomingDocument) -> list[Assignment]:
    ctx: DocContext = step.ctx[doc.id]
    return [a for a in ctx.assignments if a.status in _LIVE]


# -- effects ----------------------------------------------------------------------------------

async def register(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """The arrival number under a row lock; who registered it and when."""
    for doc in docs:
        doc.arrival_year, doc.arrival_number = await allocate_arrival_number(step.db, doc.agency_id, step.now)
        doc.registered_at, doc.registered_by_id = step.now, step.actor.user_id
        doc.search_text = search_text_for(doc)
        step.outcome.text[doc.id] = t("incoming.history.registered", number=doc.arrival_number,
                                      year=doc.arrival_year)


async def return_to_sender(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """Records when and why the document went back to its sender."""
    for doc in docs:
        doc.returned_at, doc.return_reason = step.now, step.reason


async def submit(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """Records when the clerk submitted it to the leaders."""
    for doc in docs:
        doc.submitted_at = step.now
        step.outcome.text[doc.id] = ""


async def assign(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """Forward, assign or reassign: the plan's assignment lines replace the live ones.

    Raises:
        InvalidInputError: no plan, or a plan :func:`validate_plan` refuses.
    """
    plan: AssignPlan | None = step.inputs.get("plan")
    if plan is None:
        raise InvalidInputError(field_errors={"assignees": t("incoming.assign.none")})
    for doc in docs:
        checked = await validate_plan(step.db, doc.agency_id, plan, step.today, calendar_for(step.settings),
                                      step.settings.handling_default_working_days, doc.reply_by_on)
        for assignment in _live(step, doc):
            assignment.status = AssignmentStatus.CANCELLED
        created = await _create_assignments(step, doc, checked)
        text = await _describe_plan(step, checked)
        step.outcome.data[doc.id] = await assignee_user_ids(step.db, doc.agency_id, created)
        step.outcome.text[doc.id] = "\n".join(part for part in (step.reason, text) if part)


async def return_to_leader(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """The live assignments are cancelled; the leader decides again."""
    for doc in docs:
        for assignment in _live(step, doc):
            assignment.status = AssignmentStatus.CANCELLED


async def start(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """The actor's pending assignments become in progress."""
    for doc in docs:
        live = _live(step, doc)
        for assignment in live:
            if assignment.status is AssignmentStatus.PENDING and \
                    assignment in my_assignments(step.actor, DocContext((assignment,))):
                assignment.status = AssignmentStatus.IN_PROGRESS
        step.outcome.data[doc.id] = [a.assigned_by_id for a in live]
        step.outcome.text[doc.id] = ""


def _acted(step: Step, doc: IncomingDocument, live: list[Assignment]) -> set[int]:
    """Ids of the live lines that took part: started, proposed, the completer's own, or a hand-over that did."""
    ctx: DocContext = step.ctx[doc.id]
    acted = {a.id for a in live if a.status is AssignmentStatus.IN_PROGRESS or a.proposal}
    acted |= {a.id for a in my_assignments(step.actor, ctx)}
    acted |= {a.parent_id for a in live if a.id in acted and a.parent_id is not None}
    return acted


async def complete(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """The result (and the reply's reference, if given) is recorded; who took part is reported.

    Live lines that acted become ``done``; the others (a cooperating unit that never started, a line
    "để biết") become ``closed``, and the history says who did and who did not take part (issue 11 item 11).
    """
    reply_reference = str(step.inputs.get("reply_reference") or "")
    for doc in docs:
        live = _live(step, doc)
        doc.result, doc.completed_at = step.reason, step.now
        if reply_reference:
            doc.reply_reference = reply_reference[:100]
        acted = _acted(step, doc, live)
        for assignment in live:
            assignment.status = AssignmentStatus.DONE if assignment.id in acted else AssignmentStatus.CLOSED
            assignment.completed_at = step.now
        step.outcome.data[doc.id] = [a.assigned_by_id for a in live]
        step.outcome.text[doc.id] = "\n".join(part for part in (step.reason, await _participation(step, live))
                                              if part)
        step.outcome.audit[doc.id] = {"reason": "", "done": sorted(acted & {a.id for a in live}),
                                      "closed": sorted(a.id for a in live if a.id not in acted)}


async def _participation(step: Step, live: list[Assignment]) -> str:
    """``Đã xử lý: Phòng A, Nguyễn B. Không tham gia: Phòng C.`` over the top-level handling lines."""
    lines = [a for a in live if a.parent_id is None and a.role is not AssignmentRole.INFORM]
    units, people = await _names(step, [a.assignee_unit_id for a in lines], [a.assignee_user_id for a in lines])
    def name(a: Assignment) -> str:
        return units.get(a.assignee_unit_id or 0) or people.get(a.assignee_user_id or 0, "")
    done = [name(a) for a in lines if a.status is AssignmentStatus.DONE]
    idle = [name(a) for a in lines if a.status is AssignmentStatus.CLOSED]
    return " ".join(part for part in (
        t("incoming.history.took_part", names=", ".join(done)) if done else "",
        t("incoming.history.did_not_take_part", names=", ".join(idle)) if idle else "") if part)


async def _names(step: Step, unit_ids: Sequence[int | None], user_ids: Sequence[int | None]
                 ) -> tuple[dict[int, str], dict[int, str]]:
    """Unit names and people's full names by id."""
    units = dict((await step.db.execute(sa.select(Unit.id, Unit.name).where(
        Unit.id.in_([uid for uid in unit_ids if uid])))).tuples().all())
    people = dict((await step.db.execute(sa.select(User.id, User.full_name).where(
        User.id.in_([uid for uid in user_ids if uid])))).tuples().all())
    return units, people


async def _create_assignments(step: Step, doc: IncomingDocument, plan: AssignPlan) -> list[Assignment]:
    created = [Assignment(incoming_id=doc.id, role=line.role, assignee_unit_id=line.unit_id,
                          assignee_user_id=line.user_id, assigned_by_id=step.actor.user_id,
                          instruction=plan.instruction, due_on=line.due_on, assigned_at=step.now,
                          status=AssignmentStatus.PENDING) for line in plan.lines]
    step.db.add_all(created)
    doc.assigned_at = step.now
    doc.due_on = next(line.due_on for line in plan.lines if line.role is AssignmentRole.LEAD)
    if plan.classification is not None:
        doc.classification = plan.classification
        doc.reply_by_on = plan.reply_by_on or doc.reply_by_on
    await step.db.flush()
    return created


async def _describe_plan(step: Step, plan: AssignPlan) -> str:
    """One history line per role: ``Chủ trì: Phòng X (hạn 25/11/2026)``."""
    units, people = await _names(step, [line.unit_id for line in plan.lines],
                                 [line.user_id for line in plan.lines])
    parts = []
    for role in AssignmentRole:
        names = []
        for line in plan.lines:
            if line.role is not role:
                continue
            name = units.get(line.unit_id or 0) or people.get(line.user_id or 0, "")
            names.append(name + (f" ({t('incoming.history.due', date=line.due_on.strftime('%d/%m/%Y'))})"
                                 if line.due_on else ""))
        if names:
            parts.append(f"{t(f'incoming.role.{role.value}')}: {', '.join(names)}")
    if plan.instruction:
        parts.append(f"{t('incoming.history.instruction')}: {plan.instruction}")
    return "\n".join(parts)


async def cancel(step: Step, docs: Sequence[IncomingDocument]) -> None:
    """The sender recalled it: live assignments are cancelled and their holders (and who assigned them) told."""
    for doc in docs:
        live = _live(step, doc)
        for assignment in live:
            assignment.status = AssignmentStatus.CANCELLED
        step.outcome.data[doc.id] = sorted(set(await assignee_user_ids(step.db, doc.agency_id, live) + [
            a.assigned_by_id for a in live if a.assigned_by_id is not None]))
        step.outcome.audit[doc.id] = {"cancelled_assignments": sorted(a.id for a in live)}

# -- who is notified --------------------------------------------------------------------------

async def leaders(step: Step, doc: IncomingDocument) -> list[int]:
    """The agency's leaders and deputies."""
    return await role_holders(step.db, doc.agency_id, Role.LEADER, Role.DEPUTY)


async def clerks_and_leaders(step: Step, doc: IncomingDocument) -> list[int]:
    """The agency's clerks, leaders and deputies."""
    return await role_holders(step.db, doc.agency_id, Role.CLERK) + await leaders(step, doc)


async def named_by_effect(step: Step, doc: IncomingDocument) -> list[int]:
    """The users the effect named: the people behind new assignments, or who assigned the moved ones."""
    return list(step.outcome.data.get(doc.id, []))
