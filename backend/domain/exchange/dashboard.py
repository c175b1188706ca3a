"""The exchange dashboard's figures: per partner agency, what we sent and received and how they answered.

Issue 13 item 9. For the agencies in scope (:func:`backend.domain.statistics.scope.statistics_agency_ids`,
or one of them) and a period, one row per partner agency — an agency of this deployment (platform,
key ``a<agency id>``) or an agency on the national axis (key ``d<directory id>``; ``c<code>`` for
a sender missing from the directory), named from the agency directory:

* **sent** — agency recipient lines of our documents issued in the period that left us
  (``sent_at`` set; a line still queued or failed is not a package sent);
* **received** — incoming documents received in the period through the platform (an
  ``exchange_receipt``) or the axis (an ``axis_arrival``), by their sender;
* **time to 01 / 03 / 06** — median and 90th percentile of the **office hours** (the deployment's
  working-day calendar and office hours, :mod:`backend.lib.workdays`) from ``sent_at`` to the line's
  ``arrived_at`` / ``accepted_at`` / ``done_at`` (:mod:`backend.db.delivery_milestones`), over the
  lines that reached it;
* **not acknowledged the same day** (ND 30 Đ.21.2.c: the recipient confirms the day it receives) —
  the acknowledgement is the recipient's 03, or its 02 with a reason; it is due by the end of the
  sending day (the next working day when sent on a day off). ``ack_late``: it came after that day;
  ``ack_missing``: none yet and that day is over;
* **rejected** — lines the recipient returned with 02 (``returned_at``), with the latest reasons.

Two queries, whatever the number of agencies: the sent lines (read once into a materialised CTE of
plain numbers, the calendar joined as a table as the statistics do), the received documents per
sender (platform and axis); then the directory names of the partners seen. Percentiles are taken
in Python over the lines' durations (nearest rank; the median is the usual one).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Agency,
    AxisArrival,
    DirectoryAgency,
    ExchangeReceipt,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
)
from backend.domain.statistics.calendar_table import CalendarTable
from backend.domain.statistics.period import Period
from backend.domain.statistics.sql import epoch, local_day, local_day_of

__all__ = ["LATEST_REASONS", "AgencyIds", "PartnerRow", "Timing", "exchange_rows", "partner_key", "partner_names",
           "received_axis_query", "received_platform_query", "sent_lines_query", "sum_rows", "timing"]

AgencyIds = sa.Select[tuple[int]] | Sequence[int]
"""The agencies whose exchange is counted: a scope query, or their ids (which give the planner exact
estimates: one department's ids lead it to the document index instead of a scan)."""

LATEST_REASONS = 3
"""How many of a partner's latest rejection reasons its row carries."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Office hours from sending to a status over ``count`` lines (``None`` without any)."""

    count: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None


@dataclass(slots=True)
class PartnerRow:
    """One partner agency's exchange with the agencies in scope in the period."""

    key: str
    name: str
    path: str
    """``platform`` (an agency of this deployment) or ``axis``."""
    sent: int = 0
    received: int = 0
    to_arrived: Timing = field(default_factory=Timing)
    to_accepted: Timing = field(default_factory=Timing)
    to_done: Timing = field(default_factory=Timing)
    ack_late: int = 0
    ack_missing: int = 0
    rejected: int = 0
    latest_reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Durations:
    """A partner's raw per-line figures while the rows are being built."""

    arrived: list[float] = field(default_factory=list)
    accepted: list[float] = field(default_factory=list)
    done: list[float] = field(default_factory=list)
    reasons: list[tuple[float, str]] = field(default_factory=list)


def partner_key(agency_id: int | None, directory_id: int | None) -> str:
    """The partner of a recipient line: the platform agency, else the axis directory entry."""
    return f"a{agency_id}" if agency_id is not None else f"d{directory_id}"


def timing(seconds: Sequence[float]) -> Timing:
    """Median and 90th percentile (nearest rank) of office seconds, in hours with one decimal."""
    if not seconds:
        return Timing()
    ordered = sorted(max(0.0, s) for s in seconds)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return Timing(len(ordered), round(statistics.median(ordered) / 3600, 1), round(p90 / 3600, 1))


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.case((condition, 1), else_=0)


def sent_lines_query(agency_ids: AgencyIds, period: Period, cal: CalendarTable,
                     now: datetime) -> sa.Select[tuple[Any, ...]]:
    """One row per agency line sent in the period: partner, office seconds to 01/03/06, ack flags, rejection."""
    line, doc = OutgoingRecipient, OutgoingDocument
    rows = (sa.select(
                line.recipient_agency_id.label("agency_id"), line.directory_id.label("directory_id"),
                epoch(line.sent_at).label("sent"), epoch(line.arrived_at).label("arrived"),
                epoch(line.accepted_at).label("accepted"), epoch(line.done_at).label("done"),
                epoch(sa.func.coalesce(line.accepted_at, line.returned_at)).label("ack"),
                epoch(line.returned_at).label("returned"),
                sa.case((line.returned_at.is_not(None), line.status_note), else_=None).label("reason"))
            .join(doc, doc.id == line.outgoing_id)
            .where(doc.agency_id.in_(agency_ids), doc.issued_at >= period.lower, doc.issued_at < period.upper,
                   line.kind == RecipientKind.AGENCY, line.sent_at.is_not(None))
            .cte("dash_lines").prefix_with("MATERIALIZED"))
    r = rows.c
    days = {name: local_day_of(getattr(r, name)) for name in ("sent", "arrived", "accepted", "done")}
    on = {name: cal.alias(f"cal_{name}") for name in days}

    def office_since_sent(name: str) -> sa.ColumnElement[float]:
        return (cal.office_seconds(on[name], getattr(r, name), days[name])
                - cal.office_seconds(on["sent"], r.sent, days["sent"]))

    due_day = sa.case((on["sent"].c.working == 1, days["sent"]), else_=on["sent"].c.next_day)
    ack_day = local_day_of(r.ack)
    query = sa.select(
        r.agency_id, r.directory_id, office_since_sent("arrived"), office_since_sent("accepted"),
        office_since_sent("done"), _flag(r.ack.is_not(None) & (ack_day > due_day)),
        _flag(r.ack.is_(None) & (due_day < local_day(now.timestamp()))), r.returned, r.reason).select_from(rows)
    for name in days:
        query = query.outerjoin(on[name], on[name].c.cal_day == days[name])
    return query


def received_platform_query(agency_ids: AgencyIds, period: Period) -> sa.Select[tuple[int, int]]:
    """Per sending agency of this deployment: the documents it delivered to the scope in the period."""
    doc = IncomingDocument
    return (sa.select(OutgoingDocument.agency_id, sa.func.count())
            .select_from(doc)
            .join(ExchangeReceipt, ExchangeReceipt.incoming_id == doc.id)
            .join(OutgoingRecipient, OutgoingRecipient.id == ExchangeReceipt.recipient_id)
            .join(OutgoingDocument, OutgoingDocument.id == OutgoingRecipient.outgoing_id)
            .where(doc.agency_id.in_(agency_ids), doc.received_at >= period.lower, doc.received_at < period.upper)
            .group_by(OutgoingDocument.agency_id))


def received_axis_query(agency_ids: AgencyIds, period: Period) -> sa.Select[tuple[str, int, str]]:
    """Per sender code on the axis: the documents its packages created in the scope in the period."""
    doc = IncomingDocument
    return (sa.select(AxisArrival.sender_code, sa.func.count(), sa.func.max(doc.issuer_name))
            .select_from(doc)
            .join(AxisArrival, AxisArrival.incoming_id == doc.id)
            .where(doc.agency_id.in_(agency_ids), doc.received_at >= period.lower, doc.received_at < period.upper)
            .group_by(AxisArrival.sender_code))


class _Rows:
    """The partner rows being built, created on first sight."""

    def __init__(self) -> None:
        self.rows: dict[str, PartnerRow] = {}
        self.durations: dict[str, _Durations] = {}

    def get(self, key: str, path: str, name: str = "") -> PartnerRow:
        if key not in self.rows:
            self.rows[key] = PartnerRow(key, name, path)
            self.durations[key] = _Durations()
        return self.rows[key]


async def partner_names(db: AsyncSession, keys: Iterable[str]) -> dict[str, str]:
    """The directory name (its local name first) of each partner key, else the agency's name."""
    keys = set(keys)
    agency_ids = {int(key[1:]) for key in keys if key[0] == "a"}
    directory_ids = {int(key[1:]) for key in keys if key[0] == "d"}
    names: dict[str, str] = {}
    if agency_ids:
        for agency_id, name, local, synced in await db.execute(
                sa.select(Agency.id, Agency.name, DirectoryAgency.local_name, DirectoryAgency.name)
                .outerjoin(DirectoryAgency, DirectoryAgency.agency_id == Agency.id)
                .where(Agency.id.in_(agency_ids))):
            names[f"a{agency_id}"] = local or synced or name
    if directory_ids:
        for entry_id, local, synced in await db.execute(
                sa.select(DirectoryAgency.id, DirectoryAgency.local_name, DirectoryAgency.name)
                .where(DirectoryAgency.id.in_(directory_ids))):
            names[f"d{entry_id}"] = local or synced
    return names


async def exchange_rows(db: AsyncSession, agency_ids: AgencyIds, period: Period, cal: CalendarTable,
                        now: datetime) -> tuple[list[PartnerRow], PartnerRow]:
    """Every partner's row (most exchanged first) and the total row, for the agencies ``agency_ids``."""
    built = _Rows()
    every = _Durations()
    for agency_id, directory_id, to_arrived, to_accepted, to_done, late, missing, returned, reason in (
            await db.execute(sent_lines_query(agency_ids, period, cal, now))):
        key = partner_key(agency_id, directory_id)
        row = built.get(key, "platform" if agency_id is not None else "axis")
        durations = built.durations[key]
        row.sent += 1
        row.ack_late += late
        row.ack_missing += missing
        for value, into in ((to_arrived, "arrived"), (to_accepted, "accepted"), (to_done, "done")):
            if value is not None:
                getattr(durations, into).append(float(value))
                getattr(every, into).append(float(value))
        if returned is not None:
            row.rejected += 1
            durations.reasons.append((float(returned), reason or ""))
    for agency_id, count in await db.execute(received_platform_query(agency_ids, period)):
        built.get(f"a{agency_id}", "platform").received += count
    codes = {code: (count, issuer) for code, count, issuer in await db.execute(received_axis_query(agency_ids, period))}
    entries = dict((await db.execute(sa.select(DirectoryAgency.code, DirectoryAgency.id)
                                     .where(DirectoryAgency.code.in_(list(codes))))).tuples().all()) if codes else {}
    for code, (count, issuer) in codes.items():
        built.get(f"d{entries[code]}" if code in entries else f"c{code}", "axis", issuer).received += count
    for key, row in built.rows.items():
        durations = built.durations[key]
        row.to_arrived, row.to_accepted, row.to_done = (
            timing(durations.arrived), timing(durations.accepted), timing(durations.done))
        row.latest_reasons = [text for _at, text in sorted(durations.reasons, reverse=True)[:LATEST_REASONS]]
    rows = list(built.rows.values())
    names = await partner_names(db, built.rows)
    for row in rows:
        row.name = names.get(row.key, row.name or row.key[1:])
    rows.sort(key=lambda row: (-(row.sent + row.received), row.name))
    return rows, sum_rows(rows, every)


def sum_rows(rows: Sequence[PartnerRow], every: _Durations | None = None) -> PartnerRow:
    """The total line (key ``all``): sums, and timings over every line when ``every`` is given."""
    total = PartnerRow("all", "", "")
    for row in rows:
        total.sent += row.sent
        total.received += row.received
        total.ack_late += row.ack_late
        total.ack_missing += row.ack_missing
        total.rejected += row.rejected
    if every is not None:
        total.to_arrived, total.to_accepted, total.to_done = (
            timing(every.arrived), timing(every.accepted), timing(every.done))
    return total

