"""The incoming-document lifecycle as a declared transition table (domain.md §7.2).

``TABLE`` is the only definition of what may happen to an incoming document; the one engine that
applies it is :class:`backend.domain.documents.engine.Workflow` (with :data:`LIFECYCLE`). Each row
carries its policy (a function of :mod:`.policies`), its effect and recipients (:mod:`._effects`),
its Vietnamese button label and whether a reason (or result) must be given.
``docs/workflows/incoming.md`` embeds :func:`render_markdown` of this table; a test keeps the two
equal.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Assignment,
    AssignmentStatus,
    AxisArrival,
    ExchangeReceipt,
    IncomingDocument,
    IncomingEvent,
)
from backend.db.models.incoming import IncomingState
from backend.domain.accounts.actor import Actor
from backend.domain.documents.engine import Lifecycle, Step
from backend.domain.exchange.kinds import STATUS, StatusChanged
from backend.domain.incoming import _effects as fx
from backend.domain.incoming import policies as p
from backend.domain.incoming.notify import notify
from backend.lib import transitions
from backend.tasks.outbox import enqueue

__all__ = [
    "AT_CLERK", "EVENT_LABELS", "INITIAL", "LIFECYCLE", "OPEN", "STATE_LABELS", "TABLE", "TERMINAL", "TRANSITIONS",
    "Event", "State", "Transition", "events", "find", "render_markdown", "transitions_from",
]

State = IncomingState
"""The states (stored as strings with a CHECK constraint on ``incoming_document.state``)."""


class Event(StrEnum):
    """The events of the incoming lifecycle."""

    REGISTER = "register"
    RETURN_TO_SENDER = "return_to_sender"
    SUBMIT = "submit"
    FORWARD = "forward"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    RETURN_TO_LEADER = "return_to_leader"
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"


INITIAL = State.RECEIVED
TERMINAL = frozenset({State.COMPLETED, State.RETURNED, State.CANCELLED})
OPEN = frozenset({State.RECEIVED, State.REGISTERED, State.SUBMITTED, State.ASSIGNED, State.IN_PROGRESS})
"""States a sender's recall can still cancel (domain.md §7.2: any state before completion)."""
AT_CLERK = frozenset({State.RECEIVED, State.REGISTERED})
"""States in which the clerk still holds the document (the clerk's time limit runs)."""

STATE_LABELS: dict[State, str] = {
    State.RECEIVED: "Chờ vào sổ",
    State.REGISTERED: "Chờ trình",
    State.SUBMITTED: "Chờ phân công",
    State.ASSIGNED: "Đã phân công",
    State.IN_PROGRESS: "Đang xử lý",
    State.COMPLETED: "Hoàn thành",
    State.RETURNED: "Đã trả lại",
    State.CANCELLED: "Đã hủy (thu hồi)",
}

Transition = transitions.Transition
"""One row of the incoming table (``Transition[State]``)."""

