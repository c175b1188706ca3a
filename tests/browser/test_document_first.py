"""Document first (issue 11 item 3), in real Chromium at 360 px with touch.

The first screen of a document page shows what the document is and the start of page 1; the primary
forward action sits in a bar at the bottom of the screen (thumb reach) and works from there; destructive
actions are never the first or a visible red button: each asks for its reason inside its own step.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backend.db.models import IncomingDocument
from tests.support.outgoing_browser import (  # noqa: F401 (fixtures)
    CLERK,
    LEADER,
    prepare_awaiting_signature,
    settings_env,
    sign_server,
)
from tests.support.pwa import PASSWORD, in_db, register_document

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 360, 740


def _phone(browser: Browser, playwright, base: str, username: str) -> tuple[BrowserContext, Page]:
    device = {**playwright.devices["Pixel 7"], "viewport": {"width": WIDTH, "height": HEIGHT}}
    context = browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def _first_screen(page: Page) -> None:
    """The title and the start of page 1 are on the first screen; the bar's main action is in thumb reach."""
    title = page.locator("h1").bounding_box()
    peek = page.locator(".page-peek").bounding_box()
    assert title and title["y"] + title["height"] <= HEIGHT, title
    assert peek and peek["y"] + 80 <= HEIGHT, f"page 1 starts below the first screen: {peek}"
    bar = page.locator(".action-bar .btn").first.bounding_box()
    assert bar and bar["y"] >= HEIGHT * 0.7 and bar["y"] + bar["height"] <= HEIGHT, bar
    visible_danger = [b.inner_text() for b in page.locator(".btn-danger").all() if b.is_visible()]
    assert visible_danger == [], "a red (destructive) button is shown before its own step is opened"


def _incoming_state(database_url: str, doc_id: int) -> str:
    value = in_db(database_url, lambda db: db.scalar(sa.select(IncomingDocument.state)
                                                     .where(IncomingDocument.id == doc_id)))
    return str(getattr(value, "value", value))


def test_incoming_page_is_document_first_and_the_bar_submits(live_server: str, database_url: str,
                                                             browser: Browser, playwright) -> None:
    doc_id = register_document(live_server, database_url, urgency="normal", number="61")
    context, page = _phone(browser, playwright, live_server, CLERK)
    page.goto(f"{live_server}/incoming/{doc_id}")
    _first_screen(page)
    bar = page.locator(".action-bar .btn").first
    expect(bar).to_have_text("Trình lãnh đạo")
    first_action = page.locator(".doc-actions form .btn").first
    assert "btn-danger" not in (first_action.get_attribute("class") or "")

    reason = page.locator("#f-reason-return_to_sender")
    expect(reason).to_be_hidden()  # asked only inside its own step
    page.locator("details.destructive-step > summary", has_text="Trả lại nơi gửi").tap()
    expect(reason).to_be_visible()

    bar.tap()
    expect(page.locator("#document-panel .doc-header")).to_contain_text("Chờ phân công", timeout=15_000)
    assert _incoming_state(database_url, doc_id) == "submitted"
    context.close()

    context, page = _phone(browser, playwright, live_server, LEADER)  # the leader assigns: the bar leads to it
    page.goto(f"{live_server}/incoming/{doc_id}")
    _first_screen(page)
    bar = page.locator(".action-bar .btn").first
    expect(bar).to_have_text("Phân công")
    bar.tap()
    expect(page.locator("#assign-step")).to_be_in_viewport()
    context.close()


def test_signing_page_is_document_first_and_the_bar_leads_to_the_otp(
        live_server: str, database_url: str, sign_server, browser: Browser, playwright) -> None:  # noqa: F811
    doc_id = prepare_awaiting_signature(live_server, database_url)
    context, page = _phone(browser, playwright, live_server, LEADER)
    page.goto(f"{live_server}/outgoing/{doc_id}")
    _first_screen(page)
    bar = page.locator(".action-bar .btn").first
    expect(bar).to_have_text("Ký số")
    expect(page.locator("#f-reason-return")).to_be_hidden()
    bar.tap()
    expect(page.locator("#f-otp-sign")).to_be_in_viewport()
    context.close()
