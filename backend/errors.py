"""The typed error hierarchy shared by every domain, each with a stable ``code``.

Domain code raises these; ``backend.server.errors`` maps them once to a full page, a fragment or
``application/problem+json``. ``message`` is the Vietnamese text for users (from the catalogue).
"""

from __future__ import annotations

from typing import Any, ClassVar

from backend.lib.i18n import t

__all__ = [
    "AppError", "ConflictError", "InvalidInputError", "NotAuthenticatedError", "NotFoundError",
    "PasswordChangeRequiredError",
    "PermissionDeniedError",
    "TransitionNotAllowedError",
]


class AppError(Exception):
    """Base class. Subclasses set ``code``, ``status_code`` and ``message_key``."""

    code: ClassVar[str] = "APP_ERROR"
    status_code: ClassVar[int] = 400
    message_key: ClassVar[str] = "error.generic"

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message if message is not None else t(self.message_key, **params)
        super().__init__(f"{self.code}: {self.message}")


class NotAuthenticatedError(AppError):
    """No logged-in user; pages redirect to the login form."""

    code = "AUTH_REQUIRED"
    status_code = 401
    message_key = "error.auth_required"


class PasswordChangeRequiredError(AppError):
    """The account must set a new password before doing anything else."""

    code = "PASSWORD_CHANGE_REQUIRED"
    status_code = 403
    message_key = "password.change_required"


class PermissionDeniedError(AppError):
    """Logged in, but the role or unit does not allow this action."""

    code = "FORBIDDEN"
    status_code = 403
    message_key = "error.forbidden"


class NotFoundError(AppError):
    """No such object in the actor's scope (objects of other agencies look exactly like this)."""

    code = "NOT_FOUND"
    status_code = 404
    message_key = "error.not_found"


class InvalidInputError(AppError):
    """A submitted value is wrong; ``field_errors`` maps field names to messages."""

    code = "INVALID_INPUT"
    status_code = 422
    message_key = "error.invalid_input"

    def __init__(self, message: str | None = None, field_errors: dict[str, str] | None = None, **params: Any):
        super().__init__(message, **params)
        self.field_errors = field_errors or {}


class ConflictError(AppError):
    """The object changed meanwhile or would duplicate another one."""

    code = "CONFLICT"
    status_code = 409
    message_key = "error.conflict"


class TransitionNotAllowedError(ConflictError):
    """A workflow event that the document's current state does not allow (never a 500)."""

    code = "DOC_TRANSITION_NOT_ALLOWED"
    status_code = 409
    message_key = "incoming.error.transition"
