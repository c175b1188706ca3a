"""The outgoing-document lifecycle as a declared transition table (domain.md §6.1-6.2).

``TABLE`` is the only definition of what may happen to an outgoing document; the one engine that
applies it is :class:`backend.domain.documents.engine.Workflow` (with :data:`LIFECYCLE`). Each row
carries its policy (a function of :mod:`.policies`), its effect and recipients (:mod:`._effects`,
:mod:`._signing`), its Vietnamese button label, whether a reason (comment) is required, whether the
actor must type an OTP (the leader's personal signature, the agency seal) and whether several
documents may take it at once (``sign``). ``docs/workflows/outgoing.md`` embeds
:func:`render_markdown`; a test keeps the two equal.

Numbering and registration are one step (``number``): the number is allocated under a row lock
and the register *is* the numbered documents, so domain.md's NUMBERED → REGISTERED pair happens in
one transaction and only ``registered`` is stored.

After issue (domain.md §6.2): the clerk files the original (``archive``); a leader or the clerk
may recall it, issued or archived (Đ.18.4); and when a document declared as replacing it is
issued, the system moves it to ``replaced`` (the automatic ``replace`` row, Đ.18.3).
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import OutgoingDocument, OutgoingEvent
from backend.domain.accounts.actor import Actor
from backend.domain.documents.engine import Lifecycle
from backend.domain.outgoing import _effects as fx
from backend.domain.outgoing import _signing as signing
from backend.domain.outgoing import policies as p
from backend.domain.outgoing._drafting import search_text_for
from backend.domain.outgoing.notify import notify
from backend.domain.outgoing.states import AFTER_ISSUE, EDITABLE, PUBLISHED, State
from backend.lib import transitions
from backend.lib.transitions import no_effect
from backend.web.offline.policy import NEEDS_OTP

__all__ = [
    "AFTER_ISSUE", "EDITABLE", "EVENT_LABELS", "INITIAL", "LIFECYCLE", "PUBLISHED", "STATE_LABELS", "State", "TABLE",
    "TERMINAL", "TRANSITIONS", "Event", "Transition", "events", "find", "render_markdown", "route_opt",
    "transitions_from",
]


class Event(StrEnum):
    """The events of the outgoing lifecycle."""

    SUBMIT = "submit"
    APPROVE = "approve"
    FORMAT_OK = "format_ok"
    RETURN = "return"
    REVISE = "revise"
    SIGN = "sign"
    NUMBER = "number"
    SEAL = "seal"
    ISSUE = "issue"
    ARCHIVE = "archive"
    RECALL = "recall"
    REPLACE = "replace"
    WITHDRAW = "withdraw"
    DISCARD = "discard"


INITIAL = State.DRAFT
TERMINAL = frozenset({State.RECALLED, State.REPLACED, State.DISCARDED})

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
    State.DISCARDED: "Đã xóa dự thảo",
}


Transition = transitions.Transition
"""A row of the outgoing table (``Transition[State]``).

