"""Litestar application factory of the signing server (internal network only, JSON only).

``create_app()`` wires settings, the registry, the journal, the HSM session, the CSC controller and the
``/ext/v1`` vendor extension (:mod:`signing_server.ext`).
The HSM session is opened at startup so a wrong PIN or a missing token fails the process at once
with a hint, not at the first signature.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from litestar import Litestar

from signing_server.csc import CscController, csc_error_handlers, health
from signing_server.ext import ExtController
from signing_server.hsm import Hsm
from signing_server.journal import Journal
from signing_server.service import SigningService
from signing_server.settings import Settings, load_settings
from signing_server.store import Store

__all__ = ["build_service", "create_app"]


def build_service(settings: Settings) -> SigningService:
    """Assemble the service objects for *settings* (no I/O on the token yet)."""
    store = Store(settings.db_path)
    hsm = Hsm(settings.pkcs11_module, settings.token_label, settings.token_pin, settings.softhsm_conf)
    return SigningService(settings, store, hsm, Journal(store))


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the ASGI app; settings default to :func:`load_settings` from the environment."""
    settings = settings or load_settings()
    service = build_service(settings)

    async def open_token() -> None:
        await anyio.to_thread.run_sync(service.hsm.open)
        logging.getLogger("signing_server").info(
            "signing server ready: token %r, %s mode", settings.token_label, settings.app_env)

    async def close_token() -> None:
        await anyio.to_thread.run_sync(service.hsm.close)

    app = Litestar(
        route_handlers=[CscController, ExtController, health],
        exception_handlers=csc_error_handlers,  # type: ignore[arg-type]
        on_startup=[open_token],
        on_shutdown=[close_token],
        openapi_config=None,
        debug=False,
    )
    app.state.service = service
    return app
