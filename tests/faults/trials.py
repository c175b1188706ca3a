"""Randomised kill -9 trials on one running :class:`~tests.faults.stack.Stack`, and their report.

A trial prepares a document (every process up), sends the operation's request, SIGKILLs one
process at a random moment (a random delay after the request left, or after its answer for the
worker's part of an operation), restarts it, lets the user finish the operation the way a user
would (:mod:`tests.faults.operations`), waits until the worker has run every job the trial queued
and checks :mod:`tests.faults.invariants`. The stack is shared by all trials: only the killed
process is restarted.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa

from backend.config.settings import Settings
from backend.db.models import IncomingDocument
from tests.faults.invariants import Watermark, check_all, fresh_session, outbox_settled, watermark
from tests.faults.operations import OPERATIONS, Actors, Operation, Subject, new_key
from tests.faults.stack import PROCESSES, Stack

__all__ = ["Outcome", "Plan", "plans", "report", "run_trials"]

WINDOW = {"web": 0.5, "worker": 1.2, "signing": 0.5}
"""Upper bound of the random delay (seconds) before the kill, per process."""
ATTEMPTS = 5
SETTLE_SECONDS = 60.0


@dataclass(frozen=True)
class Plan:
    """One trial: which operation, which process is killed, how long after the request (or its answer)."""

    trial: int
    operation: str
    process: str
    delay: float


@dataclass
class Outcome:
    plan: Plan
    first_answer: str = ""
    attempts: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def plans(seed: int, count: int, operations: Iterable[str] = OPERATIONS) -> list[Plan]:
    """``count`` trials cycling through every operation × process pair in rounds (each round gives every
    operation once, with a process it has not had yet), in a seeded random order, at random delays."""
    rng = random.Random(seed)
    ops = list(operations)
    killed = {op: rng.sample(PROCESSES, len(PROCESSES)) for op in ops}
    pairs: list[tuple[str, str]] = []
    for turn in range(len(PROCESSES)):
        rng.shuffle(ops)
        pairs += [(op, killed[op][turn]) for op in ops]
    return [Plan(i + 1, op, proc, round(rng.uniform(0.0, WINDOW[proc]), 3))
            for i, (op, proc) in enumerate(pairs[i % len(pairs)] for i in range(count))]


def _describe(response: httpx.Response | None, error: Exception | None) -> str:
    if response is None:
        return type(error).__name__ if error else "-"
    code = ""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        code = " " + str(response.json().get("reason_code") or response.json().get("code") or "")
    return f"{response.status_code}{code}"


class _Trial:
    def __init__(self, stack: Stack, settings: Settings, actors: Actors, plan: Plan) -> None:
        self.stack, self.settings, self.actors, self.plan = stack, settings, actors, plan
        self.op: Operation = OPERATIONS[plan.operation]
        self.subject = Subject(plan.trial)
        self.outcome = Outcome(plan)

    async def settle(self, mark: Watermark) -> bool:
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            if await outbox_settled(self.settings, mark):
                return True
            await asyncio.sleep(0.2)
        return False

    async def _kill(self) -> None:
        self.stack.kill(self.plan.process)
        await asyncio.to_thread(self.stack.restart, self.plan.process)
        if self.plan.process == "web":
            await self.actors.log_in_again()

    async def _send(self, key: str) -> tuple[httpx.Response | None, Exception | None]:
        try:
            return await self.op.act(self.actors, self.subject, key), None
        except httpx.TransportError as error:  # the web process died under the request
            return None, error

    async def _under_fault(self, key: str) -> tuple[httpx.Response | None, Exception | None]:
        if self.op.after_answer:
            answer = await self._send(key)
            await asyncio.sleep(self.plan.delay)
            await self._kill()
            return answer

        async def later() -> None:
            await asyncio.sleep(self.plan.delay)
            await self._kill()

        killer = asyncio.create_task(later())
        answer = await self._send(key)
        await killer
        return answer

    async def _finish(self, key: str, answer: httpx.Response | None) -> None:
        """The user looks again and presses the button again until the operation is done."""
        for attempt in range(1, ATTEMPTS + 1):
            self.outcome.attempts = attempt
            if await self.op.done(self.actors, self.subject):
                return
            if answer is not None and answer.headers.get("cv-offline-result") == "in-flight":
                key = new_key()  # "still in progress" forever: the user reloads the page, which gives a new form
            answer, error = await self._send(key)
            if answer is None:
                await asyncio.sleep(0.5)
        if not await self.op.done(self.actors, self.subject):
            last = answer.text[:300] if answer is not None else "no answer"
            self.outcome.failures.append(f"{self.op.name} not done after {ATTEMPTS} attempts (last: {last})")

    async def _registered_once(self) -> list[str]:
        if self.op.name != "register":
            return []
        async with fresh_session(self.settings) as db:
            count = await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument).where(
                IncomingDocument.summary == self.subject.marker))
        return [] if count == 1 else [f"the registration exists {count} times"]

    async def run(self, ca_pem: bytes) -> Outcome:
        started = time.monotonic()
        self.stack.ensure_running()
        mark = await watermark(self.settings)

        async def drain() -> None:
            assert await self.settle(mark), "the worker did not drain the outbox while preparing"

        await self.op.prepare(self.actors, self.subject, drain)
        key = new_key()
        answer, error = await self._under_fault(key)
        self.outcome.first_answer = _describe(answer, error)
        await self._finish(key, answer)
        if not await self.settle(mark):
            self.outcome.failures.append(f"outbox not settled within {SETTLE_SECONDS:.0f} s")
        self.outcome.failures += await self._registered_once()
        self.outcome.failures += await check_all(self.settings, mark, ca_pem)
        self.outcome.seconds = time.monotonic() - started
        return self.outcome


async def run_trials(stack: Stack, settings: Settings, trial_plans: list[Plan],
                     progress: Callable[[Outcome], None] = lambda _o: None) -> list[Outcome]:
    """Run ``trial_plans`` one after the other on ``stack``; every outcome (failures listed, not raised)."""
    actors = await Actors(stack.base_url, settings, stack.senv).open()
    outcomes = []
    try:
        for plan in trial_plans:
            try:
                outcome = await _Trial(stack, settings, actors, plan).run(stack.senv.ca_pem)
            except Exception as error:  # a step of the set-up failed: a failure of the trial, not of the run
                outcome = Outcome(plan, failures=[f"trial crashed: {type(error).__name__}: {error}"])
            outcomes.append(outcome)
            progress(outcome)
    finally:
        await actors.close()
    return outcomes


def report(outcomes: list[Outcome], seconds: float) -> str:
    """A Markdown report: trials and failures per operation × killed process, then every failure."""
    runs = Counter((o.plan.operation, o.plan.process) for o in outcomes)
    failed = Counter((o.plan.operation, o.plan.process) for o in outcomes if o.failures)
    ops = list(dict.fromkeys(o.plan.operation for o in outcomes))
    lines = ["| operation | " + " | ".join(f"kill {p}" for p in PROCESSES) + " |",
             "|---|" + "---|" * len(PROCESSES)]
    for op in ops:
        cells = [f"{runs[(op, p)]} ({failed[(op, p)]} failed)" if runs[(op, p)] else "-" for p in PROCESSES]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    total_failed = sum(1 for o in outcomes if o.failures)
    retried = sum(1 for o in outcomes if o.attempts > 1)
    lines += ["", f"Trials: {len(outcomes)}, failed: {total_failed}, finished by a retry of the user: {retried}, "
                  f"time: {seconds:.0f} s ({seconds / max(len(outcomes), 1):.1f} s a trial)."]
    for o in outcomes:
        for failure in o.failures:
            lines.append(f"- trial {o.plan.trial} ({o.plan.operation}, kill {o.plan.process} "
                         f"after {o.plan.delay} s): {failure}")
    return "\n".join(lines)
