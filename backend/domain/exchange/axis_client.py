"""Client of the national document axis (Trục liên thông văn bản quốc gia, VXP) or of an LGSP.

The axis is store-and-forward: a connected system authenticates with its system id and secret on
every call and uses six operations, named here exactly as the axis names them:

* ``getAgenciesList`` -- the agencies connected to the axis (QCVN 102 code, QĐ 20/2020 identifier);
* ``sendEdoc`` -- send one .edxml package (``from``, ``servicetype`` ``eDoc``, ``messagetype``
  ``edoc`` or ``status``); the axis answers with its document id;
* ``getReceivedEdocList`` -- the packages waiting for us, of one message type;
* ``getEdoc`` -- download one package;
* ``updateStatus`` -- acknowledge a package (``processing``, ``done`` or ``fail``); until ``done``
  or ``fail`` the axis offers it again (delivery is at least once);
* ``getSentEdocList`` -- the delivery state of what we sent, per recipient.

Every call is an HTTP ``POST {AXIS_URL}/{operation}`` with the credentials in the ``systemid`` and
``secret`` headers and the parameters in headers of the same names as the axis's (the package
itself as a multipart ``file``); answers are JSON ``{"status": "OK" | "FAIL", "errorCode",
"errorDesc", ...}`` except ``getEdoc``, which answers with the package bytes. Package bytes are
opaque here (the edXML builder and parser are another module's job).

Failures are typed: :class:`AxisTransientError` (network, time-out, 5xx, 429 -- the outbox retries
with backoff) and :class:`AxisPermanentError` (refused credentials, bad request, unknown document
-- retrying cannot help; the caller stops and tells a person). The secret never appears in a log
line, an exception message or the client's ``repr``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

import httpx

from backend.config.settings import Settings

__all__ = ["AckStatus", "AxisAgency", "AxisAuthError", "AxisClient", "AxisError", "AxisNotConfigured",
           "AxisPermanentError", "AxisTransientError", "MessageType", "ReceivedEdoc", "SentEdoc", "SentRecipient"]

log = logging.getLogger("congvan.exchange.axis")

MessageType = Literal["edoc", "status"]
AckStatus = Literal["processing", "done", "fail"]
SERVICE_TYPE = "eDoc"
MESSAGE_TYPES: tuple[str, ...] = ("edoc", "status")
ACK_STATUSES: tuple[str, ...] = ("processing", "done", "fail")


class AxisError(Exception):
    """A call to the axis failed; ``operation`` names the call, ``code`` the axis's error code."""

    transient = False

    def __init__(self, operation: str, message: str, code: str = "") -> None:
        super().__init__(f"{operation}: {message}" + (f" [{code}]" if code else ""))
        self.operation, self.message, self.code = operation, message, code


class AxisTransientError(AxisError):
    """The axis could not be reached or failed on its side: try again later."""

    transient = True


class AxisPermanentError(AxisError):
    """The axis refused the call: the same call will be refused again."""


class AxisAuthError(AxisPermanentError):
    """The axis refused our system id and secret."""


class AxisNotConfigured(AxisPermanentError):
    """``AXIS_URL`` is not set: this deployment is not connected to an axis."""


@dataclass(frozen=True, slots=True)
class AxisAgency:
    """One agency of ``getAgenciesList``: QCVN 102 code, QĐ 20/2020 35-character identifier, name, parent code."""

    code: str
    identifier: str
    name: str
    parent_code: str = ""


@dataclass(frozen=True, slots=True)
class ReceivedEdoc:
    """A package waiting for us (``getReceivedEdocList``); ``status`` is our last acknowledgement."""

    doc_id: str
    sender: str
    message_type: str
    created: str
    status: str


@dataclass(frozen=True, slots=True)
class SentRecipient:
    code: str
    status: str


@dataclass(frozen=True, slots=True)
class SentEdoc:
    """A package we sent (``getSentEdocList``) with each recipient's acknowledgement."""

    doc_id: str
    sender: str
    message_type: str
    created: str
    recipients: tuple[SentRecipient, ...] = field(default=())


def _str(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value)


