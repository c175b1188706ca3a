"""The monthly compliance report to the provincial People's Committee (Bà Rịa–Vũng Tàu pattern, issue 15 item 4).

Built from :func:`.figures.agency_figures` of the agencies in the actor's scope (the same live
figures as the statistics page). Per agency: documents received electronically or on paper,
issued electronically, paper only or unsigned, paper copies sent where the paper-copy list does
not require them and missing where it does, late registration and late issue. The score is the
share of the agency's documents (received + issued) with none of those problems; agencies are
ranked by score, then by volume; an agency without documents has no score and comes last.
The report also names the agencies behind each kind of problem, as the committee's letter does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from backend.domain.statistics.figures import AgencyFigures, share

__all__ = ["ComplianceReport", "ComplianceRow", "compliance_report"]


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """One agency's line of the report."""

    rank: int
    agency_id: int
    name: str
    received: int
    received_electronic: int
    received_paper: int
    issued: int
    issued_electronic: int
    issued_paper_only: int
    issued_unsigned: int
    paper_copy_unneeded: int
    paper_copy_missing: int
    registered_late: int
    issued_late: int
    documents: int
    noncompliant: int
    score: float | None
    """Percent of documents without a problem; ``None`` without documents."""
    electronic_share: float
    """Percent of received + issued documents that were electronic (not paper, not paper only)."""


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    """The ranked rows and the agencies named for each problem."""

    rows: list[ComplianceRow]
    paper_only: list[str]
    unneeded_paper: list[str]
    missing_paper: list[str]
    unsigned: list[str]
    received_paper: list[str]


def _row(figures: AgencyFigures) -> ComplianceRow:
    inc, out = figures.incoming, figures.outgoing
    electronic_in = inc.received - inc.on_paper
    electronic_out = out.issued - out.paper_only
    documents = inc.received + out.issued
    noncompliant = inc.noncompliant + out.noncompliant
    return ComplianceRow(
        rank=0, agency_id=figures.agency_id, name=figures.name, received=inc.received,
        received_electronic=electronic_in, received_paper=inc.on_paper, issued=out.issued,
        issued_electronic=electronic_out, issued_paper_only=out.paper_only, issued_unsigned=out.unsigned,
        paper_copy_unneeded=out.paper_copy_unneeded, paper_copy_missing=out.paper_copy_missing,
        registered_late=inc.registered_late, issued_late=out.issued_late, documents=documents,
        noncompliant=noncompliant, score=share(documents - noncompliant, documents) if documents else None,
        electronic_share=share(electronic_in + electronic_out, documents))


def compliance_report(figures: list[AgencyFigures]) -> ComplianceReport:
    """Rank the agencies (best first) and name those with each kind of problem."""
    rows = sorted((_row(f) for f in figures),
                  key=lambda r: (r.score is None, -(r.score or 0.0), -r.documents, r.name))
    ranked = [replace(r, rank=index) for index, r in enumerate(rows, start=1)]

    def named(attribute: str) -> list[str]:
        return [r.name for r in ranked if getattr(r, attribute)]

    return ComplianceReport(rows=ranked, paper_only=named("issued_paper_only"),
                            unneeded_paper=named("paper_copy_unneeded"), missing_paper=named("paper_copy_missing"),
                            unsigned=named("issued_unsigned"), received_paper=named("received_paper"))
