"""Demo mode only: the authenticator-app enrolments of the actor's signing credentials.

``make run`` lets the signing server create a personal credential for each leader and deputy and
a seal credential for each agency, and write their OTP provisioning URIs to
``<DATA_DIR>/signing/demo-otp.json``. The account page shows the actor's own (and, for clerks, the
agency seal's) as a QR code so a tester can scan it. Production never has this file.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import qrcode
import qrcode.image.svg

from backend.config.settings import Settings
from backend.db.models import Role
from backend.domain.accounts.actor import Actor

__all__ = ["DemoEnrolment", "demo_enrolments"]


@dataclass(frozen=True, slots=True)
class DemoEnrolment:
    """One credential's enrolment: what it signs as, the otpauth URI and its QR code."""

    kind: str
    credential_id: str
    provisioning_uri: str
    qr_data_uri: str


def _qr(uri: str) -> str:
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def demo_enrolments(settings: Settings, actor: Actor) -> list[DemoEnrolment]:
    """The actor's enrolments (personal, then the agency seal for clerks); empty outside demo mode."""
    path = settings.data_dir / "signing" / "demo-otp.json"
    if not settings.is_demo or not path.exists():
        return []
    entries = json.loads(path.read_text(encoding="utf-8"))
    wanted = [("user", actor.username)]
    if Role.CLERK in actor.roles:
        wanted.append(("agency", actor.agency_organ_id))
    found = []
    for kind, owner in wanted:
        entry = entries.get(owner)
        if entry:
            found.append(DemoEnrolment(kind, entry["credential_id"], entry["provisioning_uri"],
                                       _qr(entry["provisioning_uri"])))
    return found
