"""A live CongVan web process (real uvicorn) and a real Chromium driven by Playwright.

Playwright's sync API holds an event loop while it runs, so it is started and stopped per test;
otherwise the asyncio tests that follow could not run their own loops. Tests must request
``live_server`` before ``browser``: the database fixtures behind it run their own event loops, which
is impossible once Playwright's loop is running.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.support.live import live_server

__all__ = ["browser", "live_server", "playwright"]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"],
    )
    yield browser
    browser.close()
