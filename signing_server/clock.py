"""The signing server's clock: the wall clock, optionally shifted by a test-only offset file.

``SIGNING_CLOCK_OFFSET_FILE`` (refused with ``APP_ENV=production``) names a file holding a number of
seconds added to the wall clock. It is re-read at every reading, so a test can move a running
server's time forward (past a SAD's lifetime, to the next TOTP step) instead of sleeping.
Tokens, SADs and OTP steps all read this one clock.
"""

from __future__ import annotations

import time
from pathlib import Path

__all__ = ["Clock"]


class Clock:
    """``clock()`` -> seconds since the epoch, as :func:`time.time`, plus the offset file's value."""

    def __init__(self, offset_file: Path | None = None) -> None:
        self.offset_file = offset_file

    def offset(self) -> float:
        if self.offset_file is None:
            return 0.0
        try:
            text = self.offset_file.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return 0.0
        return float(text or 0)

    def __call__(self) -> float:
        return time.time() + self.offset()
