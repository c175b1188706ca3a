"""Handling actions that do not change the document's state (plain functions over the engine).

A unit head passes the unit's assignment to a specialist; handlers write progress notes and
their proposal (ý kiến đề xuất); the leader or lead handler classifies the document as needing a
reply or for information; the reply document's number/symbol is linked. Each action checks its
policy, writes history and an audit row, and notifies where someone must act. A handler's first
note on an assigned document starts handling through the workflow entry point.
"""

from __future__ import annotations

from backend.db.models import Assignment, AssignmentStatus, Classification, IncomingDocument, User
from backend.domain.accounts.actor import Actor
from backend.domain.documents.engine import Workflow
from backend.domain.incoming._intake import parse_date
from backend.domain.incoming.policies import (
    Decision,
    can_classify,
    can_delegate,
    can_link_reply,
    can_note,
    can_start,
    delegable_assignments,
    my_assignments,
)
from backend.domain.incoming.schemas import ClassifyForm, DelegateForm, NoteForm
from backend.domain.incoming.workflow import Event, State
from backend.errors import InvalidInputError, PermissionDeniedError
from backend.lib.bounds import parse_id
from backend.lib.i18n import t
from backend.lib.text import clean

__all__ = ["add_note", "classify", "delegate", "link_reply"]

Flow = Workflow[IncomingDocument]

_MAX_TEXT = 4000


def _require(decision: Decision) -> None:
    if not decision:
        raise PermissionDeniedError(t(decision.reason))


async def delegate(flow: Flow, doc_id: int, actor: Actor, form: DelegateForm) -> Assignment:
    """Pass a unit assignment to a specialist of that unit (same role, own deadline).

    Raises:
        PermissionDeniedError: not the head of an assigned unit.
        InvalidInputError: unknown person, person outside the unit, or a deadline in the past.
    """
    doc = await flow.lock(actor, doc_id)
    ctx = await flow.context(doc)
    _require(can_delegate(actor, doc, ctx))
    parent = next((a for a in delegable_assignments(actor, doc, ctx) if str(a.id) == form.assignment_id.strip()),
                  None)
    if parent is None:
        parent = delegable_assignments(actor, doc, ctx)[0]
    errors: dict[str, str] = {}
    user = await flow.db.get(User, user_ref) if (user_ref := parse_id(form.user_id)) else None
    if user is None or not user.is_active or user.unit_id != parent.assignee_unit_id:
        errors["user_id"] = t("incoming.delegate.user_invalid")
    due_on = parse_date(form.due_on) or parent.due_on
    if form.due_on.strip() and parse_date(form.due_on) is None:
        errors["due_on"] = t("incoming.field.date_invalid")
    elif due_on is not None and due_on < flow.today:
        errors["due_on"] = t("incoming.assign.due_past")
    elif due_on is not None and parent.due_on is not None and due_on > parent.due_on:
        errors["due_on"] = t("incoming.delegate.due_after_unit", date=parent.due_on.strftime("%d/%m/%Y"))
    if errors or user is None:
        raise InvalidInputError(field_errors=errors)
    instruction = clean(form.instruction)[:_MAX_TEXT]
    child = Assignment(incoming_id=doc.id, parent_id=parent.id, role=parent.role, assignee_user_id=user.id,
                       assigned_by_id=actor.user_id, instruction=instruction, due_on=due_on,
                       assigned_at=flow.now, status=AssignmentStatus.PENDING)
    parent.handed_on = True
    flow.db.add(child)
    await flow.db.flush()
    due_text = f" ({t('incoming.history.due', date=due_on.strftime('%d/%m/%Y'))})" if due_on else ""
    text = t("incoming.history.delegated", name=user.full_name) + due_text
    await flow.history(doc, actor, "delegate", text="\n".join(p for p in (text, instruction) if p))
    await flow.audit(doc, actor, "delegated", assignment_id=child.id, parent_id=parent.id, user_id=user.id)
    await flow.notify(doc, "delegated", [user.id], actor)
    return child


async def add_note(flow: Flow, doc_id: int, actor: Actor, form: NoteForm) -> None:
    """Record a progress note or the handler's proposal; starts handling if not yet started."""
    text = clean(form.text)
    if not text:
        raise InvalidInputError(field_errors={"text": t("incoming.note.required")})
    doc = await flow.lock(actor, doc_id)
    ctx = await flow.context(doc)
    _require(can_note(actor, doc, ctx))
    if doc.state == State.ASSIGNED and can_start(actor, doc, ctx):
        await flow.apply(doc.id, Event.START, actor)
        ctx = await flow.context(doc)
    kind = "proposal" if form.kind == "proposal" else "note"
    if kind == "proposal":
        mine = my_assignments(actor, ctx)
        if not mine:
            raise PermissionDeniedError(t("incoming.denied.not_handler"))
        for assignment in mine:
            assignment.proposal, assignment.proposal_at = text[:_MAX_TEXT], flow.now
    await flow.history(doc, actor, kind, text=text[:_MAX_TEXT])
    await flow.audit(doc, actor, kind)


async def classify(flow: Flow, doc_id: int, actor: Actor, form: ClassifyForm) -> None:
    """Needs a reply (with the reply-by date) or for information."""
    doc = await flow.lock(actor, doc_id)
    _require(can_classify(actor, doc, await flow.context(doc)))
    if form.classification not in (Classification.NEEDS_REPLY.value, Classification.FOR_INFORMATION.value):
        raise InvalidInputError(field_errors={"classification": t("incoming.field.choice_invalid")})
    classification = Classification(form.classification)
    reply_by = parse_date(form.reply_by_on)
    if classification is Classification.NEEDS_REPLY and reply_by is None:
        raise InvalidInputError(field_errors={"reply_by_on": t("incoming.classify.reply_by_required")})
    doc.classification = classification
    if classification is Classification.NEEDS_REPLY:
        doc.reply_by_on = reply_by
    label = t(f"incoming.classification.{classification.value}")
    suffix = f" ({t('incoming.history.reply_by', date=reply_by.strftime('%d/%m/%Y'))})" \
        if reply_by and classification is Classification.NEEDS_REPLY else ""
    await flow.history(doc, actor, "classify", text=label + suffix)
    await flow.audit(doc, actor, "classified", classification=classification.value,
                      reply_by_on=reply_by.isoformat() if reply_by else None)


async def link_reply(flow: Flow, doc_id: int, actor: Actor, reference: str) -> None:
    """Record the number/symbol of the reply document."""
    reference = clean(reference)
    if not reference or len(reference) > 100:
        raise InvalidInputError(field_errors={"reply_reference": t("incoming.reply.invalid")})
    doc = await flow.lock(actor, doc_id)
    _require(can_link_reply(actor, doc, await flow.context(doc)))
    doc.reply_reference = reference
    await flow.history(doc, actor, "reply_linked", text=reference)
    await flow.audit(doc, actor, "reply_linked", reference=reference)
