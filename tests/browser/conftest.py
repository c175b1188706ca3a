"""A live CongVan web process (real uvicorn) and a real Chromium driven by Playwright.

Playwright's sync API holds an event loop while it runs, so it is started and stopped per test;
otherwise the asyncio tests that follow could not run their own loops. Tests must request
``live_server`` before ``browser``: the database fixtures behind it run their own event loops, which
is impossible once Playwright's loop is running.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(settings_env: dict[str, str]) -> Iterator[str]:
    """Start ``python -m backend serve`` on a free loopback port; yield its base URL."""
    port = _free_port()
    env = {**os.environ, **settings_env, "PORT": str(port), "HOST": "127.0.0.1"}
    process = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode() if process.stdout else "server exited")
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not become healthy")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


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
