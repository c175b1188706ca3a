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

After issue (domain.md §6.2): the clerk files the original (``archive``); a leader or the clerk
may recall it, issued or archived (Đ.18.4); and when a document declared as replacing it is
issued, the system moves it to ``replaced`` (the automatic ``replace`` row, Đ.18.3).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.db.models.outgoing import OutgoingState
from backend.lib import transitions
from backend.web.offline.policy import NEEDS_OTP

__all__ = [
    "EDITABLE", "EVENT_LABELS", "INITIAL", "PUBLISHED", "STATE_LABELS", "State", "TABLE", "TERMINAL", "TRANSITIONS",
    "Transition", "events", "find", "render_markdown", "route_opt", "transitions_from",
]

State = OutgoingState
"""The states (stored as strings with a CHECK constraint on ``outgoing_document.state``)."""

INITIAL = State.DRAFT
TERMINAL = frozenset({State.RECALLED, State.REPLACED})
EDITABLE = frozenset({State.DRAFT, State.UNIT_REVIEW})
"""States in which a new draft version is a plain upload (no approval has happened yet)."""
PUBLISHED = frozenset({State.ISSUED, State.ARCHIVED})
"""Issued and in force: what may be recalled, amended or replaced (Đ.18.3-4)."""

STATE_LABELS: dict[State, str] = {
    State.DRAFT: "Dự thảo",
    State.UNIT_REVIEW: "Chờ lãnh đạo đơn vị duyệt",
    State.FORMAT_CHECK: "Chờ kiểm tra thể thức",
    State.AWAITING_SIGNATURE: "Chờ ký",
    State.SIGNED: "Đã ký, chờ cấp số",
    State.REGISTERED: "Đã cấp số, chờ đóng dấu",
    State.ORG_SIGNED: "Đã đóng dấu, chờ phát hành",
    State.ISSUED: "Đã phát hành",
    State.ARCHIVED: "Đã lưu bản gốc",
    State.RECALLED: "Đã thu hồi",
    State.REPLACED: "Đã bị thay thế",
}


@dataclass(frozen=True, slots=True)
class Transition(transitions.Transition[State]):
    """A row of the outgoing table; also whether the actor types an OTP and whether only the system takes it.

    An ``automatic`` transition is never offered as a button and never accepted from a request:
    the service takes it as the consequence of another document's transition (a replacing
    document's issue moves the replaced one to ``replaced``).
    """

    needs_otp: bool = False
    automatic: bool = False


_REVIEWING = frozenset({State.UNIT_REVIEW, State.FORMAT_CHECK, State.AWAITING_SIGNATURE})

_ROWS: tuple[Transition, ...] = (
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
    Transition("archive", frozenset({State.ISSUED}), State.ARCHIVED, "can_archive", "Lưu bản gốc",
               description="The clerk files the electronic original in the agency's system (Đ.19, lưu văn bản đi) "
                           "once no recipient's delivery is still queued; the document stays read-only."),
    Transition("recall", PUBLISHED, State.RECALLED, "can_recall", "Thu hồi", needs_reason=True,
               reason_label="Lý do thu hồi",
               description="The document is frozen; recipients' copies become inaccessible and each recipient "
                           "confirms (Đ.18.4, no time limit: also after archiving; PL VI §III.8.a)."),
    Transition("replace", PUBLISHED, State.REPLACED, "can_supersede", "Bị thay thế", automatic=True,
               description="Taken by the system when a document declared as replacing it (thay thế, Đ.18.3) is "
                           "issued; it keeps its number and links to the new document. An amending document "
                           "(sửa đổi) only links the two."),
)

TABLE: transitions.TransitionTable[State, Transition] = transitions.TransitionTable(
    State, _ROWS, initial=INITIAL, terminal=TERMINAL, state_labels=STATE_LABELS, reason_label="Ý kiến",
    columns=(("OTP", lambda row: "yes" if row.needs_otp else ""),
             ("Automatic", lambda row: "yes" if row.automatic else "")))
"""The declared lifecycle; the module-level names below are its parts."""

TRANSITIONS, EVENT_LABELS, events = TABLE.transitions, TABLE.event_labels, TABLE.events
transitions_from, find, render_markdown = TABLE.transitions_from, TABLE.find, TABLE.render_markdown


def route_opt(*events: str) -> dict[str, bool]:
    """The Litestar ``opt`` of a route that applies ``events`` (any event of the table when none are named).

    ``needs_otp`` is set when one of them asks for an OTP: the offline guard never queues or replays
    such a route (``backend.web.offline.policy.never_replayed``).
    """
    rows = [row for row in TRANSITIONS if not events or row.event in events]
    return {NEEDS_OTP: any(row.needs_otp for row in rows)}
