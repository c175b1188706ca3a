"""What a push carries and how it is labelled: urgency header, topic, a payload under 1 KB.

Urgency levels come from the document (domain.md §3.3): Hỏa tốc and Thượng khẩn map to the
``Urgency: high`` header, Khẩn to ``normal``; informational messages go ``low``. Every level of
"văn bản khẩn" (Khẩn and above) also bypasses quiet hours. The ``Topic`` names the document, so
several pushes about one document collapse into the latest at the push service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_PAYLOAD_BYTES", "PushMessage", "encode_message", "is_urgent", "topic_for", "urgency_header"]

MAX_PAYLOAD_BYTES = 1000
_HIGH = {"hoa_toc", "hoa_toc_hen_gio", "thuong_khan"}
_URGENT = _HIGH | {"khan"}
_TOPIC_OK = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One push, before encryption."""

    title: str
    body: str
    url: str
    tag: str
    urgent: bool


def _level(payload: dict[str, Any]) -> str:
    return str(payload.get("urgency") or "").strip().lower()


def is_urgent(payload: dict[str, Any]) -> bool:
    """True for urgent documents (Khẩn, Thượng khẩn, Hỏa tốc) or payloads flagged ``urgent``."""
    return bool(payload.get("urgent")) or _level(payload) in _URGENT


def urgency_header(payload: dict[str, Any]) -> str:
    """RFC 8030 ``Urgency`` for a ``notification.create`` payload."""
    level = _level(payload)
    if level in _HIGH or (payload.get("urgent") and level not in _URGENT):
        return "high"
    if level == "khan":
        return "normal"
    return "low" if payload.get("informational") else "normal"


def topic_for(url: str, fallback: str) -> str:
    """A ``Topic`` (≤ 32 URL-safe base64 characters) naming the document behind ``url``."""
    path = url.split("?", 1)[0].split("#", 1)[0].strip("/")
    if not path:
        return fallback[:32]
    topic = _TOPIC_OK.sub("-", path).strip("-")
    if len(topic) <= 32:
        return topic
    digest = base64.urlsafe_b64encode(hashlib.sha256(path.encode()).digest()).decode().rstrip("=")
    return digest[:32]


def _json(message: PushMessage) -> bytes:
    data = {"title": message.title, "body": message.body, "url": message.url, "tag": message.tag,
            "urgent": message.urgent}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_message(message: PushMessage) -> bytes:
    """The JSON payload, with body then title shortened (on a character boundary) to stay < 1 KB."""
    encoded = _json(message)
    body, title = message.body, message.title
    while len(encoded) > MAX_PAYLOAD_BYTES and body:
        body = body[: max(len(body) - max((len(encoded) - MAX_PAYLOAD_BYTES) // 2, 8), 0)].rstrip()
        shortened = PushMessage(title, body + "…" if body else "", message.url, message.tag, message.urgent)
        encoded = _json(shortened)
    while len(encoded) > MAX_PAYLOAD_BYTES and len(title) > 20:
        title = title[: len(title) - 20]
        encoded = _json(PushMessage(title + "…", "", message.url[:300], message.tag, message.urgent))
    return encoded
