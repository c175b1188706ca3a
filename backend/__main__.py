"""``python -m backend <command>`` — see ``backend/cli/commands.py`` for the commands."""

from __future__ import annotations

import sys

from backend.cli.commands import main

if __name__ == "__main__":
    sys.exit(main())
