"""Form inputs of the agency and unit administration pages and the small view models they render.

Forms are lenient ``msgspec`` structs: every field is text with a default (browsers omit empty
fields), and the services do the real validation so that all errors come back together.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from backend.lib.bounds import FormInt

__all__ = ["AdminCounts", "AgencyForm", "AgencyListItem", "UnitForm"]


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
    head_title: str = ""
    collective_name: str = ""
    version: FormInt = 0


class UnitForm(msgspec.Struct, forbid_unknown_fields=False):
    """Create or edit a unit (phòng ban)."""

    abbreviation: str = ""
    name: str = ""
    version: FormInt = 0


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
