"""User administration through real form posts: creation with a one-time password, roles, lock-out tools."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa

from backend.db.base import utcnow
from backend.db.models import Role, RoleGrant, Unit, User

PROVINCE_ADMIN = "quantri.tinh"
COMMUNE_ADMIN = "quantri.xanghiphong"
PASSWORD_RE = re.compile(r'<p class="secret-value"><code>([^<]+)</code></p>')


async def _user(db_sessionmaker, username: str) -> User | None:
    async with db_sessionmaker() as db:
        return await db.scalar(sa.select(User).where(User.username == username))


async def _grants(db_sessionmaker, user_id: int) -> set[tuple[int, Role]]:
    async with db_sessionmaker() as db:
        rows = (
            await db.execute(
                sa.select(RoleGrant.agency_id, RoleGrant.role).where(RoleGrant.user_id == user_id)
            )
        ).all()
    return {(agency_id, Role(role)) for agency_id, role in rows}


async def _unit_id(db_sessionmaker, agency_id: int, abbreviation: str) -> int:
    async with db_sessionmaker() as db:
        return (
            await db.scalars(
                sa.select(Unit.id).where(Unit.agency_id == agency_id, Unit.abbreviation == abbreviation)
            )
        ).one()


async def test_create_user_shows_password_once_and_forces_change(
    as_user, client, post_form, login, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(COMMUNE_ADMIN)
    agency_id = await demo.agency_id("000.01.21.H41")
    unit_id = await _unit_id(db_sessionmaker, agency_id, "VPTK")
    response = await post_form(
        "/admin/users/new",
        {
            "username": "VanThu2.XaNghiPhong",
            "full_name": "Nguyễn Thị  Hòa",
            "agency_id": str(agency_id),
            "unit_id": str(unit_id),
            "position_title": "Văn thư",
            "home_roles": ["clerk", "specialist"],
            "email": "hoa@nghean.gov.vn",
            "phone": "0912 345 678",
        },
    )
    assert response.status_code == 303
    user = await _user(db_sessionmaker, "vanthu2.xanghiphong")
    assert user is not None and user.must_change_password and user.full_name == "Nguyễn Thị Hòa"
    assert await _grants(db_sessionmaker, user.id) == {(agency_id, Role.CLERK), (agency_id, Role.SPECIALIST)}
    page = await client.get(response.headers["location"])
    match = PASSWORD_RE.search(page.text)
    assert match and "chỉ hiển thị <strong>một lần</strong>" in page.text
    assert PASSWORD_RE.search((await client.get(response.headers["location"])).text) is None
    created = json.loads((await audit_rows("user.created"))[-1].detail)["after"]
    assert created["roles"] == ["000.01.21.H41:clerk", "000.01.21.H41:specialist"]
    assert match.group(1) not in (await audit_rows("user.created"))[-1].detail
    client.cookies.clear()  # a new browser: log in with the initial password
    login_response = await login(client, "vanthu2.xanghiphong", match.group(1))
    assert login_response.status_code == 303
    assert (await client.get("/incoming")).headers["location"] == "/account/password"


async def test_create_user_errors_keep_input_and_explain(as_user, post_form, demo, db_sessionmaker) -> None:
    await as_user(COMMUNE_ADMIN)
    agency_id = await demo.agency_id("000.01.21.H41")
    other_unit = await _unit_id(db_sessionmaker, await demo.agency_id("000.02.21.H41"), "VPTK")
    taken = await post_form(
        "/admin/users/new",
        {
            "username": "vanthu.xanghiphong",
            "full_name": "Trần Văn Bình",
            "agency_id": str(agency_id),
            "home_roles": "leader",
        },
    )
    assert taken.status_code == 422
    assert "Tên đăng nhập “vanthu.xanghiphong” đã có người dùng" in taken.text
    assert 'value="Trần Văn Bình"' in taken.text
    assert re.search(r'value="leader" checked', taken.text)
    bad = await post_form(
        "/admin/users/new",
        {
            "username": "Ng Van A",
            "full_name": "",
            "agency_id": str(agency_id),
            "unit_id": str(other_unit),
            "email": "not-an-email",
        },
    )
    assert bad.status_code == 422
    for message in (
        "Tên đăng nhập “ng van a” không hợp lệ",
        "Chưa nhập Họ và tên",
        "Phòng ban đã chọn không thuộc cơ quan này",
        "Địa chỉ thư điện tử “not-an-email” không hợp lệ",
    ):
        assert message in bad.text


async def test_roles_only_in_administered_agencies(as_user, post_form, demo, db_sessionmaker) -> None:
    await as_user(COMMUNE_ADMIN)
    own = await demo.agency_id("000.01.21.H41")
    foreign = await demo.agency_id("000.02.21.H41")
    response = await post_form(
        "/admin/users/new",
        {
            "username": "thu.nghiem",
            "full_name": "Thử Nghiệm",
            "agency_id": str(own),
            "extra_agency_id": str(foreign),
            "extra_roles": "leader",
        },
    )
    assert (
        response.status_code == 422 and "Chỉ được giao vai trò tại các cơ quan bạn quản trị" in response.text
    )
    assert await _user(db_sessionmaker, "thu.nghiem") is None


async def test_province_admin_manages_commune_user_roles(
    as_user, post_form, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(PROVINCE_ADMIN)
    commune = await demo.agency_id("000.01.21.H41")
    district = await demo.agency_id("000.00.21.H41")
    user = await demo.user("vanthu.xanghiphong")
    response = await post_form(
        f"/admin/users/{user.id}/edit",
        {
            "full_name": user.full_name,
            "agency_id": str(commune),
            "unit_id": str(user.unit_id or ""),
            "position_title": "Văn thư",
            "home_roles": ["clerk", "deputy"],
            "extra_agency_id": str(district),
            "extra_roles": "specialist",
            "version": str(user.version),
        },
    )
    assert response.status_code == 303, response.text
    assert await _grants(db_sessionmaker, user.id) == {
        (commune, Role.CLERK),
        (commune, Role.DEPUTY),
        (district, Role.SPECIALIST),
    }
    changed = json.loads((await audit_rows("user.roles_changed"))[-1].detail)
    assert changed["before"] == ["000.01.21.H41:clerk"]
    assert changed["after"] == ["000.00.21.H41:specialist", "000.01.21.H41:clerk", "000.01.21.H41:deputy"]
    assert json.loads((await audit_rows("user.updated"))[-1].detail)["after"] == {"position_title": "Văn thư"}


async def test_admin_cannot_deactivate_self_or_drop_own_admin_role(
    as_user, client, post_form, demo, db_sessionmaker
) -> None:
    await as_user(COMMUNE_ADMIN)
    me = await demo.user(COMMUNE_ADMIN)
    response = await post_form(f"/admin/users/{me.id}/deactivate")
    assert response.status_code == 303
    assert (
        "Bạn không thể tự khóa tài khoản của chính mình"
        in (await client.get(response.headers["location"])).text
    )
    assert (await _user(db_sessionmaker, COMMUNE_ADMIN)).is_active  # type: ignore[union-attr]
    drop = await post_form(
        f"/admin/users/{me.id}/edit",
        {"full_name": me.full_name, "agency_id": str(me.agency_id), "home_roles": "clerk"},
    )
    assert drop.status_code == 422 and "Bạn không thể tự bỏ vai trò Quản trị" in drop.text
    assert (me.agency_id, Role.ADMIN) in await _grants(db_sessionmaker, me.id)


async def test_deactivate_reactivate_reset_password_and_unlock(
    as_user, client, post_form, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(COMMUNE_ADMIN)
    clerk = await demo.user("vanthu.xanghiphong")
    assert (await post_form(f"/admin/users/{clerk.id}/deactivate")).status_code == 303
    assert not (await _user(db_sessionmaker, clerk.username)).is_active  # type: ignore[union-attr]
    assert (await post_form(f"/admin/users/{clerk.id}/reactivate")).status_code == 303
    assert (await _user(db_sessionmaker, clerk.username)).is_active  # type: ignore[union-attr]

    reset = await post_form(f"/admin/users/{clerk.id}/reset-password")
    assert reset.status_code == 303
    page = await client.get(reset.headers["location"])
    assert PASSWORD_RE.search(page.text) and "Đã cấp mật khẩu mới cho vanthu.xanghiphong" in page.text
    assert (await _user(db_sessionmaker, clerk.username)).must_change_password  # type: ignore[union-attr]

    async with db_sessionmaker() as db:
        await db.execute(
            sa.update(User)
            .where(User.id == clerk.id)
            .values(locked_until=utcnow() + timedelta(minutes=10), failed_logins=3)
        )
        await db.commit()
    assert "Tạm khóa đăng nhập" in (await client.get("/admin/users", params={"status": "locked"})).text
    assert (await post_form(f"/admin/users/{clerk.id}/unlock")).status_code == 303
    unlocked = await _user(db_sessionmaker, clerk.username)
    assert unlocked is not None and unlocked.locked_until is None and unlocked.failed_logins == 0
    for action in ("user.deactivated", "user.reactivated", "user.password_reset", "user.unlocked"):
        assert [row.object_id for row in await audit_rows(action)] == [str(clerk.id)], action


async def test_user_list_filters_by_agency_and_search(as_user, client, demo) -> None:
    await as_user(PROVINCE_ADMIN)
    commune = await demo.agency_id("000.01.22.H41")
    page = await client.get("/admin/users", params={"agency_id": str(commune), "q": "VANTHU"})
    assert page.status_code == 200
    assert "vanthu.xadienkim" in page.text and "vanthu.tinh" not in page.text
    everyone = await client.get("/admin/users", params={"agency_id": "", "q": ""})
    assert everyone.status_code == 200 and "49 người dùng" in everyone.text


async def test_admin_pages_render_and_unit_select_refreshes_as_fragment(as_user, client, demo) -> None:
    await as_user(PROVINCE_ADMIN)
    for path in (
        "/admin",
        "/admin/agencies",
        "/admin/agencies/new",
        "/admin/users",
        "/admin/users/new",
        "/admin/import",
        "/admin/import?kind=agencies",
    ):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert 'name="_csrf_token"' in page.text or path in ("/admin", "/admin/agencies", "/admin/users"), (
            path
        )
    commune = await demo.agency_id("000.01.22.H41")
    fragment = await client.get(
        "/admin/users/new",
        params={"agency_id": str(commune)},
        headers={"HX-Request": "true", "HX-Target": "unit-field"},
    )
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["vary"]
    assert (
        fragment.text.lstrip().startswith('<div id="unit-field">')
        and "ĐCXD — Địa chính - Xây dựng" in fragment.text
    )
    users = await client.get("/admin/users", params={"q": "khong-co-ai"},
                             headers={"HX-Request": "true", "HX-Target": "user-list"})
    assert users.text.lstrip().startswith('<div id="user-list">') and "Không có người dùng phù hợp" in users.text
    agencies = await client.get("/admin/agencies", params={"q": "khong-co"},
                                headers={"HX-Request": "true", "HX-Target": "agency-list"})
    assert "Không có cơ quan phù hợp" in agencies.text and "<html" not in agencies.text
    full = await client.get(
        "/admin/users/new",
        params={"agency_id": str(commune)},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "unit-field"},
    )
    assert "<html" in full.text
