"""Load driver: clerks, leaders, unit heads and specialists of one agency, in an open model, over HTTP.

Run against ``make run-production-like`` (nginx on ``--base-url``, web processes on ``--web-ports``):

    .venv/bin/python -m tests.perf.load_driver --base-url http://127.0.0.1:8080 \\
        --database-url postgresql://postgres@127.0.0.1:5432/congvan_prodlike --data-dir .prodlike/data \\
        --agency xanghiphong --users 50 --rate 25 --duration 120 --write

What it does, bounded in time (``--duration``) and in requests (``--max-requests``), loopback only:

1. logs in ``--users`` virtual users (one session each) of the agency whose accounts end in
   ``.<agency>`` (demo: ``xanghiphong``; a generated province: ``tinh``), password ``congvan2026``:
   20 % clerks, 20 % leaders, 20 % unit heads, 40 % specialists; prepares outgoing drafts up to
   "chờ ký" for the leader's signatures;
2. open model: requests *arrive* at ``--rate`` per second whatever the response times (each
   virtual user in turn, so with 50 users at 25/s each user acts every 2 s: the think time);
   each arrival is one action of that user's role: inbox (default tab), inbox with a filter,
   document page, page image, badges (``/live/counts``), bell (``/notifications/``), and per role
   register a document (clerk, multipart upload), the incoming register of one month (clerk, HTML
   and CSV), assign (leader), sign with the signing server and the demo OTP (leader);
3. in the same run, a bare indexed SELECT of the rows of the inbox page and of the document page,
   straight to PostgreSQL (asyncpg), at 2 per second; the report gives page p50 / bare p50;
4. saturation: after the open-model run, a closed loop of ``--saturation-clients`` clients
   (read mix: inbox, document page, badges) sent to ONE web process directly for
   ``--saturation-seconds``: completed requests per second per web process.

Reports per page: count, errors, p50/p95/p99 in ms; the whole run's throughput; writes the
figures and the machine between the ``load_driver`` markers of ``docs/performance.md`` (``--write``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from backend.lib import clock
from tests.support.figures import pct

REPO = Path(__file__).resolve().parents[2]

PASSWORD = "congvan2026"
BEGIN, END = "<!-- load_driver:begin -->", "<!-- load_driver:end -->"
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')
ROLE_MIX = (("clerk", "vanthu", 0.2), ("leader", "lanhdao", 0.2), ("head", "truongphong", 0.2),
            ("specialist", "chuyenvien", 0.4))
ACTIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "clerk": (("inbox", 4), ("inbox_filter", 2), ("document", 3), ("page_image", 2), ("badges", 2), ("bell", 1),
              ("register_doc", 1), ("register_book", 1)),
    "leader": (("inbox", 4), ("inbox_filter", 2), ("document", 3), ("page_image", 2), ("badges", 2), ("bell", 1),
               ("assign", 1), ("sign", 1)),
    "head": (("inbox", 4), ("inbox_filter", 2), ("document", 3), ("page_image", 2), ("badges", 2), ("bell", 1)),
    "specialist": (("inbox", 4), ("inbox_filter", 2), ("document", 3), ("page_image", 2), ("badges", 2),
                   ("bell", 1)),
}


@dataclass
class Stats:
    """Latencies (ms) and failures per page name."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def ok(self, name: str, ms: float) -> None:
        self.times[name].append(ms)

    def fail(self, name: str, why: str) -> None:
        self.errors[name].append(why)

    def total(self) -> int:
        return sum(map(len, self.times.values())) + sum(map(len, self.errors.values()))


@dataclass
class User:
    """One logged-in virtual user (its own session cookie)."""

    username: str
    role: str
    client: httpx.AsyncClient
    csrf: str = ""
    doc_ids: list[int] = field(default_factory=list)


@dataclass
class Shared:
    """What the actions of every user share: ids from the set-up and the sign queue."""

    agency_id: int
    doc_type_id: int
    unit_ids: list[int]
    enrolments: dict[str, Any]
    otp_step: int
    agency_code: str
    drafts: asyncio.Queue[int]
    signed_steps: dict[str, int] = field(default_factory=dict)
    pdf: bytes = b""


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load a non-loopback host: {host!r}")
    return url.rstrip("/")


