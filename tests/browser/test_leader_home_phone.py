"""The leader home in real Chromium at 360 px: a leader lands on it after login, it fits the screen,
the month's chart is drawn, and one tap on a tile opens its list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser


def test_leader_home_at_360px(live_server: str, browser: Browser, playwright) -> None:
    device = dict(playwright.devices["Pixel 7"])
    device["viewport"] = {"width": 360, "height": 740}
    page = browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("lanhdao.xanghiphong")
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server}/home")
    expect(page.get_by_role("heading", name=re.compile("Chào"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    chart = page.locator("svg.month-chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 360 and box["height"] > 20
    page.get_by_role("link", name=re.compile("chờ tôi phân công")).tap()
    page.wait_for_url(re.compile(r"/incoming\?inbox=to_assign$"))
    page.go_back()
    page.get_by_role("link", name=re.compile("chờ tôi ký")).tap()
    page.wait_for_url(re.compile(r"/outgoing\?tab=to_sign$"))
