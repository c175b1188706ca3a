"""The service worker, manifest and offline page; offline cache headers; compression."""

from __future__ import annotations

import json
import re

import pytest

from backend.web.offline.policy import offline_kind

CLERK = "vanthu.xanghiphong"


async def test_service_worker_is_served_for_scope_root_and_revalidated(client) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "no-cache"
    config = json.loads(re.search(r"^const CONFIG = (.*);$", response.text, re.MULTILINE).group(1))
    assert config["version"] != "dev" and "/offline" in config["precache"]
    assert any(url.startswith("/static/js/pwa.js?v=") for url in config["precache"])
    assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_manifest_is_installable(client) -> None:
    response = await client.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/incoming" and manifest["lang"] == "vi"
    assert manifest["short_name"] == "CôngVăn"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status_code == 200 and "?v=" in icon["src"]


async def test_offline_page_is_public_and_carries_no_user_data(client) -> None:
    response = await client.get("/offline")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    assert "Không có kết nối mạng" in response.text and "hx-headers" not in response.text
    assert "cv-user" not in response.headers


async def test_pages_are_marked_for_the_worker_but_not_for_http_caches(client, login) -> None:
    await login(client, CLERK)
    page = await client.get("/notifications")
    assert page.headers["cv-offline"] == "page" and page.headers["cache-control"] == "no-store"
    fragment = await client.get("/notifications", headers={"HX-Request": "true"})
    assert "cv-offline" not in fragment.headers
    account = await client.get("/account")
    assert "cv-offline" not in account.headers and "cv-user" not in account.headers


async def test_hashed_static_assets_are_immutable_and_compressed(client) -> None:
    page = await client.get("/login")
    href = re.search(r'href="(/static/css/app.css\?v=[0-9a-f]+)"', page.text).group(1)
    response = await client.get(href, headers={"Accept-Encoding": "gzip"})
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert page.headers["content-encoding"] == "gzip"


async def test_base_page_links_manifest_icons_and_deferred_script(client) -> None:
    page = (await client.get("/login")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page and re.search(r'<script src="/static/js/pwa.js\?v=\w+" defer>', page)


@pytest.mark.parametrize(("path", "content_type", "kind"), [
    ("/incoming", "text/html; charset=utf-8", "page"),
    ("/notifications", "text/html; charset=utf-8", "page"),
    ("/incoming/42", "text/html; charset=utf-8", "document"),
    ("/outgoing/7", "text/html; charset=utf-8", "document"),
    ("/incoming/42/pages/1.webp", "image/webp", "asset"),
    ("/incoming/42/sign", "text/html", None),
    ("/account", "text/html", None),
    ("/admin/users", "text/html", None),
    ("/search", "text/html", None),
    ("/incoming/42/file.pdf", "application/pdf", None),
])
def test_offline_policy(path: str, content_type: str, kind: str | None) -> None:
    assert offline_kind(path, content_type) == kind
