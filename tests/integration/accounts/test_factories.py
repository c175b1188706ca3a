"""tests.factories builds working people and organisations without the demo seed."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import Role, RoleGrant
from tests import factories


async def test_staff_has_one_user_per_role_and_each_can_log_in(client, login, db_sessionmaker) -> None:
    async with db_sessionmaker() as db:
        first, second = await factories.staff(db), await factories.staff(db)
        await db.commit()
        grants = (await db.execute(sa.select(RoleGrant.user_id, RoleGrant.role)
                                   .where(RoleGrant.agency_id == first.agency.id))).all()
    assert first.agency.organ_id != second.agency.organ_id and first.leader.username != second.leader.username
    assert sorted(role for _uid, role in grants) == sorted(Role)
    assert first.unit_head.unit_id == first.specialist.unit_id == first.unit.id and first.leader.unit_id is None
    wrong = await login(client, first.clerk.username, "sai-mat-khau", expect_success=False)
    assert wrong.status_code != 303
    response = await login(client, first.leader.username, factories.PASSWORD)
    assert response.headers["location"] == "/"
