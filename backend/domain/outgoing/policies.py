"""Who may see and do what with an outgoing document.

``visible_outgoing(actor)`` is the one scoping query used by lists, counts, search, the register,
exports and object look-ups. Clerks, leaders and deputies see every document of their agency;
anyone else sees the documents they drafted, those they are designated to sign, and (unit heads)
those drafted in their unit. Anything else is indistinguishable from a missing document (404).

Transition policies share the one signature ``can_x(actor, doc, ctx) -> Decision`` (outgoing
policies need no context: ``ctx`` is ``None``); the workflow table holds them, not their names.
Other actions' checks take ``(actor, doc)``. The signing authority prefixes (domain.md §3.2) decide
which role may sign: none/``TM.``/``Q.`` a leader, ``KT.`` a deputy, ``TL.``/``TUQ.`` a unit head
or a deputy.
"""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import OutgoingDocument, Role
from backend.domain.accounts.actor import Actor
from backend.domain.outgoing.states import AFTER_ISSUE, State
from backend.lib.transitions import ALLOWED, Decision, deny

__all__ = [
    "ALLOWED", "AUTHORITIES", "Decision", "authority_roles", "can_approve", "can_archive", "can_check_format",
    "can_create", "can_issue", "can_manage_seal", "can_number", "can_place", "can_recall", "can_record_paper",
    "can_return", "can_revise", "can_seal", "can_sign", "can_submit", "can_supersede", "can_upload_version",
    "can_view_book", "is_clerk", "sees_every_outgoing", "visible_outgoing",
]

AUTHORITIES: dict[str, str] = {"": "", "TM.": "TM.", "KT.": "KT.", "TL.": "TL.", "TUQ.": "TUQ.", "Q.": "Q."}
"""Signing-authority prefixes (domain.md §3.2); the empty prefix is the head signing in their own name."""

_AUTHORITY_ROLES: dict[str, tuple[Role, ...]] = {
    "": (Role.LEADER,), "TM.": (Role.LEADER,), "Q.": (Role.LEADER, Role.DEPUTY), "KT.": (Role.DEPUTY,),
    "TL.": (Role.UNIT_HEAD, Role.DEPUTY), "TUQ.": (Role.UNIT_HEAD, Role.DEPUTY),
}
_DRAFTERS = (Role.SPECIALIST, Role.UNIT_HEAD, Role.CLERK, Role.LEADER, Role.DEPUTY)


def _deny(reason: str) -> Decision:
    return deny(f"outgoing.denied.{reason}")


def authority_roles(prefix: str) -> tuple[Role, ...]:
    """The roles that may sign with ``prefix`` (empty tuple for an unknown prefix)."""
    return _AUTHORITY_ROLES.get(prefix, ())


def sees_every_outgoing(actor: Actor) -> bool:
    """Whether the actor sees every outgoing document of the active agency (clerks, leaders, deputies)."""
    return actor.has(Role.CLERK, Role.LEADER, Role.DEPUTY)


def visible_outgoing(actor: Actor) -> sa.Select[tuple[OutgoingDocument]]:
    """Outgoing documents the actor may see (deny by default)."""
    query = sa.select(OutgoingDocument).where(OutgoingDocument.agency_id == actor.agency_id)
    if sees_every_outgoing(actor):
        return query
    mine = [OutgoingDocument.drafter_id == actor.user_id, OutgoingDocument.signer_id == actor.user_id]
    if actor.has(Role.UNIT_HEAD) and actor.unit_id is not None:
        mine.append(OutgoingDocument.drafting_unit_id == actor.unit_id)
    return query.where(sa.or_(*mine))


def is_clerk(actor: Actor, doc: OutgoingDocument) -> bool:
    return doc.agency_id == actor.agency_id and actor.has(Role.CLERK)


def _is_leader(actor: Actor, doc: OutgoingDocument) -> bool:
    return doc.agency_id == actor.agency_id and actor.has(Role.LEADER, Role.DEPUTY)


def _heads_unit(actor: Actor, doc: OutgoingDocument) -> bool:
    return (doc.agency_id == actor.agency_id and actor.has(Role.UNIT_HEAD) and actor.unit_id is not None
            and doc.drafting_unit_id == actor.unit_id)


