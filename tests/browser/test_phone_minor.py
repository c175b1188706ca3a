"""Small phone defects of issue 11 in real Chromium at 360 px: print buttons, the outgoing register's width,
an opaque sticky action bar on the intake form, and the trích yếu length told before the server refuses it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.pwa import register_document

pytestmark = pytest.mark.browser


def _phone(browser: Browser, playwright) -> Page:
    device = dict(playwright.devices["Pixel 7"])
    device["viewport"] = {"width": 360, "height": 740}
    context = browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    return context.new_page()


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/incoming")


def test_registers_fit_360px_and_print_from_a_button(live_server: str, browser: Browser, playwright) -> None:
    page = _phone(browser, playwright)
    _login(page, live_server, "vanthu.xanghiphong")
    for path, label in (("/outgoing/book", "In sổ"), ("/incoming/book", "In sổ")):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        page.evaluate("window.__printed = 0; window.print = function () { window.__printed += 1; }; 0")
        button = page.get_by_role("button", name=label)
        expect(button).to_be_visible()
        button.tap()
        assert page.evaluate("window.__printed") == 1
        expect(page.get_by_text("Ctrl+P")).to_be_hidden()


def test_intake_action_bar_is_opaque(live_server: str, browser: Browser, playwright) -> None:
    page = _phone(browser, playwright)
    _login(page, live_server, "vanthu.xanghiphong")
    page.goto(f"{live_server}/incoming/new")
    bar = page.locator(".sticky-actions")
    background = bar.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background


def test_long_summary_is_counted_like_the_server_and_never_cut(live_server: str, browser: Browser,
                                                                playwright) -> None:
    import unicodedata

    page = _phone(browser, playwright)
    _login(page, live_server, "vanthu.xanghiphong")
    page.goto(f"{live_server}/incoming/new")
    summary = page.locator("#f-summary")
    # 500 characters after NFC, but 700 UTF-16 units as a decomposing keyboard types them: allowed.
    decomposed = unicodedata.normalize("NFD", "Về " * 166 + "Về")
    assert len(unicodedata.normalize("NFC", decomposed)) == 500 and len(decomposed) > 500
    summary.fill(decomposed)
    assert summary.evaluate("el => el.value.length") == len(decomposed)  # nothing cut
    expect(page.locator("#f-summary-count")).to_have_text("500/500 ký tự")
    assert summary.evaluate("el => el.validity.valid")
    summary.fill("Về " * 170)  # 509 characters after trimming: said, not cut, and the form holds it back
    assert summary.evaluate("el => el.value.length") == 510
    expect(page.locator("#f-summary-count")).to_contain_text("quá 9 ký tự")
    assert not summary.evaluate("el => el.validity.valid")


def test_handling_slip_prints_from_a_button(live_server: str, database_url: str, browser: Browser,
                                            playwright) -> None:
    doc_id = register_document(live_server, database_url, urgency="normal", number="71")
    page = _phone(browser, playwright)
    _login(page, live_server, "vanthu.xanghiphong")
    page.goto(f"{live_server}/incoming/{doc_id}/slip")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.evaluate("window.__printed = 0; window.print = function () { window.__printed += 1; }; 0")
    button = page.get_by_role("button", name="In phiếu")
    expect(button).to_be_visible()
    button.tap()
    assert page.evaluate("window.__printed") == 1
    expect(page.get_by_text("Ctrl+P")).to_be_hidden()
