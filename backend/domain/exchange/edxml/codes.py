"""edXML code lists (domain.md §3.9, §16.3): business types, status codes, priorities.

Codes we do not know are kept as received (and logged by the parser), except a business type,
which decides what a package does and is therefore refused when unknown.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

__all__ = ["BusinessDocType", "Priority", "ReceiverType", "StatusCode", "status_label"]


class BusinessDocType(IntEnum):
    """``Bussiness/BussinessDocType`` (sic)."""

    NEW = 0
    RECALL = 1
    UPDATE = 2
    REPLACE = 3


class ReceiverType(IntEnum):
    """``ReceiverList/Receiver/ReceiverType`` of an update package."""

    REMOVED = 0
    ADDED = 1


class Priority(IntEnum):
    """``OtherInfo/Priority`` (độ khẩn)."""

    NORMAL = 0
    URGENT = 1
    VERY_URGENT = 2
    EXPRESS = 3
    EXPRESS_SCHEDULED = 4


class StatusCode(StrEnum):
    """``StatusCode`` of a status message (two characters)."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    DONE = "06"
    RECALL = "13"
    AGREED = "15"
    REFUSED = "16"


_LABELS = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REJECTED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận",
    StatusCode.ASSIGNED: "Phân công",
    StatusCode.PROCESSING: "Đang xử lý",
    StatusCode.DONE: "Hoàn thành",
    StatusCode.RECALL: "Thu hồi văn bản",
    StatusCode.AGREED: "Đồng ý thu hồi/cập nhật",
    StatusCode.REFUSED: "Từ chối thu hồi/cập nhật",
}


def status_label(code: str) -> str:
    """The Vietnamese meaning of a status code; the code itself when unknown."""
    try:
        return _LABELS[StatusCode(code)]
    except ValueError:
        return code
