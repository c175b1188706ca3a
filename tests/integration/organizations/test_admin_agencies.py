"""Agencies and units through real form posts (no JS): 303 on success, 422 re-render on errors, audit rows."""

from __future__ import annotations

import json

import sqlalchemy as sa

from backend.db.models import Agency, Unit

PROVINCE_ADMIN = "quantri.tinh"
DISTRICT_ADMIN = "quantri.nghiloc"
COMMUNE_ADMIN = "quantri.xanghiphong"

NEW_COMMUNE = {
    "organ_id": "000.03.21.h41",
    "name": "Ủy ban nhân dân xã Nghi Thạch",
    "abbreviation": "ubnd",
    "place_name": "Nghi Thạch",
    "level": "commune",
    "address": "xã Nghi Thạch, huyện Nghi Lộc",
    "email": "ubnd.nghithach@nghean.gov.vn",
    "phone": "0238 3861 234",
}


async def _agency(db_sessionmaker, organ_id: str) -> Agency | None:
    async with db_sessionmaker() as db:
        return await db.scalar(sa.select(Agency).where(Agency.organ_id == organ_id))


async def test_admin_home_shows_counts_and_links(as_user, client) -> None:
    await as_user(DISTRICT_ADMIN)
    page = await client.get("/admin")
    assert page.status_code == 200
    assert "Quản trị hệ thống" in page.text
    assert ">3</strong><span>cơ quan" in page.text  # the district and its two communes
    assert 'href="/admin/import"' in page.text


async def test_agency_list_searches_accent_insensitively(as_user, client) -> None:
    await as_user(PROVINCE_ADMIN)
    page = await client.get("/admin/agencies", params={"q": "nghi phong"})
    assert page.status_code == 200
    assert "Ủy ban nhân dân xã Nghi Phong" in page.text and "Diễn Kim" not in page.text
    by_code = await client.get("/admin/agencies", params={"q": "000.00.02"})
    assert "Sở Tài chính" in by_code.text and "Sở Nội vụ" not in by_code.text
    fragment = await client.get(
        "/admin/agencies", params={"q": "sở"}, headers={"HX-Request": "true", "HX-Target": "agency-list"}
    )
    assert fragment.text.lstrip().startswith('<div id="agency-list">') and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]


