"""Fixtures of the fault suite: the real processes of one deployment on the test's own database.

``fault_stack`` starts the signing server (SoftHSM2), the web process and the outbox worker on
loopback, over the test's private copy of the demo database (``settings_env``: SQLite, or
PostgreSQL + Redis from ``TEST_DATABASE_URL``/``TEST_REDIS_URL``), and stops them after the test.
Any process can be killed (``stack.kill(name)``) and started again (``stack.restart(name)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.config.settings import Settings, load_settings
from tests.faults.stack import Stack, running_stack


@pytest.fixture
def fault_stack(settings_env: dict[str, str], tmp_path: Path) -> Iterator[Stack]:
    """Signing server, web and worker of this test's deployment, running."""
    with running_stack(settings_env, tmp_path) as stack:
        yield stack


@pytest.fixture
def fault_settings(fault_stack: Stack) -> Settings:
    """The settings the stack's processes run with."""
    return load_settings(fault_stack.env)
