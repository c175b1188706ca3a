"""A small hand-built exchange for the dashboard tests: every figure is known in advance.

Province P with two departments A and B (each with a clerk), a specialist of A, an unrelated
agency Z with a clerk, and two partners outside the province on the axis: X (in the directory) and a
sender whose code the directory lacks. B's directory entry carries a local name. Office hours are
the defaults (07:30–11:30, 13:30–17:00); October 2026, the 5th is a Monday.

A's packages (``month=2026-10``), each timed in office hours from sending:

=====  =========================  ========  ==========================  ===========================
doc    sent                       partner   answers                     counts as
=====  =========================  ========  ==========================  ===========================
o1     Mon 5 08:00                B         01 08:00, 03 10:00, 06 Wed  01 0 h, 03 2 h, 06 17 h
                                            7 10:00
o2     Tue 6 15:00                X         01 15:30, 03 Wed 7 09:00    01 0.5 h, 03 3.5 h; **late**
                                                                        acknowledgement
o3     Thu 8 10:00                X         01 10:18, 02 11:00 (reason) 01 0.3 h; rejected, answered
                                                                        the same day
o4     Fri 9 16:00                X         01 16:06, nothing more      01 0.1 h; **missing**
o5     Sat 10 09:00 (day off)     X         01 09:05, 03 Mon 12 08:00   01 0 h, 03 0.5 h; on time
                                                                        (due the next working day)
o4     a second line to B, still  —         never left                  not a package sent
       queued
=====  =========================  ========  ==========================  ===========================

A received: one document from B (platform), two from X and one from the unknown sender (axis).
B sent one document to A (accepted) and one to X (rejected: "Sai thể thức văn bản").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Agency,
    AgencyLevel,
    AxisArrival,
    DeliveryStatus,
    DirectoryAgency,
    DirectorySource,
    DocumentSource,
    DocumentType,
    ExchangeReceipt,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingState,
    RecipientKind,
    Role,
    StoredFile,
    User,
)
from backend.lib.clock import VN_TZ
from tests import factories

MONTH = "2026-10"
X_CODE = "000.00.00.G09"
UNKNOWN_CODE = "000.00.00.H98"
REASON_A = "Thiếu chữ ký số của cơ quan ban hành"
REASON_B = "Sai thể thức văn bản"
B_LOCAL_NAME = "Sở Thử Nghiệm B (tên trong danh bạ)"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A local (Vietnam) moment of October 2026."""
    return datetime(2026, 10, day, hour, minute, tzinfo=VN_TZ)


@dataclass(frozen=True, slots=True)
class World:
    province: Agency
    a: Agency
    b: Agency
    z: Agency
    x: DirectoryAgency
    province_leader: User
    a_clerk: User
    b_clerk: User
    z_clerk: User
    a_specialist: User
    o3_id: int


class _Builder:
    def __init__(self, db: AsyncSession, type_id: int, file_id: int) -> None:
        self.db, self.type_id, self.file_id = db, type_id, file_id

    async def outgoing(self, agency: Agency, author: User, issued: datetime, number: int) -> OutgoingDocument:
        doc = OutgoingDocument(
            agency_id=agency.id, state=OutgoingState.ISSUED, document_type_id=self.type_id,
            summary=f"Văn bản liên thông số {number}", drafter_id=author.id, signer_id=author.id,
            main_file_id=self.file_id, code_number=str(number), code_notation="TN-VP", signed_at=issued,
            registered_at=issued, issued_at=issued)
        self.db.add(doc)
        await self.db.flush()
        return doc

    async def line(self, doc: OutgoingDocument, status: DeliveryStatus, *, agency: Agency | None = None,
                   entry: DirectoryAgency | None = None, note: str = "", **moments: datetime) -> OutgoingRecipient:
        """A recipient line whose milestones are the given moments (``status`` set last, so none is stamped)."""
        name = agency.name if agency is not None else entry.name if entry is not None else ""
        values: dict[str, Any] = {
            "outgoing_id": doc.id, "kind": RecipientKind.AGENCY, "name": name,
            "recipient_agency_id": agency.id if agency else None, "directory_id": entry.id if entry else None,
            "status_note": note, **moments}
        values["status"] = status
        line = OutgoingRecipient(**values)
        self.db.add(line)
        await self.db.flush()
        return line

    async def incoming(self, agency: Agency, received: datetime, issuer: str) -> IncomingDocument:
        doc = IncomingDocument(
            agency_id=agency.id, state=IncomingState.RECEIVED, source=DocumentSource.ELECTRONIC,
            document_type_id=self.type_id, code_number="9", code_notation="X-VP", issuer_name=issuer,
            issued_on=received.date(), summary="Văn bản đến liên thông", signer_name="Nguyễn Văn A",
            file_id=self.file_id, received_at=received)
        self.db.add(doc)
        await self.db.flush()
        return doc

    async def axis_arrival(self, agency: Agency, code: str, received: datetime, issuer: str, n: int) -> None:
        doc = await self.incoming(agency, received, issuer)
        self.db.add(AxisArrival(agency_id=agency.id, sender_code=code, document_id=f"{code},2026/10/01,{n}/X-VP",
                                axis_doc_id=f"axis-{n}", package_sha256="1" * 64, incoming_id=doc.id,
                                received_at=received))

    async def platform(self, line: OutgoingRecipient, agency: Agency, received: datetime, issuer: str) -> None:
        doc = await self.incoming(agency, received, issuer)
        line.incoming_id = doc.id
        self.db.add(ExchangeReceipt(incoming_id=doc.id, recipient_id=line.id, verified_ok=True))


