"""The agency directory: synchronising it, overriding entries locally, and searching it for a recipient.

* :func:`sync_directory` refreshes the platform entries from this deployment's agencies and, when
  ``AXIS_URL`` is set, the axis entries from ``getAgenciesList``. Only synced fields are written: the
  administrator's overrides (``local_name``, ``hidden``) survive. An agency of this deployment is
  always a platform entry, even when the axis lists its code too (documents between our own
  agencies never leave the platform). Axis entries missing from the list are deactivated, not
  deleted (old documents still point at them). One audit row per sync.
* :func:`set_override` records the administrator's local name or hiding of one entry (audited).
* :func:`search_recipients` is the draft form's picker: platform and axis agencies alike, matched
  accent-insensitively (``đ`` → ``d``) on name, local name and code, each labelled with its path
  ("Nội tỉnh" / "Trục liên thông quốc gia"). Platform entries are read live from the agencies (a
  new agency is addressable before the next sync), with the directory's overrides applied.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, DirectoryAgency, DirectorySource
from backend.domain.audit.services import record
from backend.domain.exchange.axis_client import AxisAgency, AxisClient
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = ["RecipientChoice", "SyncResult", "last_synced_at", "list_entries", "path_label", "search_recipients",
           "set_override", "sync_axis", "sync_directory", "sync_platform"]

MAX_CHOICES = 40


@dataclass(frozen=True, slots=True)
class RecipientChoice:
    """One line of the picker: form field and value, shown name, code and path."""

    source: DirectorySource
    value: int
    """``Agency.id`` for a platform entry (field ``recipient_agencies``), ``DirectoryAgency.id`` for an axis one
    (field ``recipient_axis``)."""
    name: str
    code: str
    path: str
    picked: bool = False

    @property
    def field(self) -> str:
        return "recipient_agencies" if self.source is DirectorySource.PLATFORM else "recipient_axis"


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: int = 0
    updated: int = 0
    deactivated: int = 0


def path_label(source: DirectorySource) -> str:
    """The path a document takes to an entry of ``source``, in the clerk's words."""
    return t(f"exchange.directory.path.{source.value}")


def _search_text(code: str, name: str, local_name: str | None) -> str:
    return fold(" ".join(part for part in (local_name or "", name, code) if part))[:700]


def _matches(words: Sequence[str], text: str) -> bool:
    return all(word in text for word in words)


async def sync_platform(db: AsyncSession, now: datetime) -> SyncResult:
    """Platform entries for every agency of the deployment (an inactive agency is deactivated).

    An entry follows its agency: when the agency's code was corrected the entry takes the new code,
    or, if another entry already holds it, that one becomes the agency's and the old one is kept
    inactive for history.
    """
    rows = list((await db.scalars(sa.select(DirectoryAgency))).all())
    by_code = {e.code: e for e in rows}
    by_agency = {e.agency_id: e for e in rows if e.agency_id is not None}
    agencies = list((await db.scalars(sa.select(Agency).order_by(Agency.id))).all())
    codes = {agency.id: agency.organ_id for agency in agencies}
    added = updated = deactivated = 0
    for agency in agencies:
        entry = by_agency.get(agency.id)
        if entry is not None and entry.code != agency.organ_id:
            holder = by_code.get(agency.organ_id)
            if holder is None:
                del by_code[entry.code]
                entry.code = agency.organ_id
                by_code[entry.code] = entry
            else:
                entry.agency_id, entry.is_active, entry.synced_at = None, False, now
                await db.flush()
                entry = holder
            updated += 1
        entry = entry or by_code.get(agency.organ_id)
        parent = codes.get(agency.parent_id, "") if agency.parent_id else ""
        if entry is None:
            entry = DirectoryAgency(code=agency.organ_id, name=agency.name, parent_code=parent,
                                    source=DirectorySource.PLATFORM, agency_id=agency.id, is_active=agency.is_active,
                                    synced_at=now, hidden=False)
            db.add(entry)
            by_code[entry.code] = entry
            added += 1
        elif entry.is_active and not agency.is_active:
            deactivated += 1
        elif (entry.name, entry.source, entry.agency_id, entry.parent_code) != (
                agency.name, DirectorySource.PLATFORM, agency.id, parent):
            updated += 1
        entry.name, entry.source, entry.agency_id, entry.parent_code = (agency.name, DirectorySource.PLATFORM,
                                                                        agency.id, parent)
        entry.is_active, entry.synced_at = agency.is_active, now
        entry.search_text = _search_text(entry.code, entry.name, entry.local_name)
    await db.flush()
    return SyncResult(added, updated, deactivated)


