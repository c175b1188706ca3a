"""Signing-server benchmark: raw HSM rate vs ``signHash`` through the HTTP API, and PDF end to end.

Run from the repository root: ``.venv/bin/python -m tests.perf.bench_signing [--rounds N] [--pdf-runs N] [--no-write]``

What it does, in one run on a throwaway data dir (real SoftHSM token, real server process):

1. ``ensure-demo`` creates a pool of RSA-2048 and P-256 credentials;
2. raw rate: our :class:`signing_server.hsm.Hsm` signs SHA-256 digests in this process, one per call;
3. API rate: ``credentials/authorize`` (one OTP per batch, not timed) then ``signatures/signHash``
   with batches of 1, 16 and 256 hashes over one keep-alive connection; the rate counts only
   ``signHash`` time (authorize waits for a human in real use), a second figure includes it;
4. end to end: the backend client (:class:`backend.domain.signing.SigningClient`) signs a 10-page
   PDF (login cached, credentials/info, authorize, signHash, PDF write), p50/p95.

Each TOTP time step is usable once per credential, so the script rotates through the pool.
Results are printed and written into the "Signing server" section of ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp

from tests.support.figures import pct

REPO = Path(__file__).resolve().parents[2]
FONT = "/usr/share/fonts/opentype/freefont/FreeSans.otf"
BEGIN, END = "<!-- bench_signing:begin -->", "<!-- bench_signing:end -->"
BATCHES = (1, 16, 256)
POOL = 24  # credentials per algorithm


class OtpPool:
    """Hands out (credential, OTP) pairs, never reusing a time step of a credential."""

    def __init__(self, enrolments: dict[str, dict[str, Any]], owners: list[str]) -> None:
        self.items = [(enrolments[o]["credential_id"], pyotp.TOTP(enrolments[o]["secret"])) for o in owners]
        self.last: dict[str, int] = {}
        self.i = 0

    def next(self) -> tuple[str, str]:
        """Next unused (credential, OTP); waits for the next time step if the pool is spent."""
        for _ in range(3):
            found = self._next()
            if found is not None:
                return found
            time.sleep(30 - time.time() % 30 + 0.05)
        raise RuntimeError("OTP pool exhausted; raise POOL")

    def _next(self) -> tuple[str, str] | None:
        for _ in range(len(self.items) * 2):
            cred, totp = self.items[self.i % len(self.items)]
            self.i += 1
            now = int(time.time() // 30)
            step = max(now - 1, self.last.get(cred, 0) + 1)
            if step <= now + 1:
                self.last[cred] = step
                return cred, totp.at(step * 30)
        return None


def raw_rate(hsm: Any, label: str, algo: str, seconds: float = 2.0) -> float:
    digest = hashlib.sha256(b"bench").digest()
    hsm.sign_digests(label, algo, [digest])
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        hsm.sign_digests(label, algo, [digest])
        n += 1
    return n / elapsed


def api_rate(http: httpx.Client, url: str, token: str, pool: OtpPool, algo_oid: str, batch: int,
             rounds: int) -> tuple[float, float]:
    """(signHash-only rate, rate including authorize) in signatures per second."""
    headers = {"Authorization": f"Bearer {token}"}
    sign_time = total_time = 0.0
    for _ in range(rounds):
        hashes = [base64.b64encode(hashlib.sha256(os.urandom(8)).digest()).decode() for _ in range(batch)]
        cred, otp = pool.next()
        t0 = time.perf_counter()
        r = http.post(f"{url}/csc/v1/credentials/authorize", headers=headers,
                      json={"credentialID": cred, "numSignatures": batch, "hash": hashes, "OTP": otp})
        r.raise_for_status()
        t1 = time.perf_counter()
        r = http.post(f"{url}/csc/v1/signatures/signHash", headers=headers,
                      json={"credentialID": cred, "SAD": r.json()["SAD"], "hash": hashes,
                            "hashAlgo": "2.16.840.1.101.3.4.2.1", "signAlgo": algo_oid})
        r.raise_for_status()
        t2 = time.perf_counter()
        assert len(r.json()["signatures"]) == batch
        sign_time += t2 - t1
        total_time += t2 - t0
    return batch * rounds / sign_time, batch * rounds / total_time


def ten_page_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("FreeSans", fname=FONT)
    for page in range(1, 11):
        pdf.add_page()
        pdf.set_font("FreeSans", size=12)
        for line in range(30):
            pdf.cell(0, 8, text=f"Trang {page}, dòng {line}: Ủy ban nhân dân tỉnh — báo cáo chuyển đổi số.",
                     new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


async def pdf_times(url: str, client_file: Path, pool: OtpPool, runs: int) -> list[float]:
    from backend.domain.signing import SigningClient, SigningServiceConfig

    pdf = ten_page_pdf()
    times = []
    async with SigningClient(SigningServiceConfig.from_client_file(client_file, url=url)) as client:
        for _ in range(runs + 1):
            cred, otp = pool.next()
            t0 = time.perf_counter()
            await client.sign_pdf(pdf, credential_id=cred, otp=otp, reason="Benchmark")
            times.append(time.perf_counter() - t0)
    return times[1:]  # the first run warms fonts and connections


def start_server(env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "signing_server", "serve"], env=env, cwd=REPO)
    url = f"http://127.0.0.1:{env['SIGNING_PORT']}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def write_doc(section: str) -> Path:
    path = REPO / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    block = f"{BEGIN}\n{section.rstrip()}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=8, help="authorize+signHash rounds per batch size")
    ap.add_argument("--pdf-runs", type=int, default=20)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNING_", "SOFTHSM", "PKCS11"))}
    env.update(APP_ENV="demo", SIGNING_DATA_DIR=str(tmp / "data"), SIGNING_PORT=str(port),
               PYTHONPATH=str(REPO))
    owners = {"rsa2048": [f"bench.rsa{i}" for i in range(POOL)], "p256": [f"bench.ec{i}" for i in range(POOL)]}
    entries = [{"owner_kind": "user", "owner": o, "display_name": o, "algo": algo}
               for algo, names in owners.items() for o in names]
    (tmp / "bench.json").write_text(json.dumps(entries))
    subprocess.run([sys.executable, "-m", "signing_server", "ensure-demo", str(tmp / "bench.json")], env=env,
                   cwd=REPO, check=True, capture_output=True)
    enrol = json.loads((tmp / "data" / "demo-otp.json").read_text())
    os.environ.update({k: v for k, v in env.items() if k.startswith(("SIGNING_", "APP_ENV"))})

    from signing_server.hsm import Hsm
    from signing_server.settings import load_settings
    from signing_server.store import Store

    settings = load_settings()
    store = Store(settings.db_path)
    hsm = Hsm(settings.pkcs11_module, settings.token_label, settings.token_pin, settings.softhsm_conf)
    oids = {"rsa2048": "1.2.840.113549.1.1.11", "p256": "1.2.840.10045.4.3.2"}
    raw = {}
    for algo, names in owners.items():
        cred = store.get(enrol[names[0]]["credential_id"])
        assert cred is not None
        raw[algo] = raw_rate(hsm, cred.key_label, algo)
    hsm.close()

    proc = start_server(env)
    url = f"http://127.0.0.1:{port}"
    client = json.loads((tmp / "data" / "client.json").read_text())
    results: dict[str, dict[int, tuple[float, float]]] = {}
    pdf: dict[str, list[float]] = {}
    try:
        with httpx.Client(timeout=60) as http:
            token = http.post(f"{url}/csc/v1/auth/login",
                              auth=(client["client_id"], client["client_secret"])).json()["access_token"]
            for algo, names in owners.items():
                pool = OtpPool(enrol, names)
                results[algo] = {b: api_rate(http, url, token, pool, oids[algo], b, args.rounds) for b in BATCHES}
                pdf[algo] = asyncio.run(pdf_times(url, tmp / "data" / "client.json", pool, args.pdf_runs))
    finally:
        proc.terminate()
        proc.wait(10)

    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    setup = (f"Measured by `tests/perf/bench_signing.py` on {platform.node()} ({os.cpu_count()} cores, "
             f"Python {platform.python_version()}), {when}. SoftHSM2 token, one uvicorn worker on loopback, "
             f"one keep-alive HTTP/1.1 connection, {args.rounds} authorize+signHash rounds per batch size.")
    header = ("| algorithm | raw HSM (sig/s, in-process) | batch | signHash API (sig/s) | API / raw "
              "| incl. authorize (sig/s) |")
    lines = ["## Signing server", "", setup, "", header, "|---|---:|---:|---:|---:|---:|"]
    for algo in owners:
        for b in BATCHES:
            api, with_auth = results[algo][b]
            lines.append(f"| {algo} | {raw[algo]:.0f} | {b} | {api:.0f} | {api / raw[algo]:.0%} | {with_auth:.0f} |")
    e2e = (f"End to end, a 10-page PDF through the backend client ({args.pdf_runs} runs each; login cached; "
           "credentials/info + authorize + signHash + PDF write):")
    lines += ["", e2e, "", "| algorithm | p50 (ms) | p95 (ms) |", "|---|---:|---:|"]
    for algo, times in pdf.items():
        lines.append(f"| {algo} | {statistics.median(times) * 1000:.1f} | {pct(times, 0.95) * 1000:.1f} |")
    best = {a: max(results[a][b][0] for b in BATCHES) / raw[a] for a in owners}
    verdict = " — met." if all(v >= 0.5 for v in best.values()) else " — NOT met for every algorithm."
    target = ("Target: the API keeps at least half of the raw HSM rate. Best batch: "
              + ", ".join(f"{a} {v:.0%}" for a, v in best.items()) + verdict)
    note = ("Single-hash requests pay a fixed per-request cost (HTTP parsing, a worker-thread hop, SQLite "
            "reads and one journal commit), which dominates for P-256, whose raw signature takes about "
            "0.1 ms; batching (CSC `numSignatures`/`multisign`) amortises it.")
    lines += ["", target, note]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        print(f"\nwritten to {write_doc(section)}")


if __name__ == "__main__":
    main()
