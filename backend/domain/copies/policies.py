"""Who may make and see copies.

Only a clerk (văn thư) of the agency makes copies (the head of the agency gives that authority,
ND 30 Đ.27). ``visible_copies(actor)`` is the one scoping query of the aggregate: copies of the
actor's agency, seen by its clerks, leaders and deputies, or by whoever may see the source
document (its ``visible_incoming`` / ``visible_outgoing`` query). Anything else is a 404.
"""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import DocumentCopy, IncomingDocument, OutgoingDocument, Role
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import visible_incoming
from backend.domain.outgoing.policies import visible_outgoing
from backend.lib.transitions import ALLOWED, Decision, deny

__all__ = ["can_make_copy", "can_view_register", "visible_copies"]


def can_make_copy(actor: Actor) -> Decision:
    """A clerk of the active agency."""
    return ALLOWED if actor.has(Role.CLERK) else deny("copies.denied.clerk_only")


def can_view_register(actor: Actor) -> Decision:
    """The copy register: the clerk keeps it; leaders and deputies read it, as the other registers."""
    return ALLOWED if actor.has(Role.CLERK, Role.LEADER, Role.DEPUTY) else deny("copies.denied.register")


def visible_copies(actor: Actor) -> sa.Select[tuple[DocumentCopy]]:
    """Copies the actor may see (deny by default)."""
    query = sa.select(DocumentCopy).where(DocumentCopy.agency_id == actor.agency_id)
    if actor.has(Role.CLERK, Role.LEADER, Role.DEPUTY):
        return query
    incoming = visible_incoming(actor).with_only_columns(IncomingDocument.id)
    outgoing = visible_outgoing(actor).with_only_columns(OutgoingDocument.id)
    return query.where(sa.or_(DocumentCopy.incoming_id.in_(incoming), DocumentCopy.outgoing_id.in_(outgoing)))