An ``automatic`` transition is never offered as a button and never accepted from a request: the
engine takes it as the follow-up of another document's transition (a replacing document's issue
moves the replaced one to ``replaced``).
"""

_REVIEWING = frozenset({State.UNIT_REVIEW, State.FORMAT_CHECK, State.AWAITING_SIGNATURE})

_ROWS: tuple[Transition[State], ...] = (
    Transition(Event.SUBMIT, frozenset({State.DRAFT}), State.UNIT_REVIEW, p.can_submit, "Trình duyệt",
               effect=no_effect, notify=fx.reviewers,
               description="The drafter sends the draft to the head of the drafting unit (Đ.12.1)."),
    Transition(Event.WITHDRAW, frozenset({State.UNIT_REVIEW}), State.DRAFT, p.can_withdraw, "Rút lại dự thảo",
               effect=no_effect, confirm=True,
               description="The drafter takes the draft back before the unit head approves it (to correct it "
                           "or to delete it)."),
    Transition(Event.DISCARD, frozenset({State.DRAFT}), State.DISCARDED, p.can_discard, "Xóa dự thảo",
               effect=no_effect, confirm=True, destructive=True,
               description="The drafter deletes a draft nobody has approved (a duplicate, an abandoned text). "
                           "It leaves every list; its history and files stay for the audit trail."),
    Transition(Event.APPROVE, frozenset({State.UNIT_REVIEW}), State.FORMAT_CHECK, p.can_approve, "Duyệt nội dung",
               effect=no_effect, notify=fx.clerks,
               description="The unit head checks and approves the content; it goes to the format check."),
    Transition(Event.FORMAT_OK, frozenset({State.FORMAT_CHECK}), State.AWAITING_SIGNATURE, p.can_check_format,
               "Đạt thể thức, trình ký", effect=fx.locate, notify=fx.signer,
               description="The office/clerk checks format and presentation (Đ.12.2); the signature box and "
                           "number/date areas are located and fixed."),
    Transition(Event.RETURN, _REVIEWING, State.DRAFT, p.can_return, "Trả lại", effect=no_effect, notify=fx.drafter,
               needs_reason=True, reason_label="Ý kiến trả lại", confirm=True, destructive=True,
               description="Any reviewer (unit head, format checker, signer) sends it back to the drafter "
                           "with a comment."),
    Transition(Event.REVISE, frozenset({State.FORMAT_CHECK, State.AWAITING_SIGNATURE}), State.AWAITING_SIGNATURE,
               p.can_revise, "Sửa và trình lại người ký", effect=fx.revise, notify=fx.signer, needs_reason=True,
               reason_label="Nội dung sửa đổi",
               description="A new version after approval: it goes back to the signer (Đ.11.2)."),
    Transition(Event.SIGN, frozenset({State.AWAITING_SIGNATURE}), State.SIGNED, p.can_sign, "Ký số",
               effect=signing.sign, prepare=signing.prepare_sign, notify=fx.clerks_and_drafter, needs_otp=True,
               batch=True,
               description="The designated signer signs with the personal certificate and one OTP (PAdES); "
                           "the number/date fields are reserved in the signed revision."),
    Transition(Event.NUMBER, frozenset({State.SIGNED}), State.REGISTERED, p.can_number, "Cấp số và vào sổ",
               effect=fx.number,
               description="The clerk allocates the number under a row lock, writes number and date into the "
                           "reserved fields (form filling) and registers it."),
    Transition(Event.SEAL, frozenset({State.REGISTERED}), State.ORG_SIGNED, p.can_seal, "Ký số cơ quan (đóng dấu)",
               effect=signing.seal, prepare=signing.prepare_seal, needs_otp=True,
               description="The clerk applies the agency's seal signature to the main file and each "
                           "separate-file appendix with one OTP."),
    Transition(Event.ISSUE, frozenset({State.ORG_SIGNED}), State.ISSUED, p.can_issue, "Phát hành",
               effect=fx.issue, notify=fx.drafter_and_signer,
               description="Dispatch to every recipient: platform agencies receive an incoming document, "
                           "internal units are informed."),
    Transition(Event.ARCHIVE, frozenset({State.ISSUED}), State.ARCHIVED, p.can_archive, "Lưu bản gốc",
               effect=fx.archive,
               description="The clerk files the electronic original in the agency's system (Đ.19, lưu văn bản đi) "
                           "once no recipient's delivery is still queued; the document stays read-only."),
    Transition(Event.RECALL, PUBLISHED, State.RECALLED, p.can_recall, "Thu hồi", effect=fx.recall,
               notify=fx.recall_notified, needs_reason=True, reason_label="Lý do thu hồi", confirm=True,
               destructive=True,
               description="The document is frozen; recipients' copies become inaccessible and each recipient "
                           "confirms (Đ.18.4, no time limit: also after archiving; PL VI §III.8.a)."),
    Transition(Event.REPLACE, PUBLISHED, State.REPLACED, p.can_supersede, "Bị thay thế", effect=fx.mark_replaced,
               notify=fx.drafter_and_signer, automatic=True,
               description="Taken by the system when a document declared as replacing it (thay thế, Đ.18.3) is "
                           "issued; it keeps its number and links to the new document. An amending document "
                           "(sửa đổi) only links the two."),
)

TABLE: transitions.TransitionTable[State, Transition[State]] = transitions.TransitionTable(
    State, _ROWS, initial=INITIAL, terminal=TERMINAL, state_labels=STATE_LABELS, reason_label="Ý kiến",
    columns=(("OTP", lambda row: "yes" if row.needs_otp else ""),
             ("Automatic", lambda row: "yes" if row.automatic else "")))
"""The declared lifecycle; the module-level names below are its parts."""

TRANSITIONS, EVENT_LABELS, events = TABLE.transitions, TABLE.event_labels, TABLE.events
transitions_from, find, render_markdown = TABLE.transitions_from, TABLE.find, TABLE.render_markdown


async def _no_context(db: AsyncSession, doc: OutgoingDocument) -> None:
    """Outgoing policies decide from the actor and the document alone."""


def _history_row(doc: OutgoingDocument, at: object, actor: Actor, kind: str, before: str | None,
                 after: str | None, text: str) -> OutgoingEvent:
    return OutgoingEvent(outgoing_id=doc.id, at=at, actor_id=actor.user_id, actor_name=actor.full_name, kind=kind,
                         from_state=before, to_state=after, text=text)


def _refresh(doc: OutgoingDocument) -> None:
    """The search text; and urgent documents pinned to the top of the lists only until they are issued."""
    doc.search_text = search_text_for(doc)
    doc.priority = 0 if doc.state in AFTER_ISSUE | TERMINAL else doc.urgency.priority


LIFECYCLE: Lifecycle[OutgoingDocument] = Lifecycle(
    name="outgoing", table=TABLE, model=OutgoingDocument, visible=p.visible_outgoing, history_row=_history_row,
    context=_no_context, send=notify, otp_message="outgoing.sign.otp_format", refresh=_refresh)
"""The outgoing lifecycle as the workflow engine runs it."""


def route_opt(*events: str) -> dict[str, bool]:
    """The Litestar ``opt`` of a route that applies ``events`` (any event of the table when none are named).

    ``needs_otp`` is set when one of them asks for an OTP: the offline guard never queues or replays
    such a route (``backend.web.offline.policy.never_replayed``).
    """
    rows = [row for row in TRANSITIONS if not events or row.event in events]
    return {NEEDS_OTP: any(row.needs_otp for row in rows)}
