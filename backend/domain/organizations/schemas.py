"""Form inputs of the administration pages and the small view models they render.

Forms are lenient ``msgspec`` structs: every field is text with a default (browsers omit empty
fields), and the services do the real validation so that all errors come back together.
Checkbox groups arrive as a single string when one box is ticked, hence ``list[str] | str``.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar.datastructures import UploadFile

__all__ = [
    "AdminCounts",
    "AgencyForm",
    "AgencyListItem",
    "ImportForm",
    "PaperCopyForm",
    "PaperCopyRuleItem",
    "RoleCell",
    "UnitForm",
    "UserForm",
    "UserListItem",
    "as_list",
]


def as_list(value: list[str] | str) -> list[str]:
    """A checkbox group's values as a list whatever the browser sent."""
    if isinstance(value, str):
        return [value] if value else []
    return list(value)


class AgencyForm(msgspec.Struct, forbid_unknown_fields=False):
    """Create or edit an agency."""

    organ_id: str = ""
    name: str = ""
    abbreviation: str = ""
    place_name: str = ""
    level: str = ""
    parent_id: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    version: int = 0


class UnitForm(msgspec.Struct, forbid_unknown_fields=False):
    """Create or edit a unit (phòng ban)."""

    abbreviation: str = ""
    name: str = ""
    version: int = 0


class UserForm(msgspec.Struct, forbid_unknown_fields=False):
    """Create or edit a user.

    ``roles`` holds ``"<agency_id>:<role>"`` values, one per ticked checkbox; ``home_roles`` the
    role codes ticked for the (possibly just changed) home agency.
    """

    username: str = ""
    full_name: str = ""
    agency_id: str = ""
    unit_id: str = ""
    position_title: str = ""
    email: str = ""
    phone: str = ""
    home_roles: list[str] | str = []
    roles: list[str] | str = []
    extra_agency_id: str = ""
    extra_roles: list[str] | str = []
    version: int = 0


class PaperCopyForm(msgspec.Struct, forbid_unknown_fields=False):
    """Add a rule to the paper-copy list: ``kind`` is ``document_type`` (then ``document_type_id``)
    or ``keyword`` (then ``keyword``)."""

    kind: str = ""
    document_type_id: str = ""
    keyword: str = ""
    note: str = ""


class ImportForm(msgspec.Struct, forbid_unknown_fields=False):
    """The multipart upload of the import page: the CSV kind and the file."""

    kind: str = ""
    file: UploadFile | None = None


@dataclass(frozen=True, slots=True)
class AdminCounts:
    """Counts on the admin home page (all within the actor's scope)."""

    agencies: int
    units: int
    users: int
    inactive_users: int
    locked_users: int


@dataclass(frozen=True, slots=True)
class AgencyListItem:
    """One card of the agency list."""

    id: int
    organ_id: str
    name: str
    level: str
    parent_name: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class UserListItem:
    """One card of the user list."""

    id: int
    username: str
    full_name: str
    position_title: str
    agency_name: str
    unit_name: str
    is_active: bool
    is_locked: bool


@dataclass(frozen=True, slots=True)
class RoleCell:
    """One role checkbox of the user form."""

    agency_id: int
    role: str
    checked: bool


@dataclass(frozen=True, slots=True)
class PaperCopyRuleItem:
    """One row of the paper-copy list page (``added_by`` is empty for the initial list)."""

    id: int
    kind: str
    label: str
    note: str
    is_active: bool
    added_by: str
