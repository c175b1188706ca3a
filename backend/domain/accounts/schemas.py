"""Form inputs of the accounts pages (login, password, agency switch, user administration)."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from backend.lib.bounds import FormInt

__all__ = ["AgencySwitchForm", "LoginForm", "PasswordForm", "UserForm", "UserListItem"]


class LoginForm(msgspec.Struct, forbid_unknown_fields=False):
    username: str = ""
    password: str = ""
    next: str = "/"


class PasswordForm(msgspec.Struct, forbid_unknown_fields=False):
    current_password: str = ""
    new_password: str = ""
    confirm_password: str = ""


class AgencySwitchForm(msgspec.Struct, forbid_unknown_fields=False):
    agency_id: FormInt


class UserForm(msgspec.Struct, forbid_unknown_fields=False):
    """Create or edit a user (every field text with a default; the service validates).

    ``roles`` holds ``"<agency_id>:<role>"`` values, one per ticked checkbox; ``home_roles`` the
    role codes ticked for the (possibly just changed) home agency. Checkbox groups arrive as a
    single string when one box is ticked, hence ``list[str] | str``.
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
    version: FormInt = 0


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