_ROWS: tuple[Transition[State], ...] = (
    Transition(Event.REGISTER, frozenset({State.RECEIVED}), State.REGISTERED, p.can_register, "Vào sổ",
               effect=fx.register, notify=fx.leaders,
               description="Clerk checks and registers it; the arrival number is allocated under a row lock."),
    Transition(Event.RETURN_TO_SENDER, frozenset({State.RECEIVED, State.REGISTERED}), State.RETURNED,
               p.can_return_to_sender, "Trả lại nơi gửi", effect=fx.return_to_sender, notify=fx.clerks_and_leaders,
               needs_reason=True, confirm=True, destructive=True,
               description="Misaddressed, failed authenticity/integrity checks or non-conforming (trả lại)."),
    Transition(Event.SUBMIT, frozenset({State.REGISTERED}), State.SUBMITTED, p.can_submit, "Trình lãnh đạo",
               effect=fx.submit, notify=fx.leaders,
               description="Clerk submits it to the leader who directs handling (same or next working day)."),
    Transition(Event.FORWARD, frozenset({State.REGISTERED}), State.ASSIGNED, p.can_forward, "Chuyển thẳng đơn vị",
               effect=fx.assign, notify=fx.named_by_effect,
               description="A leader forwards a registered document straight to units when the handler is clear."),
    Transition(Event.ASSIGN, frozenset({State.SUBMITTED}), State.ASSIGNED, p.can_assign, "Phân công",
               effect=fx.assign, notify=fx.named_by_effect,
               description="Leader names lead, cooperating and informed units/persons with deadlines."),
    Transition(Event.REASSIGN, frozenset({State.ASSIGNED, State.IN_PROGRESS}), State.ASSIGNED, p.can_reassign,
               "Phân công lại", effect=fx.assign, notify=fx.named_by_effect, needs_reason=True,
               description="Leader replaces the current assignments (the old ones are cancelled)."),
    Transition(Event.RETURN_TO_LEADER, frozenset({State.ASSIGNED, State.IN_PROGRESS}), State.SUBMITTED,
               p.can_return_to_leader, "Trả lại lãnh đạo", effect=fx.return_to_leader, notify=fx.leaders,
               needs_reason=True, confirm=True, destructive=True,
               description="The lead handler says the document is not theirs to handle; the leader decides again."),
    Transition(Event.START, frozenset({State.ASSIGNED}), State.IN_PROGRESS, p.can_start, "Bắt đầu xử lý",
               effect=fx.start, notify=fx.named_by_effect,
               description="A lead or cooperating handler starts (also implied by their first progress note)."),
    Transition(Event.COMPLETE, frozenset({State.IN_PROGRESS}), State.COMPLETED, p.can_complete, "Hoàn thành",
               effect=fx.complete, notify=fx.named_by_effect, needs_reason=True, reason_label="Kết quả xử lý",
               description="The lead handler records the result; the reply document can be linked later."),
    Transition(Event.CANCEL, OPEN, State.CANCELLED, p.can_cancel, "Xác nhận đã hủy", effect=fx.cancel,
               notify=fx.named_by_effect, destructive=True,
               description="Only as the answer to a recall (its form and confirmation are the exchange panel's). "
                           "The clerk confirms the sender's recall (or the platform, a replacement): live "
                           "assignments are cancelled and nothing more can be done with it (§8.2)."),
)

TABLE: transitions.TransitionTable[State, Transition[State]] = transitions.TransitionTable(
    State, _ROWS, initial=INITIAL, terminal=TERMINAL, state_labels=STATE_LABELS, reason_label="Lý do")
"""The declared lifecycle; the module-level names below are its parts."""

TRANSITIONS, EVENT_LABELS, events = TABLE.transitions, TABLE.event_labels, TABLE.events
transitions_from, find, render_markdown = TABLE.transitions_from, TABLE.find, TABLE.render_markdown


async def _recall_pending(db: AsyncSession, doc: IncomingDocument) -> bool:
    """Whether the sender's recall (platform receipt or axis arrival) waits for the clerk's answer."""
    for model in (ExchangeReceipt, AxisArrival):
        found = await db.scalar(sa.select(model.incoming_id).where(
            model.incoming_id == doc.id, model.recall_requested_at.is_not(None),
            model.recall_confirmed_at.is_(None), model.recall_refused_at.is_(None)))
        if found is not None:
            return True
    return False


async def _context(db: AsyncSession, doc: IncomingDocument) -> p.DocContext:
    rows = (await db.scalars(
        sa.select(Assignment).where(Assignment.incoming_id == doc.id, Assignment.status != AssignmentStatus.CANCELLED)
        .order_by(Assignment.id).execution_options(populate_existing=True))).all()
    return p.DocContext(tuple(rows), recall_pending=await _recall_pending(db, doc))


def _history_row(doc: IncomingDocument, at: object, actor: Actor, kind: str, before: str | None,
                 after: str | None, text: str) -> IncomingEvent:
    return IncomingEvent(incoming_id=doc.id, at=at, actor_id=actor.user_id, actor_name=actor.full_name, kind=kind,
                         from_state=before, to_state=after, text=text)


async def _sender_status(step: Step, doc: IncomingDocument, transition: Transition[State]) -> None:
    """The cross-context follow-up of every incoming transition: a job that reports the new state to the
    sender if the document was delivered by the exchange (§8.4)."""
    await enqueue(step.db, STATUS, StatusChanged(incoming_id=doc.id, state=transition.target.value,
                                                 reason=step.reason[:1000]))


def _refresh(doc: IncomingDocument) -> None:
    """Urgent documents are pinned to the top of the lists only while something is still to be done."""
    doc.priority = 0 if doc.state in TERMINAL else doc.urgency.priority


LIFECYCLE: Lifecycle[IncomingDocument] = Lifecycle(
    name="incoming", table=TABLE, model=IncomingDocument, visible=p.visible_incoming, history_row=_history_row,
    context=_context, send=notify, after_entry=_sender_status, refresh=_refresh)
"""The incoming lifecycle as the workflow engine runs it."""
