"""Handling deadlines that make sense (issue 11 item 9).

Default deadlines never fall after the document's reply-by date, a cooperating unit's never after the
lead's, and a person's (delegation) never after the unit's; typed dates that break these rules are
refused with the date to respect, and nothing is assigned.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from backend.db.models import Assignment, AssignmentRole, IncomingDocument
from backend.lib import clock
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id, unit_id, user_id

CLERK, LEADER, HEAD = "vanthu.xanghiphong", "lanhdao.xanghiphong", "truongphong.xanghiphong"


async def _submitted(clients, db_sessionmaker, reply_in_days: int) -> int:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker, "cong_van"),
                           reply_by_on=(clock.today() + timedelta(days=reply_in_days)).isoformat())
    doc_id = doc_id_from(await intake(clerk, fields, make_pdf(1)))
    assert (await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})).status_code == 303
    return doc_id


async def _dues(db_sessionmaker, doc_id: int) -> dict[AssignmentRole, date | None]:
    async with db_sessionmaker() as db:
        rows = (await db.scalars(sa.select(Assignment).where(Assignment.incoming_id == doc_id,
                                                             Assignment.parent_id.is_(None)))).all()
        return {row.role: row.due_on for row in rows}


async def test_default_deadlines_stop_at_the_reply_by_date(clients, db_sessionmaker, demo) -> None:
    agency = await demo.agency_id("000.01.21.H41")
    doc_id = await _submitted(clients, db_sessionmaker, reply_in_days=2)
    reply_by = clock.today() + timedelta(days=2)
    leader = await clients(LEADER)
    page = (await leader.get(f"/incoming/{doc_id}")).text
    assert f'value="{reply_by.isoformat()}"' in page  # the form proposes the reply-by date, not 10 working days

    lead_unit, other_unit = (await unit_id(db_sessionmaker, agency, "ĐCXD"),
                             await unit_id(db_sessionmaker, agency, "VPTK"))
    response = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "assign", "target": [f"unit:{lead_unit}", f"unit:{other_unit}"],
        "role": ["lead", "coordinate"], "due_on": ["", ""], "instruction": ""})
    assert response.status_code == 303, response.text[:1500]
    dues = await _dues(db_sessionmaker, doc_id)
    assert dues[AssignmentRole.LEAD] == reply_by and dues[AssignmentRole.COORDINATE] == reply_by


async def test_cooperating_default_stops_at_the_lead_deadline_and_later_dates_are_refused(
        clients, db_sessionmaker, demo) -> None:
    agency = await demo.agency_id("000.01.21.H41")
    doc_id = await _submitted(clients, db_sessionmaker, reply_in_days=40)
    leader = await clients(LEADER)
    lead_unit, other_unit = (await unit_id(db_sessionmaker, agency, "ĐCXD"),
                             await unit_id(db_sessionmaker, agency, "VPTK"))
    lead_due = clock.today() + timedelta(days=3)
    late = (lead_due + timedelta(days=5)).isoformat()

    refused = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "assign", "target": [f"unit:{lead_unit}", f"unit:{other_unit}"],
        "role": ["lead", "coordinate"], "due_on": [lead_due.isoformat(), late], "instruction": ""})
    assert refused.status_code == 422 and lead_due.strftime("%d/%m/%Y") in refused.text
    assert "phối hợp" in refused.text and await _dues(db_sessionmaker, doc_id) == {}

    too_late_for_reply = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "assign", "target": [f"unit:{lead_unit}"], "role": ["lead"],
        "due_on": [(clock.today() + timedelta(days=41)).isoformat()], "instruction": ""})
    assert too_late_for_reply.status_code == 422 and "hạn trả lời" in too_late_for_reply.text

    accepted = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "assign", "target": [f"unit:{lead_unit}", f"unit:{other_unit}"],
        "role": ["lead", "coordinate"], "due_on": [lead_due.isoformat(), ""], "instruction": ""})
    assert accepted.status_code == 303, accepted.text[:1500]
    assert (await _dues(db_sessionmaker, doc_id))[AssignmentRole.COORDINATE] == lead_due

    head = await clients(HEAD)
    specialist = await user_id(db_sessionmaker, "chuyenvien.xanghiphong")
    async with db_sessionmaker() as db:
        unit_row = (await db.scalars(sa.select(Assignment).where(Assignment.incoming_id == doc_id,
                                                                 Assignment.assignee_unit_id == lead_unit))).one()
    delegated_late = await post_form(head, f"/incoming/{doc_id}/delegate", {
        "assignment_id": str(unit_row.id), "user_id": str(specialist), "due_on": late, "instruction": ""})
    assert delegated_late.status_code == 422 and lead_due.strftime("%d/%m/%Y") in delegated_late.text
    async with db_sessionmaker() as db:
        assert (await db.get(IncomingDocument, doc_id)).due_on == lead_due
