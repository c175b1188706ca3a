"""A stand-in for the national document axis (VXP), for tests and the demo: a test double, kept small.

``python -m backend axis-standin --port 8710 [--config FILE]`` serves the six axis operations that
:mod:`backend.domain.exchange.axis_client` calls, with the same names and semantics and state in
memory:

* systems authenticate on every call with ``systemid`` + ``secret``; each system serves one or more
  agency codes and may send only ``from`` one of them;
* ``sendEdoc`` stores the package and queues it for every recipient read from the package itself:
  ``To/OrganId`` of an ``edoc``, ``ResponseFor/OrganId`` of a ``status`` (a package naming no
  recipient, or one with a DTD, is refused);
* ``getReceivedEdocList`` offers every package queued for the caller's agencies whose
  acknowledgement is not ``done`` or ``fail`` (``processing`` is still offered): at least once;
* ``getSentEdocList`` reports, per recipient, the last acknowledgement (``pending`` before any).

The configuration file is JSON: ``{"systems": [{"id", "secret", "agencies": [code, ...]}],
"agencies": [{"code", "id", "name", "parentCode"}]}``; without one a two-province demo is served
(see ``docs/exchange-axis.md``).
"""

from __future__ import annotations

import json
import secrets
import threading
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath

__all__ = ["DEMO_CONFIG", "AxisState", "create_standin", "run_standin"]

MAX_PACKAGE_BYTES = 60 * 1024 * 1024

DEMO_CONFIG: dict[str, Any] = {
    "systems": [
        {"id": "congvan-tinh-a", "secret": "demo-secret-a", "agencies": ["000.00.00.H53"]},
        {"id": "congvan-bo-noi-vu", "secret": "demo-secret-b", "agencies": ["000.00.00.G12"]},
    ],
    "agencies": [
        {"code": "000.00.00.G12", "id": "G12.000.000.000.000.000.000.000.000", "name": "Bộ Nội vụ", "parentCode": ""},
        {"code": "000.00.00.G22", "id": "G22.000.000.000.000.000.000.000.000", "name": "Văn phòng Chính phủ",
         "parentCode": ""},
        {"code": "000.00.00.H41", "id": "H41.000.000.000.000.000.000.000.000", "name": "UBND tỉnh Nghệ An",
         "parentCode": ""},
        {"code": "000.00.00.H53", "id": "H53.000.000.000.000.000.000.000.000", "name": "UBND tỉnh Tây Ninh",
         "parentCode": ""},
    ],
}


@dataclass
class Package:
    doc_id: str
    sender: str
    message_type: str
    created: str
    content: bytes
    acks: dict[str, str] = field(default_factory=dict)
    """Recipient code -> last acknowledgement (``pending`` until the recipient calls updateStatus)."""


@dataclass
class AxisState:
    """Systems, agencies and packages, guarded by one lock (the stand-in serves a handful of calls)."""

    systems: dict[str, tuple[str, frozenset[str]]]
    agencies: list[dict[str, str]]
    packages: dict[str, Package] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AxisState:
        systems = {str(s["id"]): (str(s["secret"]), frozenset(str(c) for c in s["agencies"]))
                   for s in config.get("systems", [])}
        agencies = [{"code": str(a["code"]), "id": str(a.get("id", "")), "name": str(a["name"]),
                     "parentCode": str(a.get("parentCode", ""))} for a in config.get("agencies", [])]
        return cls(systems=systems, agencies=agencies)


class Refused(Exception):
    def __init__(self, http_status: int, code: str, desc: str) -> None:
        super().__init__(desc)
        self.http_status, self.code, self.desc = http_status, code, desc


def _ok(**data: Any) -> Response[dict[str, Any]]:
    return Response({"status": "OK", "errorCode": "0", "errorDesc": "", **data})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def recipients_of(package: bytes, message_type: str) -> list[str]:
    """``To/OrganId`` (edoc) or ``ResponseFor/OrganId`` (status) codes of a package, in order."""
    if b"<!DOCTYPE" in package[:4096].upper() or b"<!ENTITY" in package.upper():
        raise Refused(400, "INVALID_PACKAGE", "DTD and entities are not accepted")
    try:
        root = ET.fromstring(package)
    except ET.ParseError as exc:
        raise Refused(400, "INVALID_PACKAGE", f"not well-formed XML: {exc}") from None
    parent_tag = "To" if message_type == "edoc" else "ResponseFor"
    codes: list[str] = []
    for element in root.iter():
        if _local(element.tag) != parent_tag:
            continue
        for child in element:
            code = (child.text or "").strip()
            if _local(child.tag) == "OrganId" and code and code not in codes:
                codes.append(code)
    return codes


def _system(state: AxisState, request: Request[Any, Any, Any]) -> frozenset[str]:
    """The agency codes of the authenticated system (401 when the id or the secret is wrong)."""
    system_id, secret = request.headers.get("systemid", ""), request.headers.get("secret", "")
    known = state.systems.get(system_id)
    if known is None or not secrets.compare_digest(known[0].encode(), secret.encode()):
        raise Refused(401, "UNAUTHORIZED", "system id or secret refused")
    return known[1]


