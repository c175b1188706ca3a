"""Form inputs of the accounts pages."""

from __future__ import annotations

import msgspec

__all__ = ["AgencySwitchForm", "LoginForm", "PasswordForm"]


class LoginForm(msgspec.Struct, forbid_unknown_fields=False):
    username: str = ""
    password: str = ""
    next: str = "/"


class PasswordForm(msgspec.Struct, forbid_unknown_fields=False):
    current_password: str = ""
    new_password: str = ""
    confirm_password: str = ""


class AgencySwitchForm(msgspec.Struct, forbid_unknown_fields=False):
    agency_id: int
