"""What the statistics and report charts show, computed once from the figures for every way of drawing them.

The pages draw these as SVG (:func:`.charts.svg`); the printable compliance report draws the same
data with PDF primitives (:mod:`.compliance_pdf`), so the page and the PDF cannot disagree.
"""

from __future__ import annotations

from backend.domain.statistics.charts import Bars, Chart, Stacked
from backend.domain.statistics.compliance import ComplianceReport
from backend.domain.statistics.figures import AgencyFigures, share
from backend.lib.i18n import t

__all__ = ["compliance_charts", "overview_charts"]

ELECTRONIC, PAPER, WARN, BAD = "#1d4ed8", "#9ca3af", "#d97706", "#b91c1c"
TOP = 10
"""How many agencies the ranking charts show."""


def _label(key: str) -> str:
    return t(f"statistics.chart.{key}")


def overview_charts(figures: AgencyFigures) -> list[Chart]:
    """The received/issued split and the handling of a total or of one agency."""
    i, o = figures.incoming, figures.outgoing
    return [
        Stacked(_label("incoming"), [
            (_label("platform"), i.via_platform, "#0f766e"), (_label("axis"), i.via_axis, ELECTRONIC),
            (_label("email"), i.via_email, "#7c3aed"), (_label("paper"), i.on_paper, PAPER)]),
        Bars(_label("outgoing_share"), [
            (_label("signed"), share(o.signed, o.issued)), (_label("with_paper"), share(o.with_paper_copy, o.issued)),
            (_label("paper_only"), share(o.paper_only, o.issued)), (_label("unsigned"), share(o.unsigned, o.issued))]),
        Stacked(_label("handling"), [
            (_label("on_time"), i.handled_on_time, "#15803d"), (_label("late"), i.handled_late, WARN),
            (_label("overdue"), i.overdue, BAD), (_label("open"), i.open_not_due, PAPER)]),
    ]


def compliance_charts(total: AgencyFigures, report: ComplianceReport) -> list[Chart]:
    """The compliance report's charts: the total's received/issued split, the lowest scores, the most electronic."""
    ranked = [r for r in report.rows if r.score is not None]
    worst = Bars(_label("lowest_scores"), [(r.name, r.score or 0.0) for r in ranked[-TOP:][::-1]], colour=BAD)
    best = sorted(ranked, key=lambda r: -r.electronic_share)[:TOP]
    electronic = Bars(_label("highest_share"), [(r.name, r.electronic_share) for r in best])
    return [*overview_charts(total)[:2], worst, electronic]
