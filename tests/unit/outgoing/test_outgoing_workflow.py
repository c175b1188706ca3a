"""The outgoing transition table: python-statemachine-style invariants, and the rendered docs match it."""

from __future__ import annotations

from pathlib import Path

from backend.domain.incoming.workflow import TRANSITIONS as INCOMING
from backend.domain.outgoing.workflow import INITIAL, TERMINAL, TRANSITIONS, State, find, render_markdown
from backend.lib.i18n import t as text_of

DOC = Path(__file__).resolve().parents[3] / "docs" / "workflows" / "outgoing.md"


def test_outgoing_workflow_every_state_reachable_and_terminal_states_have_no_exits() -> None:
    reached, frontier = {INITIAL}, [INITIAL]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS:
            if state in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(State)
    assert all(not (t.sources & TERMINAL) for t in TRANSITIONS)


def test_outgoing_workflow_policies_exist_and_signing_steps_need_an_otp() -> None:
    assert all(callable(t.policy) and callable(t.effect) for t in TRANSITIONS)
    assert {t.event for t in TRANSITIONS if t.needs_otp} == {"sign", "seal"}
    assert {t.event for t in TRANSITIONS if t.batch} == {"sign"}
    assert find(State.DRAFT, "sign") is None and find(State.ISSUED, "recall") is not None


def test_outgoing_workflow_docs_embed_the_rendered_table() -> None:
    assert render_markdown() in DOC.read_text(encoding="utf-8")


def test_every_offered_event_has_its_confirmation_text_on_both_lifecycles() -> None:
    """The page announces each applied event with ``<lifecycle>.flash.<event>`` (a missing key was a 500)."""
    for lifecycle, rows in (("outgoing", TRANSITIONS), ("incoming", INCOMING)):
        for row in rows:
            if not row.automatic:
                assert text_of(f"{lifecycle}.flash.{row.event}"), (lifecycle, row.event)
