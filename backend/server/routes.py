"""The ordered list of controllers, one line per domain."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.accounts.controllers import AccountController, AuthController
from backend.domain.certificates.controllers import AdminCertificateController, CertificateController
from backend.domain.exchange.controllers import ExchangeController
from backend.domain.incoming._controllers_files import IncomingFilesController
from backend.domain.incoming._controllers_work import WorkController
from backend.domain.incoming.api import IncomingApiController
from backend.domain.incoming.controllers import IncomingController
from backend.domain.notifications.controllers import NotificationController
from backend.domain.organizations.controllers import ADMIN_CONTROLLERS
from backend.domain.outgoing._controllers_files import OutgoingFilesController
from backend.domain.outgoing.api import OutgoingApiController
from backend.domain.outgoing.controllers import OutgoingController
from backend.domain.push.controllers import DevicesController
from backend.server.health import health
from backend.web.live.controllers import LiveController
from backend.web.offline.controllers import PwaController
from backend.web.shell.controllers import ShellController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [
    health,
    AuthController,
    AccountController,
    ShellController,
    IncomingController,
    IncomingFilesController,
    WorkController,
    IncomingApiController,
    OutgoingController,
    OutgoingFilesController,
    OutgoingApiController,
    ExchangeController,
    NotificationController,
    PwaController,
    DevicesController,
    LiveController,
    CertificateController,
    AdminCertificateController,
    *ADMIN_CONTROLLERS,
]