async def build(db: AsyncSession) -> World:
    """Create the agencies, people, directory entries and exchanges (the caller commits)."""
    province = await factories.agency(db, name="Ủy ban nhân dân tỉnh Thử Nghiệm", level=AgencyLevel.PROVINCE)
    a = await factories.agency(db, name="Sở Thử Nghiệm A", level=AgencyLevel.DEPARTMENT, parent=province)
    b = await factories.agency(db, name="Sở Thử Nghiệm B", level=AgencyLevel.DEPARTMENT, parent=province)
    z = await factories.agency(db, name="Ủy ban nhân dân tỉnh Khác", level=AgencyLevel.PROVINCE)
    province_leader = await factories.user(db, province, Role.LEADER)
    a_clerk = await factories.user(db, a, Role.CLERK)
    b_clerk = await factories.user(db, b, Role.CLERK)
    z_clerk = await factories.user(db, z, Role.CLERK)
    a_specialist = await factories.user(db, a, Role.SPECIALIST)
    x = DirectoryAgency(code=X_CODE, name="Bộ Thử Nghiệm X", source=DirectorySource.AXIS, search_text="bo x")
    db.add_all([x, DirectoryAgency(code=b.organ_id, name=b.name, source=DirectorySource.PLATFORM, agency_id=b.id,
                                   local_name=B_LOCAL_NAME, search_text="so b")])
    type_id = (await db.scalars(sa.select(DocumentType.id).where(DocumentType.code == "cong_van"))).one()
    stored = StoredFile(sha256="0" * 64, size=1, content_type="application/pdf", filename="a.pdf", page_count=1)
    db.add(stored)
    await db.flush()
    make = _Builder(db, type_id, stored.id)

    o1 = await make.outgoing(a, a_clerk, at(5, 8), 1)
    to_b = await make.line(o1, DeliveryStatus.DONE, agency=b, sent_at=at(5, 8), arrived_at=at(5, 8),
                           accepted_at=at(5, 10), done_at=at(7, 10))
    await make.platform(to_b, b, at(5, 8), a.name)
    o2 = await make.outgoing(a, a_clerk, at(6, 15), 2)
    await make.line(o2, DeliveryStatus.ACCEPTED, entry=x, sent_at=at(6, 15), arrived_at=at(6, 15, 30),
                    accepted_at=at(7, 9))
    o3 = await make.outgoing(a, a_clerk, at(8, 10), 3)
    await make.line(o3, DeliveryStatus.RETURNED, entry=x, note=REASON_A, sent_at=at(8, 10),
                    arrived_at=at(8, 10, 18), returned_at=at(8, 11))
    o4 = await make.outgoing(a, a_clerk, at(9, 16), 4)
    await make.line(o4, DeliveryStatus.ARRIVED, entry=x, sent_at=at(9, 16), arrived_at=at(9, 16, 6))
    await make.line(o4, DeliveryStatus.QUEUED, agency=b)
    o5 = await make.outgoing(a, a_clerk, at(10, 9), 5)
    await make.line(o5, DeliveryStatus.ACCEPTED, entry=x, sent_at=at(10, 9), arrived_at=at(10, 9, 5),
                    accepted_at=at(12, 8))

    ob = await make.outgoing(b, b_clerk, at(12, 9), 6)
    to_a = await make.line(ob, DeliveryStatus.ACCEPTED, agency=a, sent_at=at(12, 9), arrived_at=at(12, 9),
                           accepted_at=at(12, 9, 20))
    await make.platform(to_a, a, at(12, 9), b.name)
    ob2 = await make.outgoing(b, b_clerk, at(13, 9), 7)
    await make.line(ob2, DeliveryStatus.RETURNED, entry=x, note=REASON_B, sent_at=at(13, 9),
                    arrived_at=at(13, 9, 1), returned_at=at(13, 14))

    await make.axis_arrival(a, X_CODE, at(14, 9), "Bộ Thử Nghiệm X", 1)
    await make.axis_arrival(a, X_CODE, at(15, 9), "Bộ Thử Nghiệm X", 2)
    await make.axis_arrival(a, UNKNOWN_CODE, at(15, 10), "Sở Ngoại vụ tỉnh Xa", 3)
    # Outside the period: not counted.
    late = await make.outgoing(a, a_clerk, datetime(2026, 11, 2, 9, tzinfo=VN_TZ), 8)
    await make.line(late, DeliveryStatus.SENT, entry=x, sent_at=datetime(2026, 11, 2, 9, tzinfo=VN_TZ))
    await db.flush()
    return World(province, a, b, z, x, province_leader, a_clerk, b_clerk, z_clerk, a_specialist, o3.id)
