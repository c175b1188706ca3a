"""Form inputs, validated values and JSON shapes of the incoming-document pages and API.

Forms are lenient ``msgspec`` structs (all text, with defaults, because browsers omit empty
fields); the services validate and report every problem at once. Repeated fields of the
assignment form (one row per assignee) arrive as a list, or as a single string when one row is
filled, hence ``list[str] | str``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import msgspec
from litestar.datastructures import UploadFile

from backend.db.models import AssignmentRole, Classification, DocumentSource, Urgency
from backend.lib.int_bounds import Id, Version

__all__ = [
    "ApiAssignee", "ApiAssignRequest", "ApiTransitionRequest", "AssigneeLine", "AssignForm", "AssignPlan",
    "ClassifyForm", "DelegateForm", "IntakeData", "IntakeForm", "NoteForm", "ReplyLinkForm", "TransitionForm",
    "as_list",
]


def as_list(value: list[str] | str) -> list[str]:
    """A repeated field's values as a list whatever the browser sent."""
    if isinstance(value, str):
        return [value]
    return list(value)


class IntakeForm(msgspec.Struct, forbid_unknown_fields=False):
    """The multipart intake form (also the JSON API's multipart create request)."""

    file: UploadFile | None = None
    pending_file: str = ""
    document_type_id: str = ""
    code_number: str = ""
    code_notation: str = ""
    issuer_agency_id: str = ""
    issuer_name: str = ""
    issued_on: str = ""
    summary: str = ""
    signer_position: str = ""
    signer_name: str = ""
    urgency: str = "normal"
    confidentiality: str = "none"
    source: str = "electronic"
    reply_by_on: str = ""
    document_identifier: str = ""
    description: str = ""
    confirm_duplicate: str = ""
    action: str = "register"


@dataclass(frozen=True, slots=True)
class IntakeData:
    """Validated metadata of a new incoming document (domain.md §4.4)."""

    document_type_id: int
    code_number: str
    code_notation: str
    issuer_name: str
    issuer_agency_id: int | None
    issued_on: date
    summary: str
    signer_position: str
    signer_name: str
    urgency: Urgency
    source: DocumentSource
    reply_by_on: date | None
    document_identifier: str | None
    description: str


class TransitionForm(msgspec.Struct, forbid_unknown_fields=False):
    """A workflow button: the event, an optional reason/result and the version the user saw."""

    event: str = ""
    reason: str = ""
    reply_reference: str = ""
    version: str = ""


class AssignForm(msgspec.Struct, forbid_unknown_fields=False):
    """Assign / forward / re-assign: one row per assignee (target ``unit:<id>`` or ``user:<id>``)."""

    event: str = "assign"
    target: list[str] | str = []
    role: list[str] | str = []
    due_on: list[str] | str = []
    instruction: str = ""
    classification: str = ""
    reply_by_on: str = ""
    reason: str = ""
    version: str = ""


class DelegateForm(msgspec.Struct, forbid_unknown_fields=False):
    """A unit head passes the unit's assignment to a specialist."""

    assignment_id: str = ""
    user_id: str = ""
    due_on: str = ""
    instruction: str = ""


class NoteForm(msgspec.Struct, forbid_unknown_fields=False):
    """A progress note, or the handler's proposal (ý kiến đề xuất) when ``kind`` is ``proposal``."""

    text: str = ""
    kind: str = "note"


class ClassifyForm(msgspec.Struct, forbid_unknown_fields=False):
    classification: str = ""
    reply_by_on: str = ""


class ReplyLinkForm(msgspec.Struct, forbid_unknown_fields=False):
    reply_reference: str = ""


@dataclass(frozen=True, slots=True)
class AssigneeLine:
    """One validated assignee."""

    role: AssignmentRole
    unit_id: int | None
    user_id: int | None
    due_on: date | None


@dataclass(frozen=True, slots=True)
class AssignPlan:
    """A validated assignment decision."""

    lines: tuple[AssigneeLine, ...]
    instruction: str
    classification: Classification | None
    reply_by_on: date | None


class ApiTransitionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/incoming/{id}/transitions``."""

    event: str
    reason: str = ""
    reply_reference: str = ""
    version: Version | None = None


class ApiAssignee(msgspec.Struct, forbid_unknown_fields=True):
    role: AssignmentRole
    unit_id: Id | None = None
    user_id: Id | None = None
    due_on: date | None = None


class ApiAssignRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/incoming/{id}/assignments``: ``event`` is ``assign``, ``forward`` or ``reassign``."""

    assignees: list[ApiAssignee]
    event: str = "assign"
    instruction: str = ""
    classification: Classification | None = None
    reply_by_on: date | None = None
    reason: str = ""
    version: Version | None = None
