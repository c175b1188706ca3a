"""Authorisation matrix of every admin endpoint: anonymous → login, non-admin → 403, foreign ids → 404."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import Unit

# (method, path template); {agency}, {unit} and {user} are filled with objects of the target commune.
ENDPOINTS = [
    ("GET", "/admin"),
    ("GET", "/admin/agencies"),
    ("GET", "/admin/agencies/new"),
    ("POST", "/admin/agencies/new"),
    ("GET", "/admin/agencies/{agency}"),
    ("GET", "/admin/agencies/{agency}/edit"),
    ("POST", "/admin/agencies/{agency}/edit"),
    ("POST", "/admin/agencies/{agency}/deactivate"),
    ("POST", "/admin/agencies/{agency}/reactivate"),
    ("GET", "/admin/agencies/{agency}/units"),
    ("GET", "/admin/agencies/{agency}/units/new"),
    ("POST", "/admin/agencies/{agency}/units/new"),
    ("GET", "/admin/units/{unit}/edit"),
    ("POST", "/admin/units/{unit}/edit"),
    ("POST", "/admin/units/{unit}/deactivate"),
    ("POST", "/admin/units/{unit}/reactivate"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{user}"),
    ("GET", "/admin/users/{user}/edit"),
    ("POST", "/admin/users/{user}/edit"),
    ("POST", "/admin/users/{user}/deactivate"),
    ("POST", "/admin/users/{user}/reactivate"),
    ("POST", "/admin/users/{user}/reset-password"),
    ("POST", "/admin/users/{user}/unlock"),
    ("GET", "/admin/import"),
    ("POST", "/admin/import"),
    ("GET", "/admin/import/report"),
    ("GET", "/admin/import/template/users"),
]
OBJECT_ENDPOINTS = [e for e in ENDPOINTS if "{" in e[1]]


async def _ids(demo, db_sessionmaker, organ_id: str, username: str) -> dict[str, int]:
    agency = await demo.agency_id(organ_id)
    async with db_sessionmaker() as db:
        unit = (await db.scalars(sa.select(Unit.id).where(Unit.agency_id == agency).limit(1))).one()
    return {"agency": agency, "unit": unit, "user": (await demo.user(username)).id}


async def _call(client, post_form, method: str, path: str):
    if method == "GET":
        return await client.get(path)
    return await post_form(path, {})


async def _answers(client, post_form, endpoints, ids: dict[str, int]) -> list[tuple[str, str, int, str]]:
    """Each endpoint's answer in turn, on one database: every call is refused or only reads, so none changes what
    the next one meets (and a wrongly allowed call shows up in the list anyway)."""
    answers = []
    for method, template in endpoints:
        path = template.format(**ids)
        response = await _call(client, post_form, method, path)
        answers.append((method, path, response.status_code, response.headers.get("location", "") + response.text))
    return answers


async def test_anonymous_is_sent_to_login(client, post_form, demo, db_sessionmaker) -> None:
    ids = await _ids(demo, db_sessionmaker, "000.01.21.H41", "vanthu.xanghiphong")
    wrong = [(method, path, status) for method, path, status, body in await _answers(client, post_form, ENDPOINTS, ids)
             if status != 303 or not body.startswith("/login?next=")]
    assert not wrong


async def test_non_admin_is_forbidden(as_user, client, post_form, demo, db_sessionmaker) -> None:
    await as_user("vanthu.xanghiphong")
    ids = await _ids(demo, db_sessionmaker, "000.01.21.H41", "lanhdao.xanghiphong")
    wrong = [(method, path, status) for method, path, status, body in await _answers(client, post_form, ENDPOINTS, ids)
             if status != 403 or "Bạn không có quyền" not in body]
    assert not wrong


async def test_commune_admin_gets_404_for_another_communes_objects(
    as_user, client, post_form, demo, db_sessionmaker
) -> None:
    await as_user("quantri.xanghiphong")
    ids = await _ids(demo, db_sessionmaker, "000.02.21.H41", "vanthu.xanghithai")
    answers = await _answers(client, post_form, OBJECT_ENDPOINTS, ids)
    assert not [(method, path, status) for method, path, status, _body in answers if status != 404]


async def test_province_admin_reaches_a_communes_objects(as_user, client, post_form, demo, db_sessionmaker) -> None:
    await as_user("quantri.tinh")
    ids = await _ids(demo, db_sessionmaker, "000.02.21.H41", "vanthu.xanghithai")
    answers = await _answers(client, post_form, [e for e in OBJECT_ENDPOINTS if e[0] == "GET"], ids)
    assert not [(method, path, status) for method, path, status, _body in answers if status != 200]


async def test_district_admin_cannot_see_the_province_or_a_sibling_district(as_user, client, demo) -> None:
    await as_user("quantri.nghiloc")
    for organ_id in ("000.00.00.H41", "000.00.22.H41", "000.01.22.H41"):
        assert (await client.get(f"/admin/agencies/{await demo.agency_id(organ_id)}")).status_code == 404
    listing = await client.get("/admin/agencies")
    assert "Diễn Kim" not in listing.text and "Nghi Thái" in listing.text
