"""TOTP checks of the signing server (signing_server.otp): drift, replay and a configured step length."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pyotp

from signing_server.otp import OtpOutcome, new_secret, provisioning_uri, verify_totp

NOW = 1_800_000_005.0


def test_default_step_accepts_one_step_of_drift_and_each_step_once() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    current = int(NOW // 30)
    for step in (current - 1, current, current + 1):
        assert verify_totp(secret, totp.at(step * 30), NOW, 0).outcome is OtpOutcome.ACCEPTED
    assert verify_totp(secret, totp.at((current + 2) * 30), NOW, 0).outcome is OtpOutcome.INVALID
    assert verify_totp(secret, totp.at(current * 30), NOW, current).outcome is OtpOutcome.REUSED


def test_shorter_step_counts_steps_of_that_length_and_tells_authenticator_apps() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret, interval=10)
    current = int(NOW // 10)
    check = verify_totp(secret, totp.at((current + 1) * 10), NOW, 0, step_seconds=10)
    assert check.outcome is OtpOutcome.ACCEPTED and check.step == current + 1
    assert verify_totp(secret, totp.at((current + 3) * 10), NOW, 0, step_seconds=10).outcome is OtpOutcome.INVALID
    query = parse_qs(urlparse(provisioning_uri(secret, "lanhdao", "CongVan", step_seconds=10)).query)
    assert query["period"] == ["10"]
    assert "period" not in parse_qs(urlparse(provisioning_uri(secret, "lanhdao", "CongVan")).query)
