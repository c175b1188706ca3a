"""Common passwords are refused where a person chooses one: the password change and an administrator's
CSV import (issue 16). Demo accounts keep logging in with the published demo password."""

from __future__ import annotations

import sqlalchemy as sa

from backend.cli.seed import DEMO_PASSWORD
from backend.db.models import AuditEvent, User
from tests.conftest import csrf_from

CLERK = "vanthu.xanghiphong"


async def test_password_change_refuses_the_demo_password_and_common_ones(client, login, db_sessionmaker) -> None:
    await login(client, CLERK)  # demo accounts still log in with the published demo password
    token = csrf_from((await client.get("/account/password")).text)
    async with db_sessionmaker() as db:
        before = (await db.scalars(sa.select(User.password_hash).where(User.username == CLERK))).one()
    for common in ("Congvan@2026", "matkhau2026!", "Xanghiphong2026"):
        response = await client.post("/account/password", data={
            "current_password": DEMO_PASSWORD, "new_password": common, "confirm_password": common,
            "_csrf_token": token})
        assert response.status_code == 422, common
        assert "Mật khẩu mới quá phổ biến nên dễ bị đoán" in response.text
    async with db_sessionmaker() as db:
        after = (await db.scalars(sa.select(User.password_hash).where(User.username == CLERK))).one()
        changed = (await db.scalars(sa.select(AuditEvent.id).where(AuditEvent.action == "auth.password_changed"))).all()
    assert after == before and changed == []


async def test_csv_import_refuses_an_administrator_supplied_common_password(client, login, db_sessionmaker) -> None:
    await login(client, "quantri.xanghiphong")
    token = csrf_from((await client.get("/account")).text)
    users = ("username;full_name;agency_organ_id;unit_abbreviation;position_title;roles;email;phone;password\n"
             "moi.xanghiphong;Người Mới;000.01.21.H41;;;clerk;;;Congvan@2026\n")
    response = await client.post("/admin/import", data={"kind": "users", "_csrf_token": token},
                                 files={"file": ("users.csv", users.encode(), "text/csv")})
    assert response.status_code == 303
    report = await client.get("/admin/import/report")
    assert "Mật khẩu ở cột password không dùng được" in report.text and "quá phổ biến" in report.text
    async with db_sessionmaker() as db:
        assert (await db.scalars(sa.select(User.id).where(User.username == "moi.xanghiphong"))).first() is None
