"""Every transition that notifies somebody has its notification text in the catalogue."""

from __future__ import annotations

import pytest

from backend.domain.incoming.workflow import LIFECYCLE as INCOMING
from backend.domain.outgoing.workflow import LIFECYCLE as OUTGOING
from backend.lib.i18n import catalogue


@pytest.mark.parametrize("lifecycle", [INCOMING, OUTGOING], ids=lambda lifecycle: lifecycle.name)
def test_each_notifying_transition_has_its_title(lifecycle) -> None:
    missing = [str(row.event) for row in lifecycle.table.transitions
               if row.notify is not None and f"{lifecycle.name}.notify.{row.event}" not in catalogue()]
    assert missing == []
