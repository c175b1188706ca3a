"""A clerk searches on a 360 px phone, with and without diacritics, and sees the highlighted match (issue 15)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.incoming import intake_fields, make_pdf

pytestmark = pytest.mark.browser

CLERK = "vanthu.xanghiphong"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _register(base: str, summary: str) -> int:
    """Register an incoming document through the real intake form (over HTTP, as the clerk)."""
    with httpx.Client(base_url=base, timeout=60) as http:
        token = CSRF.search(http.get("/login").text)
        assert token
        http.post("/login", data={"username": CLERK, "password": "congvan2026", "next": "/",
                                  "_csrf_token": token.group(1)})
        form = http.get("/incoming/new").text
        type_match = re.search(r'<option value="(\d+)"[^>]*>Công văn</option>', form)
        token = CSRF.search(form)
        assert type_match and token
        fields = intake_fields(int(type_match.group(1)), summary=summary, code_number="777")
        response = http.post("/incoming/new", data={**fields, "_csrf_token": token.group(1)},
                             files={"file": ("cv.pdf", make_pdf(1), "application/pdf")})
        assert response.status_code == 303, response.text[:500]
        return int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])


def _phone(browser: Browser, playwright) -> Page:
    device = dict(playwright.devices["Pixel 7"])
    device["viewport"] = {"width": 360, "height": 740}
    return browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()


def test_clerk_searches_with_and_without_diacritics_at_360px(live_server: str, browser: Browser,
                                                             playwright) -> None:
    doc_id = _register(live_server, "Về phòng chống lụt bão mùa mưa năm 2026")
    page = _phone(browser, playwright)
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(CLERK)
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server}/incoming")
    page.goto(f"{live_server}/search")
    expect(page.get_by_text("Nhập từ cần tìm")).to_be_visible()
    box = page.locator("#f-q")
    hit = page.locator(f'#search-hits a[href="/incoming/{doc_id}"]')
    for typed, marked in (("phong chong lut bao", "lụt"), ("PHÒNG CHỐNG LỤT BÃO", "bão"), ('"mùa mưa"', "mưa")):
        box.fill(typed)
        box.press("Enter")
        expect(hit).to_be_visible()
        expect(hit.locator("mark", has_text=marked).first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, typed
    box.fill("khong co van ban nao nhu the")
    box.press("Enter")
    expect(page.get_by_text("Không tìm thấy văn bản nào")).to_be_visible()
    expect(page.get_by_text("và các điều kiện lọc")).to_have_count(0)
    hit_count = page.locator("#search-hits li").count()
    assert hit_count == 0
