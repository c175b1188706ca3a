"""The search context's job kind: read the text layer of a document's PDF into the index."""

from __future__ import annotations

import msgspec

from backend.tasks.bus import JobKind

__all__ = ["EXTRACT_TEXT", "ExtractText"]


class ExtractText(msgspec.Struct, frozen=True):
    """The index entry whose file is read, and that file (a newer file makes the job a no-op)."""

    entry_id: int
    file_id: int


EXTRACT_TEXT: JobKind[ExtractText] = JobKind("search.extract_text", ExtractText, max_attempts=4)
