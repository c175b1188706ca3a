"""Real Chromium at a Pixel 7 viewport: a clerk registers an urgent document and a leader assigns it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fpdf import FPDF
from playwright.sync_api import Browser, Page, expect

from backend.lib import clock

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
FONT = "/usr/share/fonts/opentype/freefont/FreeSans.otf"


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_font("FreeSans", fname=FONT)
    pdf.set_font("FreeSans", size=14)
    pdf.add_page()
    pdf.multi_cell(0, 9, "ỦY BAN NHÂN DÂN HUYỆN NGHI LỘC\nCÔNG ĐIỆN HỎA TỐC\nVề việc ứng phó bão số 5")
    return bytes(pdf.output())


def _phone(browser: Browser, playwright) -> Page:
    context = browser.new_context(**playwright.devices["Pixel 7"], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    return context.new_page()


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/(incoming|home)$"))  # leaders land on their home


def test_clerk_registers_an_urgent_document_and_leader_assigns_it_on_a_phone(
        live_server: str, browser: Browser, playwright) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    clerk = _phone(browser, playwright)
    page_errors: list[str] = []
    clerk.on("pageerror", lambda exc: page_errors.append(str(exc)))
    _login(clerk, live_server, "vanthu.xanghiphong")
    clerk.get_by_role("link", name="Tiếp nhận văn bản").click()
    clerk.wait_for_url(f"{live_server}/incoming/new")
    clerk.set_input_files("#f-file", files=[{"name": "cong-dien-bao-so-5.pdf", "mimeType": "application/pdf",
                                             "buffer": _pdf()}])
    clerk.locator("#f-document_type_id").select_option(label="Công điện (CĐ)")
    clerk.locator("#f-code_number").fill("05")
    clerk.locator("#f-code_notation").fill("CĐ-UBND")
    clerk.locator("#f-issuer_name").fill("Ủy ban nhân dân huyện Nghi Lộc")
    clerk.locator("#f-issued_on").fill(clock.today().isoformat())
    clerk.locator("#f-summary").fill("Về việc ứng phó bão số 5")
    clerk.locator("#f-signer_name").fill("Lê Minh Việt")
    clerk.locator("#f-urgency").select_option(label="Hỏa tốc")
    clerk.get_by_role("button", name="Tiếp nhận và vào sổ").click()
    clerk.wait_for_url(re.compile(r".*/incoming/\d+$"))
    expect(clerk.locator(".doc-header .urg-hoa_toc")).to_have_text("Hỏa tốc")
    expect(clerk.locator(".doc-arrival")).to_contain_text("Số đến 1/")
    expect(clerk.get_by_role("img", name="Trang 1 / 1")).to_be_visible()
    submit = clerk.get_by_role("navigation", name="Thao tác chính").get_by_role("button", name="Trình lãnh đạo")
    box = submit.bounding_box()
    assert box and box["height"] >= 44
    clerk_badge = clerk.get_by_role("navigation", name="Điều hướng chính").locator("#nav-count-incoming .nav-count")
    expect(clerk_badge).to_have_text("1")  # registered, waiting for the clerk to submit it
    submit.click()
    expect(clerk.locator("#document-panel .state")).to_have_text("Chờ phân công")
    expect(clerk_badge).to_have_count(0)  # the badge follows the action without a reload
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 412  # no horizontal scrolling
    clerk.screenshot(path=str(ARTIFACTS / "incoming-clerk-pixel7.png"), full_page=True)

    leader = _phone(browser, playwright)
    leader.on("pageerror", lambda exc: page_errors.append(str(exc)))
    _login(leader, live_server, "lanhdao.xanghiphong")
    nav = leader.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.locator(".nav-count")).to_have_text("1")
    leader.get_by_role("link", name=re.compile("chờ tôi phân công")).click()  # from the leader home
    leader.get_by_role("navigation", name="Hộp văn bản").get_by_role("link", name=re.compile("^Chờ phân công")).click()
    first_card = leader.locator(".doc-card").first
    expect(first_card.locator(".urg-hoa_toc")).to_be_visible()
    leader.screenshot(path=str(ARTIFACTS / "incoming-inbox-pixel7.png"))
    first_card.get_by_role("link").click()
    leader.wait_for_url(re.compile(r".*/incoming/\d+$"))
    leader.locator("#f-target-0").select_option(label="Địa chính - Xây dựng")
    leader.get_by_label("Ý kiến chỉ đạo").fill("Giao Địa chính - Xây dựng chủ trì, triển khai ngay.")
    leader.get_by_role("button", name="Phân công", exact=True).click()
    expect(leader.locator("#document-panel .state")).to_have_text("Đã phân công")
    expect(leader.locator(".assignment").first).to_contain_text("Địa chính - Xây dựng")
    expect(leader.locator(".history")).to_contain_text("Chủ trì: Địa chính - Xây dựng")
    leader.screenshot(path=str(ARTIFACTS / "incoming-leader-pixel7.png"), full_page=True)
    assert page_errors == []
