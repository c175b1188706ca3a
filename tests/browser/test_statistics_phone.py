"""The monthly compliance report and the statistics page on a 360 px phone in real Chromium (issue 15).

The provincial leader of the demo (``lanhdao.tinh``) opens the report: it fits the screen (the wide
ranking table scrolls inside its own box), the SVG charts are drawn within the width with their
labels readable, the print button prints, the PDF link downloads the printable copy, and nothing is
logged to the console (a chart blocked by the content security policy would be).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"


def _phone(browser: Browser, playwright) -> tuple[Page, list[str]]:
    device = dict(playwright.devices["Pixel 7"])
    device["viewport"] = {"width": 360, "height": 740}
    page = browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            errors.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    return page, errors


def test_compliance_report_reads_on_a_phone(live_server: str, browser: Browser, playwright) -> None:
    page, errors = _phone(browser, playwright)
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("lanhdao.tinh")
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(f"{live_server}/reports/compliance")
    expect(page.get_by_role("heading", level=1, name="Báo cáo tình hình gửi, nhận văn bản điện tử")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and 0 < box["width"] <= 360, box
    # Labels are drawn at a readable size: 11 SVG units in a 320-unit box at ≥ 300 px is ≥ 10 px.
    assert charts.first.bounding_box()["width"] >= 300
    expect(page.get_by_text("Số liệu tính trực tiếp từ văn bản lúc")).to_be_visible()
    page.evaluate("window.__printed = 0; window.print = function () { window.__printed += 1; }; 0")
    page.get_by_role("button", name="In báo cáo").tap()
    assert page.evaluate("window.__printed") == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compliance-360.png"), full_page=True)
    # The copy fit to print: one tap downloads the report as a PDF named after its month.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF để in").tap()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000

    page.goto(f"{live_server}/statistics")
    expect(page.get_by_role("heading", level=1, name="Thống kê văn bản")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
