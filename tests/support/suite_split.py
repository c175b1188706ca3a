"""Which of the two passes of ``make test`` runs the tests whose outcome does not depend on the pass.

``make test`` runs the whole suite twice, side by side: on SQLite with in-process stores (the embedded
default) and on PostgreSQL + Redis (production). Most tests are about what differs between the two
(queries, locks, stores) and run in both. Two kinds do not gain from the second run, and together they
are a third of a pass (docs/performance.md, "The test suite"):

* tests that never open the app's database or Redis: ``tests/unit`` and the signing server's own tests;
* the Chromium tests: every server-side behaviour they drive is tested on both databases by
  ``tests/integration``; what they add is the browser's side (layout, scripts, service worker).

Those run in one pass each, split so that both passes stay about the same length and the pass that
has Redis gets the browser tests of live updates and push. Only ``make test`` splits
(``TEST_SUITE_SPLIT=1``, set by ``.ci/test-suite``); ``pytest`` alone runs everything it collects.
A test not listed here runs in both passes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

__all__ = ["ONE_PASS", "split"]

SQLITE, POSTGRES = "sqlite", "postgres"

ONE_PASS: dict[str, str] = {
    "tests/unit/": SQLITE,
    "tests/signing/": SQLITE,
    # the browser modules: about as much Chromium on either side, the rest evening out the passes (module times
    # measured with `.ci/test-suite --durations=0`, docs/performance.md "The test suite")
    "tests/browser/test_confirmations.py": SQLITE,
    "tests/browser/test_workfile_phone.py": SQLITE,
    "tests/browser/test_phone_minor.py": SQLITE,
    "tests/browser/test_catalogue_phone.py": SQLITE,
    "tests/browser/test_incoming_flow.py": SQLITE,
    "tests/browser/test_document_first.py": SQLITE,
    "tests/browser/test_statistics_phone.py": SQLITE,
    "tests/browser/test_pwa.py": POSTGRES,
    "tests/browser/test_push.py": POSTGRES,
    "tests/browser/test_shell.py": POSTGRES,
    "tests/browser/test_weak_link.py": POSTGRES,
    "tests/browser/test_placement.py": POSTGRES,
    "tests/browser/test_outgoing_sign.py": POSTGRES,
    "tests/browser/test_leader_home_phone.py": POSTGRES,
    "tests/browser/test_search_phone.py": POSTGRES,
    "tests/browser/test_exchange_dashboard_phone.py": SQLITE,
}


def _pass_of(nodeid: str) -> str | None:
    return next((name for prefix, name in ONE_PASS.items() if nodeid.startswith(prefix)), None)


def split(config: pytest.Config, items: list[pytest.Item], *, on_postgres: bool) -> None:
    """Deselect (as ``-k`` would, reported in the summary) the items that belong to the other pass."""
    if os.environ.get("TEST_SUITE_SPLIT") != "1":
        return
    this = POSTGRES if on_postgres else SQLITE
    other: Sequence[pytest.Item] = [item for item in items if _pass_of(item.nodeid) not in (None, this)]
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = [item for item in items if _pass_of(item.nodeid) in (None, this)]
