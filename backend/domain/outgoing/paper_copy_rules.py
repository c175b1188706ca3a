"""Use cases of the paper-copy list page: list, add, deactivate/reactivate and delete rules.

The list is deployment-wide (domain.md §22): every administrator may read it, only an
administrator of the top-level agency (the province) may change it
(:func:`~backend.domain.organizations.policies.can_edit_deployment_lists`); others get
:class:`PermissionDeniedError`. A rule names a national document type (the ND 30 table, not an
agency's own types) or a keyword of at least :data:`KEYWORD_MIN` characters; duplicates are
compared accent- and case-insensitively, like the match at issue (:mod:`.paper_copy`). Every
change writes an audit row (``paper_copy_rule.created|deactivated|reactivated|deleted``) in the
same transaction, through the shared admin records (:mod:`backend.domain.admin.records`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.db.models import Agency, DocumentType, PaperCopyRule, PaperCopyRuleKind, User
from backend.domain.accounts.actor import Actor
from backend.domain.admin import validation as v
from backend.domain.admin.records import AuditedRecords, repository_for
from backend.domain.audit.services import RequestMeta
from backend.domain.organizations.policies import can_edit_deployment_lists
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.lib.bounds import parse_id
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = [
    "KEYWORD_MAX",
    "KEYWORD_MIN",
    "PaperCopyForm",
    "PaperCopyRuleItem",
    "can_edit",
    "create_rule",
    "delete_rule",
    "list_rules",
    "rule_label",
    "set_rule_active",
    "type_choices",
]

KEYWORD_MIN = 3
"""Shorter keywords would flag almost every document."""
KEYWORD_MAX = 100
NOTE_MAX = 300


class PaperCopyForm(msgspec.Struct, forbid_unknown_fields=False):
    """Add a rule to the paper-copy list: ``kind`` is ``document_type`` (then ``document_type_id``)
    or ``keyword`` (then ``keyword``)."""

    kind: str = ""
    document_type_id: str = ""
    keyword: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class PaperCopyRuleItem:
    """One row of the paper-copy list page (``added_by`` is empty for the initial list)."""

    id: int
    kind: str
    label: str
    note: str
    is_active: bool
    added_by: str


class _Rules(AuditedRecords[PaperCopyRule]):
    """The rules of the list, audited as ``paper_copy_rule.*`` in the editor's agency.

    Rules are created and deleted by this module (their audit row names the type by code), so only
    the shared :meth:`~AuditedRecords.set_active` and :meth:`~AuditedRecords.audit` are used.
    """

    repository_type = repository_for(PaperCopyRule)
    object_type = "paper_copy_rule"

    def agency_of(self, obj: PaperCopyRule) -> int | None:
        return self.scope.agency_id if self.scope else None


def _national_types() -> sa.Select[tuple[DocumentType]]:
    return sa.select(DocumentType).where(DocumentType.agency_id.is_(None), DocumentType.is_active.is_(True))


def _type_label(doc_type: DocumentType) -> str:
    return f"{doc_type.name} ({doc_type.abbreviation})" if doc_type.abbreviation else doc_type.name


def rule_label(rule: PaperCopyRule, doc_type: DocumentType | None) -> str:
    """How a rule is named on the page, in flash messages and in audit rows."""
    if rule.kind == PaperCopyRuleKind.DOCUMENT_TYPE and doc_type is not None:
        return t("paper_copy.label.type", name=_type_label(doc_type))
    return t("paper_copy.label.keyword", keyword=rule.keyword)


async def can_edit(db: AsyncSession, actor: Actor) -> bool:
    """True when ``actor`` administers the top-level agency they are working in."""
    agency = await db.get(Agency, actor.agency_id)
    return agency is not None and can_edit_deployment_lists(actor, agency)


async def _require_editor(db: AsyncSession, actor: Actor) -> None:
    if not await can_edit(db, actor):
        raise PermissionDeniedError(t("paper_copy.denied"))


async def list_rules(db: AsyncSession) -> list[PaperCopyRuleItem]:
    """Every rule: active first, document types in ND 30 order, then keywords alphabetically."""
    creator = aliased(User)
    rows = (
        await db.execute(
            sa.select(PaperCopyRule, DocumentType, creator.full_name)
            .outerjoin(DocumentType, DocumentType.id == PaperCopyRule.document_type_id)
            .outerjoin(creator, creator.id == PaperCopyRule.created_by_id)
        )
    ).all()

    def order(row: Any) -> tuple[bool, bool, int, str]:
        rule, doc_type, _ = row
        return (
            not rule.is_active,
            doc_type is None,
            doc_type.sort_order if doc_type else 0,
            rule.keyword_key or "",
        )

    return [
        PaperCopyRuleItem(
            id=rule.id,
            kind=str(rule.kind),
            label=rule_label(rule, doc_type),
            note=rule.note,
            is_active=rule.is_active,
            added_by=full_name or "",
        )
        for rule, doc_type, full_name in sorted(rows, key=order)
    ]


async def type_choices(db: AsyncSession) -> list[tuple[int, str]]:
    """``(id, label)`` of the national document types, in ND 30 order, for the type select."""
    types = (await db.scalars(_national_types().order_by(DocumentType.sort_order, DocumentType.id))).all()
    return [(doc_type.id, _type_label(doc_type)) for doc_type in types]


def _taken(errors: v.Errors, field: str, clash: PaperCopyRule | None, label: str) -> None:
    """A duplicate: say so, and how to apply it again when it is only deactivated."""
    if clash is not None:
        key = "paper_copy.taken" if clash.is_active else "paper_copy.taken_inactive"
        errors.setdefault(field, t(key, label=label))


async def _type_values(db: AsyncSession, raw_id: str, errors: v.Errors) -> tuple[dict[str, Any], str]:
    """A document-type rule: the type must be a national one and not listed yet."""
    raw = clean(raw_id)
    type_id = parse_id(raw)
    doc_type = await db.scalar(_national_types().where(DocumentType.id == type_id)) if type_id else None
    if not raw:
        errors["document_type_id"] = t("paper_copy.type.required")
        return {}, ""
    if doc_type is None:
        errors["document_type_id"] = t("paper_copy.type.unknown")
        return {}, ""
    label = t("paper_copy.label.type", name=_type_label(doc_type))
    clash = await db.scalar(sa.select(PaperCopyRule).where(PaperCopyRule.document_type_id == doc_type.id))
    _taken(errors, "document_type_id", clash, label)
    return {"document_type_id": doc_type.id}, label


async def _keyword_values(db: AsyncSession, raw: str, errors: v.Errors) -> tuple[dict[str, Any], str]:
    """A keyword rule: long enough to be selective, and not listed yet once accents and case are ignored."""
    name = t("paper_copy.f.keyword")
    keyword = v.check_length(
        errors, "keyword", v.check_required(errors, "keyword", raw, name), name, KEYWORD_MAX
    )
    key = fold(keyword)
    if keyword and len(key.replace(" ", "")) < KEYWORD_MIN:
        errors.setdefault("keyword", t("paper_copy.keyword.too_short", value=keyword, minimum=KEYWORD_MIN))
    if "keyword" not in errors:
        clash = await db.scalar(sa.select(PaperCopyRule).where(PaperCopyRule.keyword_key == key))
        _taken(
            errors, "keyword", clash, t("paper_copy.label.keyword", keyword=clash.keyword if clash else "")
        )
    return {"keyword": keyword, "keyword_key": key}, t("paper_copy.label.keyword", keyword=keyword)


async def _validate(db: AsyncSession, form: PaperCopyForm) -> tuple[dict[str, Any], str]:
    """The new rule's column values and its label, or :class:`InvalidInputError` with every problem."""
    errors: v.Errors = {}
    values: dict[str, Any] = {}
    label = ""
    if form.kind == PaperCopyRuleKind.DOCUMENT_TYPE:
        values, label = await _type_values(db, form.document_type_id, errors)
    elif form.kind == PaperCopyRuleKind.KEYWORD:
        values, label = await _keyword_values(db, form.keyword, errors)
    else:
        errors["kind"] = t("paper_copy.kind.required")
    note = v.check_length(errors, "note", clean(form.note), t("paper_copy.f.note"), NOTE_MAX)
    if errors:
        raise InvalidInputError(field_errors=errors)
    return {**values, "kind": PaperCopyRuleKind(form.kind), "note": note}, label