def can_create(actor: Actor) -> Decision:
    """Drafting: specialists, unit heads, clerks, leaders and deputies of the agency."""
    return ALLOWED if actor.has(*_DRAFTERS) else _deny("not_drafter")


def can_view_book(actor: Actor) -> Decision:
    """The outgoing register and its exports: clerks, leaders and deputies."""
    return ALLOWED if actor.has(Role.CLERK, Role.LEADER, Role.DEPUTY) else _deny("not_registry")


def can_manage_seal(actor: Actor) -> Decision:
    """The agency's seal image: its clerks and administrators."""
    return ALLOWED if actor.has(Role.CLERK, Role.ADMIN) else _deny("not_clerk")


def can_upload_version(actor: Actor, doc: OutgoingDocument) -> Decision:
    """A plain new draft version before approval: the drafter (draft) or the unit head (unit review)."""
    if doc.state == State.DRAFT and (doc.drafter_id == actor.user_id or _heads_unit(actor, doc)):
        return ALLOWED
    if doc.state == State.UNIT_REVIEW and (_heads_unit(actor, doc) or _is_leader(actor, doc)):
        return ALLOWED
    return _deny("not_editable")


def can_place(actor: Actor, doc: OutgoingDocument) -> Decision:
    """Choose where the signature, number and date go: the clerk during the format check and before the
    signature, the signer while the document awaits their signature."""
    if doc.state in (State.FORMAT_CHECK, State.AWAITING_SIGNATURE) and is_clerk(actor, doc):
        return ALLOWED
    if doc.state == State.AWAITING_SIGNATURE and doc.signer_id == actor.user_id:
        return ALLOWED
    return _deny("not_placeable")


def can_record_paper(actor: Actor, doc: OutgoingDocument) -> Decision:
    """The clerk records that the paper copy left (documents flagged at issue), whatever happened since."""
    if not doc.paper_copy_required or doc.state not in AFTER_ISSUE:
        return _deny("no_paper")
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")


def can_submit(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    return ALLOWED if doc.drafter_id == actor.user_id or _heads_unit(actor, doc) else _deny("not_drafter")


def can_withdraw(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """The drafter takes a draft back from the unit head's review (before approval, issue 11 item 5)."""
    return ALLOWED if doc.agency_id == actor.agency_id and doc.drafter_id == actor.user_id else _deny("only_drafter")


def can_discard(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """Only the drafter deletes their own draft; it is kept (state ``discarded``) for the audit trail."""
    return can_withdraw(actor, doc, ctx)


def can_approve(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """The head of the drafting unit; a leader or deputy when no unit drafted it."""
    if _heads_unit(actor, doc) or (doc.drafting_unit_id is None and _is_leader(actor, doc)):
        return ALLOWED
    return _deny("not_unit_head")


def can_check_format(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")


def can_return(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """Whoever holds the document at its current review step."""
    match doc.state:
        case State.UNIT_REVIEW:
            return can_approve(actor, doc)
        case State.FORMAT_CHECK:
            return can_check_format(actor, doc)
        case State.AWAITING_SIGNATURE:
            return ALLOWED if doc.signer_id == actor.user_id else _deny("not_signer")
    return _deny("not_reviewer")


def can_revise(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """After approval, the format checker (clerk) or the signer may change the file; it returns to the signer."""
    return ALLOWED if is_clerk(actor, doc) or doc.signer_id == actor.user_id else _deny("not_clerk")


def can_sign(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """Only the designated signer, holding the role the signing-authority prefix requires."""
    if doc.agency_id != actor.agency_id or doc.signer_id != actor.user_id:
        return _deny("not_signer")
    return ALLOWED if actor.has(*authority_roles(doc.signing_authority)) else _deny("no_authority")


def can_number(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")


def can_seal(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")


def can_issue(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")


def can_archive(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """The clerk files the original (Đ.19); the service also waits until no delivery is still queued."""
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")


def can_recall(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """A leader, a deputy or the clerk of the issuing agency (issued or archived: Đ.18.4 sets no time limit)."""
    return ALLOWED if _is_leader(actor, doc) or is_clerk(actor, doc) else _deny("not_leader")


def can_supersede(actor: Actor, doc: OutgoingDocument, ctx: object = None) -> Decision:
    """The automatic ``replace``: taken for the clerk who issues the replacing document of the same agency."""
    return ALLOWED if is_clerk(actor, doc) else _deny("not_clerk")
