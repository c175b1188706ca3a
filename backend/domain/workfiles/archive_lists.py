"""The archive transfer's lists: files due (or soon due), the transfer list, files past their retention.

Every list starts from :func:`.policies.visible_work_files` (one scoping query). Due dates and
retention ends are computed by :mod:`.transfer` from the file's own dates, so the rules live once.
The transfer list (mục lục hồ sơ, tài liệu nộp lưu) and the hand-over record (biên bản giao nhận)
are the rows the exports and the printable page lay out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import WorkFile, WorkFileState
from backend.domain.accounts.actor import Actor
from backend.domain.workfiles.policies import visible_work_files
from backend.domain.workfiles.transfer import due_date, expires_on, transferable

__all__ = ["TRANSFER_COLUMNS", "TRANSFER_WIDTHS", "Handover", "due_files", "expired_files", "handover", "handover_rows",
           "transfer_rows", "transferred"]

TRANSFER_COLUMNS = ("STT", "Số, ký hiệu hồ sơ", "Tiêu đề hồ sơ", "Thời gian tài liệu", "Số lượng tờ",
                    "Thời hạn bảo quản", "Ghi chú")
"""The columns of the transfer list (mục lục hồ sơ, tài liệu nộp lưu)."""
TRANSFER_WIDTHS = (6, 14, 60, 24, 10, 16, 18)
"""Their relative widths (XLSX characters; the PDF scales them to the page)."""

_WAITING = (WorkFileState.CLOSED, WorkFileState.RETAINED)
_KEPT = (WorkFileState.CLOSED, WorkFileState.RETAINED, WorkFileState.ARCHIVED)


async def _files(db: AsyncSession, actor: Actor, states: tuple[WorkFileState, ...]) -> list[WorkFile]:
    query = visible_work_files(actor).where(WorkFile.state.in_(states)).order_by(WorkFile.year, WorkFile.id)
    return list((await db.scalars(query)).all())


async def due_files(db: AsyncSession, actor: Actor, today: date, *, within_days: int = 0) -> list[WorkFile]:
    """Closed transferable files due by ``today + within_days`` (kept-back files once their keep-back ends)."""
    horizon = today + timedelta(days=within_days)
    found = []
    for work_file in await _files(db, actor, _WAITING):
        due = due_date(work_file)
        if work_file.retained_until is not None:
            due = work_file.retained_until
        if transferable(work_file) and due is not None and due <= horizon:
            found.append(work_file)
    return found


async def expired_files(db: AsyncSession, actor: Actor, today: date) -> list[WorkFile]:
    """Files whose fixed-term retention ended before ``today``: listed for a destruction decision only."""
    return [wf for wf in await _files(db, actor, _KEPT) if (end := expires_on(wf)) is not None and end < today]


async def transferred(db: AsyncSession, actor: Actor, state: WorkFileState) -> list[WorkFile]:
    """Files submitted (waiting for the archive) or archived, in the order of the transfer list."""
    return await _files(db, actor, (state,))


def _span(work_file: WorkFile) -> str:
    end = work_file.end_date.strftime("%d/%m/%Y") if work_file.end_date else ""
    return f"{work_file.start_date.strftime('%d/%m/%Y')} - {end}"


def transfer_rows(files: list[WorkFile]) -> list[tuple[str | int, ...]]:
    """One row per file of the transfer list, numbered from 1."""
    return [(index, wf.file_notation, wf.title, _span(wf), wf.page_total, wf.retention,
             "Xây dựng cơ bản" if wf.capital_construction else "")
            for index, wf in enumerate(files, start=1)]


@dataclass(frozen=True, slots=True)
class Handover:
    """The figures of a hand-over record: how many files and pages, from which year to which."""

    files: int
    pages: int
    first_year: int | None
    last_year: int | None


def handover(files: list[WorkFile]) -> Handover:
    years = [wf.year for wf in files]
    return Handover(len(files), sum(wf.page_total for wf in files), min(years, default=None),
                    max(years, default=None))


def handover_rows(agency_name: str, figures: Handover, today: date) -> list[tuple[str, str | int]]:
    """The hand-over record's items (label, value), the same in the XLSX and the PDF."""
    years = f"{figures.first_year} - {figures.last_year}" if figures.files else ""
    return [("Cơ quan", agency_name), ("Ngày lập biên bản", today.strftime("%d/%m/%Y")),
            ("Bên giao", "Các đơn vị, cá nhân lập hồ sơ"), ("Bên nhận", "Lưu trữ cơ quan"),
            ("Tên khối tài liệu", f"Hồ sơ, tài liệu của {agency_name}"), ("Thời gian của tài liệu", years),
            ("Số lượng hồ sơ", figures.files), ("Số lượng tờ", figures.pages),
            ("Công cụ tra cứu kèm theo", "Mục lục hồ sơ, tài liệu nộp lưu")]


