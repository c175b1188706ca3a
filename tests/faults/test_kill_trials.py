"""kill -9 of the web process, the worker or the signing server during a user's operation loses nothing.

The bounded form of ``python -m tests.perf.fault_trials``: the first 20 trials of a fixed seed,
one per operation × process pair, split between the two passes of ``make test`` (even trials on
SQLite, odd ones on PostgreSQL + Redis), all on one started stack. After each kill the process is
restarted, the user finishes the operation, the worker drains the outbox, and every invariant of
:mod:`tests.faults.invariants` must hold: no document lost or duplicated, no stored signed PDF whose
signature fails, every outbox job done once, the audit chain intact.
"""

from __future__ import annotations

from backend.config.settings import Settings
from tests.conftest import ON_POSTGRES
from tests.faults.stack import Stack
from tests.faults.trials import plans, report, run_trials

SEED = 20261207
TRIALS = 20


async def test_kill_9_trials_lose_nothing_duplicate_nothing(fault_stack: Stack, fault_settings: Settings) -> None:
    mine = plans(SEED, TRIALS)[1 if ON_POSTGRES else 0::2]
    assert {p.process for p in mine} == {"web", "worker", "signing"}
    outcomes = await run_trials(fault_stack, fault_settings, mine)
    assert not [o for o in outcomes if o.failures], report(outcomes, 0)
    assert sum(fault_stack.kills.values()) == len(mine)
