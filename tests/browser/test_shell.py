"""The phone shell in real Chromium at a phone viewport: login, navigation, no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"


def _phone(browser: Browser, playwright_devices: dict, width: int | None = None) -> Page:
    device = dict(playwright_devices["Pixel 7"])
    if width:
        device["viewport"] = {"width": width, "height": 740}
    context = browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    return context.new_page()


@pytest.fixture
def devices(playwright) -> dict:
    return playwright.devices


def _collect_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            errors.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/incoming")
    assert "/login" in page.url
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/incoming")


def test_clerk_logs_in_on_a_phone_and_uses_the_bottom_nav(live_server: str, browser: Browser, devices) -> None:
    page = _phone(browser, devices, width=360)
    errors = _collect_errors(page)
    _login(page, live_server, "vanthu.xanghiphong")
    assert page.get_by_role("heading", name="Văn bản đến").is_visible()
    assert "Ủy ban nhân dân xã Nghi Phong" in page.text_content("header")
    # No horizontal scrolling at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    for label in ("Văn bản đến", "Văn bản đi", "Công việc", "Tìm kiếm", "Tài khoản"):
        box = nav.get_by_role("link", name=label).bounding_box()
        assert box and box["height"] >= 44 and box["y"] > 600  # one-thumb zone at the bottom
    nav.get_by_role("link", name="Tài khoản").click()
    page.wait_for_url(f"{live_server}/account")
    assert page.get_by_text("vanthu.xanghiphong").is_visible()
    assert page.locator(".nav-item.current").inner_text().strip() == "Tài khoản"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "shell-account-360.png"), full_page=True)
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server}/login")
    assert errors == []


def test_shell_works_without_javascript(live_server: str, browser: Browser, devices) -> None:
    device = dict(devices["Pixel 7"])
    context = browser.new_context(**device, java_script_enabled=False)
    page = context.new_page()
    _login(page, live_server, "lanhdao.tinh")
    page.get_by_role("link", name="Văn bản đi").click()
    page.wait_for_url(f"{live_server}/outgoing")
    assert page.get_by_role("heading", name="Văn bản đi").is_visible()
    context.close()


def test_wrong_password_message_is_shown_in_the_browser(live_server: str, browser: Browser, devices) -> None:
    page = _phone(browser, devices)
    errors = _collect_errors(page)
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("vanthu.xanghiphong")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").inner_text().startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    # The browser logs the deliberate 401 status of a failed login; nothing else may appear.
    assert [e for e in errors if "status of 401" not in e] == []
