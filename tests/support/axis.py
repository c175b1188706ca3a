"""The axis stand-in served by a real uvicorn on a loopback socket, in a thread, for the exchange tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import uvicorn

from backend.cli.axis_standin import AxisState, create_standin
from backend.config.settings import Settings
from backend.domain.exchange.axis_client import AxisClient
from backend.domain.exchange.axis_seal import seal_package
from backend.domain.exchange.axis_verify import status_refusal
from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.model import (
    Attachment,
    Business,
    Code,
    DocumentType,
    Organ,
    OtherInfo,
    Package,
    ResponseFor,
    SignerInfo,
    StatusMessage,
    document_id,
)
from backend.domain.exchange.edxml.parse import parse

__all__ = ["CONFIG", "StandIn", "axis_env", "edoc_package", "free_port", "running_standin", "sealed_package",
           "sealed_status", "status_package", "statuses_back"]

NGHE_AN_SECRET = "s3cret-NA-never-logged"
CONFIG: dict[str, Any] = {
    "systems": [
        {"id": "congvan-nghe-an", "secret": NGHE_AN_SECRET,
         "agencies": ["000.00.00.H41", "000.01.21.H41", "000.02.21.H41"]},
        {"id": "tinh-a", "secret": "s3cret-A-never-logged", "agencies": ["000.00.00.H53"]},
        {"id": "bo-b", "secret": "s3cret-B-never-logged", "agencies": ["000.00.00.G12"]},
    ],
    "agencies": [
        {"code": "000.00.00.G12", "id": "G12.000.000.000.000.000.000.000.000", "name": "Bộ Nội vụ"},
        {"code": "000.00.00.G22", "id": "G22.000.000.000.000.000.000.000.000", "name": "Văn phòng Chính phủ"},
        {"code": "000.00.00.H53", "id": "H53.000.000.000.000.000.000.000.000", "name": "UBND tỉnh Tây Ninh"},
        {"code": "000.00.00.H29", "id": "H29.000.000.000.000.000.000.000.000", "name": "Sở Tài chính tỉnh Đồng Tháp",
         "parentCode": "000.00.00.H29"},
        {"code": "000.00.00.H41", "id": "H41.000.000.000.000.000.000.000.000", "name": "UBND tỉnh Nghệ An"},
    ],
}
"""Three systems (this deployment: Nghệ An's agencies; Tây Ninh; Bộ Nội vụ) and the axis's agency list."""


def axis_env(url: str) -> dict[str, str]:
    """The environment connecting a test deployment (the Nghệ An demo province) to the stand-in at ``url``."""
    return {"AXIS_URL": url, "AXIS_SYSTEM_ID": "congvan-nghe-an", "AXIS_SECRET": NGHE_AN_SECRET}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StandIn:
    def __init__(self, url: str, state: AxisState) -> None:
        self.url, self.state = url, state


@contextmanager
def running_standin(config: Mapping[str, Any] | None = None) -> Iterator[StandIn]:
    """``with running_standin(cfg) as axis:`` -- ``axis.url`` is the base URL, ``axis.state`` its memory."""
    app = create_standin(config)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the axis stand-in did not start")
        time.sleep(0.02)
    try:
        yield StandIn(f"http://127.0.0.1:{port}", app.state.axis)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def edoc_package(sender: str, recipients: list[str], subject: str = "Công văn thử", number: str = "12",
                 pdf: bytes = b"%PDF-1.4 test") -> bytes:
    """A new-document package built by the real edXML builder (``pdf`` attached as the document)."""
    issued = date(2026, 12, 7)
    identifier = document_id(sender, issued, number, "UBND-VP")
    return build(Package(
        sender=Organ(organ_id=sender, name="Bộ Nội vụ"),
        recipients=tuple(Organ(organ_id=code) for code in recipients),
        document_id=identifier, code=Code(number, "UBND-VP"), promulgation_place="Vinh", promulgation_date=issued,
        document_type=DocumentType(type="cong_van", type_name="Công văn"), subject=subject,
        signer=SignerInfo(competence="KT. BỘ TRƯỞNG", position="THỨ TRƯỞNG", full_name="Nguyễn Văn A"),
        other_info=OtherInfo(priority=1), due_date=date(2026, 12, 31), business=Business(document_id=identifier),
        attachments=(Attachment(content_id="cid:1", name="cong-van.pdf", data=pdf,
                                content_type="application/pdf"),)))


async def sealed_package(settings: Settings, sender: str, recipients: list[str], subject: str = "Công văn thử",
                         number: str = "12", pdf: bytes = b"%PDF-1.4 test") -> bytes:
    """:func:`edoc_package` signed with ``sender``'s package seal on the signing server ``settings`` points at."""
    return await seal_package(settings, sender, edoc_package(sender, recipients, subject, number, pdf))


def status_package(sender: str, original_sender: str, code: str, response_document_id: str = "",
                   description: str = "") -> bytes:
    """A status message of ``sender`` about a package of ``original_sender``, built by the real builder."""
    return build(StatusMessage(sender=Organ(organ_id=sender, name="Cơ quan nhận"),
                               response_for=ResponseFor(organ_id=original_sender, document_id=response_document_id),
                               status_code=code, timestamp=datetime(2026, 12, 7, 8, 30), description=description))


async def sealed_status(settings: Settings, sender: str, original_sender: str, code: str,
                        response_document_id: str = "", description: str = "") -> bytes:
    """:func:`status_package` signed with ``sender``'s package seal (unsigned statuses are refused)."""
    return await seal_package(settings, sender, status_package(sender, original_sender, code, response_document_id,
                                                               description))


async def statuses_back(axis: StandIn, settings: Settings) -> list[StatusMessage]:
    """The status messages waiting for Bộ Nội vụ (acknowledged as read), each checked to carry a valid seal."""
    found = []
    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as ministry:
        for item in await ministry.getReceivedEdocList("status"):
            raw = await ministry.getEdoc(item.doc_id)
            assert await status_refusal(settings, raw) is None, "our status messages carry a valid package seal"
            message = parse(raw)
            assert isinstance(message, StatusMessage)
            found.append(message)
            await ministry.updateStatus(item.doc_id, "done")
    return found
