"""The generic transition table: look-ups, defaults, python-statemachine's class checks, Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest

from backend.lib.transitions import ALLOWED, Decision, Transition, TransitionTable, deny, no_effect


class Door(StrEnum):
    NEW = "new"
    OPEN = "open"
    CLOSED = "closed"
    BROKEN = "broken"


LABELS = {Door.NEW: "Mới", Door.OPEN: "Mở", Door.CLOSED: "Đóng", Door.BROKEN: "Hỏng"}


@dataclass(frozen=True, slots=True)
class DoorTransition(Transition[Door]):
    """A domain row with one extra field, as the outgoing table adds its OTP flag."""

    loud: bool = False


def can_open(actor: object, doc: object, ctx: object) -> Decision:
    return ALLOWED


def can_close(actor: object, doc: object, ctx: object) -> Decision:
    return deny("door.denied")


def can_break(actor: object, doc: object, ctx: object) -> Decision:
    return ALLOWED


async def slam(step: object, docs: object) -> None:
    """An effect of its own (rendered in the Effect column)."""


ROWS = (
    DoorTransition("open", frozenset({Door.NEW, Door.CLOSED}), Door.OPEN, can_open, "Mở cửa", effect=no_effect),
    DoorTransition("close", frozenset({Door.OPEN}), Door.CLOSED, can_close, "Đóng cửa", effect=slam, loud=True),
    DoorTransition("break", frozenset({Door.OPEN, Door.CLOSED}), Door.BROKEN, can_break, "Phá", effect=no_effect,
                   needs_reason=True, description="Gone for good."),
    DoorTransition("lock", frozenset({Door.CLOSED}), Door.CLOSED, can_open, "Khóa", effect=no_effect, needs_reason=True,
                   reason_label="Mã khóa"),
)


def _table(rows: tuple[DoorTransition, ...] = ROWS, **kwargs: object) -> TransitionTable[Door, DoorTransition]:
    options: dict[str, object] = {"initial": Door.NEW, "terminal": {Door.BROKEN}, "state_labels": LABELS,
                                  "reason_label": "Lý do", "columns": (("Loud", lambda r: "yes" if r.loud else ""),)}
    options.update(kwargs)
    return TransitionTable(Door, rows, **options)  # type: ignore[arg-type]


def test_transition_table_finds_the_row_of_a_state_and_event_or_none() -> None:
    table = _table()
    opened = table.find(Door.CLOSED, "open")
    assert opened is not None and opened.target is Door.OPEN and isinstance(opened, DoorTransition)
    assert table.find(Door.NEW, "close") is None
    assert table.find(Door.OPEN, "no-such-event") is None
    assert table.find(Door.BROKEN, "open") is None


def test_transition_table_lists_exits_in_table_order_and_every_event() -> None:
    table = _table()
    assert [row.event for row in table.transitions_from(Door.CLOSED)] == ["open", "break", "lock"]
    assert table.transitions_from(Door.BROKEN) == ()
    assert table.events() == {"open", "close", "break", "lock"}
    assert table.event_labels == {"open": "Mở cửa", "close": "Đóng cửa", "break": "Phá", "lock": "Khóa"}


def test_transition_table_fills_the_default_reason_label_and_keeps_explicit_ones() -> None:
    table = _table()
    by_event = {row.event: row for row in table.transitions}
    assert by_event["break"].reason_label == "Lý do"
    assert by_event["lock"].reason_label == "Mã khóa"
    assert by_event["close"].loud is True  # subclass fields survive the defaulting copy


def test_transition_table_refuses_a_state_without_label() -> None:
    with pytest.raises(ValueError, match="without a label"):
        _table(state_labels={s: s.value for s in Door if s is not Door.BROKEN})


def test_transition_table_refuses_two_rows_with_one_event_from_one_state() -> None:
    twice = ROWS + (DoorTransition("open", frozenset({Door.NEW}), Door.CLOSED, can_open, "Lại mở", effect=no_effect),)
    with pytest.raises(ValueError, match="same event"):
        _table(twice)


def test_transition_table_refuses_a_row_without_a_declared_effect() -> None:
    silent = ROWS + (DoorTransition("knock", frozenset({Door.CLOSED}), Door.CLOSED, can_open, "Gõ cửa"),)
    with pytest.raises(ValueError, match=r"without a declared effect .*\['knock'\]"):
        _table(silent)


def test_transition_table_problems_empty_for_a_sound_table() -> None:
    assert _table().problems() == []


def test_transition_table_offers_the_rows_whose_policy_allows() -> None:
    class Doc:
        state = "open"

    assert [row.event for row in _table().available(None, Doc(), None)] == ["break"]
    assert _table().label("open") == "Mở"


def test_transition_table_problems_name_each_broken_rule() -> None:
    rows = (
        DoorTransition("open", frozenset({Door.NEW}), Door.OPEN, can_open, "Mở cửa", effect=no_effect),
        DoorTransition("reset", frozenset({Door.OPEN}), Door.NEW, "can_reset", "Đặt lại", effect=no_effect),  # type: ignore[arg-type]
        DoorTransition("fix", frozenset({Door.BROKEN}), Door.OPEN, can_open, "", effect=no_effect),
    )
    found = _table(rows).problems()
    assert len(found) == 5, found
    assert "unreachable states: ['closed', 'broken']" in found
    assert "terminal state 'broken' has exits: ['fix']" in found
    assert "non-terminal state 'closed' has no exit" in found
    assert "transition 'reset' needs a callable policy and effect" in found
    assert "transition 'fix' needs a label and at least one source" in found


def test_transition_table_reachable_follows_transitions_from_the_initial_state() -> None:
    assert _table().reachable() == set(Door)
    only_open = (DoorTransition("open", frozenset({Door.NEW}), Door.OPEN, can_open, "Mở cửa", effect=no_effect),)
    assert _table(only_open).reachable() == {Door.NEW, Door.OPEN}


def test_transition_table_renders_markdown_with_extra_columns_in_enum_order() -> None:
    lines = _table().render_markdown().splitlines()
    assert lines[0] == ("| Event | From | To | Policy | Effect | Notifies | Button | Reason required | Loud "
                        "| Meaning |")
    assert lines[1] == "|---|---|---|---|---|---|---|---|---|---|"
    assert lines[2] == "| `open` | `new`, `closed` | `open` | `can_open` | `no_effect` | — | Mở cửa | — |  |  |"
    assert lines[3] == "| `close` | `open` | `closed` | `can_close` | `slam` | — | Đóng cửa | — | yes |  |"
    assert lines[4] == ("| `break` | `open`, `closed` | `broken` | `can_break` | `no_effect` | — | Phá | Lý do |  "
                        "| Gone for good. |")
    assert "| `new` | Mới | yes |  |" in lines
    assert "| `broken` | Hỏng |  | yes |" in lines
    assert lines[-1] == "| `broken` | Hỏng |  | yes |"


def test_transition_tables_of_both_document_lifecycles_are_sound() -> None:
    from backend.domain.incoming import workflow as incoming
    from backend.domain.outgoing import workflow as outgoing

    assert incoming.TABLE.problems() == []
    assert outgoing.TABLE.problems() == []
    assert outgoing.find(outgoing.State.ARCHIVED, "recall") is not None
    assert [row.event for row in outgoing.TRANSITIONS if row.automatic] == ["replace"]
