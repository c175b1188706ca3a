"""The app's routes: the health check, then each context's exported controllers, in menu order."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.accounts import routes as accounts
from backend.domain.admin_import import routes as admin_import
from backend.domain.audit import routes as audit
from backend.domain.certificates import routes as certificates
from backend.domain.copies import routes as copies
from backend.domain.exchange import routes as exchange
from backend.domain.incoming import routes as incoming
from backend.domain.notifications import routes as notifications
from backend.domain.organizations import routes as organizations
from backend.domain.outgoing import routes as outgoing
from backend.domain.push import routes as push
from backend.domain.search import routes as search
from backend.domain.statistics import routes as statistics
from backend.domain.workfiles import routes as workfiles
from backend.server.health import health
from backend.web.live import routes as live
from backend.web.offline import routes as offline
from backend.web.shell import routes as shell

__all__ = ["ROUTES"]

_CONTEXTS = (accounts, shell, incoming, outgoing, exchange, notifications, offline, push, live, certificates,
             organizations, admin_import, statistics, workfiles, copies, search, audit)

ROUTES: list[ControllerRouterHandler] = [health, *(route for context in _CONTEXTS for route in context.ROUTES)]
