"""The exchange dashboard on a 360 px phone in real Chromium (issue 13 item 9).

The provincial leader of the demo (``lanhdao.tinh``: every agency) reaches the dashboard from the
account page; it fits the screen without sideways scrolling, and choosing one agency in the filter
swaps only the rows (htmx) and puts the choice in the address, with nothing logged to the console.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

pytestmark = pytest.mark.browser


def test_dashboard_reads_and_filters_on_a_phone(live_server: str, browser: Browser, playwright) -> None:
    device = dict(playwright.devices["Pixel 7"])
    device["viewport"] = {"width": 360, "height": 740}
    page = browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            errors.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("lanhdao.tinh")
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="Theo dõi liên thông").tap()
    expect(page.get_by_role("heading", level=1, name="Theo dõi gửi, nhận văn bản liên thông")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.get_by_text("Số liệu tính trực tiếp từ văn bản lúc")).to_be_visible()

    agency = page.get_by_label("Cơ quan")
    options = agency.locator("option")
    assert options.count() > 2
    chosen = options.nth(1)
    name, value = chosen.inner_text(), chosen.get_attribute("value")
    page.evaluate("document.body.dataset.marker = 'kept'")  # survives only if the page is not reloaded
    agency.select_option(value=value)
    page.get_by_role("button", name="Xem").tap()
    page.wait_for_url(lambda url: f"agency={value}" in url)
    expect(page.locator("#dashboard-rows")).to_contain_text(name)
    assert page.evaluate("document.body.dataset.marker") == "kept"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
