"""Push end to end: an urgent incoming document, registered over HTTP on the live server, reaches a
loopback push service through the real worker process; the service worker shows a delivered push."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from backend.config.settings import load_settings
from backend.db.models import PushSubscription
from backend.domain.push.keys import load_vapid
from tests.support.push_receiver import PushReceiver, TestDevice, verify_vapid
from tests.support.pwa import LEADER, PASSWORD, count, http_login, in_db, register_document, token

pytestmark = pytest.mark.browser


def _worker_once(settings_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "backend", "worker", "--once"], env={**os.environ, **settings_env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_urgent_document_reaches_the_push_service_encrypted(live_server: str, settings_env: dict[str, str],
                                                            database_url: str) -> None:
    with PushReceiver() as receiver:
        leader = http_login(live_server, LEADER)
        device = TestDevice()
        response = leader.post("/account/devices/subscribe", json=device.subscription(receiver.endpoint("leader")),
                               headers={"X-CSRFToken": token(leader, "/account/devices"),
                                        "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4) Safari/604.1"})
        assert response.status_code == 201
        registered_at = time.time()
        doc_id = register_document(live_server, database_url, urgency="hoa_toc")
        _worker_once(settings_env)  # notification.create → push.send → the push leaves the worker
        [request] = receiver.wait_for(1)
        settings = load_settings(settings_env)
        assert request.headers["urgency"] == "high" and request.headers["topic"] == f"incoming-{doc_id}"
        assert int(request.headers["ttl"]) == settings.push_ttl_seconds
        verify_vapid(request.headers["authorization"], receiver.origin, load_vapid(settings).public_key)
        message = device.decrypt(request.body)
        assert message["url"] == f"/incoming/{doc_id}" and message["urgent"] is True
        assert "Hỏa tốc" in message["title"] and "Công điện về phòng, chống bão số 5" in message["body"]
        assert request.at - registered_at < 30  # includes starting a worker process; see tests/perf for latency

        receiver.respond("leader", 410)  # the phone uninstalled the app
        register_document(live_server, database_url, urgency="thuong_khan", summary="Về ứng phó lũ quét", number="06")
        _worker_once(settings_env)
        assert len(receiver.wait_for(2)) == 2
        assert count(database_url, sa.select(sa.func.count()).select_from(PushSubscription)) == 0


def _until(page: Page, script: str, timeout: float = 15.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = page.evaluate(script)
        except PlaywrightError:
            value = None
        if value:
            return value
        page.wait_for_timeout(200)
    raise AssertionError(f"timed out: {script[:80]}")


def test_service_worker_shows_a_delivered_push(live_server: str, browser: Browser, playwright) -> None:
    context = browser.new_context(**playwright.devices["Pixel 7"], locale="vi-VN")
    context.grant_permissions(["notifications"], origin=live_server)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(LEADER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server}/home")  # a leader lands on the leader home
    _until(page, "() => window.__cvReady === true")
    page.goto(f"{live_server}/account/devices")
    assert page.get_by_role("heading", name="Thiết bị và thông báo").is_visible()
    assert page.evaluate("'PushManager' in window && Notification.permission") == "granted"

    cdp = context.new_cdp_session(page)
    registrations: list[str] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(r["registrationId"] for r in event["registrations"]
                                              if r["scopeURL"] == f"{live_server}/"))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert registrations, "no service worker registration reported"
    payload = {"title": "[Hỏa tốc] Văn bản đến 05/CĐ-UBND", "body": "Công điện về phòng, chống bão số 5",
               "url": "/incoming/5", "tag": "incoming-5", "urgent": True}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server, "registrationId": registrations[0],
                                                  "data": json.dumps(payload, ensure_ascii=False)})
    shown = _until(page, """async () => {
        const list = await (await navigator.serviceWorker.ready).getNotifications();
        return list.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url,
                               sticky: n.requireInteraction}));
    }""")
    assert shown == [{"title": payload["title"], "body": payload["body"], "tag": "incoming-5",
                      "url": "/incoming/5", "sticky": True}]
    context.close()


def test_push_panel_explains_ios_and_offers_to_enable(live_server: str, database_url: str, browser: Browser,
                                                      playwright) -> None:
    context = browser.new_context(**playwright.devices["iPhone 13"], locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(LEADER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server}/home")  # a leader lands on the leader home
    page.goto(f"{live_server}/account/devices")
    assert page.locator("#ios-help").get_attribute("open") is not None  # Safari tab: Add to Home Screen first
    assert "Thêm vào MH chính" in page.locator("#ios-help").inner_text()
    assert in_db(database_url, lambda db: db.scalar(sa.select(sa.func.count()).select_from(PushSubscription))) == 0
    context.close()
