"""Quiet hours (explicit instants), urgency mapping, topics and the 1 KB payload limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pytest

from backend.domain.push.payload import PushMessage, encode_message, is_urgent, topic_for, urgency_header
from backend.domain.push.quiet import quiet_until

NIGHT = (time(21, 0), time(6, 30))


def vn(hour: int, minute: int = 0, day: int = 10) -> datetime:
    """An instant given in Vietnam time (UTC+7, no DST)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC).replace(hour=(hour - 7) % 24,
                                                                     day=day if hour >= 7 else day - 1)


@pytest.mark.parametrize(("moment", "expected"), [
    (vn(20, 59), None),
    (vn(21, 0), vn(6, 30, day=11)),
    (vn(23, 45), vn(6, 30, day=11)),
    (vn(2, 15), vn(6, 30)),
    (vn(6, 29), vn(6, 30)),
    (vn(6, 30), None),
    (vn(12, 0), None),
])
def test_quiet_hours_defer_non_urgent_pushes_to_the_end_of_the_window(moment, expected) -> None:
    assert quiet_until(moment, NIGHT) == expected


def test_quiet_hours_never_defer_urgent_pushes() -> None:
    assert quiet_until(vn(23, 0), NIGHT, urgent=True) is None
    assert quiet_until(vn(3, 0), NIGHT, urgent=True) is None


def test_quiet_window_within_one_day_and_disabled() -> None:
    lunch = (time(11, 30), time(13, 30))
    assert quiet_until(vn(12, 0), lunch) == vn(13, 30)
    assert quiet_until(vn(14, 0), lunch) is None
    assert quiet_until(vn(23, 0), None) is None


@pytest.mark.parametrize(("payload", "header", "urgent"), [
    ({"urgency": "hoa_toc"}, "high", True),
    ({"urgency": "thuong_khan"}, "high", True),
    ({"urgency": "khan"}, "normal", True),
    ({"urgency": "normal"}, "normal", False),
    ({"urgent": True}, "high", True),
    ({"informational": True}, "low", False),
    ({}, "normal", False),
])
def test_urgency_header_follows_document_urgency(payload, header, urgent) -> None:
    assert urgency_header(payload) == header and is_urgent(payload) is urgent


def test_topic_names_the_document_and_fits_32_characters() -> None:
    assert topic_for("/incoming/42", "n-1") == "incoming-42"
    assert topic_for("/incoming/42?tab=notes#x", "n-1") == "incoming-42"
    assert topic_for("", "n-7") == "n-7"
    long = topic_for("/outgoing/123456789/review/comments/long-path", "n-1")
    assert len(long) <= 32 and set(long) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_payload_stays_under_one_kilobyte_with_vietnamese_text() -> None:
    body = "Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành khẩn trương triển khai " * 40
    encoded = encode_message(PushMessage("Hỏa tốc: " + "Công điện " * 30, body, "/incoming/1", "incoming-1", True))
    assert len(encoded) <= 1000
    data = json.loads(encoded)
    assert data["url"] == "/incoming/1" and data["body"].endswith("…") and data["urgent"] is True
