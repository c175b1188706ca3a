"""Crash trials: ``kill -9`` of either province's worker at random points of an axis send or receive.

Run from the repository root: ``.venv/bin/python -m tests.perf.axis_crash_trials [--trials 30] [--seed 1]
[--pg postgresql://postgres@127.0.0.1:5432/postgres]``

Everything real, as in production, each in its own process: the axis stand-in (``python -m backend
axis-standin``), two signing servers (their own SoftHSM tokens and CAs: Nghi Phong's package seal in province A,
Tây Ninh's in province B), two databases (SQLite files, or two fresh PostgreSQL databases made through ``--pg``
and dropped afterwards), and one worker per province (``python -m backend worker``, ``AXIS_POLL_SECONDS=1``,
``OUTBOX_LEASE_SECONDS=2``). Province B is the demo database with Nghi Phong renamed to UBND tỉnh Tây Ninh
(:mod:`tests.support.axis_deployments`).

One trial: province A issues a document to Tây Ninh (its axis delivery queued: the issue's fields are written,
as in the exchange tests); both workers run; after a random delay (uniform over the time a warm round trip took,
so the kill lands in A's send, B's receive, B's status 01 or A's poll of it) the worker of a
random province is killed with SIGKILL and started again at once. The trial ends when A's line says ``arrived``
(the 01 came back) and the kill has happened. Two warm round trips come first (the first also waits for the
workers to start); the second sets the window the kills are drawn from. Checked per trial:

* **exactly once**: B holds one incoming document and one ``axis_arrival`` row for the ``DocumentId``;
* **nothing lost**: the round trip completes (within ``--timeout`` seconds);
* **monotonic**: the line's status, sampled every 50 ms by the driver, never moves back
  (queued → sent → arrived), and the statuses A applied (audit ``exchange.axis_status_received``) never go down.

Prints one line per trial and a summary (kills per side, duplicates the axis offered again, time per trial).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import asyncpg
import sqlalchemy as sa

from backend.cli.seed import seed_demo_into
from backend.config.settings import Settings, load_settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.migrate import upgrade
from backend.db.models import (
    AuditEvent,
    AxisArrival,
    DeliveryStatus,
    DirectoryAgency,
    IncomingDocument,
    OutgoingDocument,
    OutgoingRecipient,
)
from backend.domain.exchange.directory import sync_directory
from backend.domain.exchange.kinds import DELIVER, Deliver
from backend.lib import clock
from backend.tasks.outbox import enqueue
from tests.support.axis import CONFIG, axis_env, free_port
from tests.support.axis_deployments import NGHI_PHONG, TAY_NINH, TAY_NINH_SYSTEM, running_deployment
from tests.support.floor import machine
from tests.support.outgoing import create_draft, ids
from tests.support.signing import DemoOwner, SigningEnv, app_signing_env, running_signing_server

ORDER = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.ARRIVED: 2}


@dataclass
class Side:
    """One province: its environment, settings and worker process."""

    name: str
    env: dict[str, str]
    settings: Settings
    log: Path
    worker: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.worker = subprocess.Popen([sys.executable, "-m", "backend", "worker"],
                                           env={**_base_env(), **self.env}, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(10)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()


def _base_env() -> dict[str, str]:
    """The parent's environment without what would leak a token or a database of this process into a child."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SOFTHSM", "DATABASE_URL", "REDIS_URL"))}


