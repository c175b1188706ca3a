"""The audit viewer's reads: who viewed, changed, signed, downloaded or exported what, and when.

Scope: an administrator or an auditor (:data:`AUDIT_ROLES`) sees the rows of their active agency and
its descendants (:func:`audited_agency_ids`); rows without an agency (the system's own) are not
shown. Everything starts from :func:`visible_audit`.

Filters come from the query string and never raise (garbage is ignored): the object (``incoming``
or ``outgoing`` and its id), the user (login name), a kind of action (view, download, sign, …) or
an exact action name, and a date range in Vietnam time (at most :data:`MAX_RANGE_DAYS` long).
Pages are keyset pages over ``id`` descending (newest first); the CSV export walks the same query
in keyset batches up to :data:`EXPORT_LIMIT` rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import AuditEvent, Role
from backend.domain.accounts.actor import Actor
from backend.domain.organizations.policies import agency_subtree_ids
from backend.lib.bounds import parse_id
from backend.lib.clock import VN_TZ

__all__ = ["ACTION_KINDS", "AUDIT_ROLES", "EXPORT_LIMIT", "MAX_RANGE_DAYS", "OBJECT_TYPES", "PAGE_SIZE", "AuditFilters",
           "AuditPage", "audit_page", "audited_agency_ids", "can_view_audit", "export_rows", "visible_audit"]

AUDIT_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})
"""Who may read the audit trail (issue 15 item 6: "an administrator or auditor")."""
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
MAX_RANGE_DAYS = 366
OBJECT_TYPES = ("incoming", "outgoing", "certificate", "user", "agency", "unit")
ACTION_KINDS: Mapping[str, str] = {
    "viewed": "%.viewed",
    "downloaded": "%downloaded",
    "signed": "%sign%",
    "exported": "%.exported",
    "printed": "%.printed",
}
"""Kinds of action the filter offers, as ``LIKE`` patterns over the action name."""


def _as_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """The viewer's filters (invalid values are dropped, never an error)."""

    object_type: str = ""
    object_id: str = ""
    user: str = ""
    kind: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> AuditFilters:
        object_type = params.get("object_type", "").strip()
        object_id = params.get("object_id", "").strip()
        date_from, date_to = _as_date(params.get("from", "")), _as_date(params.get("to", ""))
        if date_from and date_to and date_to < date_from:
            date_from, date_to = date_to, date_from
        if date_from and date_to and (date_to - date_from).days > MAX_RANGE_DAYS:
            date_from = date_to - timedelta(days=MAX_RANGE_DAYS)
        action = params.get("action", "").strip()
        return cls(
            object_type=object_type if object_type in OBJECT_TYPES else "",
            object_id=object_id[:64] if object_id.isdigit() or object_type == "certificate" else "",
            user=params.get("user", "").strip()[:64],
            kind=params.get("kind", "") if params.get("kind", "") in ACTION_KINDS else "",
            action=action[:64] if all(c.isalnum() or c in "._" for c in action) else "",
            date_from=date_from, date_to=date_to,
        )

    def as_query(self) -> dict[str, str]:
        values = {"object_type": self.object_type, "object_id": self.object_id, "user": self.user,
                  "kind": self.kind, "action": self.action,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else ""}
        return {key: value for key, value in values.items() if value}


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


def can_view_audit(actor: Actor) -> bool:
    """True for an administrator or auditor of the active agency."""
    return bool(actor.roles & AUDIT_ROLES)


def audited_agency_ids(actor: Actor) -> sa.Select[tuple[int]]:
    """The active agency and its descendants for an administrator or auditor; nothing for anybody else."""
    return agency_subtree_ids(actor, AUDIT_ROLES, "audit_tree")


def visible_audit(actor: Actor) -> sa.Select[tuple[AuditEvent]]:
    """Audit rows of the agencies the actor audits (nothing for anybody else)."""
    return sa.select(AuditEvent).where(AuditEvent.agency_id.in_(audited_agency_ids(actor)))


def _filtered(actor: Actor, filters: AuditFilters) -> sa.Select[tuple[AuditEvent]]:
    query = visible_audit(actor)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.user:
        query = query.where(AuditEvent.actor_name == filters.user)
    if filters.kind:
        query = query.where(AuditEvent.action.like(ACTION_KINDS[filters.kind]))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AuditEvent.at >= _local_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.at < _local_start(filters.date_to + timedelta(days=1)))
    return query


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page, newest first; ``next_cursor`` (the last row's id) is ``None`` on the last page."""

    rows: Sequence[AuditEvent]
    next_cursor: str | None


async def audit_page(db: AsyncSession, actor: Actor, filters: AuditFilters, cursor: str = "",
                     size: int = PAGE_SIZE) -> AuditPage:
    """One keyset page of the visible, filtered rows; ``cursor`` is the id the previous page ended on."""
    query = _filtered(actor, filters).order_by(AuditEvent.id.desc()).limit(size + 1)
    if (before := parse_id(cursor)) is not None:
        query = query.where(AuditEvent.id < before)
    rows = list((await db.scalars(query)).all())
    next_cursor = str(rows[size - 1].id) if len(rows) > size else None
    return AuditPage(rows=rows[:size], next_cursor=next_cursor)


async def export_rows(db: AsyncSession, actor: Actor, filters: AuditFilters,
                      batch: int = 2000) -> AsyncIterator[AuditEvent]:
    """Every visible, filtered row newest first (at most :data:`EXPORT_LIMIT`), read in keyset batches."""
    sent = 0
    last: int | None = None
    while sent < EXPORT_LIMIT:
        query: sa.Select[Any] = _filtered(actor, filters).order_by(AuditEvent.id.desc()).limit(
            min(batch, EXPORT_LIMIT - sent))
        if last is not None:
            query = query.where(AuditEvent.id < last)
        rows = (await db.scalars(query)).all()
        if not rows:
            return
        for row in rows:
            yield row
        sent += len(rows)
        last = rows[-1].id
