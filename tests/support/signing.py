"""Helpers for the signing tests: server process control, OTP generation, CLI and HTTP calls.

Imported as ``tests.support.signing``. Every test package that needs a REAL signing server (signing,
outgoing and certificate pages, the browser's signing test) starts it the same way, through
:func:`running_signing_server` (owners -> ``ensure-demo`` -> ``serve``), points the app at it with
:func:`app_signing_env` and checks PDFs with poppler against :func:`nss_trusting`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyotp

REPO = Path(__file__).resolve().parents[2]
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
FONT = Path("/usr/share/fonts/opentype/freefont/FreeSans.otf")
MAX_FAILURES = 3

# owner -> (owner_kind, algo, extra fields); one credential per test
OWNERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "sign.rsa": ("user", "rsa2048", {}),
    "000.00.00.T99": ("agency", "p256", {}),
    "000.00.00.T98": ("agency", "p256", {}),
    "edxml:000.00.00.T98": ("agency", "rsa2048", {}),
    "edxml:000.00.00.T97": ("agency", "p256", {}),
    "neg.wrong": ("user", "p256", {}),
    "neg.reuse": ("user", "p256", {}),
    "neg.sadttl": ("user", "p256", {}),
    "neg.sadtwice": ("user", "p256", {}),
    "neg.otherhash": ("user", "p256", {}),
    "neg.toomany": ("user", "p256", {}),
    "neg.locked": ("user", "p256", {}),
    "neg.disabled": ("user", "p256", {}),
    "neg.revoked": ("user", "p256", {}),
    "neg.compromised": ("user", "p256", {}),
    "neg.expired": ("user", "p256", {"not_after": "2020-01-01T00:00:00+00:00"}),
    "neg.algo": ("user", "rsa2048", {}),
    "restart": ("user", "p256", {}),
    "batch.raw": ("user", "p256", {}),
    "batch.pdf": ("user", "rsa2048", {}),
    "client.wrong": ("user", "p256", {}),
    "client.reuse": ("user", "p256", {}),
    "client.locked": ("user", "p256", {}),
    "client.disabled": ("user", "p256", {}),
    "ext.soon": ("user", "p256", {"not_after": (dt.datetime.now(dt.UTC) + dt.timedelta(days=40)).isoformat()}),
    "ext.compromised": ("user", "p256", {}),
    "ext.revoke": ("user", "p256", {}),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """A ``python -m signing_server serve`` child process."""

    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['SIGNING_PORT']}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "signing_server", "serve", "--log-level", "info"],
                                     env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60  # seconds on an idle machine; far more when the cores are shared
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"signing server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("signing server did not start in 60 s")

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    """Stop ``proc`` if it still runs: SIGTERM, then SIGKILL after 10 s."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class SigningEnv:
    """Everything a test needs: env, CLI runner, OTP enrolments, dev CA, HTTP helpers."""

    env: dict[str, str]
    data_dir: Path
    server: ServerProcess
    enrolments: dict[str, dict[str, Any]] = field(default_factory=dict)
    used_steps: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ca_pem(self) -> bytes:
        return (self.data_dir / "dev-ca" / "ca.pem").read_bytes()

    @property
    def client(self) -> dict[str, str]:
        data: dict[str, str] = json.loads((self.data_dir / "client.json").read_text())
        return data

    def cred(self, owner: str) -> str:
        return str(self.enrolments[owner]["credential_id"])

    @property
    def step_seconds(self) -> int:
        """The server's TOTP step (``SIGNING_OTP_STEP_SECONDS``, 30 unless the fixture shortened it)."""
        return int(self.env.get("SIGNING_OTP_STEP_SECONDS", "30"))

    @property
    def clock_file(self) -> Path | None:
        """The server's ``SIGNING_CLOCK_OFFSET_FILE`` (seconds added to its clock), if it has one."""
        name = self.env.get("SIGNING_CLOCK_OFFSET_FILE")
        return Path(name) if name else None

    def now(self) -> float:
        """The server's time (the wall clock plus its offset file)."""
        path = self.clock_file
        return time.time() + (float(path.read_text() or 0) if path is not None and path.exists() else 0.0)

    def advance(self, seconds: float) -> None:
        """Move the running server's clock ``seconds`` forward (it re-reads the offset at every reading)."""
        path = self.clock_file
        assert path is not None, "this server has no SIGNING_CLOCK_OFFSET_FILE"
        offset = float(path.read_text() or 0) if path.exists() else 0.0
        path.write_text(f"{offset + seconds}\n", encoding="ascii")

    def next_otp(self, owner: str) -> str:
        """:meth:`otp`, moving the server's clock to the next TOTP step when both usable steps are used."""
        now_step = int(self.now() // self.step_seconds)
        if self.used_steps.get(owner, 0) > now_step:
            self.advance((now_step + 1) * self.step_seconds - self.now() + 0.05)
        return self.otp(owner)

    def otp(self, owner: str) -> str:
        """A valid OTP for a time step of *owner* not handed out before (current step, then the next)."""
        totp = pyotp.TOTP(self.enrolments[owner]["secret"], interval=self.step_seconds)
        now_step = int(self.now() // self.step_seconds)
        step = max(now_step, self.used_steps.get(owner, 0) + 1)
        if step > now_step + 1:
            raise AssertionError(f"test used more than two OTPs of {owner} within one time step")
        self.used_steps[owner] = step
        return totp.at(step * self.step_seconds)

    def wrong_otp(self, owner: str) -> str:
        totp = pyotp.TOTP(self.enrolments[owner]["secret"], interval=self.step_seconds)
        valid = {totp.at(self.now() + d * self.step_seconds) for d in (-2, -1, 0, 1, 2)}
        code = 123456
        while f"{code:06d}" in valid:
            code += 1
        return f"{code:06d}"

    def cli(self, *args: str, check: bool = True, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "signing_server", *args], env=env or self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=60, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"CLI {args} failed ({proc.returncode}): {proc.stdout}{proc.stderr}")
        return proc

    def token(self, url: str | None = None) -> str:
        c = self.client
        r = httpx.post(f"{url or self.url}/csc/v1/auth/login", auth=(c["client_id"], c["client_secret"]), json={})
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def call(self, endpoint: str, body: dict[str, Any], token: str | None = None, url: str | None = None
             ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token(url)}"}
        return httpx.post(f"{url or self.url}/csc/v1/{endpoint}", json=body, headers=headers, timeout=30)


def base_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNING_", "SOFTHSM", "PKCS11"))}
    env.update({
        "APP_ENV": "demo", "SIGNING_DATA_DIR": str(data_dir), "PKCS11_MODULE": SOFTHSM_MODULE,
        "SIGNING_PORT": str(free_port()), "SIGNING_OTP_MAX_FAILURES": str(MAX_FAILURES),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    })
    return env


@dataclass(frozen=True)
class DemoOwner:
    """One credential for ``python -m signing_server ensure-demo`` (a person's, or an agency's seal)."""

    owner: str
    kind: str = "user"
    display_name: str = ""
    agency: str = ""
    algo: str = "p256"
    extra: Mapping[str, str] = field(default_factory=dict)

    def entry(self) -> dict[str, str]:
        return {"owner_kind": self.kind, "owner": self.owner, "display_name": self.display_name,
                "agency": self.agency, "algo": self.algo, **self.extra}


@contextmanager
def running_signing_server(root: Path, owners: Iterable[DemoOwner], *, otp_step_seconds: int = 30,
                           extra_env: Mapping[str, str] | None = None) -> Iterator[SigningEnv]:
    """A token with the credentials of ``owners`` made by the real CLI, then the server on a free port.

    Everything lives under ``root`` (the data dir ``root/signing``, ``owners.json``, ``server.log``);
    the enrolments (OTP secrets) are loaded into the returned :class:`SigningEnv`. The server is
    stopped when the block exits. Suites that sign many times with one credential shorten the TOTP
    step (``otp_step_seconds``) and take codes with :meth:`SigningEnv.next_otp`, which moves the
    server's clock (``SIGNING_CLOCK_OFFSET_FILE``) to the next step instead of waiting for it.
    ``extra_env`` is added to the environment of the CLI and the server (e.g. libfaketime's).
    """
    assert Path(SOFTHSM_MODULE).exists(), "SoftHSM2 must be installed (apt-get install softhsm2)"
    data_dir = root / "signing"
    env = {**base_env(data_dir), "SIGNING_OTP_STEP_SECONDS": str(otp_step_seconds),
           "SIGNING_CLOCK_OFFSET_FILE": str(root / "clock-offset"),
           # the server's clock may be moved forward by tests; clients' cached tokens must outlive that
           "SIGNING_ACCESS_TOKEN_TTL_SECONDS": "86400", **(extra_env or {})}
    spec = root / "owners.json"
    spec.write_text(json.dumps([owner.entry() for owner in owners], ensure_ascii=False), encoding="utf-8")
    senv = SigningEnv(env=env, data_dir=data_dir, server=ServerProcess(env=env, log_path=root / "server.log"))
    senv.cli("ensure-demo", str(spec))
    senv.enrolments = json.loads((data_dir / "demo-otp.json").read_text(encoding="utf-8"))
    senv.server.start()
    try:
        yield senv
    finally:
        senv.server.stop()


def nss_trusting(directory: Path, ca_pem: bytes) -> str:
    """A private NSS database in ``directory`` trusting ``ca_pem``, for poppler's ``pdfsig -nssdir``."""
    assert shutil.which("pdfsig") and shutil.which("certutil"), "poppler-utils and libnss3-tools are required"
    ca = directory / "ca.pem"
    ca.write_bytes(ca_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", "dev-ca", "-t", "CT,C,C", "-i", str(ca)],
                   check=True, capture_output=True)
    return f"sql:{directory}"


def app_signing_env(senv: SigningEnv, trust_dir: Path | None = None) -> dict[str, str]:
    """Settings that point the web app at the running server with its client credentials, and --
    given ``trust_dir`` to write it to -- make the app trust the server's development CA."""
    client = senv.client
    env = {"SIGNING_URL": senv.url, "SIGNING_CLIENT_ID": client["client_id"],
           "SIGNING_CLIENT_SECRET": client["client_secret"]}
    if trust_dir is not None:
        ca = trust_dir / "trust-ca.pem"
        ca.write_bytes(senv.ca_pem)
        env["TRUST_ROOTS"] = str(ca)
    return env
