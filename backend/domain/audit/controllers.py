"""The audit viewer for administrators and auditors: filtered keyset list, CSV export and the chain check.

``/admin/audit`` lists the rows of the agencies the administrator or auditor oversees (newest first, 50 a
page, "Xem tiếp" carries the keyset cursor); ``/admin/audit.csv`` exports the same filtered rows
(and is itself audited as ``audit.exported``); ``/admin/audit/chain`` walks the whole hash chain
and shows whether it is intact or where it breaks (the same check as ``python -m backend verify-audit``).
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide

from backend.db.engine import end_reads
from backend.db.models import AuditEvent
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import record, verify_chain
from backend.domain.audit.viewer import (
    ACTION_KINDS,
    OBJECT_TYPES,
    AuditFilters,
    audit_page,
    can_view_audit,
    export_rows,
)
from backend.domain.documents.web import CSV, table_download
from backend.errors import PermissionDeniedError
from backend.lib.clock import format_local
from backend.lib.clock import now as utc_now
from backend.lib.deps import DB
from backend.lib.tabular import csv_bytes
from backend.lib.templates import render_page

__all__ = ["AuditController", "AuditorActor", "object_route"]

AuditorActor = NamedDependency[Actor]
"""The logged-in actor, guaranteed to be an administrator or auditor of the active agency."""

_TEMPLATE = "pages/audit/list.html"
_HEADINGS = ("Mã", "Thời điểm", "Hành động", "Người thực hiện", "Cơ quan", "Đối tượng", "Mã đối tượng", "Địa chỉ IP",
             "Thiết bị", "Chi tiết", "Hash")
_KIND_LABELS = {"viewed": "Xem", "downloaded": "Tải về", "signed": "Ký số", "exported": "Xuất dữ liệu",
                "printed": "In"}
_TYPE_LABELS = {"incoming": "Văn bản đến", "outgoing": "Văn bản đi", "certificate": "Chứng thư số",
                "user": "Người dùng", "agency": "Cơ quan", "unit": "Phòng ban"}


def object_route(row: AuditEvent) -> str | None:
    """The detail route of the row's object, when it has one."""
    if row.object_type in ("incoming", "outgoing") and row.object_id.isdigit():
        return f"{row.object_type}.detail"
    return None


def _csv_row(row: AuditEvent) -> list[str]:
    return [str(row.id), format_local(row.at, "%Y-%m-%d %H:%M:%S"), row.action, row.actor_name,
            str(row.agency_id or ""), row.object_type, row.object_id, row.ip, row.user_agent, row.detail, row.hash]


async def provide_auditor(actor: CurrentActor) -> Actor:
    if not can_view_audit(actor):
        raise PermissionDeniedError()
    return actor


class AuditController(Controller):
    """``/admin/audit``: administrators and auditors only (403 otherwise), scoped to their agency's subtree."""

    path = "/admin/audit"
    dependencies = {"auditor": Provide(provide_auditor)}

    @staticmethod
    def _context(auditor: Actor, filters: AuditFilters) -> dict[str, Any]:
        return {"section": "admin", "filters": filters, "query": filters.as_query(), "kinds": list(ACTION_KINDS),
                "object_types": OBJECT_TYPES, "object_route": object_route, "actor": auditor,
                "kind_labels": _KIND_LABELS, "type_labels": _TYPE_LABELS}

    @get("/", name="audit.list")
    async def list_rows(self, request: Request[Any, Any, Any], db: DB, auditor: AuditorActor) -> Response[str]:
        params = dict(request.query_params)
        filters = AuditFilters.from_query(params)
        page = await audit_page(db, auditor, filters, cursor=params.get("cursor", ""))
        context = self._context(auditor, filters) | {"page": page, "chain": None}
        return render_page(request, _TEMPLATE, context, blocks={"audit-rows": "audit_rows"})

    @get("/chain", name="audit.chain")
    async def chain(self, request: Request[Any, Any, Any], db: DB, auditor: AuditorActor) -> Response[str]:
        started = time.perf_counter()
        report = await verify_chain(db)
        elapsed = time.perf_counter() - started
        filters = AuditFilters()
        page = await audit_page(db, auditor, filters)
        context = self._context(auditor, filters) | {"page": page, "chain": report, "chain_seconds": elapsed}
        return render_page(request, _TEMPLATE, context)

    @get("/export.csv", name="audit.export")
    async def export(self, request: Request[Any, Any, Any], db: DB, auditor: AuditorActor,
                     meta: Meta) -> Response[bytes]:
        filters = AuditFilters.from_query(dict(request.query_params))
        rows = [_csv_row(row) async for row in export_rows(db, auditor, filters)]
        await end_reads(db)  # the append runs in a fresh, short transaction (SQLite: no stale read snapshot)
        await record(db, "audit.exported", actor_id=auditor.user_id, actor_name=auditor.username,
                     agency_id=auditor.agency_id, object_type="audit", meta=meta,
                     detail={"filters": filters.as_query(), "rows": len(rows)})
        stamp = format_local(utc_now(), "%Y%m%d-%H%M")
        return table_download(csv_bytes(_HEADINGS, rows), CSV, f"nhat-ky-truy-cap-{stamp}.csv")
