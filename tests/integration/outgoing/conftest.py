"""A real signing server (SoftHSM, ``ensure-demo``, ``serve``) for the outgoing-document tests.

One server per test session with credentials for the Nghi Phong commune's leader and deputy and
the seals of Nghi Phong and Nghi Thái; each test gets its own copy of the demo database and the
app finds the server by ``SIGNING_URL`` and the client credentials of its ``client.json``. Tests
that sign twice with one credential use ``SigningEnv.otp`` (a fresh time step each time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "signing"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from signing_support import SOFTHSM_MODULE, ServerProcess, SigningEnv, base_env

OWNERS: dict[str, tuple[str, str, str]] = {
    "lanhdao.xanghiphong": ("user", "Võ Minh Nam", "Ủy ban nhân dân xã Nghi Phong"),
    "capho.xanghiphong": ("user", "Ngô Thanh Oanh", "Ủy ban nhân dân xã Nghi Phong"),
    "000.01.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân xã Nghi Phong"),
    "000.02.21.H41": ("agency", "Ủy ban nhân dân xã Nghi Thái", "Ủy ban nhân dân xã Nghi Thái"),
}


@pytest.fixture(scope="session")
def out_signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Token + credentials of ``OWNERS`` via the real CLI, then a running signing server."""
    assert Path(SOFTHSM_MODULE).exists(), "SoftHSM2 must be installed (apt-get install softhsm2)"
    root = tmp_path_factory.mktemp("out-signing")
    env = base_env(root / "signing")
    entries = [{"owner_kind": kind, "owner": owner, "display_name": name, "agency": agency, "algo": "p256"}
               for owner, (kind, name, agency) in OWNERS.items()]
    (root / "owners.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    senv = SigningEnv(env=env, data_dir=root / "signing", server=ServerProcess(env=env, log_path=root / "server.log"))
    senv.cli("ensure-demo", str(root / "owners.json"))
    senv.enrolments = json.loads((senv.data_dir / "demo-otp.json").read_text(encoding="utf-8"))
    senv.server.start()
    try:
        yield senv
    finally:
        senv.server.stop()


@pytest.fixture(scope="session")
def out_nss(tmp_path_factory: pytest.TempPathFactory, out_signing: SigningEnv) -> str:
    """A private NSS database trusting the dev CA, for poppler's pdfsig."""
    db = tmp_path_factory.mktemp("out-nss")
    (db / "ca.pem").write_bytes(out_signing.ca_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "dev-ca", "-t", "CT,C,C", "-i", str(db / "ca.pem")],
                   check=True, capture_output=True)
    return f"sql:{db}"


@pytest.fixture
def settings_env(settings_env: dict[str, str], out_signing: SigningEnv, tmp_path: Path) -> dict[str, str]:
    """The test deployment pointed at the running signing server, trusting its dev CA."""
    client = out_signing.client
    ca = tmp_path / "trust-ca.pem"
    ca.write_bytes(out_signing.ca_pem)
    return {**settings_env, "SIGNING_URL": out_signing.url, "SIGNING_CLIENT_ID": client["client_id"],
            "SIGNING_CLIENT_SECRET": client["client_secret"], "TRUST_ROOTS": str(ca)}
