"""A stand-in push service on loopback, and a test device with real P-256 keys (RFC 8291).

The receiver records every POST (headers, encrypted body, arrival time) and answers with scripted
status codes (default 201). ``TestDevice`` decrypts aes128gcm bodies with ``http_ece``;
``verify_vapid`` checks the ``Authorization: vapid t=…, k=…`` header like a push service would:
ES256 signature over the JWT with the key in ``k``, ``aud`` = the receiver's origin, ``exp`` ahead.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

__all__ = ["PushReceiver", "Received", "TestDevice", "b64url", "b64url_decode", "verify_vapid"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class PushReceiver:
    """``with PushReceiver() as receiver:`` … ``receiver.endpoint("a")`` … ``receiver.requests``."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._script: dict[str, deque[int]] = defaultdict(deque)
        self._held: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body, time.time()))
                    script = receiver._script[self.path]
                    status = script.popleft() if script else 201
                    gate = receiver._held.pop(self.path, None)
                if gate is not None:
                    gate.wait(timeout=120)
                try:
                    self._answer(status)
                except OSError:  # the sender died while the answer was held
                    self.close_connection = True

            def _answer(self, status: int) -> None:
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def respond(self, name: str, *statuses: int) -> None:
        """The next POSTs to ``endpoint(name)`` get these statuses (then 201)."""
        self._script[f"/push/{name}"].extend(statuses)

    def hold(self, name: str) -> threading.Event:
        """The next POST to ``endpoint(name)`` is recorded but not answered until the returned event is set."""
        gate = threading.Event()
        self._held[f"/push/{name}"] = gate
        return gate

    def to(self, name: str) -> list[Received]:
        return [r for r in self.requests if r.path == f"/push/{name}"]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        deadline = time.time() + timeout
        while len(self.requests) < count and time.time() < deadline:
            time.sleep(0.02)
        return list(self.requests)

    def __enter__(self) -> PushReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


class TestDevice:
    """A browser's push keys: ``subscription(endpoint)`` to register, ``decrypt(body)`` to read."""

    __test__ = False

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                          serialization.PublicFormat.UncompressedPoint)
        self.p256dh = b64url(raw)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


def verify_vapid(authorization: str, audience: str, public_key: str) -> dict[str, Any]:
    """The JWT claims, after checking the signature, ``k``, ``aud`` and ``exp`` (AssertionError otherwise)."""
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid", authorization
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    assert parts["k"] == public_key.rstrip("=")
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    signature = b64url_decode(signature_b64)
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(parts["k"]))
    key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    assert json.loads(b64url_decode(header_b64))["alg"] == "ES256"
    claims = json.loads(b64url_decode(claims_b64))
    assert claims["aud"] == audience, claims
    assert claims["exp"] > time.time() and claims["sub"].startswith(("mailto:", "https://"))
    return claims
