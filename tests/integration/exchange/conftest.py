"""The exchange tests' axis: the stand-in on a loopback socket, and the test deployment connected to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.axis import CONFIG, StandIn, axis_env, running_standin


@pytest.fixture
def axis() -> Iterator[StandIn]:
    """A fresh stand-in (empty queues) serving :data:`tests.support.axis.CONFIG`."""
    with running_standin(CONFIG) as standin:
        yield standin


@pytest.fixture
def settings_env(settings_env: dict[str, str], axis: StandIn) -> dict[str, str]:
    """The demo province connected to the stand-in as system ``congvan-nghe-an``."""
    return {**settings_env, **axis_env(axis.url)}
