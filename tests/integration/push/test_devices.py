"""The devices page: full page and fragment, subscribe validation, revoke, quiet hours, authorisation."""

from __future__ import annotations

import re

import sqlalchemy as sa

from backend.db.models import AuditEvent, OutboxJob, PushPreference, PushSubscription
from backend.domain.push.jobs import PUSH_SEND
from tests.support.push_receiver import TestDevice

CLERK = "vanthu.xanghiphong"
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _token(client) -> str:
    return _CSRF.search((await client.get("/account/devices")).text).group(1)


async def test_devices_page_full_fragment_and_history_restore(client, login, subscribe, receiver) -> None:
    await subscribe(CLERK, receiver.endpoint("phone"))
    full = await client.get("/account/devices")
    assert full.status_code == 200 and "HX-Request" in full.headers["vary"]
    assert "Thiết bị và thông báo" in full.text and 'data-vapid-key="B' in full.text
    assert "Chrome · Android" in full.text and "Giờ yên lặng" in full.text and "Thêm vào MH chính" in full.text
    fragment = await client.get("/account/devices", headers={"HX-Request": "true", "HX-Target": "device-list"})
    assert "Chrome · Android" in fragment.text and "<html" not in fragment.text
    restore = await client.get("/account/devices", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


async def test_anonymous_devices_page_redirects_to_login(client) -> None:
    response = await client.get("/account/devices")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_subscribe_rejects_foreign_endpoints_and_bad_keys(client, login) -> None:
    await login(client, CLERK)
    token = await _token(client)
    device = TestDevice()
    for endpoint in ("http://10.0.0.5/push", "https://evil.example/push", "https://fcm.googleapis.com.evil.example/x",
                     "ftp://127.0.0.1/push"):
        response = await client.post("/account/devices/subscribe", json=device.subscription(endpoint),
                                     headers={"X-CSRFToken": token})
        assert response.status_code == 422, endpoint
    bad_keys = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}
    response = await client.post("/account/devices/subscribe", json=bad_keys, headers={"X-CSRFToken": token})
    assert response.status_code == 422
    ok = await client.post("/account/devices/subscribe",
                           json=device.subscription("https://fcm.googleapis.com/fcm/send/abc"),
                           headers={"X-CSRFToken": token})
    assert ok.status_code == 201


async def test_subscribe_needs_csrf(client, login) -> None:
    await login(client, CLERK)
    response = await client.post("/account/devices/subscribe",
                                 json=TestDevice().subscription("https://fcm.googleapis.com/fcm/send/x"))
    assert response.status_code == 403


async def test_same_device_subscribing_again_updates_one_row(client, subscribe, receiver, db_sessionmaker) -> None:
    await subscribe(CLERK, receiver.endpoint("phone"))
    await subscribe(CLERK, receiver.endpoint("phone"))
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 1
        actions = (await db.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("push.%")))).all()
    assert actions == ["push.subscribe", "push.subscribe"]


async def test_revoke_own_device_and_not_someone_elses(client, subscribe, receiver, db_sessionmaker, demo) -> None:
    await subscribe(CLERK, receiver.endpoint("phone"))
    leader_id = (await demo.user("lanhdao.tinh")).id
    async with db_sessionmaker() as db:
        row = (await db.scalars(sa.select(PushSubscription))).one()
        other = PushSubscription(user_id=leader_id, endpoint="https://fcm.googleapis.com/x",
                                 endpoint_hash="f" * 64, p256dh="x", auth="y")
        db.add(other)
        await db.commit()
    token = await _token(client)
    foreign = await client.post(f"/account/devices/{other.id}/revoke", data={"_csrf_token": token})
    assert foreign.status_code == 404
    own = await client.post(f"/account/devices/{row.id}/revoke", data={"_csrf_token": token})
    assert own.status_code == 303 and own.headers["location"] == "/account/devices"
    async with db_sessionmaker() as db:
        assert (await db.scalars(sa.select(PushSubscription.id))).all() == [other.id]


async def test_unsubscribe_forgets_the_endpoint(client, subscribe, receiver, db_sessionmaker) -> None:
    await subscribe(CLERK, receiver.endpoint("phone"))
    response = await client.post("/account/devices/unsubscribe", json={"endpoint": receiver.endpoint("phone")},
                                 headers={"X-CSRFToken": await _token(client)})
    assert response.status_code == 200 and response.json() == {"removed": True}


async def test_quiet_hours_form_without_javascript(client, login, db_sessionmaker, demo) -> None:
    await login(client, CLERK)
    token = await _token(client)
    bad = await client.post("/account/devices/quiet-hours",
                            data={"_csrf_token": token, "quiet_enabled": "on", "quiet_start": "25:00",
                                  "quiet_end": "06:00"})
    assert bad.status_code == 422 and "Giờ phải có dạng HH:MM" in bad.text
    good = await client.post("/account/devices/quiet-hours",
                             data={"_csrf_token": token, "quiet_enabled": "on", "quiet_start": "22:00",
                                   "quiet_end": "6:00"})
    assert good.status_code == 303
    async with db_sessionmaker() as db:
        pref = await db.get(PushPreference, (await demo.user(CLERK)).id)
    assert (pref.quiet_enabled, pref.quiet_start, pref.quiet_end) == (True, "22:00", "06:00")
    page = await client.get("/account/devices")
    assert 'value="22:00"' in page.text and "Đã lưu giờ yên lặng" in page.text


async def test_test_push_is_queued_for_the_worker(client, subscribe, receiver, db_sessionmaker, drain) -> None:
    device = await subscribe(CLERK, receiver.endpoint("phone"))
    response = await client.post("/account/devices/test", data={"_csrf_token": await _token(client)})
    assert response.status_code == 303
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(OutboxJob)
                               .where(OutboxJob.kind == PUSH_SEND.name)) == 1
    await drain()
    assert device.decrypt(receiver.requests[0].body)["title"] == "Thông báo thử"