@contextmanager
def _standin(root: Path) -> Iterator[str]:
    config = root / "standin.json"
    config.write_text(json.dumps(CONFIG, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    with (root / "standin.log").open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "backend", "axis-standin", "--port", str(port),
                                 "--config", str(config)], env=_base_env(), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the axis stand-in did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


async def _pg_admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def _databases(root: Path, pg_admin: str) -> Iterator[tuple[str, str]]:
    """Two fresh, migrated, demo-seeded databases."""
    names = [f"cv_crash_{side}_{uuid.uuid4().hex[:8]}" for side in "ab"]
    if pg_admin:
        base = pg_admin.rsplit("/", 1)[0]
        for name in names:
            asyncio.run(_pg_admin(pg_admin, f'CREATE DATABASE "{name}"'))
        urls = [f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://") for name in names]
    else:
        urls = [f"sqlite+aiosqlite:///{root / name}.db" for name in names]
    try:
        for url in urls:
            upgrade(url)
            asyncio.run(_seed(url))
        yield urls[0], urls[1]
    finally:
        if pg_admin:
            for name in names:
                asyncio.run(_pg_admin(pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _seed(url: str) -> None:
    engine = create_engine(url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            await seed_demo_into(db)
            await db.commit()
    finally:
        await engine.dispose()


def _side(name: str, root: Path, url: str, axis_url: str, senv: SigningEnv, trust: str,
          extra: dict[str, str]) -> Side:
    (root / name).mkdir()
    env = {"APP_ENV": "demo", "DATA_DIR": str(root / name / "data"), "DATABASE_URL": url,
           "SECRET_KEY": name[0] * 64, "OUTBOX_LEASE_SECONDS": "2", "WORKER_POLL_MS": "100",
           "AXIS_POLL_SECONDS": "1", **axis_env(axis_url), **app_signing_env(senv, root / name), **extra,
           "TRUST_ROOTS": trust}
    return Side(name, env, load_settings(env), root / name / "worker.log")


async def _prepare(a: Side, b: Side, trials: int) -> list[int]:
    """B's agency renamed; A's directory synced and one draft per trial (through A's HTTP API): their ids."""
    async with running_deployment(b.settings) as province_b:
        await province_b.rename_agency(NGHI_PHONG, TAY_NINH, "Ủy ban nhân dân tỉnh Tây Ninh")
    async with running_deployment(a.settings) as province_a:
        async with province_a.sessions() as db:
            await sync_directory(db, a.settings, clock.now(), actor_name="crash-trials")
            await db.commit()
            entry = await db.scalar(sa.select(DirectoryAgency.id).where(DirectoryAgency.code == TAY_NINH))
        drafter = await province_a.login("chuyenvien.xanghiphong")
        lookup = await ids(a.settings)
        return [await create_draft(drafter, lookup, extra={"recipient_axis": str(entry)}) for _ in range(trials)]


async def _issue(a: Side, doc_id: int, number: int) -> tuple[int, str]:
    """The draft's issue fields written and its axis delivery queued: (line id, DocumentId)."""
    engine = create_engine(a.settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            doc = await db.get(OutgoingDocument, doc_id)
            assert doc is not None
            doc.number, doc.number_year, doc.code_number = number, 2026, str(number)
            doc.code_notation, doc.issued_on, doc.issued_at = "UBND-VP", date(2026, 12, 7), clock.now()
            line = await db.scalar(sa.select(OutgoingRecipient).where(OutgoingRecipient.outgoing_id == doc_id,
                                                                      OutgoingRecipient.directory_id.is_not(None)))
            assert line is not None
            await enqueue(db, DELIVER, Deliver(recipient_id=line.id))
            await db.commit()
            return line.id, f"{NGHI_PHONG},2026/12/07,{number}/UBND-VP"
    finally:
        await engine.dispose()


@dataclass
class Outcome:
    seconds: float
    statuses: list[str]
    documents: int
    arrivals: int
    applied: list[str]
    killed_at: str = ""
    """The line's status when the worker was killed (queued: A's send; sent: B's receive or its 01; arrived: after)."""


async def _watch(a: Side, b: Side, line_id: int, identifier: str, timeout: float, kill_after: float | None,
                 victim: Side | None) -> Outcome:
    """Sample A's line every 50 ms until it says arrived; kill ``victim`` after ``kill_after`` seconds."""
    engine_a = create_engine(a.settings.database_url, pool=False)
    engine_b = create_engine(b.settings.database_url, pool=False)
    seen: list[str] = []
    killed_at = ""
    start = time.monotonic()
    try:
        while True:
            elapsed = time.monotonic() - start
            if victim is not None and kill_after is not None and elapsed >= kill_after:
                victim.kill()
                victim.start()
                kill_after, killed_at = None, seen[-1] if seen else DeliveryStatus.QUEUED.value
            async with engine_a.connect() as conn:
                value = await conn.scalar(sa.select(OutgoingRecipient.status).where(OutgoingRecipient.id == line_id))
            status = DeliveryStatus(str(value))
            if not seen or seen[-1] != status.value:
                seen.append(status.value)
            if status is DeliveryStatus.ARRIVED and kill_after is None:
                break
            if elapsed > timeout:
                raise TimeoutError(f"line {line_id} still {status.value} after {timeout:.0f} s (seen {seen})")
            await asyncio.sleep(0.05)
        seconds = time.monotonic() - start
        await asyncio.sleep(1.5)  # a duplicate offer or a repeated 01 would be taken in by now
        async with engine_b.connect() as conn:
            documents = await conn.scalar(sa.select(sa.func.count()).select_from(IncomingDocument).where(
                IncomingDocument.document_identifier == identifier))
            arrivals = await conn.scalar(sa.select(sa.func.count()).select_from(AxisArrival).where(
                AxisArrival.document_id == identifier))
        async with engine_a.connect() as conn:
            details = (await conn.scalars(sa.select(AuditEvent.detail).where(
                AuditEvent.action == "exchange.axis_status_received").order_by(AuditEvent.id))).all()
        applied = [d["code"] for d in map(json.loads, details) if d["recipient_id"] == line_id and d["applied"]]
        return Outcome(seconds, seen, int(documents or 0), int(arrivals or 0), applied, killed_at)
    finally:
        await engine_a.dispose()
        await engine_b.dispose()


def _monotonic(statuses: list[str]) -> bool:
    ranks = [ORDER[DeliveryStatus(s)] for s in statuses]
    return ranks == sorted(ranks)


def run(trials: int, seed: int, pg_admin: str, timeout: float) -> int:
    rng = random.Random(seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="axis-crash-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        for name in ("signing-a", "signing-b"):
            (root / name).mkdir()
        senv_a = stack.enter_context(running_signing_server(root / "signing-a", [DemoOwner(
            f"edxml:{NGHI_PHONG}", "agency", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân xã Nghi Phong",
            "rsa2048")]))
        senv_b = stack.enter_context(running_signing_server(root / "signing-b", [DemoOwner(
            f"edxml:{TAY_NINH}", "agency", "Ủy ban nhân dân tỉnh Tây Ninh", "Ủy ban nhân dân tỉnh Tây Ninh",
            "rsa2048")]))
        trust = []
        for name, senv in (("ca-a.pem", senv_a), ("ca-b.pem", senv_b)):
            (root / name).write_bytes(senv.ca_pem)
            trust.append(str(root / name))
        axis_url = stack.enter_context(_standin(root))
        url_a, url_b = stack.enter_context(_databases(root, pg_admin))
        a = _side("province-a", root, url_a, axis_url, senv_a, ",".join(trust), {})
        b = _side("province-b", root, url_b, axis_url, senv_b, ",".join(trust), TAY_NINH_SYSTEM)
        drafts = asyncio.run(_prepare(a, b, trials + 2))
        print(f"# axis crash trials: {trials} trials, seed {seed}, "
              f"{'PostgreSQL' if pg_admin else 'SQLite'}, {machine()}")
        for side in (a, b):
            side.start()
            stack.callback(side.stop)
        for number in (898, 899):  # the first one also waits for the workers to start
            line_id, identifier = asyncio.run(_issue(a, drafts.pop(), number))
            window = asyncio.run(_watch(a, b, line_id, identifier, timeout, None, None)).seconds
        print(f"warm round trip (new package → 01 back): {window:.2f} s; kills drawn in [0, {window:.2f}] s")
        times: list[float] = []
        phases: dict[str, int] = {}
        for trial in range(1, trials + 1):
            victim = rng.choice((a, b))
            delay = rng.uniform(0, window)
            line_id, identifier = asyncio.run(_issue(a, drafts[trial - 1], 900 + trial))
            try:
                out = asyncio.run(_watch(a, b, line_id, identifier, timeout, delay, victim))
            except TimeoutError as exc:
                failures += 1
                print(f"trial {trial:2}: kill {victim.name} at {delay:.2f} s: LOST: {exc}")
                continue
            ok = out.documents == 1 and out.arrivals == 1 and _monotonic(out.statuses) \
                and out.applied == sorted(out.applied)
            failures += not ok
            times.append(out.seconds)
            phase = f"{victim.name} while {out.killed_at}"
            phases[phase] = phases.get(phase, 0) + 1
            print(f"trial {trial:2}: kill {victim.name} at {delay:.2f} s (line {out.killed_at}): "
                  f"line {' → '.join(out.statuses)}, "
                  f"{out.documents} document, {out.arrivals} arrival, statuses applied {out.applied}, "
                  f"{out.seconds:.2f} s: {'ok' if ok else 'FAILED'}")
        print(f"summary: {trials - failures}/{trials} trials held (exactly once, nothing lost, monotonic); "
              f"kills: {a.name} {a.kills}, {b.name} {b.kills}; round trip with a kill: median "
              f"{sorted(times)[len(times) // 2]:.2f} s, max {max(times):.2f} s" if times else "summary: no trial held")
        print("kills by side and by the line's status at that moment: "
              + ", ".join(f"{key} {count}" for key, count in sorted(phases.items())))
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default="", help="PostgreSQL admin URL: run on two fresh databases made there")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds a trial may take before it is lost")
    args = parser.parse_args()
    sys.exit(run(args.trials, args.seed, args.pg, args.timeout))


if __name__ == "__main__":
    main()