def _snapshot(rule: PaperCopyRule, doc_type: DocumentType | None) -> dict[str, Any]:
    """The audited fields of a rule (the type by its stable code)."""
    return {
        "kind": str(rule.kind),
        "document_type": doc_type.code if doc_type else None,
        "keyword": rule.keyword,
        "note": rule.note,
        "is_active": rule.is_active,
    }


async def _get(db: AsyncSession, rule_id: int) -> tuple[PaperCopyRule, DocumentType | None]:
    rule = await db.get(PaperCopyRule, rule_id)
    if rule is None:
        raise NotFoundError()
    doc_type = await db.get(DocumentType, rule.document_type_id) if rule.document_type_id else None
    return rule, doc_type


async def create_rule(db: AsyncSession, actor: Actor, form: PaperCopyForm, meta: RequestMeta) -> str:
    """Add a rule (active at once); returns its label.

    Raises:
        PermissionDeniedError: the actor does not administer the province.
        InvalidInputError: with field errors (no kind, empty or too short keyword, unknown type, duplicate).
    """
    await _require_editor(db, actor)
    values, label = await _validate(db, form)
    rule = PaperCopyRule(**values, is_active=True, created_by_id=actor.user_id, updated_by_id=actor.user_id)
    db.add(rule)
    await db.flush()
    _, doc_type = await _get(db, rule.id)
    await _Rules(db, actor, meta).audit("created", rule, {"after": _snapshot(rule, doc_type)})
    return label


async def set_rule_active(
    db: AsyncSession, actor: Actor, rule_id: int, active: bool, meta: RequestMeta
) -> str:
    """Stop applying a rule (kept, with its history) or apply it again; returns its label.

    Raises:
        PermissionDeniedError, NotFoundError.
    """
    await _require_editor(db, actor)
    rule, doc_type = await _get(db, rule_id)
    if rule.is_active != active:
        rule.updated_by_id = actor.user_id
    await _Rules(db, actor, meta).set_active(rule, active)
    return rule_label(rule, doc_type)


async def delete_rule(db: AsyncSession, actor: Actor, rule_id: int, meta: RequestMeta) -> str:
    """Remove a rule from the list (documents already flagged keep their flag); returns its label.

    Raises:
        PermissionDeniedError, NotFoundError.
    """
    await _require_editor(db, actor)
    rule, doc_type = await _get(db, rule_id)
    label = rule_label(rule, doc_type)
    await _Rules(db, actor, meta).audit("deleted", rule, {"before": _snapshot(rule, doc_type)})
    await db.delete(rule)
    await db.flush()
    return label
