"""Fixtures for the signing-server tests: a real SoftHSM token, real CLI, real uvicorn process.

Nothing of ours is mocked. One session-wide data dir holds the token, the registry and the dev CA;
``ensure-demo`` (the real CLI) creates one credential per test owner listed in ``OWNERS``, so each
test uses its own credential and never competes with another test for a TOTP time step. The server
runs as ``python -m signing_server serve`` on a free loopback port.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.signing import FONT, OWNERS, DemoOwner, SigningEnv, nss_trusting, running_signing_server


@pytest.fixture(scope="session")
def signing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningEnv]:
    """Token + credentials via ``ensure-demo``, then a running server; torn down after the session."""
    owners = [DemoOwner(owner, kind, f"Người ký {owner}", "UBND xã Thử Nghiệm", algo, extra)
              for owner, (kind, algo, extra) in OWNERS.items()]
    with running_signing_server(tmp_path_factory.mktemp("signing"), owners) as senv:
        yield senv


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory: pytest.TempPathFactory, signing: SigningEnv) -> str:
    """A private NSS database trusting the dev CA, for poppler's pdfsig."""
    return nss_trusting(tmp_path_factory.mktemp("nss"), signing.ca_pem)


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
