"""A specialist on a phone (360 px) opens a work file, adds four documents from their pages with
"Đưa vào hồ sơ" (two taps each), takes one out again, and closes the file with three -- real Chromium
against the running app."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from backend.config.settings import load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, User, WorkFile, WorkFileDocument
from backend.lib import clock
from tests.support.workfiles import arrange_incoming

pytestmark = pytest.mark.browser
R = TypeVar("R")


def _run(coro: Coroutine[Any, Any, R]) -> R:
    """Run ``coro`` on its own loop in another thread (Playwright's sync API holds this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _arrange(settings_env: dict[str, str]) -> list[int]:
    async def run() -> list[int]:
        settings = load_settings(settings_env)
        engine = create_engine(settings.database_url)
        sessions = create_sessionmaker(engine)
        async with sessions() as db:
            me = (await db.scalars(sa.select(User.id).where(User.username == "chuyenvien.tinh"))).one()
            agency = (await db.scalars(sa.select(Agency.id).where(Agency.organ_id == "000.00.00.H41"))).one()
        ids = [await arrange_incoming(sessions, settings, agency, number=300 + i, summary=f"Về việc thử hồ sơ {i}",
                                      issued_on=clock.today() - dt.timedelta(days=5 - i), assign_to=me)
               for i in range(4)]
        await engine.dispose()
        return ids

    return _run(run())


def _stored(settings_env: dict[str, str]) -> tuple[str, int]:
    async def run() -> tuple[str, int]:
        engine = create_engine(settings_env["DATABASE_URL"])
        async with create_sessionmaker(engine)() as db:
            work_file = (await db.scalars(sa.select(WorkFile))).one()
            count = await db.scalar(sa.select(sa.func.count(WorkFileDocument.id)))
        await engine.dispose()
        return str(work_file.state), int(count or 0)

    return _run(run())


def _phone(browser: Browser, playwright) -> Page:  # type: ignore[no-untyped-def]
    device = dict(playwright.devices["Pixel 7"])
    device["viewport"] = {"width": 360, "height": 740}
    return browser.new_context(**device, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()


def test_specialist_opens_fills_and_closes_a_file(live_server: str, browser: Browser, playwright,  # type: ignore[no-untyped-def]
                                                  settings_env: dict[str, str]) -> None:
    docs = _arrange(settings_env)
    page = _phone(browser, playwright)
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("chuyenvien.tinh")
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").tap()
    page.wait_for_url(f"{live_server}/incoming")

    page.goto(f"{live_server}/work-files/")
    page.get_by_label("Tiêu đề hồ sơ").fill("Hồ sơ thử trên điện thoại")
    page.get_by_label("Số và ký hiệu hồ sơ").fill("07.TH")
    page.get_by_label("Thời hạn bảo quản").select_option("10 năm")
    page.get_by_role("button", name="Mở hồ sơ").tap()
    expect(page.get_by_role("heading", name="Hồ sơ thử trên điện thoại")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    for doc_id in docs:
        page.goto(f"{live_server}/incoming/{doc_id}")
        page.get_by_role("link", name="Đưa vào hồ sơ").tap()  # tap 1: the sheet of my open files
        pick = page.get_by_role("button", name="07.TH — Hồ sơ thử trên điện thoại")
        expect(pick).to_be_visible()
        pick.tap()  # tap 2: added, back on the document page
        page.wait_for_url(f"{live_server}/incoming/{doc_id}")
        expect(page.get_by_text("Đã đưa văn bản vào hồ sơ “Hồ sơ thử trên điện thoại”.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"{live_server}/work-files/")
    page.get_by_role("link", name="Hồ sơ thử trên điện thoại").tap()
    expect(page.get_by_role("heading", name="Văn bản trong hồ sơ (4)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # move and take-out buttons included
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    take_out = page.get_by_role("button", name=re.compile("^Rút khỏi hồ sơ")).last
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Hủy": nothing is sent, the document stays in the file
    take_out.tap()
    page.wait_for_timeout(800)
    assert posts == [] and _stored(settings_env) == ("open", 4)
    page.once("dialog", lambda dialog: dialog.accept())
    take_out.tap()
    expect(page.get_by_role("heading", name="Văn bản trong hồ sơ (3)")).to_be_visible()
    assert len(posts) == 1 and _stored(settings_env) == ("open", 3)
    posts.clear()
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Hủy": nothing is sent, the file stays open
    page.get_by_role("button", name="Đóng hồ sơ").tap()
    page.wait_for_timeout(800)
    assert posts == [] and _stored(settings_env) == ("open", 3)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Đóng hồ sơ").tap()
    expect(page.get_by_text("Đã đóng hồ sơ “Hồ sơ thử trên điện thoại”.")).to_be_visible()
    expect(page.locator("#wf-state")).to_have_text("Đã đóng")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _stored(settings_env) == ("closed", 3)

    # Searching inside the file finds its three documents, not the one taken out.
    page.get_by_label("Tìm trong hồ sơ này").fill("thu ho so")
    page.get_by_role("button", name="Tìm", exact=True).tap()
    expect(page.get_by_text("Chỉ tìm trong các văn bản của một hồ sơ")).to_be_visible()
    expect(page.locator("#search-hits > li")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _age_closed_file(settings_env: dict[str, str]) -> None:
    """Time passes: the file closed above ended more than a year ago (start and end moved back 400 days)."""
    async def run() -> None:
        engine = create_engine(settings_env["DATABASE_URL"])
        async with create_sessionmaker(engine)() as db:
            back = dt.timedelta(days=400)
            work_file = (await db.scalars(sa.select(WorkFile))).one()
            assert work_file.end_date is not None
            await db.execute(sa.update(WorkFile).values(start_date=work_file.start_date - back,
                                                        end_date=work_file.end_date - back))
            await db.commit()
        await engine.dispose()

    _run(run())


def test_clerk_transfers_and_archive_holder_accepts(live_server: str, browser: Browser, playwright,  # type: ignore[no-untyped-def]
                                                    settings_env: dict[str, str]) -> None:
    test_specialist_opens_fills_and_closes_a_file(live_server, browser, playwright, settings_env)
    _age_closed_file(settings_env)
    page = _phone(browser, playwright)
    page.goto(f"{live_server}/login")
    page.get_by_label("Tên đăng nhập").fill("vanthu.tinh")
    page.get_by_label("Mật khẩu").fill("congvan2026")
    page.get_by_role("button", name="Đăng nhập").tap()
    page.wait_for_url(f"{live_server}/incoming")

    page.goto(f"{live_server}/work-files/")
    page.get_by_role("link", name="Nộp lưu hồ sơ").tap()
    expect(page.get_by_role("heading", name="Nộp lưu hồ sơ")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Hồ sơ thử trên điện thoại").first.tap()
    for button in ("Nộp lưu", "Tiếp nhận vào lưu trữ"):  # "Hủy" in the confirmation changes nothing
        before = _stored(settings_env)
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name=button).tap()
        page.wait_for_timeout(800)
        assert _stored(settings_env) == before, button
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=button).tap()  # the clerk transfers; then the archive holder accepts
        if button == "Nộp lưu":
            expect(page.locator("#wf-state")).to_have_text("Chờ lưu trữ tiếp nhận")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator("#wf-state")).to_have_text("Đã nộp lưu")
    expect(page.get_by_role("button", name="Trả lại")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _stored(settings_env) == ("archived", 3)
