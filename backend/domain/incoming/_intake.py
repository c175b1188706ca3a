"""Validation of the intake form and duplicate detection (domain.md §4.4, §3.4, §5.7).

``validate_intake`` collects every problem at once into ``field_errors`` so that the form can be
re-rendered with everything the clerk typed. ``find_duplicates`` looks for the same (number,
symbol, issuing agency) or the same document identifier in the agency's register, compared
case- and accent-insensitively.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, Confidentiality, DocumentSource, DocumentType, IncomingDocument, Urgency
from backend.domain.incoming.schemas import IntakeData, IntakeForm
from backend.lib.bounds import parse_id
from backend.lib.forms import parse_date
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = ["OWN_RECENT_MINUTES", "find_duplicates", "is_confidential", "own_recent", "parse_date", "search_text_for",
           "validate_intake"]

_LIMITS = {"code_number": 11, "code_notation": 30, "issuer_name": 200, "summary": 500, "signer_position": 100,
           "signer_name": 50, "document_identifier": 100, "description": 500}


def is_confidential(form: IntakeForm) -> bool:
    """True for Mật / Tối mật / Tuyệt mật (and any unknown level: refuse rather than guess)."""
    return clean(form.confidentiality) not in ("", Confidentiality.NONE.value)


def _int_or_none(raw: str) -> int | None:
    return parse_id(raw)


async def validate_intake(db: AsyncSession, agency_id: int, form: IntakeForm, today: date) -> tuple[
        IntakeData | None, dict[str, str]]:
    """Validated data, or ``None`` and the errors per field."""
    errors: dict[str, str] = {}
    values = {name: clean(getattr(form, name)) for name in _LIMITS}
    for name, limit in _LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = t("incoming.field.too_long", limit=limit)
    type_id = _int_or_none(form.document_type_id)
    doc_type = await db.get(DocumentType, type_id) if type_id else None
    if doc_type is None or not doc_type.is_active or doc_type.agency_id not in (None, agency_id):
        errors["document_type_id"] = t("incoming.field.type_required")
    for name in ("code_number", "code_notation", "summary", "signer_name"):
        if not values[name] and name not in errors:
            errors[name] = t(f"incoming.field.{name}_required")
    issuer_agency_id = _int_or_none(form.issuer_agency_id)
    issuer_name = values["issuer_name"]
    if issuer_agency_id is None and form.issuer_agency_id.strip():
        errors["issuer_agency_id"] = t("incoming.field.issuer_unknown")
    elif issuer_agency_id is not None:
        issuer = await db.get(Agency, issuer_agency_id)
        if issuer is None or not issuer.is_active:
            errors["issuer_agency_id"] = t("incoming.field.issuer_unknown")
        else:
            issuer_name = issuer.name
    if not issuer_name and "issuer_name" not in errors:
        errors["issuer_name"] = t("incoming.field.issuer_required")
    issued_on = parse_date(form.issued_on)
    if issued_on is None:
        errors["issued_on"] = t("incoming.field.issued_on_required")
    elif issued_on > today:
        errors["issued_on"] = t("incoming.field.issued_on_future")
    reply_by_on = parse_date(form.reply_by_on)
    if form.reply_by_on.strip() and reply_by_on is None:
        errors["reply_by_on"] = t("incoming.field.date_invalid")
    elif reply_by_on and issued_on and reply_by_on < issued_on:
        errors["reply_by_on"] = t("incoming.field.reply_before_issue")
    if form.urgency not in {u.value for u in Urgency}:
        errors["urgency"] = t("incoming.field.choice_invalid")
    if form.source not in {s.value for s in DocumentSource}:
        errors["source"] = t("incoming.field.choice_invalid")
    if errors or doc_type is None or issued_on is None:
        return None, errors
    return IntakeData(
        document_type_id=doc_type.id,
        code_number=values["code_number"],
        code_notation=values["code_notation"],
        issuer_name=issuer_name,
        issuer_agency_id=issuer_agency_id,
        issued_on=issued_on,
        summary=values["summary"],
        signer_position=values["signer_position"],
        signer_name=values["signer_name"],
        urgency=Urgency(form.urgency),
        source=DocumentSource(form.source),
        reply_by_on=reply_by_on,
        document_identifier=values["document_identifier"] or None,
        description=values["description"],
    ), {}


def search_text_for(doc: IncomingDocument) -> str:
    """Accent-folded text searched by the list filter and ``/search``."""
    parts = [f"{doc.code_number}/{doc.code_notation}", doc.issuer_name, doc.summary, doc.signer_name,
             doc.document_identifier or "", str(doc.arrival_number or "")]
    return fold(" ".join(parts))


OWN_RECENT_MINUTES = 60
"""A duplicate the same clerk took in within this many minutes is recognised as their own (issue 11 item 4)."""


def own_recent(duplicates: Sequence[IncomingDocument], user_id: int, now: datetime) -> list[int]:
    """Ids of the duplicates ``user_id`` took in during the last :data:`OWN_RECENT_MINUTES` minutes: the
    same paper sent twice (a double tap, a back button), not another document with the same number."""
    since = now - timedelta(minutes=OWN_RECENT_MINUTES)
    return [d.id for d in duplicates
            if user_id in (d.received_by_id, d.registered_by_id) and d.received_at >= since]


async def find_duplicates(db: AsyncSession, agency_id: int, data: IntakeData) -> Sequence[IncomingDocument]:
    """Documents of the agency's register with the same triple or the same document identifier."""
    number, notation, issuer = fold(data.code_number), fold(data.code_notation), fold(data.issuer_name)
    candidates = (await db.scalars(
        sa.select(IncomingDocument).where(IncomingDocument.agency_id == agency_id, sa.or_(
            sa.func.lower(IncomingDocument.code_number) == data.code_number.lower(),
            IncomingDocument.document_identifier == data.document_identifier if data.document_identifier
            else sa.false(),
        )).order_by(IncomingDocument.id)
    )).all()
    found = []
    for doc in candidates:
        same_triple = (fold(doc.code_number) == number and fold(doc.code_notation) == notation
                       and fold(doc.issuer_name) == issuer)
        same_identifier = bool(data.document_identifier) and doc.document_identifier == data.document_identifier
        if same_triple or same_identifier:
            found.append(doc)
    return found
