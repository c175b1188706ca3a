"""Who may see and change work files and the file catalogue (deny unless allowed).

``visible_work_files(actor)`` is the one scoping query of work files: inside the actor's active
agency, a file is visible to its owner, to the agency's clerks, leaders and deputies, to the head
of the owner's unit, and -- when its usage regime (``Rights``, domain.md §3.8) is "Công khai" --
to everyone holding a role in the agency. Anything else is 404.

Policies share the workflow signature ``(actor, work_file, ctx) -> Decision``. The agency has no
archivist role (domain.md §2): the agency's clerk holds the archive and accepts or returns
transfers; keeping a file back (giữ lại) needs a leader or deputy.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from backend.db.models import Role, WorkFile, WorkFileState
from backend.domain.accounts.actor import Actor
from backend.domain.workfiles.values import PUBLIC
from backend.lib.transitions import ALLOWED, Decision, deny

__all__ = [
    "can_catalogue", "can_change", "can_close", "can_hold_archive", "can_manage_catalogue", "can_open", "can_retain",
    "can_settle", "can_submit",
    "sees_every_work_file", "visible_work_files",
]

_SEE_ALL = (Role.CLERK, Role.LEADER, Role.DEPUTY)


def sees_every_work_file(actor: Actor) -> bool:
    """Whether the actor may read every work file of the active agency (clerks, leaders, deputies)."""
    return actor.has(*_SEE_ALL)


def visible_work_files(actor: Actor) -> sa.Select[tuple[WorkFile]]:
    """Work files the actor may read."""
    query = sa.select(WorkFile).where(WorkFile.agency_id == actor.agency_id)
    if sees_every_work_file(actor):
        return query
    readable = [WorkFile.owner_user_id == actor.user_id]
    if actor.works_here:
        readable.append(WorkFile.rights == PUBLIC)
    if actor.has(Role.UNIT_HEAD) and actor.unit_id is not None:
        readable.append(WorkFile.owner_unit_id == actor.unit_id)
    return query.where(sa.or_(*readable))


def _owner_or_clerk(actor: Actor, work_file: WorkFile) -> bool:
    return work_file.agency_id == actor.agency_id and (
        work_file.owner_user_id == actor.user_id or actor.has(Role.CLERK))


def can_open(actor: Actor) -> Decision:
    """Anyone holding a working role in the agency opens files (the specialist doing the work, usually); not an
    auditor, who only reads the audit trail."""
    return ALLOWED if actor.works_here else deny("workfiles.denied.no_role")


def can_change(actor: Actor, work_file: WorkFile, _ctx: Any = None) -> Decision:
    """Add, remove or reorder documents: the owner or a clerk, while the file is open."""
    if not _owner_or_clerk(actor, work_file):
        return deny("workfiles.denied.not_owner")
    if work_file.state in (WorkFileState.SUBMITTED, WorkFileState.ARCHIVED):
        return deny("workfiles.denied.transferred")
    if work_file.state != WorkFileState.OPEN:
        return deny("workfiles.denied.not_open")
    return ALLOWED


def can_settle(actor: Actor, work_file: WorkFile, _ctx: Any = None) -> Decision:
    """Record the final settlement date of a capital-construction file: owner or clerk, until it is transferred."""
    if not work_file.capital_construction:
        return deny("workfiles.settlement.not_construction")
    if not _owner_or_clerk(actor, work_file):
        return deny("workfiles.denied.not_owner")
    if work_file.state in (WorkFileState.SUBMITTED, WorkFileState.ARCHIVED):
        return deny("workfiles.denied.transferred")
    return ALLOWED


def can_close(actor: Actor, work_file: WorkFile, _ctx: Any = None) -> Decision:
    """Close the file: its owner or a clerk."""
    return ALLOWED if _owner_or_clerk(actor, work_file) else deny("workfiles.denied.not_owner")


def can_catalogue(actor: Actor, work_file: WorkFile, _ctx: Any = None) -> Decision:
    """Attach an ad-hoc file to a catalogue item afterwards: the agency's clerk, until the file is transferred."""
    if work_file.agency_id != actor.agency_id or not actor.has(Role.CLERK):
        return deny("workfiles.denied.not_clerk")
    if work_file.state in (WorkFileState.SUBMITTED, WorkFileState.ARCHIVED):
        return deny("workfiles.denied.transferred")
    return ALLOWED


def can_manage_catalogue(actor: Actor) -> Decision:
    """The catalogue is kept by the agency's clerks and administrators."""
    return ALLOWED if actor.has(Role.CLERK, Role.ADMIN) else deny("workfiles.denied.catalogue")


def can_submit(actor: Actor, work_file: WorkFile, _ctx: Any = None) -> Decision:
    """Transfer the file to the archive (nộp lưu): its owner or a clerk."""
    return ALLOWED if _owner_or_clerk(actor, work_file) else deny("workfiles.denied.not_owner")


def can_retain(actor: Actor, work_file: WorkFile, _ctx: Any = None) -> Decision:
    """Keep a due file back (giữ lại): the agency's leader or a deputy approves it."""
    if work_file.agency_id == actor.agency_id and actor.has(Role.LEADER, Role.DEPUTY):
        return ALLOWED
    return deny("workfiles.denied.not_leader")


def can_hold_archive(actor: Actor, work_file: WorkFile, _ctx: Any = None) -> Decision:
    """Accept or return a transfer: the archive holder, i.e. the agency's clerk."""
    if work_file.agency_id == actor.agency_id and actor.has(Role.CLERK):
        return ALLOWED
    return deny("workfiles.denied.not_archive_holder")