class AxisClient:
    """Async client of one axis endpoint; use as ``async with AxisClient.from_settings(settings) as axis:``."""

    def __init__(self, url: str, system_id: str, secret: str, *, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._url = url.rstrip("/")
        self._system_id = system_id
        self._secret = secret
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    @classmethod
    def from_settings(cls, settings: Settings) -> AxisClient:
        """The client configured by ``AXIS_URL`` / ``AXIS_SYSTEM_ID`` / ``AXIS_SECRET``."""
        if not settings.axis_url:
            raise AxisNotConfigured("config", "AXIS_URL is not set")
        return cls(settings.axis_url, settings.axis_system_id, settings.axis_secret,
                   timeout=settings.axis_timeout_seconds)

    def __repr__(self) -> str:
        return f"AxisClient(url={self._url!r}, system_id={self._system_id!r}, secret=***)"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, operation: str, headers: Mapping[str, str] | None = None,
                    files: Mapping[str, tuple[str, bytes, str]] | None = None) -> httpx.Response:
        """POST one operation; non-success answers become typed errors (the secret is never in them)."""
        sent = {"systemid": self._system_id, "secret": self._secret, **(headers or {})}
        try:
            response = await self._http.post(f"{self._url}/{operation}", headers=sent, files=files)
        except httpx.TimeoutException as exc:
            raise AxisTransientError(operation, f"time-out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise AxisTransientError(operation, f"unreachable ({type(exc).__name__})") from None
        log.info("axis %s -> HTTP %s", operation, response.status_code)
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise AxisTransientError(operation, f"HTTP {response.status_code}")
        if response.status_code >= 400 or response.headers.get("content-type", "").startswith("application/json"):
            self._check(operation, response)
        return response

    @staticmethod
    def _check(operation: str, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.status_code < 400 and body.get("status") == "OK":
            return
        code, desc = _str(body, "errorCode"), _str(body, "errorDesc")[:300] or f"HTTP {response.status_code}"
        if response.status_code in (401, 403):
            raise AxisAuthError(operation, desc, code)
        raise AxisPermanentError(operation, desc, code)

    async def getAgenciesList(self) -> list[AxisAgency]:  # noqa: N802 - the axis's operation name
        """The agencies connected to the axis."""
        body = (await self._call("getAgenciesList")).json()
        return [AxisAgency(code=_str(item, "code"), identifier=_str(item, "id"), name=_str(item, "name"),
                           parent_code=_str(item, "parentCode"))
                for item in body.get("data") or [] if isinstance(item, dict) and _str(item, "code")]

    async def sendEdoc(self, sender: str, package: bytes, *,  # noqa: N802 - the axis's operation name
                       messagetype: MessageType = "edoc", filename: str = "package.edxml") -> str:
        """Send one package from agency code ``sender``; the axis document id."""
        if messagetype not in MESSAGE_TYPES:
            raise AxisPermanentError("sendEdoc", f"unknown messagetype {messagetype!r}")
        response = await self._call("sendEdoc", {"from": sender, "servicetype": SERVICE_TYPE,
                                                 "messagetype": messagetype},
                                    files={"file": (filename, package, "application/xml")})
        doc_id = _str(response.json(), "docId")
        if not doc_id:
            raise AxisPermanentError("sendEdoc", "no document id in the answer")
        return doc_id

    async def getReceivedEdocList(self, messagetype: MessageType = "edoc") -> list[ReceivedEdoc]:  # noqa: N802
        """Packages of ``messagetype`` waiting for us (offered until acknowledged ``done`` or ``fail``)."""
        body = (await self._call("getReceivedEdocList", {"messagetype": messagetype})).json()
        return [ReceivedEdoc(doc_id=_str(item, "docId"), sender=_str(item, "from"),
                             message_type=_str(item, "messagetype"), created=_str(item, "created"),
                             status=_str(item, "status"))
                for item in body.get("data") or [] if isinstance(item, dict) and _str(item, "docId")]

    async def getEdoc(self, doc_id: str) -> bytes:  # noqa: N802 - the axis's operation name
        """The package ``doc_id`` as the sender sent it."""
        response = await self._call("getEdoc", {"docid": doc_id})
        if response.headers.get("content-type", "").startswith("application/json"):
            raise AxisPermanentError("getEdoc", "no package in the answer")
        return response.content

    async def updateStatus(self, doc_id: str, status: AckStatus) -> None:  # noqa: N802
        """Acknowledge ``doc_id``: ``processing`` (downloaded), ``done`` (stored), ``fail`` (refused)."""
        if status not in ACK_STATUSES:
            raise AxisPermanentError("updateStatus", f"unknown status {status!r}")
        await self._call("updateStatus", {"docid": doc_id, "status": status})

    async def getSentEdocList(self) -> list[SentEdoc]:  # noqa: N802 - the axis's operation name
        """What we sent, with each recipient's acknowledgement."""
        body = (await self._call("getSentEdocList")).json()
        result = []
        for item in body.get("data") or []:
            if not isinstance(item, dict):
                continue
            recipients = tuple(SentRecipient(_str(r, "code"), _str(r, "status"))
                               for r in item.get("to") or [] if isinstance(r, dict))
            result.append(SentEdoc(doc_id=_str(item, "docId"), sender=_str(item, "from"),
                                   message_type=_str(item, "messagetype"), created=_str(item, "created"),
                                   recipients=recipients))
        return result
