"""The work-file lifecycle as a declared transition table (domain.md §14.3).

``TABLE`` is the only definition of what may happen to a work file; the one engine that applies it
is :class:`backend.domain.documents.engine.Workflow` (with :data:`LIFECYCLE`), so history, audit and
the optimistic version check come from it. The planned state is the catalogue item itself; the
transfer states (submitted, retained, archived) come with the archive transfer.
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
from backend.lib import transitions

__all__ = ["LIFECYCLE", "STATE_LABELS", "TABLE", "Event", "State", "render_markdown"]

State = WorkFileState


class Event(StrEnum):
    """The events of the work-file lifecycle."""

    CLOSE = "close"


STATE_LABELS: dict[State, str] = {State.OPEN: "Đang lập", State.CLOSED: "Đã đóng"}

_ROWS: tuple[transitions.Transition[State], ...] = (
    transitions.Transition(
        Event.CLOSE, frozenset({State.OPEN}), State.CLOSED, p.can_close, "Đóng hồ sơ", effect=close, confirm=True,
        description="The work is finished: the end date is set, totals are counted; an empty file is refused."),
)

TABLE: transitions.TransitionTable[State, transitions.Transition[State]] = transitions.TransitionTable(
    State, _ROWS, initial=State.OPEN, terminal={State.CLOSED}, state_labels=STATE_LABELS, reason_label="Lý do")
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
