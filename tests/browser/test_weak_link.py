"""Commune officials on weak links (issue 11, items 12, 13 and 8), in real Chromium at 360 px with touch.

* the document page is readable before any page image: the reading view comes with the HTML and the
  page images are fetched only when they approach the viewport;
* an upload shows its progress and, when the connection drops, can be sent again without retyping;
* "Tự lưu trước văn bản mới được giao cho tôi" keeps a newly assigned document (and its page image)
  on the device before it is ever opened; when its sender recalls it, the device drops the content
  and shows the recall notice instead, also offline.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from backend.db.models import (
    DocumentType,
    ExchangeReceipt,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
    StoredFile,
    User,
)
from backend.lib import clock
from tests.support.pwa import CLERK, DEPUTY, PASSWORD, assign_to_deputy, count, in_db, register_document, small_pdf
from tests.support.sw_page import IN_CACHE, STORED_AT, until, wait_ready

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


def _phone(browser: Browser) -> BrowserContext:
    return browser.new_context(**PHONE)


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/(incoming|home)$"))  # leaders land on their home


# ---------- item 12: reading view first, images on approach ----------

def test_page_one_is_read_from_the_text_layer_and_images_wait_for_the_viewport(
        live_server: str, database_url: str, browser: Browser) -> None:
    doc_id = register_document(live_server, database_url, number="12")
    context = _phone(browser)
    page = context.new_page()
    _login(page, live_server, CLERK)
    images: list[str] = []
    page.on("request", lambda request: images.append(request.url) if "/pages/" in request.url else None)
    page.goto(f"{live_server}/incoming/{doc_id}")
    reading = page.locator("#reading-view")
    expect(reading).to_contain_text("Công điện về phòng, chống bão số 5")
    expect(reading.locator(".reading-page")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    assert images == []  # nothing of the 2 pages' images yet: the reading view is what is read first
    page.locator("img.page-image").first.scroll_into_view_if_needed()
    until(page, "() => document.querySelector('img.page-image').naturalWidth > 0")
    assert any(url.endswith(f"/incoming/{doc_id}/pages/1") for url in images)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # reflowed: no sideways scrolling
    context.close()


# ---------- item 13: upload progress and retry ----------

def test_an_upload_shows_progress_and_is_retried_without_retyping(
        live_server: str, database_url: str, browser: Browser) -> None:
    context = _phone(browser)
    page = context.new_page()
    _login(page, live_server, CLERK)
    page.goto(f"{live_server}/incoming/new")
    page.set_input_files("#f-file", files=[{"name": "cong-van-13.pdf", "mimeType": "application/pdf",
                                            "buffer": small_pdf(2)}])
    page.locator("#f-document_type_id").select_option(label="Công văn")
    page.locator("#f-code_number").fill("13")
    page.locator("#f-code_notation").fill("UBND-VP")
    page.locator("#f-issuer_name").fill("Ủy ban nhân dân huyện Nghi Lộc")
    page.locator("#f-issued_on").fill(clock.today().isoformat())
    page.locator("#f-summary").fill("Về việc tải lên khi mạng yếu")
    page.locator("#f-signer_name").fill("Lê Minh Việt")
    page.evaluate("""() => {
        window.__progress = [];
        document.addEventListener('htmx:xhr:progress', () => {
            const bar = document.querySelector('form[data-upload] progress');
            if (bar) window.__progress.push(bar.value);
        });
    }""")

    def drop(route: Route) -> None:  # the link drops while the file is being sent
        route.abort("connectionreset")

    page.route(re.compile(r".*/incoming/new$"), lambda route: drop(route) if route.request.method == "POST"
               else route.continue_())
    page.get_by_role("button", name="Tiếp nhận và vào sổ").tap()
    failed = page.locator("[data-upload-failed]")
    expect(failed).to_be_visible()
    expect(failed).to_contain_text("Mất kết nối khi đang tải lên")
    assert page.url == f"{live_server}/incoming/new"
    # Everything typed and the chosen file are still there.
    expect(page.locator("#f-summary")).to_have_value("Về việc tải lên khi mạng yếu")
    expect(page.locator("#f-code_number")).to_have_value("13")
    assert page.evaluate("document.querySelector('#f-file').files.length") == 1
    assert count(database_url, sa.select(sa.func.count()).select_from(IncomingDocument)) == 0

    page.unroute(re.compile(r".*/incoming/new$"))
    page.get_by_role("button", name="Thử lại").tap()
    page.wait_for_url(re.compile(r".*/incoming/\d+$"))
    expect(page.locator(".doc-arrival")).to_contain_text("Số đến 1/")  # sent with the same button: registered
    assert count(database_url, sa.select(sa.func.count()).select_from(IncomingDocument)) == 1
    progress = page.evaluate("window.__progress")
    assert progress and max(progress) == 100, progress
    context.close()


# ---------- item 8: prefetch of assigned documents, recall removes them ----------

def _recall_from_sender(database_url: str, incoming_id: int, reason: str) -> None:
    """The document came over the platform and its sender recalls it (the receiving side of a recall)."""

    async def arrange(db) -> None:
        incoming = await db.get(IncomingDocument, incoming_id)
        file = await db.get(StoredFile, incoming.file_id)
        type_id = await db.scalar(sa.select(DocumentType.id).where(DocumentType.code == "cong_van"))
        sender = await db.scalar(sa.select(User).where(User.username == CLERK))
        out = OutgoingDocument(agency_id=incoming.agency_id, document_type_id=type_id, summary=incoming.summary,
                               drafter_id=sender.id, signer_id=sender.id, main_file_id=file.id)
        db.add(out)
        await db.flush()
        line = OutgoingRecipient(outgoing_id=out.id, kind=RecipientKind.AGENCY, name="UBND xã Nghi Phong",
                                 recipient_agency_id=incoming.agency_id,
                                 incoming_id=incoming_id)
        db.add(line)
        await db.flush()
        db.add(ExchangeReceipt(incoming_id=incoming_id, recipient_id=line.id, recall_requested_at=clock.now(),
                               recall_reason=reason))

    in_db(database_url, arrange)


def test_assigned_documents_are_kept_ahead_and_a_recall_removes_them_from_the_device(
        live_server: str, database_url: str, browser: Browser) -> None:
    doc_id = register_document(live_server, database_url, number="08")
    assign_to_deputy(live_server, database_url, doc_id)
    context = _phone(browser)
    page = context.new_page()
    _login(page, live_server, DEPUTY)
    wait_ready(page)

    page.goto(f"{live_server}/account/devices")
    page.get_by_label("Tự lưu trước văn bản mới được giao cho tôi").tap()
    # Never opened on this device, yet kept with its page images.
    until(page, IN_CACHE, f"/incoming/{doc_id}")
    until(page, IN_CACHE, f"/incoming/{doc_id}/pages/1")

    context.set_offline(True)
    page.goto(f"{live_server}/incoming/{doc_id}")
    expect(page.locator("#offline-banner")).to_contain_text("Đang xem dữ liệu đã lưu")
    expect(page.locator("#reading-view")).to_contain_text("Công điện về phòng, chống bão số 5")
    context.set_offline(False)

    _recall_from_sender(database_url, doc_id, "Ban hành nhầm đối tượng")
    page.goto(f"{live_server}/incoming")  # any page: the device syncs with the server
    until(page, "async (path) => !(await (" + IN_CACHE + ")(path + '/pages/1'))", f"/incoming/{doc_id}")
    until(page, IN_CACHE, f"/incoming/{doc_id}")  # the page as it is now: the recall notice, no content
    notice_stored_at = page.evaluate(STORED_AT, f"/incoming/{doc_id}")
    # A later sync keeps that notice: nothing downloaded again, nothing to lose if the link drops midway.
    page.goto(f"{live_server}/incoming")
    until(page, "() => window.__cvSynced >= 1")
    assert page.evaluate(STORED_AT, f"/incoming/{doc_id}") == notice_stored_at

    context.set_offline(True)
    page.goto(f"{live_server}/incoming/{doc_id}")
    expect(page.locator("#offline-banner")).to_contain_text("Đang xem dữ liệu đã lưu")
    expect(page.get_by_text("Ban hành nhầm đối tượng").first).to_be_visible()
    expect(page.locator("#reading-view")).to_have_count(0)
    expect(page.locator("img.page-image")).to_have_count(0)
    context.close()