async def sync_axis(db: AsyncSession, listed: Sequence[AxisAgency], now: datetime) -> SyncResult:
    """Axis entries from one ``getAgenciesList`` answer; entries it no longer lists are deactivated."""
    entries = {e.code: e for e in (await db.scalars(sa.select(DirectoryAgency))).all()}
    seen: set[str] = set()
    added = updated = deactivated = 0
    for item in listed:
        code, name = clean(item.code)[:35], clean(item.name)[:300]
        if not code or not name or code in seen:
            continue
        seen.add(code)
        identifier = clean(item.identifier) if len(clean(item.identifier)) == 35 else None
        parent = clean(item.parent_code)[:35]
        entry = entries.get(code)
        if entry is not None and entry.source is DirectorySource.PLATFORM:
            entry.identifier = entry.identifier or identifier  # our own agency: platform path, but learn its id
            continue
        if entry is None:
            db.add(DirectoryAgency(code=code, identifier=identifier, name=name, parent_code=parent,
                                   source=DirectorySource.AXIS, is_active=True, synced_at=now, hidden=False,
                                   search_text=_search_text(code, name, None)))
            added += 1
            continue
        if (entry.name, entry.identifier, entry.parent_code, entry.is_active) != (name, identifier, parent, True):
            updated += 1
        entry.name, entry.identifier, entry.parent_code = name, identifier, parent
        entry.is_active, entry.synced_at = True, now
        entry.search_text = _search_text(code, name, entry.local_name)
    for code, entry in entries.items():
        if entry.source is DirectorySource.AXIS and code not in seen and entry.is_active:
            entry.is_active, entry.synced_at = False, now
            deactivated += 1
    await db.flush()
    return SyncResult(added, updated, deactivated)


async def sync_directory(db: AsyncSession, settings: Settings, now: datetime, *, actor_name: str,
                         actor_id: int | None = None) -> tuple[SyncResult, SyncResult | None]:
    """Platform entries, then (when ``AXIS_URL`` is set) axis entries; one audit row.

    Raises:
        AxisError: the axis could not be asked (transient: try again; permanent: fix the configuration).
            Nothing is written then.
    """
    listed: list[AxisAgency] | None = None
    if settings.axis_url:
        async with AxisClient.from_settings(settings) as axis:
            listed = await axis.getAgenciesList()
    platform = await sync_platform(db, now)
    axis_result = await sync_axis(db, listed, now) if listed is not None else None
    await record(db, "exchange.directory_synced", actor_id=actor_id, actor_name=actor_name,
                 object_type="directory",
                 detail={"platform": _as_dict(platform),
                         "axis": _as_dict(axis_result) if axis_result is not None else "not_configured"})
    return platform, axis_result


def _as_dict(result: SyncResult) -> dict[str, int]:
    return {"added": result.added, "updated": result.updated, "deactivated": result.deactivated}


