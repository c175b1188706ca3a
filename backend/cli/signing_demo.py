"""Demo signing credentials: one personal credential per leader/deputy, one seal and one package seal per agency.

Writes the list in the signing server's ``ensure-demo`` format and runs that command, so the
running demo can sign; the signing server stores the OTP enrolments in ``demo-otp.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import sqlalchemy as sa

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import Agency, Role, RoleGrant, User

__all__ = ["demo_credential_specs", "ensure_demo_credentials"]


async def demo_credential_specs(settings: Settings) -> list[dict[str, str]]:
    """Signers (leaders and deputies, RSA-2048), agency seals (P-256) and package seals (RSA-2048, owner
    ``edxml:<agency code>``, for the XML signature of the edXML packages sent over the axis) of the seeded database.
    """
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            signers = (await db.execute(
                sa.select(User.username, User.full_name, Agency.name).distinct()
                .join(RoleGrant, RoleGrant.user_id == User.id).join(Agency, Agency.id == RoleGrant.agency_id)
                .where(RoleGrant.role.in_([Role.LEADER, Role.DEPUTY]), User.is_active.is_(True))
                .order_by(User.username)
            )).all()
            agencies = (await db.execute(
                sa.select(Agency.organ_id, Agency.name).where(Agency.is_active.is_(True)).order_by(Agency.organ_id)
            )).all()
    finally:
        await engine.dispose()
    specs = [{"owner_kind": "user", "owner": username, "display_name": name, "agency": agency, "algo": "rsa2048"}
             for username, name, agency in signers]
    specs += [{"owner_kind": "agency", "owner": organ_id, "display_name": name, "agency": name, "algo": "p256"}
              for organ_id, name in agencies]
    specs += [{"owner_kind": "agency", "owner": f"edxml:{organ_id}", "display_name": name, "agency": name,
               "algo": "rsa2048"} for organ_id, name in agencies]
    return specs


def ensure_demo_credentials(settings: Settings, specs: list[dict[str, str]]) -> None:
    """Create the missing demo credentials on the signing server's token (idempotent)."""
    signing_dir = settings.data_dir / "signing"
    signing_dir.mkdir(parents=True, exist_ok=True)
    spec_file = signing_dir / "demo-credentials.json"
    spec_file.write_text(json.dumps(specs, ensure_ascii=False, indent=1), encoding="utf-8")
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "APP_ENV": settings.app_env}
    subprocess.run([sys.executable, "-m", "signing_server", "ensure-demo", str(spec_file)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