async def login(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False,
                               limits=httpx.Limits(max_connections=8, max_keepalive_connections=4))
    page = await client.get("/login")
    token = CSRF_RE.search(page.text)
    if token is None:
        raise RuntimeError(f"no login form at {base}/login (HTTP {page.status_code})")
    response = await client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                                 "_csrf_token": token.group(1)})
    if response.status_code != 303:
        raise RuntimeError(f"login {username}: HTTP {response.status_code}")
    return client


async def _csrf(client: httpx.AsyncClient) -> str:
    return str((await client.get("/api/v1/session")).json()["csrf_token"])


def _unique_pdf(base: bytes) -> bytes:
    """A distinct, still valid PDF (a comment after %%EOF) so each upload is a new blob."""
    return base + f"\n% load {time.time_ns()} {random.random()}\n".encode()


async def _timed(stats: Stats, name: str, call: Any, expect: tuple[int, ...] = (200,)) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError as error:
        stats.fail(name, type(error).__name__)
        return None
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in expect:
        stats.fail(name, f"HTTP {response.status_code}")
        if response.status_code >= 500 or name.startswith("sign"):
            print(f"  {name}: HTTP {response.status_code} {response.text[:160]!r}", flush=True)
        return response
    stats.ok(name, elapsed)
    return response


