"""Replayed offline actions: applied exactly once, failures released, signing refused, keys per user."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa
from litestar import Litestar

from backend.db.base import utcnow
from backend.db.models import Agency, OfflineAction, Unit, User
from backend.domain.outgoing.workflow import route_opt
from backend.web.offline.idempotency import ABANDONED_AFTER
from backend.web.offline.policy import NEEDS_OTP, never_replayed
from tests import factories

ADMIN = "quantri.tinh"
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _token(client) -> str:
    return _CSRF.search((await client.get("/account")).text).group(1)


async def _province_id(db_sessionmaker) -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(Agency.id).where(Agency.organ_id == "000.00.00.H41"))).one()


async def _units_named(db_sessionmaker, name: str) -> int:
    async with db_sessionmaker() as db:
        return await db.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.name == name))


def _replay_headers(key: str, token: str) -> dict[str, str]:
    return {"Idempotency-Key": key, "X-CSRFToken": token, "CV-Offline-Replay": "1"}


async def test_replayed_action_is_applied_exactly_once(client, login, db_sessionmaker) -> None:
    await login(client, ADMIN)
    agency_id = await _province_id(db_sessionmaker)
    token, key = await _token(client), str(uuid.uuid4())
    form = {"_csrf_token": token, "abbreviation": "TNMT", "name": "Phòng Tài nguyên (ngoại tuyến)"}
    first = await client.post(f"/admin/agencies/{agency_id}/units/new", data=form, headers=_replay_headers(key, token))
    assert first.status_code == 303 and first.headers["cv-offline-result"] == "applied"
    # The phone lost the answer on a weak link and sends the same action again.
    second = await client.post(f"/admin/agencies/{agency_id}/units/new", data=form, headers=_replay_headers(key, token))
    assert second.status_code == 303 and second.headers["cv-offline-result"] == "replayed"
    assert second.headers["location"] == first.headers["location"]
    assert await _units_named(db_sessionmaker, "Phòng Tài nguyên (ngoại tuyến)") == 1
    async with db_sessionmaker() as db:
        row = (await db.scalars(sa.select(OfflineAction))).one()
    assert (row.key, row.status_code, row.method) == (key, 303, "POST") and row.finished_at is not None


async def test_rejected_action_is_not_remembered_and_can_be_sent_again(client, login, db_sessionmaker) -> None:
    await login(client, ADMIN)
    agency_id = await _province_id(db_sessionmaker)
    token, key = await _token(client), str(uuid.uuid4())
    invalid = await client.post(f"/admin/agencies/{agency_id}/units/new",
                                data={"_csrf_token": token, "abbreviation": "", "name": ""},
                                headers=_replay_headers(key, token))
    assert invalid.status_code == 422 and invalid.headers["cv-offline-result"] == "failed"
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(OfflineAction)) == 0
    valid = await client.post(f"/admin/agencies/{agency_id}/units/new",
                              data={"_csrf_token": token, "abbreviation": "KTSO", "name": "Phòng Kinh tế số"},
                              headers=_replay_headers(key, token))
    assert valid.status_code == 303 and valid.headers["cv-offline-result"] == "applied"


async def test_action_still_in_progress_is_not_applied_twice(client, login, db_sessionmaker, demo) -> None:
    await login(client, ADMIN)
    admin_id = (await demo.user(ADMIN)).id
    key = str(uuid.uuid4())
    async with db_sessionmaker() as db:  # claimed by a request that has not finished (or whose process died)
        db.add(OfflineAction(user_id=admin_id, key=key, method="POST", path="/notifications/read-all"))
        await db.commit()
    token = await _token(client)
    response = await client.post("/notifications/read-all", data={"_csrf_token": token},
                                 headers=_replay_headers(key, token))
    assert response.status_code == 409 and response.headers["cv-offline-result"] == "in-flight"
    assert "đang được máy chủ xử lý" in response.text


async def test_an_action_applied_just_before_its_process_died_is_not_applied_again(
        client, login, db_sessionmaker) -> None:
    await login(client, ADMIN)
    agency_id = await _province_id(db_sessionmaker)
    token, key = await _token(client), str(uuid.uuid4())
    form = {"_csrf_token": token, "abbreviation": "VHTT", "name": "Phòng Văn hóa (mất kết nối)"}
    first = await client.post(f"/admin/agencies/{agency_id}/units/new", data=form, headers=_replay_headers(key, token))
    assert first.status_code == 303
    async with db_sessionmaker() as db:  # the web process died after the action's commit, before ``complete``
        row = (await db.scalars(sa.select(OfflineAction))).one()
        assert row.applied_at is not None  # written by the action's own transaction
        row.status_code, row.location, row.finished_at = None, None, None
        await db.commit()
    again = await client.post(f"/admin/agencies/{agency_id}/units/new", data=form, headers=_replay_headers(key, token))
    assert again.headers["cv-offline-result"] == "replayed" and again.status_code == 204
    assert await _units_named(db_sessionmaker, "Phòng Văn hóa (mất kết nối)") == 1
    async with db_sessionmaker() as db:
        assert (await db.scalars(sa.select(OfflineAction.status_code))).one() == 204  # no longer "in progress"


async def test_an_action_whose_process_died_before_its_commit_runs_when_sent_again(
        client, login, db_sessionmaker, demo) -> None:
    await login(client, ADMIN)
    agency_id, admin_id = await _province_id(db_sessionmaker), (await demo.user(ADMIN)).id
    key = str(uuid.uuid4())
    async with db_sessionmaker() as db:  # claimed 11 minutes ago by a request killed before its commit
        db.add(OfflineAction(user_id=admin_id, key=key, method="POST", path=f"/admin/agencies/{agency_id}/units/new",
                             created_at=utcnow() - ABANDONED_AFTER - timedelta(minutes=1)))
        await db.commit()
    token = await _token(client)
    form = {"_csrf_token": token, "abbreviation": "YTE", "name": "Phòng Y tế (gửi lại)"}
    response = await client.post(f"/admin/agencies/{agency_id}/units/new", data=form,
                                 headers=_replay_headers(key, token))
    assert response.status_code == 303 and response.headers["cv-offline-result"] == "applied"
    assert await _units_named(db_sessionmaker, "Phòng Y tế (gửi lại)") == 1


async def test_keys_belong_to_one_user(client, login, db_sessionmaker, demo) -> None:
    other_id = (await demo.user("lanhdao.tinh")).id
    key = str(uuid.uuid4())
    async with db_sessionmaker() as db:
        db.add(OfflineAction(user_id=other_id, key=key, method="POST", path="/x", status_code=303, location="/x"))
        await db.commit()
    await login(client, "vanthu.xanghiphong")
    token = await _token(client)
    response = await client.post("/notifications/read-all", data={"_csrf_token": token},
                                 headers=_replay_headers(key, token))
    assert response.headers["cv-offline-result"] == "applied" and response.headers["location"] == "/notifications"


def _otp_routes(app: Litestar) -> list[tuple[str, str, str]]:
    """(route name, method, path) of every route flagged ``needs_otp``, found by walking the app."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if never_replayed(handler.opt):
                for method in sorted(handler.http_methods):
                    found.append((handler.name or "", method, route.path))
    return sorted(found)


