"""The incoming-document lifecycle as a declared transition table (domain.md §7.2).

``TRANSITIONS`` is the only definition of what may happen to an incoming document; the single
entry point that applies it is :meth:`backend.domain.incoming.services.IncomingService.apply`.
Each transition names its policy (a function in :mod:`backend.domain.incoming.policies`), its
Vietnamese button label and whether a reason (or result) must be given. ``docs/workflows/incoming.md``
embeds :func:`render_markdown` of this table; a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.db.models.incoming import IncomingState
from backend.lib import transitions

__all__ = [
    "EVENT_LABELS", "INITIAL", "STATE_LABELS", "State", "TABLE", "TERMINAL", "TRANSITIONS", "Transition", "events",
    "find", "render_markdown", "transitions_from",
]

State = IncomingState
"""The states (stored as strings with a CHECK constraint on ``incoming_document.state``)."""

INITIAL = State.RECEIVED
TERMINAL = frozenset({State.COMPLETED, State.RETURNED})

STATE_LABELS: dict[State, str] = {
    State.RECEIVED: "Chờ vào sổ",
    State.REGISTERED: "Chờ trình",
    State.SUBMITTED: "Chờ phân công",
    State.ASSIGNED: "Đã phân công",
    State.IN_PROGRESS: "Đang xử lý",
    State.COMPLETED: "Hoàn thành",
    State.RETURNED: "Đã trả lại",
}


@dataclass(frozen=True, slots=True)
class Transition(transitions.Transition[State]):
    """One row of the incoming table: the fields of :class:`backend.lib.transitions.Transition`, nothing more."""


_ROWS: tuple[Transition, ...] = (
    Transition("register", frozenset({State.RECEIVED}), State.REGISTERED, "can_register", "Vào sổ",
               description="Clerk checks and registers it; the arrival number is allocated under a row lock."),
    Transition("return_to_sender", frozenset({State.RECEIVED, State.REGISTERED}), State.RETURNED,
               "can_return_to_sender", "Trả lại nơi gửi", needs_reason=True,
               description="Misaddressed, failed authenticity/integrity checks or non-conforming (trả lại)."),
    Transition("submit", frozenset({State.REGISTERED}), State.SUBMITTED, "can_submit", "Trình lãnh đạo",
               description="Clerk submits it to the leader who directs handling (same or next working day)."),
    Transition("forward", frozenset({State.REGISTERED}), State.ASSIGNED, "can_forward", "Chuyển thẳng đơn vị",
               description="A leader forwards a registered document straight to units when the handler is clear."),
    Transition("assign", frozenset({State.SUBMITTED}), State.ASSIGNED, "can_assign", "Phân công",
               description="Leader names lead, cooperating and informed units/persons with deadlines."),
    Transition("reassign", frozenset({State.ASSIGNED, State.IN_PROGRESS}), State.ASSIGNED, "can_reassign",
               "Phân công lại", needs_reason=True,
               description="Leader replaces the current assignments (the old ones are cancelled)."),
    Transition("return_to_leader", frozenset({State.ASSIGNED, State.IN_PROGRESS}), State.SUBMITTED,
               "can_return_to_leader", "Trả lại lãnh đạo", needs_reason=True,
               description="The lead handler says the document is not theirs to handle; the leader decides again."),
    Transition("start", frozenset({State.ASSIGNED}), State.IN_PROGRESS, "can_start", "Bắt đầu xử lý",
               description="A lead or cooperating handler starts (also implied by their first progress note)."),
    Transition("complete", frozenset({State.IN_PROGRESS}), State.COMPLETED, "can_complete", "Hoàn thành",
               needs_reason=True, reason_label="Kết quả xử lý",
               description="The lead handler records the result; the reply document can be linked later."),
)

TABLE: transitions.TransitionTable[State, Transition] = transitions.TransitionTable(
    State, _ROWS, initial=INITIAL, terminal=TERMINAL, state_labels=STATE_LABELS, reason_label="Lý do")
"""The declared lifecycle; the module-level names below are its parts."""

TRANSITIONS, EVENT_LABELS, events = TABLE.transitions, TABLE.event_labels, TABLE.events
transitions_from, find, render_markdown = TABLE.transitions_from, TABLE.find, TABLE.render_markdown
