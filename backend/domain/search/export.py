"""Search results as a table for CSV/XLSX (``backend.lib.tabular``)."""

from __future__ import annotations

from collections.abc import Sequence

from backend.domain.search.queries import Hit
from backend.lib.tabular import csv_bytes, xlsx_bytes

__all__ = ["HEADINGS", "as_csv", "as_xlsx", "rows"]

HEADINGS = ("STT", "Loại", "Số, ký hiệu", "Ngày", "Trích yếu", "Độ khẩn", "Trạng thái", "Nội dung tệp")
WIDTHS = (6, 14, 20, 12, 60, 12, 16, 20)


def rows(hits: Sequence[Hit]) -> list[list[str]]:
    return [[str(index), hit.kind_label, hit.reference, hit.doc_date.strftime("%d/%m/%Y"), hit.title,
             hit.urgency_label, hit.state_label, hit.content_label] for index, hit in enumerate(hits, 1)]


def as_csv(hits: Sequence[Hit]) -> bytes:
    return csv_bytes(HEADINGS, rows(hits))


def as_xlsx(hits: Sequence[Hit], title: str) -> bytes:
    return xlsx_bytes("Kết quả tìm kiếm", title, HEADINGS, rows(hits), WIDTHS)
