"""The outgoing-document lifecycle as a declared transition table (domain.md §6.1-6.2).

``TRANSITIONS`` is the only definition of what may happen to an outgoing document; the single
entry point that applies it is :meth:`backend.domain.outgoing.services.OutgoingService.apply`.
Each transition names its policy (a function in :mod:`backend.domain.outgoing.policies`), its
Vietnamese button label, whether a reason (comment) is required and whether the actor must type an
OTP (the leader's personal signature, the agency seal). ``docs/workflows/outgoing.md`` embeds
:func:`render_markdown`; a test keeps the two equal.

Numbering and registration are one step (``number``): the number is allocated under a row lock
and the register *is* the numbered documents, so domain.md's NUMBERED → REGISTERED pair happens in
one transaction and only ``registered`` is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.db.models.outgoing import OutgoingState

__all__ = [
    "EDITABLE", "EVENT_LABELS", "INITIAL", "STATE_LABELS", "State", "TERMINAL", "TRANSITIONS", "Transition",
    "events", "find", "render_markdown", "transitions_from",
]

State = OutgoingState
"""The states (stored as strings with a CHECK constraint on ``outgoing_document.state``)."""

INITIAL = State.DRAFT
TERMINAL = frozenset({State.RECALLED})
EDITABLE = frozenset({State.DRAFT, State.UNIT_REVIEW})
"""States in which a new draft version is a plain upload (no approval has happened yet)."""

STATE_LABELS: dict[State, str] = {
    State.DRAFT: "Dự thảo",
    State.UNIT_REVIEW: "Chờ lãnh đạo đơn vị duyệt",
    State.FORMAT_CHECK: "Chờ kiểm tra thể thức",
    State.AWAITING_SIGNATURE: "Chờ ký",
    State.SIGNED: "Đã ký, chờ cấp số",
    State.REGISTERED: "Đã cấp số, chờ đóng dấu",
    State.ORG_SIGNED: "Đã đóng dấu, chờ phát hành",
    State.ISSUED: "Đã phát hành",
    State.RECALLED: "Đã thu hồi",
}


@dataclass(frozen=True, slots=True)
class Transition:
    """``event`` moves a document from any of ``sources`` to ``target`` when ``policy`` allows."""

    event: str
    sources: frozenset[State]
    target: State
    policy: str
    label: str
    needs_reason: bool = False
    reason_label: str = "Ý kiến"
    needs_otp: bool = False
    description: str = ""


_REVIEWING = frozenset({State.UNIT_REVIEW, State.FORMAT_CHECK, State.AWAITING_SIGNATURE})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", frozenset({State.DRAFT}), State.UNIT_REVIEW, "can_submit", "Trình duyệt",
               description="The drafter sends the draft to the head of the drafting unit (Đ.12.1)."),
    Transition("approve", frozenset({State.UNIT_REVIEW}), State.FORMAT_CHECK, "can_approve", "Duyệt nội dung",
               description="The unit head checks and approves the content; it goes to the format check."),
    Transition("format_ok", frozenset({State.FORMAT_CHECK}), State.AWAITING_SIGNATURE, "can_check_format",
               "Đạt thể thức, trình ký",
               description="The office/clerk checks format and presentation (Đ.12.2); the signature box and "
                           "number/date areas are located and fixed."),
    Transition("return", _REVIEWING, State.DRAFT, "can_return", "Trả lại", needs_reason=True,
               reason_label="Ý kiến trả lại",
               description="Any reviewer (unit head, format checker, signer) sends it back to the drafter "
                           "with a comment."),
    Transition("revise", frozenset({State.FORMAT_CHECK, State.AWAITING_SIGNATURE}), State.AWAITING_SIGNATURE,
               "can_revise", "Sửa và trình lại người ký", needs_reason=True, reason_label="Nội dung sửa đổi",
               description="A new version after approval: it goes back to the signer (Đ.11.2)."),
    Transition("sign", frozenset({State.AWAITING_SIGNATURE}), State.SIGNED, "can_sign", "Ký số", needs_otp=True,
               description="The designated signer signs with the personal certificate and one OTP (PAdES); "
                           "the number/date fields are reserved in the signed revision."),
    Transition("number", frozenset({State.SIGNED}), State.REGISTERED, "can_number", "Cấp số và vào sổ",
               description="The clerk allocates the number under a row lock, writes number and date into the "
                           "reserved fields (form filling) and registers it."),
    Transition("seal", frozenset({State.REGISTERED}), State.ORG_SIGNED, "can_seal", "Ký số cơ quan (đóng dấu)",
               needs_otp=True,
               description="The clerk applies the agency's seal signature to the main file and each "
                           "separate-file appendix with one OTP."),
    Transition("issue", frozenset({State.ORG_SIGNED}), State.ISSUED, "can_issue", "Phát hành",
               description="Dispatch to every recipient: platform agencies receive an incoming document, "
                           "internal units are informed."),
    Transition("recall", frozenset({State.ISSUED}), State.RECALLED, "can_recall", "Thu hồi", needs_reason=True,
               reason_label="Lý do thu hồi",
               description="The document is frozen; recipients' copies become inaccessible and each recipient "
                           "confirms (Đ.18.4, PL VI §III.8.a)."),
)

EVENT_LABELS: dict[str, str] = {t.event: t.label for t in TRANSITIONS}


def events() -> frozenset[str]:
    """Every event name of the table."""
    return frozenset(EVENT_LABELS)


def transitions_from(state: State) -> tuple[Transition, ...]:
    """Transitions whose sources include ``state``, in table order."""
    return tuple(t for t in TRANSITIONS if state in t.sources)


def find(state: State, event: str) -> Transition | None:
    """The transition for ``event`` from ``state``, or ``None`` when the table does not allow it."""
    for transition in TRANSITIONS:
        if transition.event == event and state in transition.sources:
            return transition
    return None


def render_markdown() -> str:
    """The transition table as Markdown (embedded in ``docs/workflows/outgoing.md``)."""
    lines = [
        "| Event | From | To | Policy | Button | Reason required | OTP | Meaning |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS:
        sources = ", ".join(f"`{s.value}`" for s in State if s in t.sources)
        reason = t.reason_label if t.needs_reason else "—"
        lines.append(f"| `{t.event}` | {sources} | `{t.target.value}` | `{t.policy}` | {t.label} | {reason} "
                     f"| {'yes' if t.needs_otp else ''} | {t.description} |")
    lines += ["", "| State | Label | Initial | Terminal |", "|---|---|---|---|"]
    for state in State:
        lines.append(f"| `{state.value}` | {STATE_LABELS[state]} | {'yes' if state is INITIAL else ''} "
                     f"| {'yes' if state in TERMINAL else ''} |")
    return "\n".join(lines) + "\n"
