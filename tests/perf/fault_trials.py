"""Randomised kill -9 trials on real processes: ``python -m tests.perf.fault_trials --trials 100 --seed 7``.

Starts the signing server (SoftHSM2), the web process and the worker on loopback over a fresh
database (SQLite, or a new PostgreSQL database on the server ``TEST_DATABASE_URL`` names; Redis
from ``TEST_REDIS_URL``), then runs the trials of :mod:`tests.faults.trials` and prints their
report (trials per operation × killed process, failures, time). Exits 1 when any trial failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from backend.config.settings import load_settings
from tests.faults.operations import OPERATIONS
from tests.faults.stack import fresh_database, running_stack
from tests.faults.trials import Outcome, plans, report, run_trials


def _progress(outcome: Outcome) -> None:
    verdict = "ok" if not outcome.failures else "FAILED: " + "; ".join(outcome.failures)
    print(f"trial {outcome.plan.trial:3d} {outcome.plan.operation:10s} kill {outcome.plan.process:7s} "
          f"+{outcome.plan.delay:.3f}s answer {outcome.first_answer:14s} attempts {outcome.attempts} "
          f"{outcome.seconds:5.1f}s {verdict}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ops", default=",".join(OPERATIONS), help="comma-separated operations")
    args = parser.parse_args(argv)
    postgres = os.environ.get("TEST_DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="congvan-faults-") as tmp:
        root = Path(tmp)
        with fresh_database(root, postgres) as url:
            base = {"APP_ENV": "demo", "DATA_DIR": str(root / "data"), "DATABASE_URL": url, "SECRET_KEY": "f" * 64}
            if os.environ.get("TEST_REDIS_URL"):
                base["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
            with running_stack(base, root) as stack:
                started = time.monotonic()
                outcomes = asyncio.run(run_trials(stack, load_settings(stack.env),
                                                  plans(args.seed, args.trials, args.ops.split(",")), _progress))
                seconds = time.monotonic() - started
    database = "PostgreSQL" + (" + Redis" if os.environ.get("TEST_REDIS_URL") else "") if postgres else "SQLite"
    print(f"\nkill -9 trials, seed {args.seed}, {database}, {platform.node()} ({os.cpu_count()} cores), "
          f"Python {platform.python_version()}")
    print(report(outcomes, seconds))
    return 1 if any(o.failures for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