async def set_override(db: AsyncSession, entry: DirectoryAgency, *, local_name: str, hidden: bool,
                       actor_id: int | None, actor_name: str) -> None:
    """The administrator's local name (empty: the synced one) and hiding of ``entry``; audited."""
    before = {"local_name": entry.local_name, "hidden": entry.hidden}
    entry.local_name, entry.hidden = clean(local_name)[:300] or None, hidden
    entry.search_text = _search_text(entry.code, entry.name, entry.local_name)
    await record(db, "exchange.directory_override", actor_id=actor_id, actor_name=actor_name,
                 object_type="directory", object_id=entry.id,
                 detail={"code": entry.code, "before": before,
                         "after": {"local_name": entry.local_name, "hidden": entry.hidden}})
    await db.flush()


async def search_recipients(db: AsyncSession, query: str, *, own_agency_id: int,
                            picked_agencies: Collection[int] = (), picked_axis: Collection[int] = (),
                            limit: int = MAX_CHOICES) -> list[RecipientChoice]:
    """Picked entries first, then platform and axis agencies matching ``query`` (every word, accents ignored).

    Without a query every platform agency is offered (the deployment's own directory, as before) and
    axis agencies only once searched for (the national list is long).
    """
    words = fold(clean(query)).split()
    overrides = {e.agency_id: e for e in (await db.scalars(sa.select(DirectoryAgency).where(
        DirectoryAgency.agency_id.is_not(None)))).all()}
    platform_label, axis_label = path_label(DirectorySource.PLATFORM), path_label(DirectorySource.AXIS)
    picked: list[RecipientChoice] = []
    found: list[RecipientChoice] = []
    agencies = (await db.execute(sa.select(Agency.id, Agency.name, Agency.organ_id).where(
        Agency.is_active.is_(True), Agency.id != own_agency_id).order_by(Agency.name))).tuples().all()
    for agency_id, name, code in agencies:
        entry = overrides.get(agency_id)
        if entry is not None and entry.hidden and agency_id not in picked_agencies:
            continue
        shown = entry.local_name if entry is not None and entry.local_name else name
        choice = RecipientChoice(DirectorySource.PLATFORM, agency_id, shown, code, platform_label,
                                 agency_id in picked_agencies)
        if choice.picked:
            picked.append(choice)
        elif _matches(words, _search_text(code, name, entry.local_name if entry else None)):
            found.append(choice)
    axis_rows: list[DirectoryAgency] = []
    if picked_axis:
        axis_rows += (await db.scalars(sa.select(DirectoryAgency).where(
            DirectoryAgency.id.in_(list(picked_axis)), DirectoryAgency.source == DirectorySource.AXIS))).all()
    if words:
        statement = sa.select(DirectoryAgency).where(
            DirectoryAgency.source == DirectorySource.AXIS, DirectoryAgency.is_active.is_(True),
            DirectoryAgency.hidden.is_(False), *(DirectoryAgency.search_text.contains(word, autoescape=True)
                                                 for word in words))
        axis_rows += (await db.scalars(statement.order_by(DirectoryAgency.name).limit(limit))).all()
    seen: set[int] = set()
    for row in axis_rows:
        if row.id in seen:
            continue
        seen.add(row.id)
        choice = RecipientChoice(DirectorySource.AXIS, row.id, row.display_name, row.code, axis_label,
                                 row.id in picked_axis)
        (picked if choice.picked else found).append(choice)
    if words:
        found = found[:limit]
    return picked + found


async def list_entries(db: AsyncSession, query: str, limit: int = 200) -> list[DirectoryAgency]:
    """Directory entries matching ``query`` (every word, accents ignored) for the administrator: platform first."""
    statement = sa.select(DirectoryAgency).where(*(DirectoryAgency.search_text.contains(word, autoescape=True)
                                                   for word in fold(clean(query)).split()))
    return list((await db.scalars(statement.order_by(DirectoryAgency.source.desc(), DirectoryAgency.name)
                                  .limit(limit))).all())


async def last_synced_at(db: AsyncSession) -> datetime | None:
    """When the directory was last synced (``None``: never)."""
    return await db.scalar(sa.select(sa.func.max(DirectoryAgency.synced_at)))
