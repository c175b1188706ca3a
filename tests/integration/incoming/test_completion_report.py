"""Completion reports who did what (issue 11 item 11).

When the lead completes a document, a cooperating line that took part (a proposal, a started
handling) is reported done; one that never acted is closed as "Không tham gia xử lý", on the page, in
the history and in the audit detail -- never "Đã xong".
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from backend.db.models import Assignment, AssignmentStatus, AuditEvent, IncomingEvent, Unit
from backend.lib import clock
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id, unit_id, user_id

CLERK, LEADER, HEAD, DEPUTY = ("vanthu.xanghiphong", "lanhdao.xanghiphong", "truongphong.xanghiphong",
                               "capho.xanghiphong")


async def test_a_cooperating_unit_that_never_acted_is_not_reported_done(clients, db_sessionmaker, demo) -> None:
    agency = await demo.agency_id("000.01.21.H41")
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker, "cong_van")), make_pdf(1)))
    assert (await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})).status_code == 303
    lead_unit, idle_unit = (await unit_id(db_sessionmaker, agency, "ĐCXD"),
                            await unit_id(db_sessionmaker, agency, "VPTK"))
    deputy = await user_id(db_sessionmaker, DEPUTY)
    due = (clock.today() + timedelta(days=5)).isoformat()
    leader = await clients(LEADER)
    assigned = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "assign", "target": [f"unit:{lead_unit}", f"unit:{idle_unit}", f"user:{deputy}"],
        "role": ["lead", "coordinate", "coordinate"], "due_on": [due, "", ""], "instruction": ""})
    assert assigned.status_code == 303, assigned.text[:1500]

    proposal = await post_form(await clients(DEPUTY), f"/incoming/{doc_id}/notes",
                               {"text": "Đề nghị phối hợp kiểm tra thực địa.", "kind": "proposal"})
    assert proposal.status_code == 303
    head = await clients(HEAD)
    completed = await post_form(head, f"/incoming/{doc_id}/transition",
                                {"event": "complete", "reason": "Đã kiểm tra và báo cáo."})
    assert completed.status_code == 303, completed.text[:1500]

    async with db_sessionmaker() as db:
        statuses = dict((await db.execute(sa.select(Assignment.assignee_unit_id, Assignment.status).where(
            Assignment.incoming_id == doc_id, Assignment.assignee_unit_id.is_not(None)))).tuples().all())
        deputy_status = await db.scalar(sa.select(Assignment.status).where(
            Assignment.incoming_id == doc_id, Assignment.assignee_user_id == deputy))
        idle_name = await db.scalar(sa.select(Unit.name).where(Unit.id == idle_unit))
        lead_name = await db.scalar(sa.select(Unit.name).where(Unit.id == lead_unit))
        history = await db.scalar(sa.select(IncomingEvent.text).where(
            IncomingEvent.incoming_id == doc_id, IncomingEvent.kind == "complete"))
        audit = await db.scalar(sa.select(AuditEvent.detail).where(
            AuditEvent.object_id == str(doc_id), AuditEvent.action.like("%complete%")))
    assert statuses == {lead_unit: AssignmentStatus.DONE, idle_unit: AssignmentStatus.CLOSED}
    assert deputy_status is AssignmentStatus.DONE
    assert f"Không tham gia xử lý: {idle_name}." in history
    assert lead_name in history.split("Không tham gia")[0] and "Ngô Thanh Oanh" in history
    assert len(json.loads(audit)["closed"]) == 1

    page = (await leader.get(f"/incoming/{doc_id}")).text
    idle_line = page.split('id="assign-h"')[1].split(f"<strong>{idle_name}</strong>")[1].split("</li>")[0]
    assert "Không tham gia xử lý" in idle_line and "Đã xong" not in idle_line
