"""Restore drill: a signed and sealed outgoing document, backed up, restored into a fresh target, identical.

The flow runs through the JSON API with the real signing server; ``python -m backend backup`` and
``restore`` run as subprocesses, as an operator runs them. The restored deployment must have every
table's rows and every blob identical (SHA-256), the same signing registry and SoftHSM token files,
the issued PDF's two signatures still valid (pyHanko), the audit chain intact (``verify-audit``), and
a signing server started on the restored data dir must still sign with the restored key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

from asn1crypto import pem, x509
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from backend.config.settings import Settings, load_settings
from backend.domain.documents.files import blob_store
from tests.support.backup import blob_digests, cli, deployment_env, fresh_target, signing_state, table_rows
from tests.support.outgoing import Api, fresh_otp, ids, to_awaiting
from tests.support.signing import ServerProcess, SigningEnv, base_env

LEADER = "lanhdao.xanghiphong"
SEAL = "000.01.21.H41"


async def _issue_signed_document(client: AsyncTestClient[Litestar], settings: Settings,
                                 senv: SigningEnv) -> bytes:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk = await Api(client).login("vanthu.xanghiphong")
    leader = await Api(client).login(LEADER)
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    signed = await leader.act(doc_id, "sign", otp=await fresh_otp(senv, LEADER))
    assert signed.status_code == 200, signed.text
    assert (await clerk.act(doc_id, "number")).status_code == 200
    sealed = await clerk.act(doc_id, "seal", otp=await fresh_otp(senv, SEAL))
    assert sealed.status_code == 200, sealed.text
    issued = await clerk.act(doc_id, "issue")
    assert issued.status_code == 200 and issued.json()["state"] == "issued", issued.text
    return (await clerk.get(issued.json()["file_url"])).content


async def _assert_signatures_valid(pdf: bytes, ca_pem: bytes) -> None:
    roots = [x509.Certificate.load(der) for _, _, der in pem.unarmor(ca_pem, multiple=True)]
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 2
    for signature in signatures:
        status = await async_validate_pdf_signature(signature, ValidationContext(trust_roots=roots))
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()


def _restored_server_signs(senv: SigningEnv, data_dir: Path, log: Path) -> None:
    """A signing server on the restored data dir authorises and signs with the restored leader key."""
    env = {**base_env(data_dir), "SIGNING_OTP_STEP_SECONDS": senv.env["SIGNING_OTP_STEP_SECONDS"],
           "SIGNING_CLOCK_OFFSET_FILE": senv.env["SIGNING_CLOCK_OFFSET_FILE"]}
    restored = SigningEnv(env=env, data_dir=data_dir, server=ServerProcess(env=env, log_path=log),
                          enrolments=senv.enrolments)
    restored.server.start()
    try:
        digest = base64.b64encode(hashlib.sha256(b"restore drill").digest()).decode()
        authorised = restored.call("credentials/authorize", {
            "credentialID": senv.cred(LEADER), "numSignatures": 1, "hash": [digest], "OTP": senv.next_otp(LEADER)})
        assert authorised.status_code == 200, authorised.text
        signed = restored.call("signatures/signHash", {
            "credentialID": senv.cred(LEADER), "SAD": authorised.json()["SAD"], "hash": [digest],
            "hashAlgo": "2.16.840.1.101.3.4.2.1", "signAlgo": "1.2.840.10045.4.3.2"})
        assert signed.status_code == 200 and len(signed.json()["signatures"]) == 1, signed.text
    finally:
        restored.server.stop()


async def test_backup_restore_round_trip_is_byte_identical(
        client: AsyncTestClient[Litestar], settings: Settings, settings_env: dict[str, str],
        backup_signing: SigningEnv, tmp_path: Path) -> None:
    pdf = await _issue_signed_document(client, settings, backup_signing)
    source_env = deployment_env(settings_env, backup_signing.data_dir)
    archive = tmp_path / "sao-luu"
    made = cli(source_env, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["database"] == ("sqlite" if settings.is_sqlite else "postgresql")
    assert manifest["source"]["signing"] is True and manifest["counts"]["blobs"] >= 4
    assert not [item for item in manifest["files"] if item["path"].endswith(("-wal", "-shm"))]

    async with fresh_target(source_env, tmp_path / "target") as target_env:
        restored = cli(target_env, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        assert "Đã khôi phục" in restored.stdout

        source_rows, target_rows = await table_rows(settings.database_url), await table_rows(
            load_settings(target_env).database_url)
        assert set(source_rows) == set(target_rows) and "audit_event" in source_rows
        for table, rows in source_rows.items():
            assert rows == target_rows[table], f"table {table} differs after restore"
        assert blob_digests(source_env) == blob_digests(target_env)
        assert all(key == digest for key, digest in blob_digests(target_env).items())
        signing_dir = Path(target_env["SIGNING_DATA_DIR"])
        assert signing_state(backup_signing.data_dir) == signing_state(signing_dir)

        key = hashlib.sha256(pdf).hexdigest()
        restored_pdf = await blob_store(load_settings(target_env)).read_bytes(key)
        assert restored_pdf == pdf
        await _assert_signatures_valid(restored_pdf, (signing_dir / "dev-ca" / "ca.pem").read_bytes())

        audit = cli(target_env, "verify-audit")
        assert audit.returncode == 0 and "Audit chain intact" in audit.stdout, audit.stdout + audit.stderr
        _restored_server_signs(backup_signing, signing_dir, tmp_path / "restored-signing.log")
