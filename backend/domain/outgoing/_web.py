"""Page context builders shared by the HTML controllers (one per page, for full pages and fragments
alike) and the service factory bound to the request's route table.

``placeable`` holds only while the actor may still choose where the signature, number and date go
(:func:`~backend.domain.outgoing.policies.can_place`). The page images are for reading; placing is an
explicit mode (``placing``: the page was opened with ``?place=1`` through "Đổi vị trí chữ ký"), in
which the images become the tap-to-place form and show the current boxes. The page images are drawn
outside the ``document_panel`` block, so the detail template also renders them out of band after an
htmx action (``refresh_pages``); otherwise a signed document kept showing the form it was signed from.

``paper_copy_notice`` tells everyone on the page of an ``org_signed`` document, before "Phát hành",
that issuing will flag it for a paper copy (domain.md §22, :func:`paper_copy_preview`); in any
other state it is false (after issue the page shows the document's own flag instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, IncomingDocument, IncomingState, Role, RoleGrant, Unit, User
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta
from backend.domain.documents.reading import reading_pages
from backend.domain.documents.reference import document_types, type_label, urgency_options
from backend.domain.exchange.directory import RecipientChoice, search_recipients
from backend.domain.incoming.policies import visible_incoming
from backend.domain.organizations.signer_block import competence, signer_title
from backend.domain.outgoing._pdf import DocLayout
from backend.domain.outgoing.paper_copy import paper_copy_preview
from backend.domain.outgoing.policies import (
    AUTHORITIES,
    can_create,
    can_place,
    can_record_paper,
    can_upload_version,
    can_view_book,
)
from backend.domain.outgoing.queries import (
    default_tab,
    list_documents,
    load_view,
    replaceable_choices,
    tab_counts,
    tab_query,
    tabs_for,
)
from backend.domain.outgoing.schemas import as_list
from backend.domain.outgoing.services import OutgoingService
from backend.domain.outgoing.workflow import AFTER_ISSUE, EDITABLE, TABLE, State
from backend.lib.bounds import parse_id

__all__ = ["PLACE_MODE", "build_detail_context", "build_list_context", "build_new_context", "service_for"]

MAX_PREVIEW_PAGES = 40
PLACE_MODE = "place=1"
"""The query string of the document page in placement mode."""


def service_for(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings,
                meta: RequestMeta) -> OutgoingService:
    """The service for this request, with links built from the route table."""
    return OutgoingService(db, settings, meta=meta,
                           links=lambda doc_id: request.app.route_reverse("outgoing.detail", doc_id=doc_id))


async def build_list_context(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, *,
                             tab: str | None = None, picked: Sequence[int] = (),
                             errors: dict[str, str] | None = None) -> dict[str, Any]:
    """The list page: tabs with counts, a search box, cards; leaders get the batch-sign form.

    Args:
        tab: the tab to show (default: the ``tab`` query parameter, else the actor's first tab).
        picked: documents ticked for batch signing (kept when a batch was refused).
        errors: the batch form's messages by field (``otp``, ``doc_id``, ``form``).
    """
    tabs = tabs_for(actor)
    tab = tab if tab is not None else request.query_params.get("tab", "")
    tab = tab if tab in tabs else default_tab(actor)
    q = request.query_params.get("q", "")[:100]
    rows = await list_documents(db, tab_query(actor, tab, q))
    return {
        "section": "outgoing", "tab": tab, "tabs": tabs, "counts": await tab_counts(db, actor), "q": q,
        "items": rows, "state_labels": {s.value: label for s, label in TABLE.state_labels.items()},
        "can_create": bool(can_create(actor)), "can_view_book": bool(can_view_book(actor)),
        "batch": tab == "to_sign" and len(rows) > 0, "picked": set(picked), "errors": errors or {},
    }


async def recipient_choices(db: AsyncSession, actor: Actor, values: dict[str, Any]) -> list[RecipientChoice]:
    """The recipient picker's lines for the search ``values["q"]``, the picked ones (still checked) first."""
    picked_agencies = {n for v in as_list(values.get("recipient_agencies", [])) if (n := parse_id(str(v)))}
    picked_axis = {n for v in as_list(values.get("recipient_axis", [])) if (n := parse_id(str(v)))}
    return await search_recipients(db, str(values.get("q", "")), own_agency_id=actor.agency_id,
                                   picked_agencies=picked_agencies, picked_axis=picked_axis)


async def build_new_context(db: AsyncSession, actor: Actor, values: dict[str, Any],
                            errors: dict[str, str]) -> dict[str, Any]:
    """The draft form: types, urgency, signers with their titles, the directory, answerable incoming documents."""
    recipients = await recipient_choices(db, actor, values)
    units = (await db.execute(sa.select(Unit.id, Unit.name).where(
        Unit.agency_id == actor.agency_id, Unit.is_active.is_(True)).order_by(Unit.name))).tuples().all()
    signers = (await db.execute(
        sa.select(User.id, User.full_name, User.position_title).where(User.is_active.is_(True)).where(
            sa.exists().where(RoleGrant.user_id == User.id, RoleGrant.agency_id == actor.agency_id,
                              RoleGrant.role.in_((Role.LEADER, Role.DEPUTY, Role.UNIT_HEAD))))
        .order_by(User.full_name))).tuples().all()
    incoming = (await db.execute(visible_incoming(actor).with_only_columns(
        IncomingDocument.id, IncomingDocument.code_number, IncomingDocument.code_notation, IncomingDocument.summary)
        .where(IncomingDocument.state.in_((IncomingState.REGISTERED, IncomingState.SUBMITTED, IncomingState.ASSIGNED,
                                            IncomingState.IN_PROGRESS)))
        .order_by(IncomingDocument.id.desc()).limit(100))).tuples().all()
    return {
        "section": "outgoing", "values": values, "errors": errors,
        "types": [(str(dt.id), type_label(dt)) for dt in await document_types(db, actor.agency_id)],
        "urgencies": urgency_options(), "authorities": list(AUTHORITIES),
        "signers": [(str(uid), f"{name} — {title}" if title else name) for uid, name, title in signers],
        "recipients": recipients, "recipient_q": values.get("q", ""),
        "units": [(str(uid), name) for uid, name in units],
        "incoming": [(str(iid), f"{num}/{notation} — {summary[:80]}") for iid, num, notation, summary in incoming],
        "replaceable": await replaceable_choices(db, actor),
    }


async def build_detail_context(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                               doc_id: int, *, errors: dict[str, str] | None = None,
                               values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document page: metadata, the actor's actions, versions, appendices, recipients, history, pages."""
    view = await load_view(db, actor, doc_id)
    doc = view.doc
    transitions = TABLE.available(actor, doc, None)
    layout = DocLayout.from_json(doc.layout)
    placeable = bool(can_place(actor, doc))
    agency = await db.get(Agency, doc.agency_id)
    assert agency is not None
    return {
        "section": "outgoing", "view": view, "doc": doc, "type_label": type_label(view.doc_type),
        "state_label": TABLE.label(doc.state),
        "transitions": [t for t in transitions if not t.needs_otp],
        "otp_transitions": [t for t in transitions if t.needs_otp],
        "layout": layout, "placeable": placeable,
        "signer_line": signer_title(competence(doc.signing_authority, agency), doc.signer_position),
        "placing": placeable and request.query_params.get("place") == "1", "place_mode": PLACE_MODE,
        "status": {"recalled": doc.state == State.RECALLED, "replaced": doc.state == State.REPLACED,
                   "archived": doc.state == State.ARCHIVED, "editable": doc.state in EDITABLE,
                   "after_issue": doc.state in AFTER_ISSUE},
        "paper_copy_notice": doc.state == State.ORG_SIGNED and await paper_copy_preview(db, doc),
        "can": {
            "upload": bool(can_upload_version(actor, doc)) or (
                doc.state not in EDITABLE and any(t.event == "revise" for t in transitions)),
            "appendix": bool(can_upload_version(actor, doc)),
            "paper": bool(can_record_paper(actor, doc)),
        },
        "pages": list(range(1, min(view.file.page_count, MAX_PREVIEW_PAGES) + 1)),
        "reading": await reading_pages(settings, view.file),
        "errors": errors or {}, "values": values or {},
    }
