"""A real signing server with the seals of Nghi Phong and Nghi Thái (and Nghi Phong's leader) for the copy tests.

One server per test session (SoftHSM, ``ensure-demo``, ``serve``), TOTP step 10 s so that the
tests take fresh codes with ``SigningEnv.next_otp`` (it moves the server's clock, never sleeps).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.incoming import Clients
from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, running_signing_server

LEADER = "lanhdao.xanghiphong"
SEALS = {"000.01.21.H41": "Ủy ban nhân dân xã Nghi Phong", "000.02.21.H41": "Ủy ban nhân dân xã Nghi Thái"}


@pytest.fixture(scope="session")
def copy_signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    owners = [DemoOwner(organ, "agency", name, name) for organ, name in SEALS.items()]
    owners.append(DemoOwner(LEADER, "user", "Võ Minh Nam", SEALS["000.01.21.H41"]))
    with running_signing_server(tmp_path_factory.mktemp("copy-signing"), owners, otp_step_seconds=10) as senv:
        yield senv


@pytest.fixture
def settings_env(settings_env: dict[str, str], copy_signing: SigningEnv, tmp_path: Path) -> dict[str, str]:
    """The test deployment pointed at the running signing server, trusting its dev CA."""
    return {**settings_env, **app_signing_env(copy_signing, tmp_path)}


@pytest.fixture
def clients(client: AsyncTestClient[Litestar], login: Callable[..., Awaitable[Any]]) -> Clients:
    return Clients(client, login)
