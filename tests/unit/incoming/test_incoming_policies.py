"""The (state × event × role) matrix of the incoming workflow, evaluated without a database."""

from __future__ import annotations

import pytest

from backend.db.models import Assignment, AssignmentRole, AssignmentStatus, IncomingDocument, Role
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import DocContext, can_complete, can_register, can_start
from backend.domain.incoming.workflow import TABLE, State, find

AGENCY, OTHER_AGENCY, UNIT = 10, 20, 5
ROLES = {
    "clerk": (1, {Role.CLERK}, None),
    "leader": (2, {Role.LEADER}, None),
    "deputy": (3, {Role.DEPUTY}, None),
    "unit_head": (4, {Role.UNIT_HEAD}, UNIT),
    "specialist": (5, {Role.SPECIALIST}, UNIT),
    "outsider_clerk": (6, {Role.CLERK}, None),
}


def _actor(name: str) -> Actor:
    user_id, roles, unit = ROLES[name]
    agency = OTHER_AGENCY if name.startswith("outsider") else AGENCY
    return Actor(user_id=user_id, username=name, full_name=name, position_title="", agency_id=agency,
                 agency_name="", agency_organ_id="", unit_id=unit, unit_name="", roles=frozenset(roles),
                 agencies=((agency, ""),))


def _doc(state: State) -> IncomingDocument:
    return IncomingDocument(id=1, agency_id=AGENCY, state=state)


def _ctx() -> DocContext:
    unit_lead = Assignment(id=1, incoming_id=1, role=AssignmentRole.LEAD, assignee_unit_id=UNIT, assigned_by_id=2,
                           status=AssignmentStatus.PENDING)
    specialist = Assignment(id=2, incoming_id=1, parent_id=1, role=AssignmentRole.LEAD, assignee_user_id=5,
                            assigned_by_id=4, status=AssignmentStatus.IN_PROGRESS)
    return DocContext((unit_lead, specialist))


# Who may take each event when the table allows it (the handlers hold the lead assignment).
EXPECTED = {
    "register": {"clerk"},
    "return_to_sender": {"clerk"},
    "submit": {"clerk"},
    "forward": {"leader", "deputy"},
    "assign": {"leader", "deputy"},
    "reassign": {"leader", "deputy"},
    "return_to_leader": {"unit_head", "specialist"},
    "start": {"unit_head", "specialist"},
    "complete": {"unit_head", "specialist"},
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("event", list(EXPECTED))
@pytest.mark.parametrize("role", list(ROLES))
def test_policy_matrix(state: State, event: str, role: str) -> None:
    transition = find(state, event)
    actor, doc, ctx = _actor(role), _doc(state), _ctx()
    allowed = transition is not None and bool(transition.policy(actor, doc, ctx))
    expected = transition is not None and role in EXPECTED[event]
    assert allowed == expected


def test_denials_carry_a_message_key() -> None:
    decision = can_register(_actor("specialist"), _doc(State.RECEIVED), _ctx())
    assert not decision and decision.reason == "incoming.denied.not_clerk"


def test_available_transitions_are_the_buttons() -> None:
    events = [t.event for t in TABLE.available(_actor("clerk"), _doc(State.REGISTERED), DocContext())]
    assert events == ["return_to_sender", "submit"]
    events = [t.event for t in TABLE.available(_actor("leader"), _doc(State.REGISTERED), DocContext())]
    assert events == ["forward"]
    assert TABLE.available(_actor("specialist"), _doc(State.IN_PROGRESS), DocContext()) == []


def test_a_cooperating_handler_may_start_but_not_complete() -> None:
    coordinate = Assignment(id=3, incoming_id=1, role=AssignmentRole.COORDINATE, assignee_user_id=5,
                            assigned_by_id=2, status=AssignmentStatus.PENDING)
    ctx, actor = DocContext((coordinate,)), _actor("specialist")
    assert can_start(actor, _doc(State.ASSIGNED), ctx)
    assert not can_complete(actor, _doc(State.IN_PROGRESS), ctx)
