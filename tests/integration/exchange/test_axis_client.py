"""The axis client against the stand-in over a real socket: authentication, store-and-forward,
at-least-once offering, acknowledgements, delivery state, typed errors, and no secret in the logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from backend.config.settings import SettingsError, load_settings
from backend.domain.exchange.axis_client import (
    AxisAuthError,
    AxisClient,
    AxisNotConfigured,
    AxisPermanentError,
    AxisTransientError,
)
from tests.support.axis import StandIn, edoc_package, free_port, status_package

TAY_NINH, BO_NOI_VU = "000.00.00.H53", "000.00.00.G12"


def client_a(axis: StandIn, secret: str = "s3cret-A-never-logged") -> AxisClient:
    return AxisClient(axis.url, "tinh-a", secret, timeout=5)


def client_b(axis: StandIn) -> AxisClient:
    return AxisClient(axis.url, "bo-b", "s3cret-B-never-logged", timeout=5)


async def test_wrong_secret_is_refused_and_never_logged(axis: StandIn, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with client_a(axis, secret="wrong-secret-value") as wrong:
        with pytest.raises(AxisAuthError) as refused:
            await wrong.getAgenciesList()
        assert not refused.value.transient
        assert "wrong-secret-value" not in str(refused.value) and "wrong-secret-value" not in repr(wrong)
    async with client_a(axis) as right:
        await right.getAgenciesList()
        await right.sendEdoc(TAY_NINH, edoc_package(TAY_NINH, [BO_NOI_VU]))
        assert "s3cret-A" not in repr(right)
    assert caplog.records, "the client logs its calls"
    assert "s3cret-A-never-logged" not in caplog.text and "wrong-secret-value" not in caplog.text


async def test_agencies_list_carries_code_and_identifier(axis: StandIn) -> None:
    async with client_a(axis) as a:
        agencies = {agency.code: agency for agency in await a.getAgenciesList()}
    assert agencies[BO_NOI_VU].name == "Bộ Nội vụ"
    assert len(agencies[BO_NOI_VU].identifier) == 35


async def test_store_and_forward_until_done(axis: StandIn) -> None:
    async with client_a(axis) as a, client_b(axis) as b:
        package = edoc_package(TAY_NINH, [BO_NOI_VU], "Đề nghị phối hợp")
        doc_id = await a.sendEdoc(TAY_NINH, package)
        assert await a.getReceivedEdocList("edoc") == [], "the sender is not a recipient"
        waiting = await b.getReceivedEdocList("edoc")
        assert [(w.doc_id, w.sender, w.status) for w in waiting] == [(doc_id, TAY_NINH, "pending")]
        assert await b.getReceivedEdocList("status") == []
        assert await b.getEdoc(doc_id) == package
        assert [r.status for r in (await a.getSentEdocList())[0].recipients] == ["pending"]

        # not acknowledged (a crash between download and acknowledgement): offered again
        assert [w.doc_id for w in await b.getReceivedEdocList("edoc")] == [doc_id]
        await b.updateStatus(doc_id, "processing")
        assert [w.status for w in await b.getReceivedEdocList("edoc")] == ["processing"]

        await b.updateStatus(doc_id, "done")
        assert await b.getReceivedEdocList("edoc") == []
        sent = await a.getSentEdocList()
        assert [(s.doc_id, [(r.code, r.status) for r in s.recipients]) for s in sent] == [
            (doc_id, [(BO_NOI_VU, "done")])]

        # a status message goes back to the original sender
        status_id = await b.sendEdoc(BO_NOI_VU, status_package(BO_NOI_VU, TAY_NINH, "01"), messagetype="status")
        assert [w.doc_id for w in await a.getReceivedEdocList("status")] == [status_id]
        await a.updateStatus(status_id, "fail")
        assert await a.getReceivedEdocList("status") == []


async def test_refusals_are_permanent(axis: StandIn) -> None:
    async with client_a(axis) as a, client_b(axis) as b:
        with pytest.raises(AxisPermanentError, match="FORBIDDEN_FROM"):
            await a.sendEdoc(BO_NOI_VU, edoc_package(BO_NOI_VU, [TAY_NINH]))
        with pytest.raises(AxisPermanentError, match="UNKNOWN_RECIPIENT"):
            await a.sendEdoc(TAY_NINH, edoc_package(TAY_NINH, ["999.99.99.Z99"]))
        with pytest.raises(AxisPermanentError, match="INVALID_PACKAGE"):
            await a.sendEdoc(TAY_NINH, b'<!DOCTYPE x [<!ENTITY a "b">]><edXML/>')
        doc_id = await a.sendEdoc(TAY_NINH, edoc_package(TAY_NINH, [BO_NOI_VU]))
        with pytest.raises(AxisPermanentError, match="NOT_FOUND"):
            await a.getEdoc(doc_id)  # not addressed to the sender's system
        with pytest.raises(AxisPermanentError, match="NOT_FOUND"):
            await b.updateStatus("no-such-doc", "done")
        with pytest.raises(AxisPermanentError):
            await b.updateStatus(doc_id, "bogus")  # type: ignore[arg-type]


async def test_unreachable_or_failing_axis_is_transient() -> None:
    async with AxisClient(f"http://127.0.0.1:{free_port()}", "x", "y", timeout=2) as nowhere:
        with pytest.raises(AxisTransientError) as failed:
            await nowhere.getReceivedEdocList()
        assert failed.value.transient

    def failing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="maintenance")

    async with AxisClient("http://axis.invalid", "x", "y", transport=httpx.MockTransport(failing)) as down:
        with pytest.raises(AxisTransientError, match="HTTP 503"):
            await down.getAgenciesList()


def test_settings_need_all_three_and_hide_the_secret(tmp_path: Path) -> None:
    base = {"DATA_DIR": str(tmp_path)}
    assert load_settings(base).axis_url == ""
    with pytest.raises(AxisNotConfigured):
        AxisClient.from_settings(load_settings(base))
    with pytest.raises(SettingsError, match="AXIS_SECRET"):
        load_settings({**base, "AXIS_URL": "https://axis.example/vxp"})
    configured = load_settings({**base, "AXIS_URL": "https://axis.example/vxp/", "AXIS_SYSTEM_ID": "sys",
                                "AXIS_SECRET": "top-secret-value"})
    assert configured.axis_url == "https://axis.example/vxp"
    assert "top-secret-value" not in repr(configured)


def test_the_cli_command_serves_the_standin(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PYTHONPATH": str(Path.cwd())}
    proc = subprocess.Popen([sys.executable, "-m", "backend", "axis-standin", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, answer = time.monotonic() + 90, None  # the command imports the backend: slow on a busy machine
        while time.monotonic() < deadline and answer is None:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "the command exited"
            try:
                answer = httpx.post(f"http://127.0.0.1:{port}/getAgenciesList",
                                    headers={"systemid": "congvan-tinh-a", "secret": "demo-secret-a"})
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None and answer.json()["status"] == "OK"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
