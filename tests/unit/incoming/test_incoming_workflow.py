"""The incoming transition table: python-statemachine's class checks, the single state writer, the docs."""

from __future__ import annotations

from pathlib import Path

from backend.domain.incoming.workflow import (
    EVENT_LABELS,
    INITIAL,
    STATE_LABELS,
    TERMINAL,
    TRANSITIONS,
    State,
    find,
    render_markdown,
    transitions_from,
)

ROOT = Path(__file__).resolve().parents[3]


def test_workflow_has_exactly_one_initial_state_that_nothing_enters() -> None:
    assert INITIAL is State.RECEIVED
    assert all(t.target is not INITIAL for t in TRANSITIONS)


def test_workflow_terminal_states_have_no_exits() -> None:
    assert TERMINAL == {State.COMPLETED, State.RETURNED, State.CANCELLED}
    for state in TERMINAL:
        assert transitions_from(state) == ()


def test_workflow_every_state_is_reachable_from_the_initial_state() -> None:
    reached, frontier = {INITIAL}, [INITIAL]
    while frontier:
        for transition in transitions_from(frontier.pop()):
            if transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(State)


def test_workflow_non_terminal_states_can_move_on() -> None:
    for state in set(State) - TERMINAL:
        assert transitions_from(state), state


def test_workflow_every_transition_names_an_existing_policy_and_label() -> None:
    for transition in TRANSITIONS:
        assert callable(transition.policy) and callable(transition.effect), transition.event
        assert transition.label and transition.sources
    assert set(STATE_LABELS) == set(State)
    assert len(EVENT_LABELS) == len({t.event for t in TRANSITIONS})


def test_workflow_is_deterministic_per_state_and_event() -> None:
    for state in State:
        events = [t.event for t in transitions_from(state)]
        assert len(events) == len(set(events)), state


def test_workflow_find_refuses_what_the_table_does_not_allow() -> None:
    assert find(State.RECEIVED, "register").target is State.REGISTERED
    assert find(State.RECEIVED, "complete") is None
    assert find(State.COMPLETED, "reassign") is None
    assert find(State.SUBMITTED, "no-such-event") is None


def test_workflow_doc_shows_the_table_rendered_from_code() -> None:
    doc = (ROOT / "docs" / "workflows" / "incoming.md").read_text(encoding="utf-8")
    start, end = "<!-- transitions:start -->\n", "<!-- transitions:end -->"
    embedded = doc.split(start, 1)[1].split(end, 1)[0]
    assert embedded == render_markdown(), "docs/workflows/incoming.md is stale: paste render_markdown() output"
