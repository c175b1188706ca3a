"""A real signing server (SoftHSM token, ``ensure-demo``, ``serve``) for the certificate pages.

One server per test session: ``python -m signing_server ensure-demo`` creates credentials for a few
demo owners of the seeded province (two communes: Nghi Phong under Nghi Lộc, Nghi Thái beside it),
then ``python -m signing_server serve`` runs on a free loopback port. Each test still gets its own
copy of the demo database; the app finds the server by ``SIGNING_URL`` and authenticates with
``SIGNING_CLIENT_ID`` / ``SIGNING_CLIENT_SECRET`` taken from the server's ``client.json``. Tests
that change a credential (report, revoke) each use an owner of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, running_signing_server

# owner -> (owner kind, display name, extra ensure-demo fields)
CERT_OWNERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "lanhdao.xanghiphong": ("user", "Võ Minh Nam", {}),
    "capho.xanghiphong": ("user", "Ngô Thanh Oanh", {}),
    "truongphong.xanghiphong": ("user", "Lê Hữu Kiên", {}),
    "chuyenvien.xanghiphong": ("user", "Đặng Kim Lan", {
        "not_after": (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).isoformat(timespec="seconds")}),
    "lanhdao.xanghithai": ("user", "Bùi Minh Cường", {}),
    "000.01.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Phong", {}),
    "000.02.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Thái", {}),
    "edxml:000.01.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Phong", {}),
}


@pytest.fixture(scope="session")
def cert_signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Token + credentials of ``CERT_OWNERS`` via the real CLI, then a running signing server."""
    owners = [DemoOwner(owner, kind, name, "Ủy ban nhân dân xã Nghi Thái" if owner.endswith("xanghithai")
                        or owner == "000.02.21.H41" else "Ủy ban nhân dân xã Nghi Phong", extra=extra)
              for owner, (kind, name, extra) in CERT_OWNERS.items()]
    with running_signing_server(tmp_path_factory.mktemp("cert-signing"), owners) as senv:
        yield senv


@pytest.fixture
def settings_env(settings_env: dict[str, str], cert_signing: SigningEnv) -> dict[str, str]:
    """The shared test deployment, pointed at the running signing server."""
    return {**settings_env, **app_signing_env(cert_signing)}
