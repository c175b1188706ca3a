"""Real Chromium at a Pixel 7 viewport: the commune leader signs an outgoing document with one OTP.

The draft is prepared over HTTP (specialist → unit head → clerk's format check → awaiting the
leader's signature) against a live web process that talks to a REAL signing server (SoftHSM,
``ensure-demo`` credentials, ``serve``). The leader then logs in through the form on a phone, sees
the page images and "Ký số", types a wrong code first (a Vietnamese message, nothing changes), then
the current TOTP of the demo enrolment, and the document is signed. The page images the leader
could tap to place the signature turn into plain images of the signed version in the same swap.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pwa_support import PASSWORD, http_login, in_db

from backend.db.models import Agency, DocumentType, OutgoingDocument, OutgoingVersion, Unit, User
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "signing"))

from signing_support import DemoOwner, SigningEnv, app_signing_env, running_signing_server  # noqa: E402

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
COMMUNE = "xanghiphong"
LEADER = f"lanhdao.{COMMUNE}"
OWNERS = {
    LEADER: ("user", "Võ Minh Nam", "Ủy ban nhân dân xã Nghi Phong"),
    "000.01.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân xã Nghi Phong"),
}
OTP_INVALID = "Mã OTP không đúng"


@pytest.fixture(scope="module")
def sign_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Demo credentials for the Nghi Phong leader (and seal) through the real CLI, then the server."""
    owners = [DemoOwner(owner, kind, name, agency) for owner, (kind, name, agency) in OWNERS.items()]
    with running_signing_server(tmp_path_factory.mktemp("browser-signing"), owners) as senv:
        yield senv


@pytest.fixture
def settings_env(settings_env: dict[str, str], sign_server: SigningEnv, tmp_path: Path) -> dict[str, str]:
    """The live server's deployment pointed at the running signing server, trusting its dev CA."""
    return {**settings_env, **app_signing_env(sign_server, tmp_path)}


def _api(base: str, username: str) -> httpx.Client:
    client = http_login(base, username)
    client.headers["X-CSRFToken"] = client.get("/api/v1/session").json()["csrf_token"]
    return client


def _act(client: httpx.Client, doc_id: int, event: str) -> dict:
    response = client.post(f"/api/v1/outgoing/{doc_id}/transitions", json={"event": event})
    assert response.status_code == 200, response.text[:2000]
    return response.json()


def _prepare_awaiting_signature(base: str, database_url: str) -> int:
    """Specialist drafts, unit head approves, clerk checks the format: the draft awaits the leader."""

    async def look_up(db):  # noqa: ANN001, ANN202
        return {
            "cong_van": await db.scalar(sa.select(DocumentType.id).where(DocumentType.code == "cong_van")),
            "nghithai": await db.scalar(sa.select(Agency.id).where(Agency.organ_id == "000.02.21.H41")),
            "leader": await db.scalar(sa.select(User.id).where(User.username == LEADER)),
            "vptk": await db.scalar(sa.select(Unit.id).join(Agency, Agency.id == Unit.agency_id).where(
                Agency.organ_id == "000.01.21.H41", Unit.abbreviation == "VPTK")),
        }

    ids = in_db(database_url, look_up)
    pdf = outgoing_draft_pdf(DraftSpec(signer_name="Võ Minh Nam", authority="TM. ỦY BAN NHÂN DÂN",
                                       position="CHỦ TỊCH", symbol="UBND-ĐCXD"))
    drafter, head, clerk = (_api(base, f"{role}.{COMMUNE}") for role in ("chuyenvien", "truongphong", "vanthu"))
    try:
        response = drafter.post("/api/v1/outgoing", data={
            "document_type_id": str(ids["cong_van"]), "summary": "V/v triển khai chuyển đổi số năm 2026",
            "urgency": "khan", "signer_id": str(ids["leader"]), "signing_authority": "TM.",
            "recipient_agencies": str(ids["nghithai"]), "recipient_units": str(ids["vptk"])},
            files={"file": ("du-thao.pdf", pdf, "application/pdf")})
        assert response.status_code == 201, response.text[:2000]
        doc_id = int(response.json()["id"])
        _act(drafter, doc_id, "submit")
        _act(head, doc_id, "approve")
        assert _act(clerk, doc_id, "format_ok")["state"] == "awaiting_signature"
    finally:
        for client in (drafter, head, clerk):
            client.close()
    return doc_id


def _state(database_url: str, doc_id: int) -> tuple[str, list[str]]:
    async def read(db):  # noqa: ANN001, ANN202
        state = await db.scalar(sa.select(OutgoingDocument.state).where(OutgoingDocument.id == doc_id))
        kinds = (await db.scalars(sa.select(OutgoingVersion.kind).where(OutgoingVersion.outgoing_id == doc_id)
                                  .order_by(OutgoingVersion.id))).all()
        return str(getattr(state, "value", state)), [str(getattr(k, "value", k)) for k in kinds]

    return in_db(database_url, read)


def test_leader_signs_an_outgoing_document_with_an_otp_on_a_phone(
        live_server: str, database_url: str, sign_server: SigningEnv, browser: Browser, playwright) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    doc_id = _prepare_awaiting_signature(live_server, database_url)
    assert _state(database_url, doc_id) == ("awaiting_signature", ["draft"])

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
    first_page = page.locator("form.tap-form .page-tap").first  # the signer may still choose the place
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
    assert _state(database_url, doc_id) == ("awaiting_signature", ["draft"])

    # The current code of the leader's demo enrolment signs it.
    page.locator("#f-otp-sign").fill(sign_server.otp(LEADER))
    with page.expect_response(lambda r: r.url.endswith(f"/outgoing/{doc_id}/transition"), timeout=60_000) as ok:
        page.locator("form.sign-form").get_by_role("button", name="Ký số", exact=True).click()
    assert ok.value.status == 200
    expect(panel.locator(".doc-header")).to_contain_text("Đã ký, chờ cấp số", timeout=30_000)
    expect(page.locator("#toast")).to_contain_text("Đã ký số thành công.")
    expect(page.locator("form.sign-form")).to_have_count(0)
    # The page images are no longer the tap-to-place form the leader signed from, and show the signed PDF.
    expect(page.locator("form.tap-form")).to_have_count(0)
    signed_page = page.locator("img.page-image").first
    expect(signed_page).to_be_visible()
    assert signed_page.get_attribute("src") != draft_src
    assert page.evaluate("document.querySelectorAll('#document-pages').length") == 1
    page.screenshot(path=str(ARTIFACTS / "outgoing-signed.png"), full_page=True)

    assert problems == []
    context.close()
    assert _state(database_url, doc_id) == ("signed", ["draft", "signed"])