def _otp(shared: Shared, owner: str) -> str | None:
    """The owner's current TOTP code, or ``None`` when this time step was already used (one use per step)."""
    import pyotp

    step = int(time.time() // shared.otp_step)
    if shared.signed_steps.get(owner, -1) >= step or owner not in shared.enrolments:
        return None
    shared.signed_steps[owner] = step
    return str(pyotp.TOTP(shared.enrolments[owner]["secret"], interval=shared.otp_step).at(step * shared.otp_step))


async def act(user: User, action: str, shared: Shared, stats: Stats) -> None:
    """One arrival: ``action`` done by ``user``, timed under the page's name (failures counted, never raised)."""
    try:
        await _act(user, action, shared, stats)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        stats.fail(action, type(error).__name__)


async def _act(user: User, action: str, shared: Shared, stats: Stats) -> None:
    c = user.client
    today = clock.today()
    if action == "inbox":
        await _timed(stats, f"inbox ({user.role})", c.get("/incoming/"))
    elif action == "inbox_filter":
        query = random.choice([{"urgency": "khan"}, {"inbox": "all", "from": (today - timedelta(days=30)).isoformat()},
                               {"inbox": "all", "sender": "Ủy ban"}, {"inbox": "overdue"}])
        await _timed(stats, "inbox + filter", c.get("/incoming/", params=query, headers={"HX-Request": "true"}))
    elif action == "document" and user.doc_ids:
        await _timed(stats, "document page", c.get(f"/incoming/{random.choice(user.doc_ids)}"))
    elif action == "page_image" and user.doc_ids:
        await _timed(stats, "page image", c.get(f"/incoming/{random.choice(user.doc_ids)}/pages/1"))
    elif action == "badges":
        await _timed(stats, "badges (/live/counts)", c.get("/live/counts", headers={"HX-Request": "true"}))
    elif action == "bell":
        await _timed(stats, "bell (/notifications/)", c.get("/notifications/"))
    elif action == "register_book":
        span = {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}
        if random.random() < 0.5:
            await _timed(stats, "register, one month (HTML)", c.get("/incoming/book", params=span))
        else:
            await _timed(stats, "register, one month (CSV)", c.get("/incoming/book.csv", params=span))
    elif action in {"register_doc", "register_doc_only"}:
        fields = {"document_type_id": str(shared.doc_type_id), "code_number": str(random.randint(1, 10**6)),
                  "code_notation": "UBND-VP", "issuer_name": "Ủy ban nhân dân huyện Nghi Lộc",
                  "issued_on": today.isoformat(), "summary": "Về việc kiểm tra tải hệ thống (load driver)",
                  "signer_position": "Chủ tịch", "signer_name": "Lê Minh Việt", "urgency": "normal",
                  "confidentiality": "none", "source": "electronic", "action": "register"}
        response = await _timed(stats, "register a document (upload)", c.post(
            "/api/v1/incoming", data=fields, files={"file": ("tai.pdf", _unique_pdf(shared.pdf), "application/pdf")},
            headers={"X-CSRFToken": user.csrf}), (201,))
        if response is not None and response.status_code == 201 and action == "register_doc":
            doc_id = response.json()["id"]
            user.doc_ids.append(doc_id)
            await _timed(stats, "submit to leader", c.post(f"/api/v1/incoming/{doc_id}/transitions",
                                                           json={"event": "submit"},
                                                           headers={"X-CSRFToken": user.csrf}))
    elif action == "assign":
        listing = await _timed(stats, "inbox API (to_assign)", c.get("/api/v1/incoming", params={"inbox": "to_assign"}))
        items = listing.json().get("items", []) if listing is not None and listing.status_code == 200 else []
        if items and shared.unit_ids:
            doc = random.choice(items)
            due = (today + timedelta(days=10)).isoformat()
            await _timed(stats, "assign", c.post(
                f"/api/v1/incoming/{doc['id']}/assignments", headers={"X-CSRFToken": user.csrf},
                json={"assignees": [{"role": "lead", "unit_id": random.choice(shared.unit_ids), "due_on": due}],
                      "instruction": "Xử lý theo quy định.", "version": doc.get("version")}), (200, 409))
    elif action == "sign":
        otp = _otp(shared, user.username)
        if otp is None or shared.drafts.empty():
            await _timed(stats, f"inbox ({user.role})", c.get("/incoming/"))
            return
        doc_id = shared.drafts.get_nowait()
        await _timed(stats, "sign (signing server, OTP)", c.post(
            f"/api/v1/outgoing/{doc_id}/transitions", json={"event": "sign", "otp": otp},
            headers={"X-CSRFToken": user.csrf}))
    else:
        await _timed(stats, f"inbox ({user.role})", c.get("/incoming/"))


async def seed_documents(base: str, agency: str, shared: Shared, count: int) -> None:
    """``count`` documents registered by the clerk through the API (so the pages have rows and page images)."""
    clerk = User(f"vanthu.{agency}", "clerk", await login(base, f"vanthu.{agency}"))
    leader = User(f"lanhdao.{agency}", "leader", await login(base, f"lanhdao.{agency}"))
    clerk.csrf, leader.csrf = await _csrf(clerk.client), await _csrf(leader.client)
    scratch = Stats()
    try:
        for number in range(count):
            await act(clerk, "register_doc" if number % 2 else "register_doc_only", shared, scratch)
            if number % 4 == 3:
                await act(leader, "assign", shared, scratch)
    finally:
        await clerk.client.aclose()
        await leader.client.aclose()
    failed = sum(map(len, scratch.errors.values()))
    if failed:
        raise RuntimeError(f"seeding documents failed {failed} times: {dict(scratch.errors)}")


def _pick(role: str) -> str:
    names, weights = zip(*ACTIONS[role], strict=True)
    return random.choices(names, weights)[0]


async def prepare_drafts(base: str, agency: str, count: int, leader_name_hint: str = "") -> list[int]:
    """``count`` outgoing drafts taken to "chờ ký" (specialist → unit head → clerk), for the sign action."""
    from backend.cli.smoke import draft_form_ids
    from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf

    drafter = await login(base, f"chuyenvien.{agency}")
    head = await login(base, f"truongphong.{agency}")
    clerk = await login(base, f"vanthu.{agency}")
    tokens = {name: await _csrf(client) for name, client in (("d", drafter), ("h", head), ("c", clerk))}
    ids: list[int] = []
    try:
        detail = draft_form_ids((await drafter.get("/outgoing/new")).text)
        pdf = outgoing_draft_pdf(DraftSpec(signer_name=detail["leader_name"], symbol="UBND-VP"))
        for _ in range(count):
            created = await drafter.post("/api/v1/outgoing", headers={"X-CSRFToken": tokens["d"]}, data={
                "document_type_id": detail["cong_van"], "summary": "V/v kiểm tra tải hệ thống (load driver)",
                "urgency": "normal", "signer_id": detail["leader"], "signing_authority": "TM.",
                "recipient_agencies": detail["recipient"]},
                files={"file": ("du-thao.pdf", pdf, "application/pdf")})
            if created.status_code != 201:
                print(f"  draft not created: HTTP {created.status_code} {created.text[:200]}")
                break
            doc_id = created.json()["id"]
            for client, token, event in ((drafter, tokens["d"], "submit"), (head, tokens["h"], "approve"),
                                         (clerk, tokens["c"], "format_ok")):
                step = await client.post(f"/api/v1/outgoing/{doc_id}/transitions", json={"event": event},
                                         headers={"X-CSRFToken": token})
                if step.status_code != 200:
                    raise RuntimeError(f"draft {doc_id}: {event} HTTP {step.status_code} {step.text[:200]}")
            ids.append(doc_id)
    finally:
        for client in (drafter, head, clerk):
            await client.aclose()
    return ids


async def bare_queries(database_url: str, agency_id: int, doc_ids: list[int], stats: Stats, stop: asyncio.Event,
                       per_second: float = 2.0) -> None:
    """The rows of the inbox page and of the document page by index, straight from PostgreSQL."""
    import asyncpg

    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    inbox = ("SELECT id, summary, priority, received_at FROM incoming_document WHERE agency_id = $1 "
             "ORDER BY priority, received_at DESC, id DESC LIMIT 20")
    document = "SELECT * FROM incoming_document WHERE id = $1"
    try:
        while not stop.is_set():
            started = time.perf_counter()
            await connection.fetch(inbox, agency_id)
            stats.ok("bare SELECT: inbox rows", (time.perf_counter() - started) * 1000)
            if doc_ids:
                started = time.perf_counter()
                await connection.fetch(document, random.choice(doc_ids))
                stats.ok("bare SELECT: document row", (time.perf_counter() - started) * 1000)
            try:
                await asyncio.wait_for(stop.wait(), 1 / per_second)
            except TimeoutError:
                pass
    finally:
        await connection.close()


async def lookup(database_url: str, agency: str) -> tuple[int, str, int, list[int], list[int]]:
    """(agency id, agency code, a document type id, unit ids, recent document ids) of the agency's clerk."""
    import asyncpg

    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        row = await connection.fetchrow("SELECT a.id, a.organ_id FROM user_account u JOIN agency a "
                                        "ON a.id = u.agency_id WHERE u.username = $1", f"vanthu.{agency}")
        if row is None:
            raise SystemExit(f"no account vanthu.{agency}: wrong --agency or the data is not loaded")
        doc_type = await connection.fetchval("SELECT id FROM document_type ORDER BY id LIMIT 1")
        units = [r["id"] for r in await connection.fetch("SELECT id FROM unit WHERE agency_id = $1", row["id"])]
        docs = [r["id"] for r in await connection.fetch(
            "SELECT id FROM incoming_document WHERE agency_id = $1 ORDER BY id DESC LIMIT 200", row["id"])]
        return row["id"], row["organ_id"], doc_type, units, docs
    finally:
        await connection.close()


async def saturation(base: str, agency: str, clients: int, seconds: float) -> tuple[float, int]:
    """Completed requests/s of a closed loop of ``clients`` against one web process, and its error count.

    Each user opens only documents it may see (its own "all" tab): a unit head or a specialist is
    rightly refused (404) the rest of the agency's documents, which is not an error of the system.
    """
    users = [await login(base, f"{role}.{agency}") for role in ("vanthu", "lanhdao", "truongphong", "chuyenvien")]
    visible = []
    for client in users:
        listing = await client.get("/api/v1/incoming", params={"inbox": "all"})
        visible.append([item["id"] for item in listing.json().get("items", [])] if listing.status_code == 200 else [])
    done, errors = 0, 0
    deadline = time.monotonic() + seconds

    async def loop(number: int) -> None:
        nonlocal done, errors
        client, doc_ids = users[number % len(users)], visible[number % len(users)]
        while time.monotonic() < deadline:
            path = random.choice(["/incoming/", f"/incoming/{random.choice(doc_ids)}" if doc_ids else "/incoming/",
                                  "/live/counts"])
            try:
                response = await client.get(path)
                if response.status_code == 200:
                    done += 1
                else:
                    errors += 1
            except httpx.HTTPError:
                errors += 1

    started = time.monotonic()
    await asyncio.gather(*(loop(number) for number in range(clients)))
    elapsed = time.monotonic() - started
    for client in users:
        await client.aclose()
    return done / elapsed, errors


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = _loopback(args.base_url)
    agency_id, agency_code, doc_type, units, doc_ids = await lookup(args.database_url, args.agency)
    enrolments_file = Path(args.data_dir) / "signing" / "demo-otp.json"
    enrolments = json.loads(enrolments_file.read_text(encoding="utf-8")) if enrolments_file.exists() else {}
    from backend.domain.signing.samples import DraftSpec, outgoing_draft_pdf

    print(f"Preparing {args.drafts} drafts for signing …", flush=True)
    drafts: asyncio.Queue[int] = asyncio.Queue()
    for doc_id in await prepare_drafts(base, args.agency, args.drafts):
        drafts.put_nowait(doc_id)
    shared = Shared(agency_id, doc_type, units, enrolments, args.otp_step, agency_code, drafts,
                    pdf=outgoing_draft_pdf(DraftSpec(signer_name="Lê Minh Việt", symbol="UBND-VP")))
    if args.seed_documents:
        print(f"Registering {args.seed_documents} incoming documents (half submitted, a quarter assigned) …",
              flush=True)
        await seed_documents(base, args.agency, shared, args.seed_documents)
        agency_id, agency_code, doc_type, units, doc_ids = await lookup(args.database_url, args.agency)

    print(f"Logging in {args.users} virtual users …", flush=True)
    users: list[User] = []
    for role, prefix, share in ROLE_MIX:
        for _ in range(max(1, round(args.users * share))):
            users.append(User(f"{prefix}.{args.agency}", role, await login(base, f"{prefix}.{args.agency}")))
    while len(users) < args.users:  # rounding of the mix: the rest are specialists
        users.append(User(f"chuyenvien.{args.agency}", "specialist", await login(base, f"chuyenvien.{args.agency}")))
    users = users[: args.users]
    for user in users:
        user.csrf = await _csrf(user.client)
        listing = await user.client.get("/api/v1/incoming", params={"inbox": "all"})
        user.doc_ids = [item["id"] for item in listing.json().get("items", [])]  # only what the user may see
    random.shuffle(users)

    stats, bare, stop = Stats(), Stats(), asyncio.Event()
    bare_task = asyncio.create_task(bare_queries(args.database_url, agency_id, doc_ids, bare, stop))
    tasks: set[asyncio.Task[None]] = set()
    print(f"Open model: {args.rate}/s for {args.duration} s (at most {args.max_requests} arrivals) …", flush=True)
    started = time.monotonic()
    arrivals = 0
    while arrivals < args.max_requests and time.monotonic() - started < args.duration:
        user = users[arrivals % len(users)]
        task = asyncio.create_task(act(user, _pick(user.role), shared, stats))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        arrivals += 1
        await asyncio.sleep(max(0.0, started + arrivals / args.rate - time.monotonic()))
    if tasks:
        _done, pending = await asyncio.wait(tasks, timeout=30)
        for task in pending:
            task.cancel()
            stats.fail("(cut off at the end)", "pending after 30 s")
    elapsed = time.monotonic() - started
    stop.set()
    await bare_task
    for user in users:
        await user.client.aclose()

    per_process: dict[str, Any] = {}
    for port in args.web_ports:
        direct = f"{urlsplit(base).scheme}://127.0.0.1:{port}"
        print(f"Saturation of {direct}: {args.saturation_clients} clients for {args.saturation_seconds} s …",
              flush=True)
        per_process[str(port)] = await saturation(direct, args.agency, args.saturation_clients,
                                                  args.saturation_seconds)
    return {"stats": stats, "bare": bare, "elapsed": elapsed, "arrivals": arrivals, "saturation": per_process,
            "users": len(users)}


def report(args: argparse.Namespace, result: dict[str, Any]) -> str:
    stats: Stats = result["stats"]
    bare: Stats = result["bare"]
    bare_inbox = pct(bare.times["bare SELECT: inbox rows"], 0.5)
    bare_doc = pct(bare.times["bare SELECT: document row"], 0.5)
    lines = ["| page | requests | errors | p50 ms | p95 ms | p99 ms | p50 ÷ bare SELECT p50 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    every: list[float] = []
    for name in sorted(set(stats.times) | set(stats.errors)):
        times = stats.times.get(name, [])
        every += times
        reference = bare_doc if name in {"document page", "page image"} else bare_inbox if "inbox" in name else None
        ratio = f"{pct(times, 0.5) / reference:.0f}×" if reference and times else ""
        lines.append(f"| {name} | {len(times)} | {len(stats.errors.get(name, []))} | {pct(times, 0.5):.1f} | "
                     f"{pct(times, 0.95):.1f} | {pct(times, 0.99):.1f} | {ratio} |")
    for name, times in sorted(bare.times.items()):
        lines.append(f"| {name} (PostgreSQL, same run) | {len(times)} | 0 | {pct(times, 0.5):.2f} | "
                     f"{pct(times, 0.95):.2f} | {pct(times, 0.99):.2f} | |")
    errors = sum(map(len, stats.errors.values()))
    kinds = sorted({why for whys in stats.errors.values() for why in whys})
    lines += ["", f"All pages: {len(every)} answered in {result['elapsed']:.0f} s "
                  f"({len(every) / result['elapsed']:.1f} requests/s), p50 {pct(every, 0.5):.1f} ms, "
                  f"p95 {pct(every, 0.95):.1f} ms, p99 {pct(every, 0.99):.1f} ms; errors: {errors}"
                  + (f" ({', '.join(kinds)})" if kinds else "") + "."]
    for port, (throughput, failed) in result["saturation"].items():
        lines.append(f"Saturation, web process :{port} alone ({args.saturation_clients} clients, closed loop, "
                     f"inbox/document/badges): {throughput:.1f} requests/s, {failed} errors.")
    return "\n".join(lines)


def machine() -> str:
    cpus = os.cpu_count()
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return (f"{model}, {cpus} cores{memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def write_docs(args: argparse.Namespace, table: str, result: dict[str, Any]) -> None:
    doc = REPO / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8")
    section = "\n".join([
        BEGIN, "## Load: 50 users on the production topology (`tests/perf/load_driver.py`)", "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()} — shared by every process below and by "
        "the load driver itself.", "",
        "Topology: `make run-production-like` — nginx → 2 web processes (`python -m backend serve`), 2 workers, the "
        "signing server (SoftHSM), PostgreSQL, Redis, SeaweedFS S3 for blobs; all on loopback.", "",
        f"Load: {result['users']} logged-in virtual users of agency `{args.agency}` (20 % clerks, 20 % leaders, "
        f"20 % unit heads, 40 % specialists), open model at {args.rate} arrivals/s for {args.duration:.0f} s "
        f"(each user acts every {result['users'] / args.rate:.1f} s), {result['arrivals']} arrivals. "
        "Server time as seen by the client through nginx (loopback), so it includes nginx and the network stack.",
        "", table, "",
        f"Reproduce: `{' '.join(sys.argv)}`", END])
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    parser.add_argument("--web-ports", type=lambda raw: [int(p) for p in raw.split(",") if p], default=[8001, 8002])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/congvan_prodlike")
    parser.add_argument("--data-dir", default=str(REPO / ".prodlike" / "data"))
    parser.add_argument("--agency", default="xanghiphong", help="account suffix: xanghiphong (demo), tinh (province)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=25.0, help="arrivals per second (open model)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of open-model load")
    parser.add_argument("--max-requests", type=int, default=5000)
    parser.add_argument("--seed-documents", type=int, default=0,
                        help="register this many documents before the run (demo data has few)")
    parser.add_argument("--drafts", type=int, default=4, help="outgoing drafts prepared for the sign action")
    parser.add_argument("--otp-step", type=int, default=int(os.environ.get("SIGNING_OTP_STEP_SECONDS", "30")))
    parser.add_argument("--saturation-clients", type=int, default=16)
    parser.add_argument("--saturation-seconds", type=float, default=15.0)
    parser.add_argument("--write", action="store_true", help="write the figures into docs/performance.md")
    args = parser.parse_args()
    result = asyncio.run(asyncio.wait_for(run(args), timeout=args.duration + 60 * 5 +
                                          args.saturation_seconds * len(args.web_ports)))
    table = report(args, result)
    print(table)
    if args.write:
        write_docs(args, table, result)
        print("written to docs/performance.md")


if __name__ == "__main__":
    main()
