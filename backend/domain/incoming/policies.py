"""Who may see and do what with an incoming document.

``visible_incoming(actor)`` is the one scoping query used by lists, counts, search, registers,
exports and object look-ups: a document is visible only inside the actor's active agency and
only to its clerks, leaders and deputies, or to someone holding a live assignment on it (the
assignee person, or the head of the assigned unit). Anything else is indistinguishable from a
missing document (404).

Policies are plain functions ``can_x(actor, doc, ctx) -> Decision`` (the one signature of
:data:`backend.lib.transitions.Policy`); ``ctx`` carries the document's live assignments so that no
policy touches the database. The workflow table (:mod:`.workflow`) holds the transition policies
themselves, not their names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from backend.db.models import Assignment, AssignmentRole, AssignmentStatus, IncomingDocument, Role
from backend.db.models import IncomingState as State
from backend.domain.accounts.actor import Actor
from backend.lib.transitions import ALLOWED, Decision, deny

__all__ = [
    "ALLOWED", "Decision", "DocContext", "can_assign", "can_cancel", "can_classify", "can_complete", "can_delegate",
    "can_forward", "can_intake", "can_link_reply", "can_note", "can_reassign", "can_register",
    "can_return_to_leader", "can_return_to_sender", "can_start", "can_submit", "can_view_book",
    "delegable_assignments", "is_clerk", "is_leader", "my_assignments", "sees_every_incoming", "visible_incoming",
]

_LIVE = (AssignmentStatus.PENDING, AssignmentStatus.IN_PROGRESS)
_HANDLING_ROLES = (AssignmentRole.LEAD, AssignmentRole.COORDINATE)


def _deny(reason: str) -> Decision:
    return deny(f"incoming.denied.{reason}")


@dataclass(frozen=True, slots=True)
class DocContext:
    """What policies need besides the actor and the document: its assignments that are not cancelled,
    and whether its sender's recall waits for the clerk's answer."""

    assignments: Sequence[Assignment] = field(default_factory=tuple)
    recall_pending: bool = False


def sees_every_incoming(actor: Actor) -> bool:
    """Whether the actor sees every incoming document of the active agency (clerks, leaders, deputies)."""
    return actor.has(Role.CLERK, Role.LEADER, Role.DEPUTY)


def visible_incoming(actor: Actor) -> sa.Select[tuple[IncomingDocument]]:
    """Incoming documents the actor may see (deny by default)."""
    query = sa.select(IncomingDocument).where(IncomingDocument.agency_id == actor.agency_id)
    if sees_every_incoming(actor):
        return query
    mine = [Assignment.assignee_user_id == actor.user_id]
    if actor.has(Role.UNIT_HEAD) and actor.unit_id is not None:
        mine.append(Assignment.assignee_unit_id == actor.unit_id)
        # A unit holds a large share of its agency's documents (its lines grow with the years): each
        # candidate document's few lines are probed (``OFFSET 0`` keeps the planner from hashing the
        # unit's whole history first), and a capped count or a page stops after a few hundred probes.
        lines = sa.select(Assignment.id).where(Assignment.incoming_id == IncomingDocument.id,
                                               Assignment.status != AssignmentStatus.CANCELLED, sa.or_(*mine))
        return query.where(lines.offset(0).exists())
    # Driven from the actor's own assignment lines (indexed by assignee), not by testing every
    # document of the agency: a specialist of a 300,000-document agency holds a few hundred.
    held = sa.select(Assignment.incoming_id).where(Assignment.status != AssignmentStatus.CANCELLED, sa.or_(*mine))
    return query.where(IncomingDocument.id.in_(held))


def is_clerk(actor: Actor, doc: IncomingDocument) -> bool:
    return doc.agency_id == actor.agency_id and actor.has(Role.CLERK)


def is_leader(actor: Actor, doc: IncomingDocument) -> bool:
    return doc.agency_id == actor.agency_id and actor.has(Role.LEADER, Role.DEPUTY)


def _holds(actor: Actor, assignment: Assignment) -> bool:
    if assignment.assignee_user_id is not None:
        return assignment.assignee_user_id == actor.user_id
    return actor.has(Role.UNIT_HEAD) and actor.unit_id is not None and assignment.assignee_unit_id == actor.unit_id


def my_assignments(actor: Actor, ctx: DocContext, *, live_only: bool = True) -> list[Assignment]:
    """The assignments the actor holds personally or as head of the assigned unit."""
    return [a for a in ctx.assignments if _holds(actor, a) and (not live_only or a.status in _LIVE)]


def _handles(actor: Actor, ctx: DocContext, roles: tuple[AssignmentRole, ...]) -> bool:
    return any(a.role in roles for a in my_assignments(actor, ctx))


def delegable_assignments(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> list[Assignment]:
    """Unit assignments the actor (their unit's head) may pass to a specialist."""
    if doc.state not in (State.ASSIGNED, State.IN_PROGRESS):
        return []
    return [a for a in my_assignments(actor, ctx)
            if a.assignee_user_id is None and a.role in _HANDLING_ROLES]


def can_intake(actor: Actor) -> Decision:
    """Only the agency's clerk receives and registers documents."""
    return ALLOWED if actor.has(Role.CLERK) else _deny("not_clerk")


def can_view_book(actor: Actor) -> Decision:
    """The register book and its exports: clerks, leaders and deputies of the agency."""
    return ALLOWED if actor.has(Role.CLERK, Role.LEADER, Role.DEPUTY) else _deny("not_registry")


def _clerk(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")


def _leader(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return ALLOWED if is_leader(actor, doc) else _deny("not_leader")


def can_register(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return _clerk(actor, doc, ctx)


def can_return_to_sender(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return _clerk(actor, doc, ctx)


def can_submit(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return _clerk(actor, doc, ctx)


def can_forward(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return _leader(actor, doc, ctx)


def can_assign(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return _leader(actor, doc, ctx)


def can_reassign(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return _leader(actor, doc, ctx)


def can_return_to_leader(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return ALLOWED if _handles(actor, ctx, (AssignmentRole.LEAD,)) else _deny("not_lead_handler")


def can_start(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return ALLOWED if _handles(actor, ctx, _HANDLING_ROLES) else _deny("not_handler")


def can_complete(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    return ALLOWED if _handles(actor, ctx, (AssignmentRole.LEAD,)) else _deny("not_lead_handler")


def can_cancel(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    """Cancel after a recall: the agency's clerk, and only while the sender's recall waits for an answer."""
    if not ctx.recall_pending:
        return _deny("no_recall")
    return _clerk(actor, doc, ctx)


def can_delegate(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    """A unit head passes the unit's assignment to one of the unit's specialists."""
    return ALLOWED if delegable_assignments(actor, doc, ctx) else _deny("not_unit_head")


def can_note(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    """Progress notes and proposals: handlers (lead/coordinate) and leaders, while being handled."""
    if doc.state not in (State.ASSIGNED, State.IN_PROGRESS):
        return _deny("not_open")
    if _handles(actor, ctx, _HANDLING_ROLES) or is_leader(actor, doc):
        return ALLOWED
    return _deny("not_handler")


def can_classify(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    """Needs-a-reply vs for-information: the leader or the lead handler, until the document is closed."""
    if doc.state in (State.RETURNED, State.RECEIVED, State.CANCELLED):
        return _deny("not_open")
    if is_leader(actor, doc) or _handles(actor, ctx, (AssignmentRole.LEAD,)):
        return ALLOWED
    return _deny("not_leader")


def can_link_reply(actor: Actor, doc: IncomingDocument, ctx: DocContext) -> Decision:
    """Link the reply document (number/symbol): the lead handler, a leader or the clerk, also after completion."""
    if doc.state not in (State.IN_PROGRESS, State.COMPLETED):
        return _deny("not_open")
    lead = any(a.role is AssignmentRole.LEAD for a in my_assignments(actor, ctx, live_only=False))
    if lead or is_leader(actor, doc) or is_clerk(actor, doc):
        return ALLOWED
    return _deny("not_lead_handler")
