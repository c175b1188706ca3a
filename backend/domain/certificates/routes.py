"""The certificates context's controllers: the owner's page and the administrators' page."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from backend.domain.certificates.controllers import AdminCertificateController, CertificateController

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = [CertificateController, AdminCertificateController]
