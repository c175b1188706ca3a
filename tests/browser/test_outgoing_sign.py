"""Real Chromium at a Pixel 7 viewport: the commune leader signs an outgoing document with one OTP.

The draft is prepared over HTTP (specialist → unit head → clerk's format check → awaiting the
leader's signature) against a live web process that talks to a REAL signing server (SoftHSM,
``ensure-demo`` credentials, ``serve``). The leader then logs in through the form on a phone, sees
the page images and "Ký số", types a wrong code first (a Vietnamese message, nothing changes), then
the current TOTP of the demo enrolment, and the document is signed. The page images are for reading
(no tap-to-place form) and show the signed version after the same swap.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.support.outgoing_browser import (  # noqa: F401 (fixtures)
    LEADER,
    prepare_awaiting_signature,
    settings_env,
    sign_server,
    state,
)
from tests.support.pwa import PASSWORD
from tests.support.signing import SigningEnv

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
OTP_INVALID = "Mã OTP không đúng"


def test_leader_signs_an_outgoing_document_with_an_otp_on_a_phone(
        live_server: str, database_url: str, sign_server: SigningEnv,  # noqa: F811
        browser: Browser, playwright) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    doc_id = prepare_awaiting_signature(live_server, database_url)
    assert state(database_url, doc_id) == ("awaiting_signature", ["draft"])

    context = browser.new_context(**playwright.devices["Pixel 7"], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page: Page = context.new_page()
    assert 360 <= page.viewport_size["width"] <= 412
    problems: list[str] = []
    expected_4xx: list[str] = []
    allow_422 = [False]

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        if allow_422[0] and ("status of 422" in text or "Response Status Error Code 422" in text):
            expected_4xx.append(text)
        else:
            problems.append(f"console: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm "Xác nhận: Ký số?"

    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill(LEADER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf"^{re.escape(live_server)}/(?!login)"))
    page.goto(f"{live_server}/outgoing/{doc_id}")

    panel = page.locator("#document-panel")
    expect(panel.locator(".doc-header")).to_contain_text("Chờ ký")
    expect(page.locator("form.tap-form")).to_have_count(0)  # the page images are for reading
    first_page = page.locator("#document-pages img.page-image").first
    expect(first_page).to_be_visible()
    draft_src = first_page.get_attribute("src")
    image = page.request.get(f"{live_server}{first_page.get_attribute('src')}")
    assert image.ok and image.headers["content-type"].startswith("image/"), image.status
    sign_button = page.locator("form.sign-form").get_by_role("button", name="Ký số", exact=True)
    expect(sign_button).to_be_visible()
    box = sign_button.bounding_box()
    assert box and box["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # A wrong code: a clear Vietnamese message, the document stays where it was.
    allow_422[0] = True
    page.locator("#f-otp-sign").fill(sign_server.wrong_otp(LEADER))
    with page.expect_response(lambda r: r.url.endswith(f"/outgoing/{doc_id}/transition")) as wrong:
        sign_button.click()
    assert wrong.value.status == 422
    expect(panel.locator("[role=alert]")).to_contain_text(OTP_INVALID)
    expect(panel.locator(".doc-header")).to_contain_text("Chờ ký")
    allow_422[0] = False
    assert state(database_url, doc_id) == ("awaiting_signature", ["draft"])

    # The current code of the leader's demo enrolment signs it.
    page.locator("#f-otp-sign").fill(sign_server.otp(LEADER))
    with page.expect_response(lambda r: r.url.endswith(f"/outgoing/{doc_id}/transition"), timeout=60_000) as ok:
        page.locator("form.sign-form").get_by_role("button", name="Ký số", exact=True).click()
    assert ok.value.status == 200
    expect(panel.locator(".doc-header")).to_contain_text("Đã ký, chờ cấp số", timeout=30_000)
    expect(page.locator("#toast")).to_contain_text("Đã ký số thành công.")
    expect(page.locator("form.sign-form")).to_have_count(0)
    # No placement form appears after signing, and the page images show the signed PDF.
    expect(page.locator("form.tap-form")).to_have_count(0)
    signed_page = page.locator("img.page-image").first
    expect(signed_page).to_be_visible()
    assert signed_page.get_attribute("src") != draft_src
    assert page.evaluate("document.querySelectorAll('#document-pages').length") == 1
    page.screenshot(path=str(ARTIFACTS / "outgoing-signed.png"), full_page=True)

    assert problems == []
    context.close()
    assert state(database_url, doc_id) == ("signed", ["draft", "signed"])
