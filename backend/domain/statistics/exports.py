"""The statistics table and the compliance report as XLSX (via :mod:`backend.lib.tabular`)."""

from __future__ import annotations

from backend.domain.statistics.compliance import ComplianceReport
from backend.domain.statistics.figures import AgencyFigures
from backend.domain.statistics.period import Period
from backend.lib.i18n import t
from backend.lib.tabular import xlsx_bytes

__all__ = ["agencies_xlsx", "compliance_cells", "compliance_xlsx", "figure_cells"]


def figure_cells(row: AgencyFigures) -> list[str | int]:
    """One agency's line in the order of ``statistics.report.agencies_columns``."""
    i, o = row.incoming, row.outgoing
    return [row.name, i.received, i.via_platform, i.via_axis, i.via_email, i.on_paper, i.registered_on_time,
            i.registered_late, i.clerk_sla_met, i.clerk_sla_breached, i.verification_failed, i.recalled_by_sender,
            o.issued, o.signed, o.unsigned, o.with_paper_copy, o.paper_only, o.issued_on_time, o.issued_late,
            o.recalled, i.handled_on_time, i.handled_late, i.overdue, i.open_not_due]


def agencies_xlsx(rows: list[AgencyFigures], summed: AgencyFigures, period: Period) -> bytes:
    """Every agency's figures, then the total."""
    headings = t("statistics.report.agencies_columns").split("|")
    return xlsx_bytes("Thong ke", t("statistics.report.agencies_title", period=period.label), headings,
                      [figure_cells(row) for row in [*rows, summed]], [36] + [10] * (len(headings) - 1))


def compliance_cells(report: ComplianceReport) -> list[list[str | int]]:
    """The report's rows in the order of ``statistics.report.compliance_columns``."""
    return [[r.rank, r.name, r.received_electronic, r.received_paper, r.issued_electronic, r.issued_paper_only,
             r.issued_unsigned, r.paper_copy_unneeded, r.paper_copy_missing, r.registered_late, r.issued_late,
             "" if r.score is None else f"{r.score:.1f}"] for r in report.rows]


def compliance_xlsx(report: ComplianceReport, period: Period) -> bytes:
    """The ranked compliance table."""
    headings = t("statistics.report.compliance_columns").split("|")
    return xlsx_bytes("Tuan thu", t("statistics.report.compliance_title", period=period.label), headings,
                      compliance_cells(report), [6, 36] + [11] * (len(headings) - 2))
