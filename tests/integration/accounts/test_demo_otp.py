"""Demo mode: the account page shows the OTP enrolment the real signing server created."""

from __future__ import annotations

import json

from backend.cli.signing_demo import demo_credential_specs, ensure_demo_credentials


async def test_demo_specs_cover_every_signer_and_agency_seal(settings) -> None:
    specs = await demo_credential_specs(settings)
    users = {s["owner"] for s in specs if s["owner_kind"] == "user"}
    seals = {s["owner"] for s in specs if s["owner_kind"] == "agency" and not s["owner"].startswith("edxml:")}
    package_seals = {s["owner"] for s in specs if s["owner"].startswith("edxml:")}
    assert {"lanhdao.xanghiphong", "capho.tinh"} <= users and "vanthu.tinh" not in users
    assert len(seals) == 8 and "000.01.21.H41" in seals
    assert package_seals == {f"edxml:{code}" for code in seals}, "every agency can sign its edXML packages"


async def test_account_page_shows_personal_and_seal_enrolment(client, login, settings) -> None:
    specs = [s for s in await demo_credential_specs(settings)
             if s["owner"] in {"lanhdao.xanghiphong", "000.01.21.H41"}]
    ensure_demo_credentials(settings, specs)
    enrolled = json.loads((settings.data_dir / "signing" / "demo-otp.json").read_text())
    assert enrolled["lanhdao.xanghiphong"]["provisioning_uri"].startswith("otpauth://totp/")

    await login(client, "lanhdao.xanghiphong")
    leader_page = (await client.get("/account")).text
    assert 'id="otp-enrolment-user"' in leader_page and "data:image/svg+xml;base64," in leader_page
    assert 'id="otp-enrolment-agency"' not in leader_page

    client.cookies.clear()
    await login(client, "vanthu.xanghiphong")
    clerk_page = (await client.get("/account")).text
    assert 'id="otp-enrolment-agency"' in clerk_page and 'id="otp-enrolment-user"' not in clerk_page

    client.cookies.clear()
    await login(client, "chuyenvien.xanghiphong")
    assert "otp-enrolment" not in (await client.get("/account")).text
