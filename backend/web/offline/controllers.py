"""``/sw.js``, ``/manifest.webmanifest`` and ``/offline``: public, user-independent, revalidated.

``/sw.js`` is ``sw/service-worker.js`` with its ``const CONFIG = …;`` line replaced by the
content-hashed URLs to pre-cache and a version derived from them, so deploying new assets
changes the worker's bytes and the browser installs the new worker.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.enums import MediaType

from backend.lib.templates import STATIC_DIR, render_string, static_url

__all__ = ["PwaController", "SW_DIR", "precache_urls", "service_worker_source"]

SW_DIR = Path(__file__).resolve().parents[3] / "sw"
_CONFIG_LINE = re.compile(r"^const CONFIG = .*;$", re.MULTILINE)
_PRECACHE = ("css/app.css", "js/app.js", "js/pwa.js", "icons/icon-192.png", "icons/badge-96.png")
_REVALIDATE = {"Cache-Control": "no-cache"}


def precache_urls() -> list[str]:
    """Hashed URLs of the shell's assets (and the offline page) that the worker installs with."""
    vendor = sorted(path.relative_to(STATIC_DIR).as_posix() for path in (STATIC_DIR / "vendor").glob("htmx-*.min.js"))
    return [static_url(rel) for rel in (*_PRECACHE, *vendor) if (STATIC_DIR / rel).exists()] + ["/offline"]


@cache
def service_worker_source() -> str:
    """The worker script as served (computed once per process: assets do not change at run time)."""
    source = (SW_DIR / "service-worker.js").read_text(encoding="utf-8")
    urls = precache_urls()
    version = hashlib.sha256((source + "\n".join(urls)).encode()).hexdigest()[:12]
    config = json.dumps({"version": version, "precache": urls, "offline": "/offline", "inbox": "/incoming"})
    return _CONFIG_LINE.sub(lambda _m: f"const CONFIG = {config};", source, count=1)


@cache
def _manifest() -> str:
    manifest: dict[str, Any] = json.loads((SW_DIR / "manifest.webmanifest").read_text(encoding="utf-8"))
    for icon in manifest.get("icons", []):
        icon["src"] = static_url(icon["src"])
    return json.dumps(manifest, ensure_ascii=False)


class PwaController(Controller):
    """The installable-app endpoints (no login needed, no user data)."""

    @get("/sw.js", name="pwa.service_worker", include_in_schema=False)
    async def service_worker(self) -> Response[str]:
        return Response(service_worker_source(), media_type="application/javascript; charset=utf-8",
                        headers=_REVALIDATE)

    @get("/manifest.webmanifest", name="pwa.manifest", include_in_schema=False)
    async def manifest(self) -> Response[str]:
        return Response(_manifest(), media_type="application/manifest+json", headers=_REVALIDATE)

    @get("/offline", name="pwa.offline", include_in_schema=False)
    async def offline(self, request: Request[Any, Any, Any]) -> Response[str]:
        html = render_string(request, "offline.html", {"csrf_token": "", "actor": None})
        return Response(html, media_type=MediaType.HTML, headers=_REVALIDATE)
