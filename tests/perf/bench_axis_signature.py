"""Benchmark: edXML packages built + signed, and received + verified, per second, against the raw signHash rate.

Run from the repository root: ``.venv/bin/python -m tests.perf.bench_axis_signature [--runs 40] [--no-write]``

One REAL signing server (separate process, SoftHSM token) holds two package seals (RSA-2048): the sender's
(Nghi Phong) and the partner's (Bộ Nội vụ). The package is a new-document package addressed to Bộ Nội vụ whose
attachment is a 3-page PDF carrying a PAdES signature (made once, beforehand, by the partner's seal). Measured,
interleaved run by run so machine noise hits them alike:

* ``raw signHash`` -- :meth:`SigningClient.sign_digests` of one SHA-256 digest with the package seal:
  ``credentials/authorize`` + ``signatures/signHash`` over loopback (the floor of any signature);
* ``built + signed`` -- :func:`~backend.domain.exchange.edxml.build.build` of the package, then
  :func:`~backend.domain.exchange.axis_seal.seal_package` exactly as the outbox job runs it (credential look-up,
  ``credentials/info``, the ``SignedInfo`` digest, authorize + signHash, serialisation);
* ``received + verified`` -- :func:`~backend.domain.exchange.edxml.parse.parse` of the signed bytes and
  :func:`~backend.domain.exchange.axis_verify.check_package` exactly as the poller runs it (the package signature
  with its certificate path, then the PDF's signature through pyHanko);
* ``package signature only`` -- :func:`~backend.domain.exchange.edxml.signature.verify` alone.

Results are printed and written into ``docs/performance.md`` between ``<!-- bench_axis_signature:begin/end -->``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.support.floor import machine, write_section

BEGIN, END = "<!-- bench_axis_signature:begin -->", "<!-- bench_axis_signature:end -->"
SENDER, PARTNER = "000.01.21.H41", "000.00.00.G12"


async def measure(settings: object, runs: int) -> dict[str, list[float]]:
    from backend.domain.certificates.services import signing_client
    from backend.domain.exchange.axis_seal import RSA_SHA256_OID, seal_package
    from backend.domain.exchange.axis_verify import check_package
    from backend.domain.exchange.delivery import trust_roots
    from backend.domain.exchange.edxml.model import Package
    from backend.domain.exchange.edxml.parse import parse
    from backend.domain.exchange.edxml.signature import verify
    from backend.domain.signing.credentials import credential_for
    from backend.domain.signing.verification import load_certificates
    from tests.support.axis import edoc_package
    from tests.support.incoming import make_pdf

    async with signing_client(settings) as client:  # type: ignore[arg-type]
        partner = await credential_for(client, organ_id=f"edxml:{PARTNER}")
        pdf = await client.sign_pdf(make_pdf(3), credential_id=partner, otp="")
        sender = await credential_for(client, organ_id=f"edxml:{SENDER}")
        roots = load_certificates(trust_roots(settings))  # type: ignore[arg-type]
        times: dict[str, list[float]] = {"raw signHash": [], "built + signed": [], "received + verified": [],
                                          "package signature only": []}
        signed = b""
        for run in range(runs + 2):  # two warm-up runs
            start = time.perf_counter()
            await client.sign_digests(sender, [os.urandom(32)], sign_algo=RSA_SHA256_OID)
            raw_s = time.perf_counter() - start

            start = time.perf_counter()
            signed = await seal_package(settings, SENDER,  # type: ignore[arg-type]
                                        edoc_package(SENDER, [PARTNER], number=str(100 + run), pdf=pdf))
            built_s = time.perf_counter() - start

            start = time.perf_counter()
            package = parse(signed)
            assert isinstance(package, Package)
            checks = await check_package(settings, signed, package)  # type: ignore[arg-type]
            received_s = time.perf_counter() - start
            assert checks.signature.ok and checks.main_pdf_ok, checks

            start = time.perf_counter()
            assert (await verify(signed, roots)).ok
            verify_s = time.perf_counter() - start
            if run >= 2:
                for name, value in zip(times, (raw_s, built_s, received_s, verify_s), strict=True):
                    times[name].append(value)
        times["_bytes"] = [float(len(signed)), float(len(pdf))]
        return times


def report(times: dict[str, list[float]], runs: int) -> str:
    size, pdf_size = times.pop("_bytes")
    raw = statistics.median(times["raw signHash"])
    lines = [
        "## edXML package signature (issue 13): built + signed, received + verified, vs raw signHash",
        "",
        f"Measured {dt.date.today():%Y-%m-%d} on {machine()}, {runs} interleaved runs each, one process, sequential, "
        f"against the real signing server (SoftHSM, RSA-2048 package seals) over loopback. Package "
        f"{size / 1024:.0f} KB: a new-document package whose attachment is a 3-page PDF with a PAdES signature "
        f"({pdf_size / 1024:.0f} KB).",
        "",
        "| Step | p50 | p90 | per second (1/p50) | vs raw signHash |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in times.items():
        p50 = statistics.median(values)
        p90 = sorted(values)[int(0.9 * (len(values) - 1))]
        lines.append(f"| {name} | {p50 * 1000:.1f} ms | {p90 * 1000:.1f} ms | {1 / p50:.1f} | "
                     f"{p50 / raw:.2f}× |")
    lines += [
        "",
        "`raw signHash` is `credentials/authorize` + `signatures/signHash` of one digest (the least a signature "
        "costs through the CSC API); `built + signed` adds the edXML build, the credential look-up "
        "(`/ext/v1/credentials/list`), `credentials/info` and the canonicalisation; `received + verified` is "
        "the poller's check before anything is stored: parse, the package signature with its certificate path "
        "(pyhanko-certvalidator), and the PDF's PAdES signature (pyHanko).",
        "",
        "Reproduce: `.venv/bin/python -m tests.perf.bench_axis_signature --runs 40`.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from backend.config.settings import load_settings
    from tests.support.signing import DemoOwner, app_signing_env, running_signing_server

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        owners = [DemoOwner(f"edxml:{SENDER}", "agency", "Ủy ban nhân dân xã Nghi Phong",
                            "Ủy ban nhân dân xã Nghi Phong", "rsa2048"),
                  DemoOwner(f"edxml:{PARTNER}", "agency", "Bộ Nội vụ", "Bộ Nội vụ", "rsa2048")]
        with running_signing_server(root, owners) as senv:
            env = {"APP_ENV": "demo", "DATA_DIR": str(root / "app"), **app_signing_env(senv, root)}
            settings = load_settings(env)
            times = asyncio.run(measure(settings, args.runs))
    section = report(times, args.runs)
    print(section)
    if not args.no_write:
        print(f"written to {write_section(BEGIN, END, section)}")


if __name__ == "__main__":
    main()
