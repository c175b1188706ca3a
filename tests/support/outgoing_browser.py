"""Helpers of the outgoing browser tests (imported as ``tests.support.outgoing_browser``): a REAL signing
server with demo credentials for the Nghi Phong leader and seal, drafts taken to a given state over
the JSON API, database reads, and a logged-in Pixel 7 page.

The fixtures ``sign_server`` and ``settings_env`` are imported by the test modules that need them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from backend.db.models import Agency, DocumentType, OutgoingDocument, OutgoingVersion, Unit, User
from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf
from tests.support.pwa import PASSWORD, http_login, in_db
from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, running_signing_server

COMMUNE = "xanghiphong"
LEADER = f"lanhdao.{COMMUNE}"
CLERK = f"vanthu.{COMMUNE}"
AGENCY = "000.01.21.H41"
OWNERS = {
    LEADER: ("user", "Võ Minh Nam", "Ủy ban nhân dân xã Nghi Phong"),
    AGENCY: ("agency", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân xã Nghi Phong"),
}


@pytest.fixture(scope="module")
def sign_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Demo credentials for the Nghi Phong leader (and seal) through the real CLI, then the server."""
    owners = [DemoOwner(owner, kind, name, agency) for owner, (kind, name, agency) in OWNERS.items()]
    with running_signing_server(tmp_path_factory.mktemp("browser-signing"), owners, otp_step_seconds=10) as senv:
        yield senv


@pytest.fixture
def settings_env(settings_env: dict[str, str], sign_server: SigningEnv, tmp_path: Path) -> dict[str, str]:
    """The live server's deployment pointed at the running signing server, trusting its dev CA."""
    return {**settings_env, **app_signing_env(sign_server, tmp_path)}


def api(base: str, username: str) -> httpx.Client:
    """A logged-in HTTP client of ``username`` that sends the CSRF header of the JSON API."""
    client = http_login(base, username)
    client.headers["X-CSRFToken"] = client.get("/api/v1/session").json()["csrf_token"]
    return client


def act(client: httpx.Client, doc_id: int, event: str, **body: str) -> dict:
    response = client.post(f"/api/v1/outgoing/{doc_id}/transitions", json={"event": event, **body})
    assert response.status_code == 200, response.text[:2000]
    return response.json()


def prepare_awaiting_signature(base: str, database_url: str) -> int:
    """Specialist drafts, unit head approves, clerk checks the format: the draft awaits the leader."""

    async def look_up(db):  # noqa: ANN001, ANN202
        return {
            "cong_van": await db.scalar(sa.select(DocumentType.id).where(DocumentType.code == "cong_van")),
            "nghithai": await db.scalar(sa.select(Agency.id).where(Agency.organ_id == "000.02.21.H41")),
            "leader": await db.scalar(sa.select(User.id).where(User.username == LEADER)),
            "vptk": await db.scalar(sa.select(Unit.id).join(Agency, Agency.id == Unit.agency_id).where(
                Agency.organ_id == AGENCY, Unit.abbreviation == "VPTK")),
        }

    ids = in_db(database_url, look_up)
    pdf = outgoing_draft_pdf(DraftSpec(signer_name="Võ Minh Nam", authority="TM. ỦY BAN NHÂN DÂN",
                                       position="CHỦ TỊCH", symbol="UBND-ĐCXD"))
    drafter, head, clerk = (api(base, f"{role}.{COMMUNE}") for role in ("chuyenvien", "truongphong", "vanthu"))
    try:
        response = drafter.post("/api/v1/outgoing", data={
            "document_type_id": str(ids["cong_van"]), "summary": "V/v triển khai chuyển đổi số năm 2026",
            "urgency": "khan", "signer_id": str(ids["leader"]), "signing_authority": "TM.",
            "recipient_agencies": str(ids["nghithai"]), "recipient_units": str(ids["vptk"])},
            files={"file": ("du-thao.pdf", pdf, "application/pdf")})
        assert response.status_code == 201, response.text[:2000]
        doc_id = int(response.json()["id"])
        act(drafter, doc_id, "submit")
        act(head, doc_id, "approve")
        assert act(clerk, doc_id, "format_ok")["state"] == "awaiting_signature"
    finally:
        for client in (drafter, head, clerk):
            client.close()
    return doc_id


def state(database_url: str, doc_id: int) -> tuple[str, list[str]]:
    """The document's state and the kinds of its versions, oldest first."""

    async def read(db):  # noqa: ANN001, ANN202
        current = await db.scalar(sa.select(OutgoingDocument.state).where(OutgoingDocument.id == doc_id))
        kinds = (await db.scalars(sa.select(OutgoingVersion.kind).where(OutgoingVersion.outgoing_id == doc_id)
                                  .order_by(OutgoingVersion.id))).all()
        return str(getattr(current, "value", current)), [str(getattr(k, "value", k)) for k in kinds]

    return in_db(database_url, read)


def layout(database_url: str, doc_id: int) -> str:
    """The document's stored signature/number/date layout (JSON)."""
    return in_db(database_url, lambda db: db.scalar(
        sa.select(OutgoingDocument.layout).where(OutgoingDocument.id == doc_id)))


def phone(browser: Browser, playwright: Playwright, base: str, username: str) -> tuple[BrowserContext, Page]:
    """A Pixel 7 (touch, 412 px) context logged in as ``username`` through the login form."""
    context = browser.new_context(**playwright.devices["Pixel 7"], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/(?!login)"))
    return context, page