def test_route_flag_comes_from_the_table() -> None:
    assert route_opt("sign") == {NEEDS_OTP: True} and route_opt("seal") == {NEEDS_OTP: True}
    assert route_opt("submit", "number", "issue") == {NEEDS_OTP: False}
    assert route_opt() == {NEEDS_OTP: True}  # a route that may apply any event may apply "sign"


async def test_every_otp_route_refuses_offline_replay(app, client, login, db_sessionmaker) -> None:
    """Each route that can sign or seal answers a queued (offline) request with 409 before any handler runs."""
    routes = _otp_routes(app)
    names = {name for name, _method, _path in routes}
    assert len(routes) >= 4, routes
    assert {"outgoing.transition", "outgoing.sign_batch", "api.outgoing.transition",
            "api.outgoing.sign_batch"} <= names
    async with db_sessionmaker() as db:
        leader = (await factories.staff(db)).leader
        await db.commit()
    await login(client, leader.username, factories.PASSWORD)
    token = await _token(client)

    async def claims() -> int:
        async with db_sessionmaker() as db:
            return await db.scalar(sa.select(sa.func.count()).select_from(OfflineAction))

    for name, method, path in routes:
        url = path.replace("{doc_id:int}", "1")
        body = {"event": "sign", "otp": "123456", "doc_ids": [1], "doc_id": "1", "version": 1}
        kwargs = {"json": body} if path.startswith("/api/") else {"data": {**body, "_csrf_token": token}}
        refused = await client.request(method, url, headers=_replay_headers(str(uuid.uuid4()), token), **kwargs)
        assert refused.status_code == 409, (name, refused.status_code, refused.text)
        assert refused.headers["cv-offline-result"] == "refused", name
        assert refused.headers["hx-retarget"] == "#toast"
        assert "Ký số không thể thực hiện khi ngoại tuyến" in refused.text
        # The same request sent live reaches the handler (the guard keys on the replay, not on the route alone).
        live = await client.request(method, url, headers={"X-CSRFToken": token}, **kwargs)
        assert "cv-offline-result" not in live.headers and live.status_code != 409, (name, live.status_code)
    assert await claims() == 0  # no idempotency claim was ever recorded for a signing route


async def test_anonymous_replay_goes_to_login(client, db_sessionmaker) -> None:
    """A replay whose session has expired is sent to the login page and claims nothing."""
    token = _CSRF.search((await client.get("/login")).text).group(1)
    response = await client.post("/notifications/read-all", data={"_csrf_token": token},
                                 headers=_replay_headers(str(uuid.uuid4()), token))
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fnotifications%2Fread-all"
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(OfflineAction)) == 0
    forged = await client.post("/notifications/read-all", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert forged.status_code == 403  # no CSRF token: refused before anything else


async def test_user_id_is_not_exposed(client, login, db_sessionmaker) -> None:
    await login(client, "vanthu.xanghiphong")
    page = await client.get("/notifications")
    async with db_sessionmaker() as db:
        user = (await db.scalars(sa.select(User).where(User.username == "vanthu.xanghiphong"))).one()
    cache_id = page.headers["cv-user"]
    assert len(cache_id) == 20 and str(user.id) != cache_id and user.username not in cache_id
    assert f'data-cv-user="{cache_id}"' in page.text
