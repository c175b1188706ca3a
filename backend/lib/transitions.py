"""Declarative transition tables (the django-fsm / python-statemachine idea, without ORM magic).

A domain's ``workflow.py`` declares its states and events (``StrEnum``), a label per state and a
tuple of :class:`Transition` rows, and wraps them in one :class:`TransitionTable`. Each row carries
everything the workflow engine (:mod:`backend.domain.documents.engine`) needs to apply it: the
policy *callable*, the effect callable (``no_effect`` when the event only moves the state -- an
explicit declaration, never a silent fall-through), who is notified, whether a reason or an OTP is
required, whether only the system takes it (``automatic``), whether several documents may take it
at once (``batch``) and how the button behaves (``confirm``, ``destructive``).

The table answers the questions every lifecycle asks -- which transitions leave a state, which one
an event names, what the labels are -- checks python-statemachine's class-definition rules
(:meth:`TransitionTable.problems`) and renders itself as Markdown for ``docs/workflows/``. All
policies share one signature ``(actor, doc, ctx) -> Decision``.

Invariants enforced at construction (``ValueError`` otherwise): every state has a label, the
initial and terminal states belong to the state enum, every row declares an effect, and no state
has two transitions with the same event (the table is deterministic).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Generic, TypeVar

__all__ = ["ALLOWED", "Column", "Decision", "Policy", "Transition", "TransitionTable", "deny", "no_effect"]

S = TypeVar("S", bound=StrEnum)
T = TypeVar("T", bound="Transition[Any]")


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed, or denied with a message key saying why (truthy only when allowed)."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)


def deny(key: str) -> Decision:
    """A refusal whose ``reason`` is the message key ``key``."""
    return Decision(False, key)


Policy = Callable[[Any, Any, Any], Decision]
"""``(actor, doc, ctx) -> Decision``: the one signature of every workflow policy."""


async def no_effect(step: Any, docs: Sequence[Any]) -> None:
    """The declared effect of an event that only moves the state (history, audit, notification)."""


@dataclass(frozen=True, slots=True)
class Transition(Generic[S]):
    """``event`` moves an object from any of ``sources`` to ``target`` when ``policy`` allows.

    ``effect`` is ``async (step, docs) -> None`` (run once for all documents taking this row);
    ``notify`` is ``async (step, doc) -> list[int]`` naming the users to notify (``None``: nobody).
    ``prepare`` (for effects with a slow outside call, e.g. the signing server) is
    ``async (step, docs) -> async () -> result``: it reads what the call needs, and the engine runs
    the returned call with no transaction open; the effect then finds the result in ``step.prepared``.
    ``label`` is the button text; ``reason_label`` names the required comment when ``needs_reason``
    (empty: the table's default); ``description`` is the "Meaning" column of the rendered docs.
    """

    event: StrEnum
    sources: frozenset[S]
    target: S
    policy: Policy
    label: str
    effect: Callable[..., Any] | None = None
    prepare: Callable[..., Any] | None = None
    notify: Callable[..., Any] | None = None
    needs_reason: bool = False
    reason_label: str = ""
    needs_otp: bool = False
    automatic: bool = False
    batch: bool = False
    confirm: bool = False
    destructive: bool = False
    description: str = ""


Column = tuple[str, Callable[[T], str]]
"""An extra Markdown column: its heading and the cell text of a row."""


def _name(function: Callable[..., Any] | None) -> str:
    return getattr(function, "__name__", "") if function is not None else ""


class TransitionTable(Generic[S, T]):
    """One lifecycle: its states, their labels, the initial and terminal states and the transitions.

    Args:
        states: the state enum (its member order is the order of the rendered state table).
        transitions: the rows, in the order buttons are offered.
        initial: the state every object starts in.
        terminal: states nothing leaves.
        state_labels: a human label per state.
        reason_label: the label given to rows that leave ``reason_label`` empty.
        columns: extra Markdown columns, rendered between "Reason required" and "Meaning".

    Raises:
        ValueError: a state without a label, an initial/terminal state outside ``states``, a row
            without an effect, or two transitions with the same event from the same state.
    """

    def __init__(self, states: type[S], transitions: Iterable[T], *, initial: S, terminal: Iterable[S],
                 state_labels: Mapping[S, str], reason_label: str, columns: Sequence[Column[T]] = ()) -> None:
        self.states = states
        self.initial = initial
        self.terminal: frozenset[S] = frozenset(terminal)
        self.state_labels: dict[S, str] = dict(state_labels)
        self.columns = tuple(columns)
        self.transitions: tuple[T, ...] = tuple(
            row if row.reason_label else replace(row, reason_label=reason_label) for row in transitions)
        self.event_labels: dict[str, str] = {}
        for row in self.transitions:
            self.event_labels.setdefault(row.event, row.label)
        missing = [s.value for s in states if s not in self.state_labels]
        if missing:
            raise ValueError(f"states without a label: {missing}")
        if initial not in set(states) or not self.terminal <= set(states):
            raise ValueError("the initial and terminal states must be members of the state enum")
        without_effect = [row.event for row in self.transitions if row.effect is None]
        if without_effect:
            raise ValueError(f"transitions without a declared effect (use no_effect): {without_effect}")
        for state in states:
            events = [row.event for row in self.transitions_from(state)]
            if len(events) != len(set(events)):
                raise ValueError(f"state {state.value!r} has two transitions with the same event")

    def events(self) -> frozenset[str]:
        """Every event name of the table."""
        return frozenset(self.event_labels)

    def label(self, state: str) -> str:
        """The human label of ``state`` (a member or its stored string)."""
        return self.state_labels[self.states(state)]

    def transitions_from(self, state: S) -> tuple[T, ...]:
        """Transitions whose sources include ``state``, in table order."""
        return tuple(row for row in self.transitions if state in row.sources)

    def find(self, state: S, event: str) -> T | None:
        """The transition for ``event`` from ``state``, or ``None`` when the table does not allow it."""
        for row in self.transitions:
            if row.event == event and state in row.sources:
                return row
        return None

    def batchable(self, event: str) -> bool:
        """Whether several objects may take ``event`` in one call."""
        return any(row.batch for row in self.transitions if row.event == event)

    def automatic(self, event: str) -> bool:
        """Whether ``event`` is taken only by the system."""
        return any(row.automatic for row in self.transitions if row.event == event)

    def available(self, actor: Any, doc: Any, ctx: Any) -> list[T]:
        """The non-automatic transitions ``actor`` may take on ``doc`` now, in table order (the buttons)."""
        return [row for row in self.transitions_from(self.states(doc.state))
                if not row.automatic and row.policy(actor, doc, ctx)]

    def reachable(self) -> frozenset[S]:
        """States reachable from the initial state (the initial state included)."""
        reached, frontier = {self.initial}, [self.initial]
        while frontier:
            for row in self.transitions_from(frontier.pop()):
                if row.target not in reached:
                    reached.add(row.target)
                    frontier.append(row.target)
        return frozenset(reached)

    def problems(self) -> list[str]:
        """python-statemachine's class checks, as readable messages (empty when the table is sound).

        Every state reachable from the initial one, terminal states without exits, non-terminal
        states with at least one exit, and every transition with a callable policy and effect, a
        label and at least one source. (Returning to the initial state is allowed: an outgoing
        draft comes back to ``draft`` when a reviewer returns it.)
        """
        found: list[str] = []
        unreachable = [s.value for s in self.states if s not in self.reachable()]
        if unreachable:
            found.append(f"unreachable states: {unreachable}")
        for state in self.states:
            exits = self.transitions_from(state)
            if state in self.terminal and exits:
                found.append(f"terminal state {state.value!r} has exits: {[row.event for row in exits]}")
            if state not in self.terminal and not exits:
                found.append(f"non-terminal state {state.value!r} has no exit")
        for row in self.transitions:
            if not callable(row.policy) or not callable(row.effect):
                found.append(f"transition {row.event!r} needs a callable policy and effect")
            if not row.label or not row.sources:
                found.append(f"transition {row.event!r} needs a label and at least one source")
        return found

    def render_markdown(self) -> str:
        """The transition table and the state table as Markdown (embedded in ``docs/workflows/``)."""
        headings = ["Event", "From", "To", "Policy", "Effect", "Notifies", "Button", "Reason required",
                    *(name for name, _cell in self.columns), "Meaning"]
        lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
        for row in self.transitions:
            sources = ", ".join(f"`{s.value}`" for s in self.states if s in row.sources)
            notify = f"`{_name(row.notify)}`" if row.notify else "—"
            cells = [f"`{row.event}`", sources, f"`{row.target.value}`", f"`{_name(row.policy)}`",
                     f"`{_name(row.effect)}`", notify, row.label,
                     row.reason_label if row.needs_reason else "—", *(cell(row) for _name_, cell in self.columns),
                     row.description]
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", "| State | Label | Initial | Terminal |", "|---|---|---|---|"]
        for state in self.states:
            lines.append(f"| `{state.value}` | {self.state_labels[state]} | {'yes' if state is self.initial else ''} "
                         f"| {'yes' if state in self.terminal else ''} |")
        return "\n".join(lines) + "\n"
