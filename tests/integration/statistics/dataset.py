"""A small hand-built province for the statistics tests: every figure is known in advance.

Province P → district D → commune C (with unit U and specialist S), and an unrelated top-level
agency Z. Commune C's October 2026 (documents.md: ``month=2026-10``) holds five incoming and four
issued outgoing documents plus one recall, each chosen to land in exactly one bucket; the
expected figures are in ``EXPECTED_*`` below with the reason for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Agency,
    AgencyLevel,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
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
    Unit,
    Urgency,
    User,
)
from backend.lib.clock import VN_TZ
from tests import factories

MONTH = "2026-10"


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    """A local (Vietnam) moment of 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=VN_TZ)


@dataclass(frozen=True, slots=True)
class World:
    province: Agency
    district: Agency
    commune: Agency
    other: Agency
    unit: Unit
    other_unit: Unit
    province_leader: User
    district_leader: User
    commune_leader: User
    specialist: User


EXPECTED_INCOMING = {
    "received": 5, "via_platform": 1, "via_axis": 2, "via_email": 1, "on_paper": 1,
    "registered_on_time": 3, "registered_late": 2, "clerk_sla_met": 2, "clerk_sla_breached": 3,
    "verification_failed": 1, "recalled_by_sender": 0, "with_deadline": 3, "handled_on_time": 1,
    "handled_late": 1, "overdue": 1, "open_not_due": 0, "noncompliant": 2,
}
EXPECTED_OUTGOING = {
    "issued": 4, "signed": 3, "unsigned": 1, "with_paper_copy": 2, "paper_only": 1, "issued_on_time": 3,
    "issued_late": 1, "paper_copy_required": 2, "paper_copy_missing": 1, "paper_copy_unneeded": 1, "recalled": 1,
    "noncompliant": 3,
}


