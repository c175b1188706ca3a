"""The exchange tests' axis: the stand-in on a loopback socket, the test deployment connected to it, and a real
signing server holding the package seals of Nghi Phong (our sender) and Bộ Nội vụ (the partner playing the
ministry), whose development CA the deployment trusts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.axis import CONFIG, StandIn, axis_env, running_standin
from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, running_signing_server

PACKAGE_SEALS = {"edxml:000.01.21.H41": "Ủy ban nhân dân xã Nghi Phong", "edxml:000.00.00.G12": "Bộ Nội vụ",
                 "edxml:000.00.00.H41": "Ủy ban nhân dân tỉnh Nghệ An"}


@pytest.fixture
def axis() -> Iterator[StandIn]:
    """A fresh stand-in (empty queues) serving :data:`tests.support.axis.CONFIG`."""
    with running_standin(CONFIG) as standin:
        yield standin


@pytest.fixture(scope="session")
def axis_signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Token + the package seals of :data:`PACKAGE_SEALS` (RSA-2048) via the real CLI, then the server."""
    owners = [DemoOwner(owner, "agency", name, name, "rsa2048") for owner, name in PACKAGE_SEALS.items()]
    with running_signing_server(tmp_path_factory.mktemp("axis-signing"), owners) as senv:
        yield senv


@pytest.fixture
def settings_env(settings_env: dict[str, str], axis: StandIn, axis_signing: SigningEnv,
                 tmp_path: Path) -> dict[str, str]:
    """The demo province connected to the stand-in as system ``congvan-nghe-an``, signing through the server."""
    return {**settings_env, **axis_env(axis.url), **app_signing_env(axis_signing, tmp_path)}