async def _send(state: AxisState, request: Request[Any, Any, Any], own: frozenset[str]) -> Response[Any]:
    sender, message_type = request.headers.get("from", ""), request.headers.get("messagetype", "")
    if request.headers.get("servicetype", "") != "eDoc":
        raise Refused(400, "INVALID_SERVICETYPE", "servicetype must be eDoc")
    if message_type not in ("edoc", "status"):
        raise Refused(400, "INVALID_MESSAGETYPE", "messagetype must be edoc or status")
    if sender not in own:
        raise Refused(403, "FORBIDDEN_FROM", f"this system does not send for {sender!r}")
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Refused(400, "NO_FILE", "the package is missing (multipart field 'file')")
    content = await upload.read()
    if len(content) > MAX_PACKAGE_BYTES:
        raise Refused(413, "TOO_LARGE", "package larger than 60 MB")
    targets = recipients_of(content, message_type)
    if not targets:
        raise Refused(400, "NO_RECIPIENT", "the package names no recipient")
    known = {a["code"] for a in state.agencies} | {c for _, codes in state.systems.values() for c in codes}
    unknown = [code for code in targets if code not in known]
    if unknown:
        raise Refused(400, "UNKNOWN_RECIPIENT", f"unknown recipient {', '.join(unknown)}")
    doc_id = secrets.token_hex(16)
    with state.lock:
        state.packages[doc_id] = Package(doc_id, sender, message_type, datetime.now(UTC).isoformat(), content,
                                         dict.fromkeys(targets, "pending"))
    return _ok(docId=doc_id)


def _received(state: AxisState, own: frozenset[str], message_type: str) -> list[dict[str, str]]:
    with state.lock:
        return [{"docId": p.doc_id, "from": p.sender, "messagetype": p.message_type, "created": p.created,
                 "status": next(status for code, status in p.acks.items() if code in own)}
                for p in state.packages.values()
                if (not message_type or p.message_type == message_type)
                and any(code in own and status not in ("done", "fail") for code, status in p.acks.items())]


def _addressed(state: AxisState, own: frozenset[str], doc_id: str) -> Package:
    package = state.packages.get(doc_id)
    if package is None or not own.intersection(package.acks):
        raise Refused(404, "NOT_FOUND", "no such document for this system")
    return package


async def _dispatch(state: AxisState, operation: str, request: Request[Any, Any, Any]) -> Response[Any]:
    own = _system(state, request)
    if operation == "getAgenciesList":
        return _ok(data=list(state.agencies))
    if operation == "sendEdoc":
        return await _send(state, request, own)
    if operation == "getReceivedEdocList":
        return _ok(data=_received(state, own, request.headers.get("messagetype", "")))
    if operation == "getEdoc":
        package = _addressed(state, own, request.headers.get("docid", ""))
        return Response(package.content, media_type="application/xml")
    if operation == "updateStatus":
        status = request.headers.get("status", "")
        if status not in ("processing", "done", "fail"):
            raise Refused(400, "INVALID_STATUS", "status must be processing, done or fail")
        with state.lock:
            package = _addressed(state, own, request.headers.get("docid", ""))
            for code in own.intersection(package.acks):
                package.acks[code] = status
        return _ok()
    if operation == "getSentEdocList":
        with state.lock:
            sent = [{"docId": p.doc_id, "from": p.sender, "messagetype": p.message_type, "created": p.created,
                     "to": [{"code": code, "status": status} for code, status in p.acks.items()]}
                    for p in state.packages.values() if p.sender in own]
        return _ok(data=sent)
    raise Refused(404, "UNKNOWN_OPERATION", f"unknown operation {operation!r}")


def create_standin(config: Mapping[str, Any] | None = None) -> Litestar:
    """The stand-in as an ASGI app; its :class:`AxisState` is ``app.state.axis``."""
    state = AxisState.from_config(config if config is not None else DEMO_CONFIG)

    @post("/{operation:str}", status_code=200)
    async def operation_handler(operation: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
        try:
            return await _dispatch(state, operation, request)
        except Refused as exc:
            return Response({"status": "FAIL", "errorCode": exc.code, "errorDesc": exc.desc},
                            status_code=exc.http_status)

    app = Litestar(route_handlers=[operation_handler], request_max_body_size=MAX_PACKAGE_BYTES + 1024 * 1024)
    app.state.axis = state
    return app


def run_standin(port: int, config_file: Path | None, host: str = "127.0.0.1") -> int:
    """Serve the stand-in until interrupted (``python -m backend axis-standin``)."""
    import uvicorn

    config = json.loads(config_file.read_text(encoding="utf-8")) if config_file else None
    uvicorn.run(create_standin(config), host=host, port=port, log_level="warning")
    return 0

