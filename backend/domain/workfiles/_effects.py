"""The effects of work-file transitions (run by the workflow engine before the state changes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from backend.db.models import IncomingDocument, OutgoingDocument, WorkFile, WorkFileDocument
from backend.errors import InvalidInputError
from backend.lib.i18n import t

__all__ = ["close", "totals"]


async def totals(db: Any, work_file_id: int) -> tuple[int, int]:
    """(documents, pages) of a file, counted in one query (notes are not documents)."""
    pages = sa.func.coalesce(IncomingDocument.page_count, OutgoingDocument.page_count, 0)
    row = (await db.execute(
        sa.select(sa.func.count(WorkFileDocument.id), sa.func.coalesce(sa.func.sum(pages), 0))
        .select_from(WorkFileDocument)
        .outerjoin(IncomingDocument, IncomingDocument.id == WorkFileDocument.incoming_id)
        .outerjoin(OutgoingDocument, OutgoingDocument.id == WorkFileDocument.outgoing_id)
        .where(WorkFileDocument.work_file_id == work_file_id, WorkFileDocument.note.is_(None)))).one()
    return int(row[0]), int(row[1])


def _refuse(key: str, **params: Any) -> InvalidInputError:
    message = t(key, **params)
    return InvalidInputError(message, field_errors={"end_date": message})


async def close(step: Any, docs: Sequence[WorkFile]) -> None:
    """Refuse an empty file or a wrong end date; otherwise set the end date and the totals (DocTotal, PageTotal)."""
    end: date = step.inputs.get("end_date") or step.today
    for work_file in docs:
        count, pages = await totals(step.db, work_file.id)
        if count == 0:
            message = t("workfiles.close.empty")
            raise InvalidInputError(message, field_errors={"work_file": message})
        if end < work_file.start_date:
            raise _refuse("workfiles.close.end_before_start", end=end.strftime("%d/%m/%Y"),
                          start=work_file.start_date.strftime("%d/%m/%Y"))
        if end > step.today:
            raise _refuse("workfiles.close.end_in_future", end=end.strftime("%d/%m/%Y"))
        work_file.end_date, work_file.doc_total, work_file.page_total = end, count, pages
        step.outcome.audit[work_file.id] = {"end_date": end.isoformat(), "documents": count, "pages": pages}