async def build(db: AsyncSession) -> World:
    """Create the agencies, people and documents (the caller commits)."""
    province = await factories.agency(db, name="Ủy ban nhân dân tỉnh Thử Nghiệm", level=AgencyLevel.PROVINCE)
    district = await factories.agency(db, name="Ủy ban nhân dân huyện Thử Nghiệm", level=AgencyLevel.DISTRICT,
                                      parent=province)
    commune = await factories.agency(db, name="Ủy ban nhân dân xã Thử Nghiệm", parent=district)
    other = await factories.agency(db, name="Ủy ban nhân dân tỉnh Khác", level=AgencyLevel.PROVINCE)
    unit = await factories.unit(db, commune, name="Văn phòng xã")
    other_unit = await factories.unit(db, other)
    province_leader = await factories.user(db, province, Role.LEADER)
    district_leader = await factories.user(db, district, Role.LEADER)
    commune_leader = await factories.user(db, commune, Role.LEADER)
    clerk = await factories.user(db, commune, Role.CLERK)
    specialist = await factories.user(db, commune, Role.SPECIALIST, in_unit=unit, full_name="Trần Thị Chuyên")
    type_id = (await db.scalars(sa.select(DocumentType.id).where(DocumentType.code == "cong_van"))).one()
    stored = StoredFile(sha256="0" * 64, size=1, content_type="application/pdf", filename="a.pdf", page_count=1)
    db.add(stored)
    await db.flush()

    def incoming(agency: Agency, source: DocumentSource, received: datetime, state: IncomingState, *,
                 urgency: Urgency = Urgency.NORMAL, submitted: datetime | None = None,
                 assigned: datetime | None = None, due: date | None = None,
                 completed: datetime | None = None) -> IncomingDocument:
        doc = IncomingDocument(
            agency_id=agency.id, state=state, source=source, urgency=urgency, document_type_id=type_id,
            code_number="1", code_notation="UBND", issuer_name="Cơ quan gửi", issued_on=received.date(),
            summary="Văn bản thống kê", signer_name="Nguyễn Văn A", file_id=stored.id, received_at=received,
            submitted_at=submitted, assigned_at=assigned, due_on=due, completed_at=completed,
            received_by_id=clerk.id)
        db.add(doc)
        return doc

    def outgoing(agency: Agency, state: OutgoingState, *, signed: datetime | None, issued: datetime,
                 registered: datetime | None = None, required: bool = False, paper_sent: datetime | None = None,
                 recalled: datetime | None = None) -> OutgoingDocument:
        doc = OutgoingDocument(
            agency_id=agency.id, state=state, document_type_id=type_id, summary="Văn bản đi thống kê",
            drafter_id=clerk.id, signer_id=commune_leader.id, main_file_id=stored.id, signed_at=signed,
            registered_at=registered or signed, issued_at=issued, paper_copy_required=required,
            paper_copy_sent_at=paper_sent, recalled_at=recalled)
        db.add(doc)
        return doc

    # d1: platform (receipt whose signature check failed); passed on after 1 office hour.
    d1 = incoming(commune, DocumentSource.ELECTRONIC, at(1, 8), IncomingState.SUBMITTED, submitted=at(1, 9))
    # d2: axis; Friday 16:00 → Monday 10:00 is the next working day (on time) but 3.5 office hours.
    d2 = incoming(commune, DocumentSource.ELECTRONIC, at(2, 16), IncomingState.COMPLETED, submitted=at(5, 10),
                  assigned=at(5, 11), due=date(2026, 10, 10), completed=at(9, 15))
    # d3: paper, Hỏa tốc: due the same day, passed on the next morning (late, SLA breached); handled late.
    d3 = incoming(commune, DocumentSource.PAPER, at(6, 10), IncomingState.COMPLETED, urgency=Urgency.HOA_TOC,
                  submitted=at(7, 8), due=date(2026, 10, 8), completed=at(12, 9))
    # d4: e-mail, never passed on: late and SLA breached as of today.
    incoming(commune, DocumentSource.EMAIL, at(7, 9), IncomingState.RECEIVED)
    # d5: axis, assigned within half an hour, deadline 20 October long past: overdue.
    d5 = incoming(commune, DocumentSource.ELECTRONIC, at(8, 8), IncomingState.ASSIGNED, assigned=at(8, 8, 30),
                  due=date(2026, 10, 20))
    # Outside the period or the agency: not counted for the commune.
    incoming(commune, DocumentSource.PAPER, at(30, 9, month=9), IncomingState.RECEIVED)
    incoming(province, DocumentSource.ELECTRONIC, at(5, 9), IncomingState.SUBMITTED, submitted=at(5, 9, 30))
    await db.flush()

    # The sender's side of d1: a document of the district (issued in September).
    sent = outgoing(district, OutgoingState.ISSUED, signed=at(29, 9, month=9), issued=at(29, 10, month=9))
    await db.flush()
    line = OutgoingRecipient(outgoing_id=sent.id, kind=RecipientKind.AGENCY, recipient_agency_id=commune.id,
                             name=commune.name, incoming_id=d1.id)
    db.add(line)
    await db.flush()
    db.add(ExchangeReceipt(incoming_id=d1.id, recipient_id=line.id, verified_ok=False))

    # Handling lines: d2 done on time by the unit and the specialist; d5 overdue for both; an
    # information-only line (never counted).
    for doc, status, done in ((d2, AssignmentStatus.DONE, at(9, 15)), (d5, AssignmentStatus.IN_PROGRESS, None)):
        unit_line = Assignment(incoming_id=doc.id, role=AssignmentRole.LEAD, assignee_unit_id=unit.id,
                               assigned_by_id=commune_leader.id, due_on=doc.due_on, status=status,
                               completed_at=done, handed_on=True)
        db.add(unit_line)
        await db.flush()
        db.add(Assignment(incoming_id=doc.id, parent_id=unit_line.id, role=AssignmentRole.LEAD,
                          assignee_user_id=specialist.id, assigned_by_id=commune_leader.id, due_on=doc.due_on,
                          status=status, completed_at=done))
    db.add(Assignment(incoming_id=d3.id, role=AssignmentRole.INFORM, assignee_unit_id=unit.id,
                      assigned_by_id=commune_leader.id, status=AssignmentStatus.PENDING))

    # o1: signed and issued the same day, to the province electronically.
    o1 = outgoing(commune, OutgoingState.ISSUED, signed=at(5, 9), issued=at(5, 10))
    # o2: signed Thursday, issued Monday (Friday was the limit): late; paper copy required and sent.
    o2 = outgoing(commune, OutgoingState.ISSUED, signed=at(8, 15), issued=at(12, 9), required=True,
                  paper_sent=at(12, 9))
    # o3: unsigned, to an internal unit only, on paper although not required: paper only + not needed.
    o3 = outgoing(commune, OutgoingState.ISSUED, signed=None, registered=at(14, 9), issued=at(14, 10),
                  paper_sent=at(14, 10))
    # o4: paper copy required but never sent.
    o4 = outgoing(commune, OutgoingState.ISSUED, signed=at(15, 9), issued=at(15, 11), required=True)
    # o5: issued in September, recalled in October: a recall of the period, not an issue.
    outgoing(commune, OutgoingState.RECALLED, signed=at(20, 9, month=9), issued=at(21, 9, month=9),
             recalled=at(16, 9))
    await db.flush()
    for doc in (o1, o2, o4):
        db.add(OutgoingRecipient(outgoing_id=doc.id, kind=RecipientKind.AGENCY, recipient_agency_id=province.id,
                                 name=province.name))
    db.add(OutgoingRecipient(outgoing_id=o3.id, kind=RecipientKind.UNIT, recipient_unit_id=unit.id, name=unit.name))
    await db.flush()
    return World(province, district, commune, other, unit, other_unit, province_leader, district_leader,
                 commune_leader, specialist)
