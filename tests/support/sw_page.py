"""Watching a phone page's service worker from Playwright: polling a script, and the offline caches.

``page.wait_for_function`` would evaluate strings, which the app's CSP (no 'unsafe-eval') forbids, so
:func:`until` polls a JS function with ``page.evaluate`` instead.
"""

from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

__all__ = ["IN_CACHE", "STORED_AT", "is_cached", "until", "wait_cached", "wait_ready"]

# the service worker's stored response for ``path`` in this user's page or document caches, or null
_STORED = """async (path) => {
    for (const name of await caches.keys()) {
        if (!name.startsWith('cv-pages-') && !name.startsWith('cv-docs-')) continue;
        const hit = await (await caches.open(name)).match(new URL(path, location.origin).href);
        if (hit) return hit;
    }
    return null;
}"""

# true when the service worker keeps a copy of ``path``
IN_CACHE = f"async (path) => (await ({_STORED})(path)) !== null"

# when the service worker stored its copy of ``path`` (its CV-Stored-At header), or null
STORED_AT = f"""async (path) => {{
    const hit = await ({_STORED})(path);
    return hit === null ? null : hit.headers.get('CV-Stored-At');
}}"""


def until(page: Page, script: str, arg: object = None, timeout: float = 20.0) -> object:
    """Poll ``script`` (a JS function) until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = page.evaluate(script, arg)
        except PlaywrightError:  # navigation in progress
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {script[:80]}")
        page.wait_for_timeout(200)


def is_cached(page: Page, path: str) -> bool:
    """Whether the service worker holds a copy of ``path`` now."""
    return bool(page.evaluate(IN_CACHE, path))


def wait_cached(page: Page, path: str) -> None:
    """Until the service worker holds a copy of ``path``."""
    until(page, IN_CACHE, path)


def wait_ready(page: Page) -> None:
    """Until the page's script has started and a service worker controls it."""
    until(page, "() => window.__cvReady === true && navigator.serviceWorker.controller !== null")
