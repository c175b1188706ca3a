"""The signer block of a document as the standard names it (domain.md §3.2, §4.3; edXML ``SignerInfo``).

``Competence`` is the signing-authority prefix followed by whom it signs for: the collective body for
``TM.`` (``TM. ỦY BAN NHÂN DÂN``), the head's title otherwise (``KT. CHỦ TỊCH``, ``TL. GIÁM ĐỐC``,
``Q. CHỦ TỊCH``); empty when the head signs in their own name. The head's title and the collective's
name come from the agency, or from its level when the administrator left them empty. Every screen,
register and package of ours shows the block through :func:`signer_title`, so sender and recipient
read the same words.
"""

from __future__ import annotations

from backend.db.models import Agency, AgencyLevel

__all__ = ["DEFAULT_COLLECTIVE", "DEFAULT_HEAD_TITLE", "collective_of", "competence", "head_title_of", "signer_title"]

DEFAULT_HEAD_TITLE: dict[AgencyLevel, str] = {
    AgencyLevel.PROVINCE: "Chủ tịch", AgencyLevel.DISTRICT: "Chủ tịch", AgencyLevel.COMMUNE: "Chủ tịch",
    AgencyLevel.DEPARTMENT: "Giám đốc", AgencyLevel.OTHER: "Thủ trưởng"}
"""The head of a People's Committee is its chairman, of a department its director [C: ND 30 PL I §II.7]."""

DEFAULT_COLLECTIVE: dict[AgencyLevel, str] = {
    AgencyLevel.PROVINCE: "Ủy ban nhân dân", AgencyLevel.DISTRICT: "Ủy ban nhân dân",
    AgencyLevel.COMMUNE: "Ủy ban nhân dân"}
"""People's Committees are collective bodies; a department is not (its ``TM.`` names the agency itself)."""


def head_title_of(agency: Agency) -> str:
    return agency.head_title.strip() or DEFAULT_HEAD_TITLE.get(AgencyLevel(agency.level), "Thủ trưởng")


def collective_of(agency: Agency) -> str:
    return agency.collective_name.strip() or DEFAULT_COLLECTIVE.get(AgencyLevel(agency.level), agency.name)


def competence(authority: str, agency: Agency) -> str:
    """``KT.`` of a commune → ``KT. CHỦ TỊCH``; ``TM.`` → ``TM. ỦY BAN NHÂN DÂN``; no prefix → ``""``."""
    prefix = authority.strip().upper()
    if not prefix:
        return ""
    whom = collective_of(agency) if prefix == "TM." else head_title_of(agency)
    return f"{prefix} {whom.upper()}"


def signer_title(competence_text: str, position: str) -> str:
    """The block's title lines on one line: ``KT. CHỦ TỊCH / Phó Chủ tịch`` (either part may be empty)."""
    return " / ".join(part for part in (competence_text.strip(), position.strip()) if part)
