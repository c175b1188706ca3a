"""Credential lifecycle through the real CLI while the server runs; persistence; the journal."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
from test_signing_negative import authorize, error_of, new_hashes, sign_hash

from tests.support.signing import MAX_FAILURES


def test_csc_locked_after_n_failures_until_admin_unlocks(signing: Any) -> None:
    owner = "neg.locked"
    for _ in range(MAX_FAILURES):
        r = authorize(signing, owner, new_hashes(1), otp=signing.wrong_otp(owner))
        assert error_of(r) == (400, "invalid_otp")
    assert "now locked" in r.json()["error_description"]
    good = signing.otp(owner)
    assert error_of(authorize(signing, owner, new_hashes(1), otp=good)) == (403, "credential_locked")
    listed = json.loads(signing.cli("list", "--json", "--owner", owner).stdout)
    assert listed[0]["status"] == "locked" and listed[0]["failures"] == MAX_FAILURES
    signing.cli("unlock", signing.cred(owner))
    assert authorize(signing, owner, new_hashes(1), otp=good).status_code == 200


def test_csc_disabled_credential_is_refused_until_enabled(signing: Any) -> None:
    owner = "neg.disabled"
    signing.cli("disable", signing.cred(owner), "--reason", "nghỉ phép")
    assert error_of(authorize(signing, owner, new_hashes(1))) == (403, "credential_disabled")
    info = signing.call("credentials/info", {"credentialID": signing.cred(owner)}).json()
    assert info["key"]["status"] == "disabled"
    signing.cli("enable", signing.cred(owner))
    assert authorize(signing, owner, new_hashes(1)).status_code == 200


def test_csc_revoked_certificate_refuses_sad_and_authorize(signing: Any) -> None:
    owner = "neg.revoked"
    token = signing.token()
    h = new_hashes(1)
    sad = authorize(signing, owner, h, token=token).json()["SAD"]
    signing.cli("revoke", signing.cred(owner), "--reason", "chuyển công tác")
    assert error_of(sign_hash(signing, owner, sad, h, token=token)) == (403, "credential_revoked")
    assert error_of(authorize(signing, owner, new_hashes(1), token=token)) == (403, "credential_revoked")
    listed = signing.call("credentials/list", {"userID": owner}, token=token).json()
    assert listed == {"credentialIDs": []}


def test_csc_report_compromised_disables_at_once(signing: Any) -> None:
    owner = "neg.compromised"
    out = signing.cli("report-compromised", signing.cred(owner)).stdout
    assert "revoked" in out and "key_compromise" in out
    assert error_of(authorize(signing, owner, new_hashes(1))) == (403, "credential_revoked")


def test_csc_expired_certificate_is_refused_and_listed_as_expiring(signing: Any) -> None:
    owner = "neg.expired"
    assert error_of(authorize(signing, owner, new_hashes(1))) == (403, "certificate_expired")
    info = signing.call("credentials/info", {"credentialID": signing.cred(owner)}).json()
    assert info["cert"]["status"] == "expired"
    expiring = json.loads(signing.cli("expiring", "--json").stdout)
    assert [c["owner"] for c in expiring] == [owner]
    assert json.loads(signing.cli("expiring", "--json", "--days", "4000").stdout)


def test_csc_credentials_and_journal_survive_restart(signing: Any) -> None:
    owner = "restart"
    h = new_hashes(1)
    first_otp = signing.otp(owner)
    old_token = signing.token()
    r = authorize(signing, owner, h, otp=first_otp, token=old_token)
    assert sign_hash(signing, owner, r.json()["SAD"], h, token=old_token).status_code == 200
    before = signing.cli("verify-journal").stdout
    signing.server.stop()
    signing.server.start()
    assert error_of(signing.call("credentials/list", {}, token=old_token)) == (401, "invalid_token")
    # the last used time step persisted: the same OTP is still a replay after the restart
    assert error_of(authorize(signing, owner, new_hashes(1), otp=first_otp)) == (400, "otp_reused")
    h2 = new_hashes(1)
    token = signing.token()
    r = authorize(signing, owner, h2, token=token)
    assert r.status_code == 200
    assert sign_hash(signing, owner, r.json()["SAD"], h2, token=token).status_code == 200
    after = signing.cli("verify-journal").stdout
    n_before, n_after = (int(s.split(":")[1].split()[0]) for s in (before, after))
    assert "chain intact" in after and n_after >= n_before + 3
    entries = signing.cli("journal", "--credential-id", signing.cred(owner)).stdout.splitlines()
    assert [line.split()[3] for line in entries if "ok" in line.split()][-4:] == [
        "authorize", "signHash", "authorize", "signHash"]


def test_journal_tamper_is_reported_at_first_broken_link(signing: Any, tmp_path: Path) -> None:
    h = new_hashes(1)
    authorize(signing, "neg.expired", h, otp="123456")
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    with sqlite3.connect(signing.data_dir / "signing.sqlite3") as src, \
            sqlite3.connect(copy_dir / "signing.sqlite3") as dst:
        src.backup(dst)
    env = dict(signing.env, SIGNING_DATA_DIR=str(copy_dir))
    assert signing.cli("verify-journal", env=env).returncode == 0
    with sqlite3.connect(copy_dir / "signing.sqlite3") as db:
        try:
            db.execute("UPDATE journal SET result = 'ok' WHERE seq = 3")
            raise AssertionError("the journal accepted an UPDATE")
        except sqlite3.DatabaseError as exc:
            assert "append-only" in str(exc)
        db.execute("DROP TRIGGER journal_no_update")  # an attacker with file access
        db.execute("UPDATE journal SET detail = detail || ' (edited)' WHERE seq = 3")
    proc = signing.cli("verify-journal", check=False, env=env)
    assert proc.returncode == 1
    assert "BROKEN at entry 3" in proc.stdout


def test_secrets_never_reach_journal_or_logs(signing: Any) -> None:
    owner = "batch.raw"
    otp = signing.otp(owner)
    token = signing.token()
    h = new_hashes(1)
    sad = authorize(signing, owner, h, otp=otp, token=token).json()["SAD"]
    sign_hash(signing, owner, sad, h, token=token)
    sign_hash(signing, owner, sad, h, token=token)  # refused: logged at info level
    db_dump = "\n".join(sqlite3.connect(signing.data_dir / "signing.sqlite3").iterdump())
    logs = signing.server.log_path.read_text()
    for secret in (otp, sad, token, signing.client["client_secret"]):
        assert secret not in db_dump and secret not in logs
    assert h[0] in db_dump  # hashes are journaled


def test_unknown_route_and_info_answer_csc_json(signing: Any) -> None:
    info = httpx.post(f"{signing.url}/csc/v1/info", json={}).json()
    assert info["specs"] == "1.0.4.0" and "signatures/signHash" in info["methods"]
    assert error_of(httpx.post(f"{signing.url}/csc/v1/nope", json={}))[1] == "invalid_request"
