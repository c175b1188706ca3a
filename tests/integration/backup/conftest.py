"""A real signing server (SoftHSM) for the backup tests: the Nghi Phong leader's key and the commune's seal.

The signing data dir (registry, token, dev CA) is part of every backup these tests make, and the
drill test issues a document signed and sealed through it before backing up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, running_signing_server

OWNERS = [
    DemoOwner("lanhdao.xanghiphong", "user", "Võ Minh Nam", "Ủy ban nhân dân xã Nghi Phong"),
    DemoOwner("000.01.21.H41", "agency", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân xã Nghi Phong"),
]


@pytest.fixture(scope="session")
def backup_signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    with running_signing_server(tmp_path_factory.mktemp("backup-signing"), OWNERS, otp_step_seconds=10) as senv:
        yield senv


@pytest.fixture
def settings_env(settings_env: dict[str, str], backup_signing: SigningEnv, tmp_path: Path) -> dict[str, str]:
    """The test deployment pointed at the running signing server, trusting its dev CA."""
    return {**settings_env, **app_signing_env(backup_signing, tmp_path)}
