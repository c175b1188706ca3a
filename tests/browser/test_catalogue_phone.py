"""A clerk on a phone (360 px) keeps the file catalogue: lays out last year's (a heading and a planned file),
copies it forward into this year, downloads it, and attaches a specialist's ad-hoc file to the copied item
from the file's page -- real Chromium against the running app."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from backend.lib import clock

pytestmark = pytest.mark.browser


def _login(page: Page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").tap()
    page.wait_for_url(f"{live_server}/incoming")


def _phone(browser: Browser, playwright) -> Page:  # type: ignore[no-untyped-def]
    device = dict(playwright.devices["Pixel 7"])
    device["viewport"] = {"width": 360, "height": 740}
    return browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                               accept_downloads=True).new_page()


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_clerk_keeps_the_catalogue_and_catalogues_an_ad_hoc_file(live_server: str, browser: Browser,  # type: ignore[no-untyped-def]
                                                                  playwright) -> None:
    specialist = _phone(browser, playwright)
    _login(specialist, live_server, "chuyenvien.tinh")
    specialist.goto(f"{live_server}/work-files/")
    specialist.get_by_label("Tiêu đề hồ sơ").fill("Hồ sơ tuyển dụng đột xuất")
    specialist.get_by_label("Số và ký hiệu hồ sơ").fill("20.TH")
    specialist.get_by_label("Thời hạn bảo quản").select_option("5 năm")
    specialist.get_by_role("button", name="Mở hồ sơ").tap()
    expect(specialist.get_by_role("heading", name="Hồ sơ tuyển dụng đột xuất")).to_be_visible()
    file_url = specialist.url

    page = _phone(browser, playwright)
    _login(page, live_server, "vanthu.tinh")
    page.goto(f"{live_server}/work-files/catalogue/{clock.today().year - 1}")
    page.get_by_role("button", name="Lập danh mục mới, trống").tap()
    page.get_by_label("Tên đề mục").fill("Tổ chức, cán bộ")
    page.get_by_label("Ký hiệu (đề mục lớn)").fill("TCCB")
    page.get_by_role("button", name="Thêm đề mục").tap()
    expect(page.get_by_role("heading", name="I. Tổ chức, cán bộ")).to_be_visible()
    page.locator("#f-heading_id").select_option(label="I. Tổ chức, cán bộ")
    page.get_by_label("Tiêu đề hồ sơ").fill("Hồ sơ tuyển dụng công chức")
    page.get_by_label("Thời hạn bảo quản").select_option("20 năm")
    page.get_by_role("button", name="Thêm vào danh mục").tap()
    expect(page.locator(".cat-item", has_text="Hồ sơ tuyển dụng công chức")).to_contain_text("01.TCCB")
    _fits(page)

    page.get_by_role("link", name=f"Năm {clock.today().year} →").tap()
    page.get_by_role("button", name=f"Sao chép từ danh mục năm {clock.today().year - 1}").tap()
    item = page.locator(".cat-item", has_text="Hồ sơ tuyển dụng công chức")
    expect(item).to_contain_text("01.TCCB")
    expect(item).to_contain_text("20 năm")
    _fits(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải danh mục (.xlsx)").tap()
    assert download.value.suggested_filename == f"danh-muc-ho-so-{clock.today().year}.xlsx"

    page.goto(file_url)
    page.get_by_label(f"Mục trong danh mục hồ sơ năm {clock.today().year}").select_option(
        label="01.TCCB — Hồ sơ tuyển dụng công chức (20 năm)")
    page.get_by_role("button", name="Đưa vào danh mục").tap()
    expect(page.get_by_text("Đã đưa hồ sơ vào danh mục, số và ký hiệu 01.TCCB.")).to_be_visible()
    expect(page.locator(".doc-head")).to_contain_text("Hồ sơ số 01.TCCB")
    _fits(page)
    page.goto(f"{live_server}/work-files/catalogue/{clock.today().year}")
    expect(page.locator(".cat-item", has_text="01.TCCB").get_by_role("link", name="Xem hồ sơ đã mở")).to_be_visible()
