"""Validation of the draft form (domain.md §4.3, §3.2, §3.4) and the search text of a document.

``validate_draft`` collects every problem at once into ``field_errors`` so the form can be
re-rendered with everything typed. Recipients are agencies of the platform (not the actor's own),
active agencies of the directory reached over the national axis, and active units of the actor's
agency; the signer must be an active person of the agency holding the role the signing-authority
prefix requires; an answered incoming document must be visible to the drafter; a document it
amends or replaces (Đ.18.3) must be an issued (or archived) document of the drafter's own agency
that the drafter can see.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Agency,
    Confidentiality,
    DirectoryAgency,
    DirectorySource,
    DocumentType,
    IncomingDocument,
    OutgoingDocument,
    RoleGrant,
    Unit,
    Urgency,
    User,
)
from backend.db.models.outgoing import ReplaceKind
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import visible_incoming
from backend.domain.outgoing.policies import AUTHORITIES, authority_roles, visible_outgoing
from backend.domain.outgoing.schemas import DraftData, DraftForm, as_list
from backend.domain.outgoing.states import PUBLISHED
from backend.lib.bounds import parse_id
from backend.lib.forms import parse_date
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = ["search_text_for", "validate_draft"]


def _ids(values: list[str] | str) -> list[int]:
    return sorted({n for v in as_list(values) if (n := parse_id(v))})


async def validate_draft(db: AsyncSession, actor: Actor, form: DraftForm, today: date) -> tuple[
        DraftData | None, dict[str, str]]:
    """Validated data, or ``None`` and the errors per field."""
    errors: dict[str, str] = {}
    summary, description = clean(form.summary), clean(form.description)
    if not summary:
        errors["summary"] = t("outgoing.field.summary_required")
    elif len(summary) > 500:
        errors["summary"] = t("outgoing.field.too_long", limit=500)
    if len(description) > 500:
        errors["description"] = t("outgoing.field.too_long", limit=500)
    if clean(form.confidentiality) not in ("", Confidentiality.NONE.value):
        errors["confidentiality"] = t("outgoing.field.confidential")
    type_id = parse_id(form.document_type_id)
    doc_type = await db.get(DocumentType, type_id) if type_id else None
    if doc_type is None or not doc_type.is_active or doc_type.agency_id not in (None, actor.agency_id):
        errors["document_type_id"] = t("outgoing.field.type_required")
    if form.urgency not in {u.value for u in Urgency}:
        errors["urgency"] = t("outgoing.field.choice_invalid")
    reply_by = parse_date(form.reply_by_on)
    if form.reply_by_on.strip() and (reply_by is None or reply_by < today):
        errors["reply_by_on"] = t("outgoing.field.reply_by_invalid")
    authority = form.signing_authority.strip().upper() if form.signing_authority.strip() else ""
    if authority not in AUTHORITIES:
        errors["signing_authority"] = t("outgoing.field.choice_invalid")
    signer = await db.get(User, signer_ref) if (signer_ref := parse_id(form.signer_id)) else None
    if signer is None or not signer.is_active:
        errors["signer_id"] = t("outgoing.field.signer_required")
    elif "signing_authority" not in errors:
        roles = set((await db.scalars(sa.select(RoleGrant.role).where(
            RoleGrant.user_id == signer.id, RoleGrant.agency_id == actor.agency_id))).all())
        if not roles.intersection(authority_roles(authority)):
            errors["signer_id"] = t("outgoing.field.signer_no_authority")
    agency_ids, unit_ids = _ids(form.recipient_agencies), _ids(form.recipient_units)
    if agency_ids:
        known = set((await db.scalars(sa.select(Agency.id).where(
            Agency.id.in_(agency_ids), Agency.is_active.is_(True), Agency.id != actor.agency_id))).all())
        if known != set(agency_ids):
            errors["recipient_agencies"] = t("outgoing.field.recipient_unknown")
    if unit_ids:
        known = set((await db.scalars(sa.select(Unit.id).where(
            Unit.id.in_(unit_ids), Unit.agency_id == actor.agency_id, Unit.is_active.is_(True)))).all())
        if known != set(unit_ids):
            errors["recipient_units"] = t("outgoing.field.recipient_unknown")
    axis_ids = _ids(form.recipient_axis)
    if axis_ids:
        known = set((await db.scalars(sa.select(DirectoryAgency.id).where(
            DirectoryAgency.id.in_(axis_ids), DirectoryAgency.source == DirectorySource.AXIS,
            DirectoryAgency.is_active.is_(True), DirectoryAgency.hidden.is_(False)))).all())
        if known != set(axis_ids):
            errors["recipient_agencies"] = t("outgoing.field.recipient_axis_unknown")
    if not agency_ids and not unit_ids and not axis_ids:
        errors["recipient_agencies"] = t("outgoing.field.recipients_required")
    reply_to = parse_id(form.reply_to_incoming_id)
    if reply_to is not None and await db.scalar(visible_incoming(actor).where(IncomingDocument.id == reply_to)) is None:
        errors["reply_to_incoming_id"] = t("outgoing.field.reply_unknown")
    replaces_id, replace_kind = await _correction(db, actor, form, errors)
    if errors or doc_type is None or signer is None:
        return None, errors
    return DraftData(
        document_type_id=doc_type.id, summary=summary, urgency=Urgency(form.urgency), reply_by_on=reply_by,
        signer_id=signer.id, signer_name=signer.full_name[:50], signer_position=signer.position_title[:100],
        signing_authority=authority, agency_ids=tuple(agency_ids), unit_ids=tuple(unit_ids),
        reply_to_incoming_id=reply_to, description=description, replaces_id=replaces_id, replace_kind=replace_kind,
        axis_ids=tuple(axis_ids),
    ), {}


async def _correction(db: AsyncSession, actor: Actor, form: DraftForm, errors: dict[str, str]) -> tuple[
        int | None, ReplaceKind | None]:
    """The earlier document amended or replaced and how, or ``(None, None)``; problems go into ``errors``."""
    raw = form.replaces_id.strip()
    if not raw:
        return None, None
    kind = form.replace_kind.strip()
    if kind not in {k.value for k in ReplaceKind}:
        errors["replace_kind"] = t("outgoing.field.replace_kind_required")
    target = parse_id(raw)
    found = target is not None and await db.scalar(visible_outgoing(actor).with_only_columns(OutgoingDocument.id)
                                                   .where(OutgoingDocument.id == target,
                                                          OutgoingDocument.state.in_(PUBLISHED))) is not None
    if not found:
        errors["replaces_id"] = t("outgoing.field.replaces_unknown")
    if "replace_kind" in errors or not found:
        return None, None
    return target, ReplaceKind(kind)


def search_text_for(doc: OutgoingDocument) -> str:
    """Accent-folded text searched by the list filter."""
    parts = [f"{doc.code_number}/{doc.code_notation}" if doc.code_number else "", doc.summary, doc.signer_name,
             doc.document_identifier or ""]
    return fold(" ".join(parts))
