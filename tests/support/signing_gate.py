"""A loopback relay in front of the real signing server that holds ``signatures/signHash`` until released.

Tests use it to act while a signature is being made (the moment the signing server checks the OTP
and the HSM signs): every request is forwarded unchanged to the real server; a ``signHash`` waits
for :meth:`SigningGate.release` first, and :attr:`SigningGate.held` is set when one arrives.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.signing import free_port

__all__ = ["SigningGate"]

_FORWARDED = ("Authorization", "Content-Type")


class SigningGate:
    """``async with SigningGate(real_url) as gate``: point ``SIGNING_URL`` at ``gate.url``."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.url = f"http://127.0.0.1:{free_port()}"
        self.held = asyncio.Event()
        self._open = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    def release(self) -> None:
        """Let the held ``signHash`` (and every later one) through."""
        self._open.set()

    async def _relay(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.path.endswith("/signatures/signHash"):
            self.held.set()
            await self._open.wait()
        assert self._http is not None
        headers = {name: request.headers[name] for name in _FORWARDED if name in request.headers}
        async with self._http.request(request.method, self.target + request.path_qs, data=body,
                                      headers=headers) as answer:
            return web.Response(status=answer.status, body=await answer.read(),
                                content_type=answer.content_type)

    async def __aenter__(self) -> SigningGate:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._relay)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", int(self.url.rsplit(":", 1)[1])).start()
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.release()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()
