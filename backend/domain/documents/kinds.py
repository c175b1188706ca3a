"""The documents kernel's job kinds: render page images ahead of the first reader; sweep orphaned blobs daily."""

from __future__ import annotations

import msgspec

from backend.tasks.bus import JobKind

__all__ = ["RENDER_PAGES", "SWEEP_BLOBS", "RenderPages", "SweepBlobs"]


class RenderPages(msgspec.Struct, frozen=True):
    """The stored file and the 1-based pages whose phone-width images to render and keep."""

    file_id: int
    pages: tuple[int, ...]


RENDER_PAGES: JobKind[RenderPages] = JobKind("documents.render_pages", RenderPages, max_attempts=3)


class SweepBlobs(msgspec.Struct, frozen=True):
    """No payload: the run reads the store and the rows that reference it."""


SWEEP_BLOBS: JobKind[SweepBlobs] = JobKind("documents.sweep_blobs", SweepBlobs)
