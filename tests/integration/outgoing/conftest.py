"""A real signing server (SoftHSM, ``ensure-demo``, ``serve``) for the outgoing-document tests.

One server per test session with credentials for the Nghi Phong commune's leader and deputy and
the seals of Nghi Phong and Nghi Thái; each test gets its own copy of the demo database and the
app finds the server by ``SIGNING_URL`` and the client credentials of its ``client.json``. Tests
that sign twice with one credential use ``SigningEnv.otp`` (a fresh time step each time).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, nss_trusting, running_signing_server

OWNERS: dict[str, tuple[str, str, str]] = {
    "lanhdao.xanghiphong": ("user", "Võ Minh Nam", "Ủy ban nhân dân xã Nghi Phong"),
    "capho.xanghiphong": ("user", "Ngô Thanh Oanh", "Ủy ban nhân dân xã Nghi Phong"),
    "000.01.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân xã Nghi Phong"),
    "000.02.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Thái", "Ủy ban nhân dân xã Nghi Thái"),
}


@pytest.fixture(scope="session")
def out_signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Token + credentials of ``OWNERS`` via the real CLI, then a running signing server.

    Its TOTP step is 10 s: these tests sign and seal dozens of times with the same two credentials,
    and every step is accepted once (a code stays valid for at least 10 s after ``fresh_otp``).
    """
    owners = [DemoOwner(owner, kind, name, agency) for owner, (kind, name, agency) in OWNERS.items()]
    with running_signing_server(tmp_path_factory.mktemp("out-signing"), owners, otp_step_seconds=10) as senv:
        yield senv


@pytest.fixture(scope="session")
def out_nss(tmp_path_factory: pytest.TempPathFactory, out_signing: SigningEnv) -> str:
    """A private NSS database trusting the dev CA, for poppler's pdfsig."""
    return nss_trusting(tmp_path_factory.mktemp("out-nss"), out_signing.ca_pem)


@pytest.fixture
def settings_env(settings_env: dict[str, str], out_signing: SigningEnv, tmp_path: Path) -> dict[str, str]:
    """The test deployment pointed at the running signing server, trusting its dev CA."""
    return {**settings_env, **app_signing_env(out_signing, tmp_path)}
