"""Typed refusals of document input, each with a stable code (mapped to responses in one place)."""

from __future__ import annotations

from typing import Any

from backend.errors import ConflictError, InvalidInputError
from backend.lib.i18n import t

__all__ = ["ConfidentialDocumentError", "DuplicateDocumentError", "FileRejectedError", "IntakeRejectedError"]


class FileRejectedError(InvalidInputError):
    """The uploaded file is not an acceptable PDF (not a PDF, encrypted, corrupt, too large, empty)."""

    code = "DOC_FILE_REJECTED"
    message_key = "doc.file.rejected"

    def __init__(self, reason_key: str, **params: Any) -> None:
        message = t(reason_key, **params)
        super().__init__(message, field_errors={"file": message})
        self.reason_key = reason_key


class ConfidentialDocumentError(InvalidInputError):
    """Mật / Tối mật / Tuyệt mật: state secrets never enter this system (domain.md §3.4)."""

    code = "DOC_CONFIDENTIAL_REFUSED"
    message_key = "doc.confidential.refused"


class IntakeRejectedError(InvalidInputError):
    """The intake form has errors; ``kept_file`` is the valid PDF kept so the clerk need not re-upload."""

    code = "DOC_INTAKE_INVALID"

    def __init__(self, field_errors: dict[str, str], kept_file: Any = None) -> None:
        super().__init__(field_errors=field_errors)
        self.kept_file = kept_file


class DuplicateDocumentError(ConflictError):
    """Same (number, symbol, issuer) or document identifier already in this agency's register.

    The clerk may still proceed by confirming (``confirm_duplicate``); ``kept_file`` is the
    uploaded PDF kept meanwhile.
    """

    code = "DOC_DUPLICATE"
    message_key = "incoming.duplicate.warning"

    def __init__(self, duplicate_ids: list[int], kept_file: Any = None) -> None:
        super().__init__(None)
        self.duplicate_ids = duplicate_ids
        self.kept_file = kept_file