async def test_create_agency_redirects_normalises_and_audits(
    as_user, client, post_form, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(DISTRICT_ADMIN)
    district_id = await demo.agency_id("000.00.21.H41")
    response = await post_form("/admin/agencies/new", {**NEW_COMMUNE, "parent_id": str(district_id)})
    assert response.status_code == 303
    agency = await _agency(db_sessionmaker, "000.03.21.H41")
    assert agency is not None and agency.parent_id == district_id and agency.abbreviation == "UBND"
    assert response.headers["location"] == f"/admin/agencies/{agency.id}"
    detail = await client.get(response.headers["location"])
    assert "Đã thêm cơ quan Ủy ban nhân dân xã Nghi Thạch" in detail.text
    rows = await audit_rows("agency.created")
    assert rows[-1].object_id == str(agency.id) and rows[-1].actor_name == DISTRICT_ADMIN
    assert json.loads(rows[-1].detail)["after"]["organ_id"] == "000.03.21.H41"


async def test_create_agency_with_bad_organ_id_rerenders_with_message_and_input(
    as_user, post_form, demo
) -> None:
    await as_user(DISTRICT_ADMIN)
    district_id = await demo.agency_id("000.00.21.H41")
    response = await post_form(
        "/admin/agencies/new",
        {**NEW_COMMUNE, "organ_id": "000-03 21", "name": "Xã Thử", "parent_id": str(district_id)},
    )
    assert response.status_code == 422
    assert "Mã định danh “000-03 21” không hợp lệ" in response.text
    assert 'value="Xã Thử"' in response.text and 'value="000-03 21"' in response.text
    assert 'aria-invalid="true"' in response.text


async def test_create_agency_with_taken_organ_id_is_refused(
    as_user, post_form, demo, db_sessionmaker
) -> None:
    await as_user(PROVINCE_ADMIN)
    response = await post_form(
        "/admin/agencies/new",
        {**NEW_COMMUNE, "organ_id": "000.01.21.H41", "parent_id": str(await demo.agency_id("000.00.21.H41"))},
    )
    assert response.status_code == 422
    assert "Mã định danh “000.01.21.H41” đã được dùng cho một cơ quan khác" in response.text


async def test_create_agency_missing_fields_lists_each_problem(as_user, post_form) -> None:
    await as_user(DISTRICT_ADMIN)
    response = await post_form("/admin/agencies/new", {"organ_id": "000.09.21.H41"})
    assert response.status_code == 422
    for message in (
        "Chưa nhập Tên cơ quan",
        "Chưa nhập Tên viết tắt",
        "Chưa nhập Địa danh",
        "Chưa chọn cấp hành chính",
        "Hãy chọn cơ quan cấp trên",
    ):
        assert message in response.text


async def test_parent_outside_scope_is_refused(as_user, post_form, demo) -> None:
    await as_user(DISTRICT_ADMIN)
    response = await post_form(
        "/admin/agencies/new", {**NEW_COMMUNE, "parent_id": str(await demo.agency_id("000.00.22.H41"))}
    )
    assert response.status_code == 422
    assert "nằm ngoài phạm vi bạn quản trị" in response.text


async def test_edit_agency_refuses_cycle_and_saves_valid_change(
    as_user, post_form, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(PROVINCE_ADMIN)
    district_id = await demo.agency_id("000.00.21.H41")
    commune_id = await demo.agency_id("000.01.21.H41")
    agency = await _agency(db_sessionmaker, "000.00.21.H41")
    assert agency is not None
    form = {
        "organ_id": agency.organ_id,
        "name": agency.name,
        "abbreviation": agency.abbreviation,
        "place_name": agency.place_name,
        "level": "huyện",
        "parent_id": str(commune_id),
    }
    cycle = await post_form(f"/admin/agencies/{district_id}/edit", form)
    assert cycle.status_code == 422 and "sẽ tạo vòng lặp" in cycle.text
    ok = await post_form(
        f"/admin/agencies/{district_id}/edit",
        {**form, "parent_id": str(agency.parent_id), "phone": "0238 123 456"},
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/admin/agencies/{district_id}"
    assert (await _agency(db_sessionmaker, "000.00.21.H41")).phone == "0238 123 456"  # type: ignore[union-attr]
    detail = json.loads((await audit_rows("agency.updated"))[-1].detail)
    assert detail == {"before": {"phone": None}, "after": {"phone": "0238 123 456"}}


async def test_signer_titles_default_to_the_level_and_can_be_set(
    as_user, client, post_form, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(PROVINCE_ADMIN)
    department_id = await demo.agency_id("000.00.01.H41")
    page = await client.get(f"/admin/agencies/{department_id}")
    assert "TM. SỞ" in page.text and "KT. GIÁM ĐỐC" in page.text
    agency = await _agency(db_sessionmaker, "000.00.01.H41")
    assert agency is not None
    form = {"organ_id": agency.organ_id, "name": agency.name, "abbreviation": agency.abbreviation,
            "place_name": agency.place_name, "level": str(agency.level), "parent_id": str(agency.parent_id),
            "head_title": "x" * 101}
    too_long = await post_form(f"/admin/agencies/{department_id}/edit", form)
    assert too_long.status_code == 422 and 'aria-invalid="true"' in too_long.text
    saved = await post_form(f"/admin/agencies/{department_id}/edit", {**form, "head_title": "Chánh Thanh tra"})
    assert saved.status_code == 303
    assert "KT. CHÁNH THANH TRA" in (await client.get(f"/admin/agencies/{department_id}")).text
    detail = json.loads((await audit_rows("agency.updated"))[-1].detail)
    assert detail == {"before": {"head_title": ""}, "after": {"head_title": "Chánh Thanh tra"}}


async def test_deactivate_and_reactivate_agency(
    as_user, client, post_form, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(DISTRICT_ADMIN)
    commune_id = await demo.agency_id("000.02.21.H41")
    response = await post_form(f"/admin/agencies/{commune_id}/deactivate")
    assert response.status_code == 303
    assert not (await _agency(db_sessionmaker, "000.02.21.H41")).is_active  # type: ignore[union-attr]
    assert (await audit_rows("agency.deactivated"))[-1].object_id == str(commune_id)
    assert (await post_form(f"/admin/agencies/{commune_id}/reactivate")).status_code == 303
    assert (await _agency(db_sessionmaker, "000.02.21.H41")).is_active  # type: ignore[union-attr]
    assert len(await audit_rows("agency.reactivated")) == 1


async def test_admin_cannot_deactivate_own_agency(as_user, client, post_form, demo, db_sessionmaker) -> None:
    await as_user(COMMUNE_ADMIN)
    own_id = await demo.agency_id("000.01.21.H41")
    response = await post_form(f"/admin/agencies/{own_id}/deactivate")
    assert response.status_code == 303
    assert (await _agency(db_sessionmaker, "000.01.21.H41")).is_active  # type: ignore[union-attr]
    page = await client.get(response.headers["location"])
    assert "Bạn không thể ngừng hoạt động cơ quan mà mình đang làm việc" in page.text


async def test_unit_add_duplicate_edit_and_deactivate(
    as_user, client, post_form, demo, db_sessionmaker, audit_rows
) -> None:
    await as_user(COMMUNE_ADMIN)
    agency_id = await demo.agency_id("000.01.21.H41")
    created = await post_form(
        f"/admin/agencies/{agency_id}/units/new", {"abbreviation": "vhxh", "name": "Văn hóa - Xã hội"}
    )
    assert created.status_code == 303 and created.headers["location"] == f"/admin/agencies/{agency_id}/units"
    duplicate = await post_form(
        f"/admin/agencies/{agency_id}/units/new", {"abbreviation": "VHXH", "name": "Trùng ký hiệu"}
    )
    assert duplicate.status_code == 422
    assert "Ký hiệu “VHXH” đã được dùng" in duplicate.text and 'value="Trùng ký hiệu"' in duplicate.text
    async with db_sessionmaker() as db:
        unit = await db.scalar(
            sa.select(Unit).where(Unit.agency_id == agency_id, Unit.abbreviation == "VHXH")
        )
    assert unit is not None
    edited = await post_form(
        f"/admin/units/{unit.id}/edit", {"abbreviation": "VHXH", "name": "Văn hóa, Xã hội"}
    )
    assert edited.status_code == 303
    assert json.loads((await audit_rows("unit.updated"))[-1].detail)["after"] == {"name": "Văn hóa, Xã hội"}
    assert (await post_form(f"/admin/units/{unit.id}/deactivate")).status_code == 303
    listing = await client.get(f"/admin/agencies/{agency_id}/units")
    assert "Văn hóa, Xã hội" in listing.text and "Ngừng hoạt động</span>" in listing.text
    assert [r.action for r in await audit_rows("unit.created")][-1] == "unit.created"
    assert len(await audit_rows("unit.deactivated")) == 1
