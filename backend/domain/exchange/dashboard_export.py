"""The exchange dashboard's rows as CSV and XLSX (via :mod:`backend.lib.tabular`), one line per partner then the total.

Hours are numbers with one decimal (empty when no line reached the status), so a spreadsheet can
sort and sum them; the columns are those of ``exchange_dashboard.columns``.
"""

from __future__ import annotations

from backend.domain.exchange.dashboard import PartnerRow, Timing
from backend.domain.exchange.dashboard_service import Dashboard
from backend.lib.i18n import t
from backend.lib.tabular import csv_bytes, xlsx_bytes

__all__ = ["columns", "dashboard_csv", "dashboard_xlsx", "path_label", "row_cells"]

Cell = str | int | float


def columns() -> list[str]:
    """The export's headings."""
    return t("exchange_dashboard.columns").split("|")


def path_label(path: str) -> str:
    """``Nội tỉnh`` / ``Trục liên thông quốc gia`` (empty for the total)."""
    return t(f"exchange_dashboard.path.{path}") if path else ""


def _hours(timing: Timing) -> list[Cell]:
    return ["" if timing.median_hours is None else timing.median_hours,
            "" if timing.p90_hours is None else timing.p90_hours]


def row_cells(row: PartnerRow) -> list[Cell]:
    """One partner's (or the total's) line in the order of :func:`columns`."""
    return [row.name, path_label(row.path), row.sent, row.received, *_hours(row.to_arrived),
            *_hours(row.to_accepted), *_hours(row.to_done), row.ack_late, row.ack_missing, row.rejected,
            " | ".join(row.latest_reasons)]


def _title(data: Dashboard) -> str:
    return t("exchange_dashboard.title", scope=data.scope_name, period=data.period.label)


def dashboard_csv(data: Dashboard) -> bytes:
    """UTF-8 CSV (with a BOM): headings, the partners, the total."""
    return csv_bytes(columns(), [[str(cell) for cell in row_cells(row)] for row in [*data.rows, data.total]])


def dashboard_xlsx(data: Dashboard) -> bytes:
    """A workbook: the title, headings, the partners, the total."""
    return xlsx_bytes("Lien thong", _title(data), columns(), [row_cells(row) for row in [*data.rows, data.total]],
                      [36, 14, 8, 8, 10, 10, 10, 10, 10, 10, 10, 10, 8, 48])
