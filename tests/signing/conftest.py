"""Fixtures for the signing-server tests: a real SoftHSM token, real CLI, real uvicorn process.

Nothing of ours is mocked. One session-wide data dir holds the token, the registry and the dev CA;
``ensure-demo`` (the real CLI) creates one credential per test owner listed in ``OWNERS``, so each
test uses its own credential and never competes with another test for a TOTP time step. The server
runs as ``python -m signing_server serve`` on a free loopback port.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from signing_support import (
    FONT,
    OWNERS,
    SOFTHSM_MODULE,
    ServerProcess,
    SigningEnv,
    base_env,
)


@pytest.fixture(scope="session")
def signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Token + credentials via ``ensure-demo``, then a running server; torn down after the session."""
    assert Path(SOFTHSM_MODULE).exists(), "SoftHSM2 must be installed (apt-get install softhsm2)"
    root = tmp_path_factory.mktemp("signing")
    data_dir = root / "data"
    env = base_env(data_dir)
    entries = [{"owner_kind": kind, "owner": owner, "display_name": f"Người ký {owner}",
                "agency": "UBND xã Thử Nghiệm", "algo": algo, **extra}
               for owner, (kind, algo, extra) in OWNERS.items()]
    demo_file = root / "demo.json"
    demo_file.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    server = ServerProcess(env=env, log_path=root / "server.log")
    senv = SigningEnv(env=env, data_dir=data_dir, server=server)
    senv.cli("ensure-demo", str(demo_file))
    senv.enrolments = json.loads((data_dir / "demo-otp.json").read_text(encoding="utf-8"))
    server.start()
    try:
        yield senv
    finally:
        server.stop()


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory: pytest.TempPathFactory, signing: SigningEnv) -> str:
    """A private NSS database trusting the dev CA, for poppler's pdfsig."""
    assert shutil.which("pdfsig") and shutil.which("certutil"), "poppler-utils and libnss3-tools are required"
    db = tmp_path_factory.mktemp("nss")
    ca = db / "ca.pem"
    ca.write_bytes(signing.ca_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "congvan-dev-ca", "-t", "CT,C,C", "-i", str(ca)],
                   check=True, capture_output=True)
    return f"sql:{db}"


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """A 2-page PDF with Vietnamese text (fpdf2 + FreeSans, unitsPerEm 1000)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("FreeSans", fname=str(FONT))
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font("FreeSans", size=13)
        pdf.multi_cell(0, 8, text=f"ỦY BAN NHÂN DÂN XÃ THỬ NGHIỆM — trang {page}\n"
                                  "QUYẾT ĐỊNH về việc phê duyệt kế hoạch chuyển đổi số năm 2025.\n"
                                  "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ.")
    return bytes(pdf.output())
