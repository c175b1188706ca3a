"""The work-file lifecycle as a declared transition table (domain.md §14.3).

``TABLE`` is the only definition of what may happen to a work file; the one engine that applies it
is :class:`backend.domain.documents.engine.Workflow` (with :data:`LIFECYCLE`), so history, audit and
the optimistic version check come from it. The planned state is the catalogue item itself; the
transfer rules (due date, retention, keep-back) live in :mod:`.transfer`.
``docs/workflows/workfiles.md`` embeds :func:`render_markdown`; a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import WorkFile, WorkFileEvent, WorkFileState
from backend.domain.accounts.actor import Actor
from backend.domain.documents.engine import Lifecycle
from backend.domain.workfiles import policies as p
from backend.domain.workfiles._effects import close
from backend.domain.workfiles.transfer import accept, retain, submit
from backend.lib import transitions
from backend.lib.transitions import no_effect

__all__ = ["LIFECYCLE", "STATE_LABELS", "TABLE", "Event", "State", "render_markdown"]

State = WorkFileState


class Event(StrEnum):
    """The events of the work-file lifecycle."""

    CLOSE = "close"
    SUBMIT = "submit"
    RETAIN = "retain"
    ACCEPT = "accept"
    RETURN = "return"


STATE_LABELS: dict[State, str] = {
    State.OPEN: "Đang lập", State.CLOSED: "Đã đóng", State.SUBMITTED: "Chờ lưu trữ tiếp nhận",
    State.RETAINED: "Giữ lại", State.ARCHIVED: "Đã nộp lưu"}

_ROWS: tuple[transitions.Transition[State], ...] = (
    transitions.Transition(
        Event.CLOSE, frozenset({State.OPEN}), State.CLOSED, p.can_close, "Đóng hồ sơ", effect=close, confirm=True,
        description="The work is finished: the end date is set, totals are counted; an empty file is refused."),
    transitions.Transition(
        Event.SUBMIT, frozenset({State.CLOSED, State.RETAINED}), State.SUBMITTED, p.can_submit, "Nộp lưu",
        effect=submit, confirm=True,
        description="Hand the file to the agency archive: refused unless kept at least 5 years, due (one year "
                    "after the end; three months after final settlement for capital construction; a kept-back "
                    "file any time) and every outgoing document in it signed."),
    transitions.Transition(
        Event.RETAIN, frozenset({State.CLOSED}), State.RETAINED, p.can_retain, "Giữ lại", effect=retain,
        needs_reason=True, reason_label="Lý do giữ lại",
        description="A leader keeps the file with the unit until a date at most two years away, with a reason."),
    transitions.Transition(
        Event.ACCEPT, frozenset({State.SUBMITTED}), State.ARCHIVED, p.can_hold_archive, "Tiếp nhận vào lưu trữ",
        effect=accept, confirm=True,
        description="The archive holder (the agency's clerk) takes the file; from now on it is read-only. Its "
                    "transfer package (the .pdf and .xml exports, frozen) is made by a job."),
    transitions.Transition(
        Event.RETURN, frozenset({State.SUBMITTED}), State.CLOSED, p.can_hold_archive, "Trả lại",
        effect=no_effect, needs_reason=True, reason_label="Lý do trả lại",
        description="The archive holder sends the file back to the unit with a reason."),
)

TABLE: transitions.TransitionTable[State, transitions.Transition[State]] = transitions.TransitionTable(
    State, _ROWS, initial=State.OPEN, terminal={State.ARCHIVED}, state_labels=STATE_LABELS, reason_label="Lý do")
render_markdown = TABLE.render_markdown


async def _context(_db: AsyncSession, _doc: WorkFile) -> None:
    return None


def _history_row(doc: WorkFile, at: Any, actor: Actor, kind: str, before: str | None, after: str | None,
                 text: str) -> WorkFileEvent:
    return WorkFileEvent(work_file_id=doc.id, at=at, actor_id=actor.user_id, actor_name=actor.full_name, kind=kind,
                         from_state=before, to_state=after, text=text)


async def _send(_db: AsyncSession, _doc: WorkFile, _kind: str, _user_ids: Iterable[int], **_kw: Any) -> None:
    """Work-file events notify nobody (the owner acts on their own file)."""


LIFECYCLE: Lifecycle[WorkFile] = Lifecycle(
    name="workfiles", table=TABLE, model=WorkFile, visible=p.visible_work_files, history_row=_history_row,
    context=_context, send=_send)
"""The work-file lifecycle as the workflow engine runs it."""
