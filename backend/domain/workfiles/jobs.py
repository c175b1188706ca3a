"""The work-files context's jobs: the transfer package made when the archive accepts a file.

The transfer reminder is a rule of the reminder scan (``backend/domain/reminders/transfer_due.py``), not a
job of its own, so it shares the reminders' ledger, quiet hours and channels.
"""

from __future__ import annotations

from backend.domain.workfiles.transfer_package import TRANSFER_PACKAGE, make_package
from backend.tasks.bus import Handles

__all__ = ["HANDLERS"]

HANDLERS = (Handles(TRANSFER_PACKAGE, make_package),)
