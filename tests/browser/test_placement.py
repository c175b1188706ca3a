"""Real Chromium at a Pixel 7 viewport (touch): where the signature goes is changed only on purpose.

Issue 11, blocker 2. The leader opens a document awaiting their signature. A tap on the page preview
(reading) sends nothing and leaves the stored layout unchanged. The sign form shows, before the OTP
field, a thumbnail of the page with the signature box drawn on it. "Đổi vị trí chữ ký" opens
placement mode: the page images show the box; a tap moves it there (the image with the box changes
exactly around the tapped point); "Hoàn tác" restores the previous position (same layout, same image).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page, Request, expect

from backend.domain.outgoing._pdf import DocLayout
from tests.support.outgoing_browser import (  # noqa: F401 (fixtures)
    LEADER,
    layout,
    phone,
    prepare_awaiting_signature,
    settings_env,
    sign_server,
    state,
)

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"


def _image(page: Page, base: str, src: str) -> Image.Image:
    response = page.request.get(f"{base}{src}")
    assert response.ok and response.headers["content-type"] == "image/webp", response.status
    return Image.open(io.BytesIO(response.body())).convert("RGB")


def test_a_tap_on_the_preview_changes_nothing_and_placement_is_a_mode_with_undo(
        live_server: str, database_url: str, browser: Browser, playwright) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    doc_id = prepare_awaiting_signature(live_server, database_url)
    found = layout(database_url, doc_id)
    assert DocLayout.from_json(found).signature is not None
    context, page = phone(browser, playwright, live_server, LEADER)
    assert 360 <= page.viewport_size["width"] <= 412
    posts: list[str] = []

    def on_request(request: Request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", on_request)
    page.goto(f"{live_server}/outgoing/{doc_id}")

    # Reading: a tap on the page preview sends nothing and moves nothing.
    preview = page.locator("#document-pages img, #document-pages input[type=image]").first  # page 1, as drawn
    preview.scroll_into_view_if_needed()
    expect(preview).to_be_visible()
    preview.tap(position={"x": 100, "y": 150})
    page.wait_for_timeout(1000)
    assert layout(database_url, doc_id) == found, "a tap on the page preview moved the signature"
    assert posts == [] and page.url == f"{live_server}/outgoing/{doc_id}"
    assert page.locator("#document-pages form").count() == 0  # no form over the pages while reading

    # The signing screen shows where the signature will land, before the OTP is asked.
    sign_form = page.locator("form.sign-form")
    thumb = sign_form.locator("img.placement-thumb")
    expect(thumb).to_be_visible()
    assert page.evaluate("""() => {
        const form = document.querySelector('form.sign-form');
        const thumb = form.querySelector('img.placement-thumb'), otp = form.querySelector('input[name=otp]');
        return thumb.complete && thumb.naturalWidth > 0
            && Boolean(thumb.compareDocumentPosition(otp) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert "khung đỏ" in sign_form.locator("figcaption").inner_text()

    # Placement mode: the pages show the box; a tap moves it there.
    page.get_by_role("link", name="Đổi vị trí chữ ký").first.tap()
    page.wait_for_url(re.compile(r"\?place=1"))
    target = page.locator("form.tap-form input.page-tap").first
    target.scroll_into_view_if_needed()
    expect(target).to_be_visible()
    expect(page.get_by_role("button", name="Hoàn tác")).to_have_count(0)
    src = target.get_attribute("src")
    before = _image(page, live_server, src)
    with page.expect_navigation():
        target.tap(position={"x": 90, "y": 120})
    moved = DocLayout.from_json(layout(database_url, doc_id))
    assert moved.signature is not None and moved.signature != DocLayout.from_json(found).signature
    assert moved.signature.page == 0
    expect(page.locator("#toast, .toast").first).to_contain_text("Đã lưu vị trí.")
    target = page.locator("form.tap-form input.page-tap").first
    after = _image(page, live_server, target.get_attribute("src"))
    assert ImageChops.difference(before, after).getbbox() is not None
    # The new box is drawn (red tint) around the tapped point (90, 120 of the 360 x 509 px image), not before.
    plain = _plain(page, live_server)
    point = (round(90 * after.width / 360), round(120 * after.height / 509))
    assert _redness(after, point) - _redness(plain, point) > 10, (point, after.getpixel(point), plain.getpixel(point))
    assert abs(_redness(before, point) - _redness(plain, point)) < 5
    page.screenshot(path=str(ARTIFACTS / "outgoing-placement.png"), full_page=False)

    # "Hoàn tác": the position from before the tap, the same picture as before.
    with page.expect_navigation():
        page.get_by_role("button", name="Hoàn tác").tap()
    assert DocLayout.from_json(layout(database_url, doc_id)) == DocLayout.from_json(found)
    restored = _image(page, live_server, page.locator("form.tap-form input.page-tap").first.get_attribute("src"))
    assert ImageChops.difference(before, restored).getbbox() is None
    assert state(database_url, doc_id) == ("awaiting_signature", ["draft"])
    context.close()


def _plain(page: Page, base: str) -> Image.Image:
    """Page 1 without boxes (the reading image), at the size of the marked images."""
    marked = page.locator("form.tap-form input.page-tap").first.get_attribute("src")
    return _image(page, base, marked.replace("/marked", ""))


def _redness(image: Image.Image, point: tuple[int, int]) -> float:
    """How much redder than green the 5 x 5 px around ``point`` is, on average."""
    x, y = point
    pixels = [image.getpixel((x + dx, y + dy)) for dx in range(-2, 3) for dy in range(-2, 3)]
    return sum(p[0] - p[1] for p in pixels) / len(pixels)
