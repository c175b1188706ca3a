"""The documents kernel's job kind: render page images ahead of the first person who will look at them."""

from __future__ import annotations

import msgspec

from backend.tasks.bus import JobKind

__all__ = ["RENDER_PAGES", "RenderPages"]


class RenderPages(msgspec.Struct, frozen=True):
    """The stored file and the 1-based pages whose phone-width images to render and keep."""

    file_id: int
    pages: tuple[int, ...]


RENDER_PAGES: JobKind[RenderPages] = JobKind("documents.render_pages", RenderPages, max_attempts=3)
