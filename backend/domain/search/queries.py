"""The search itself: filters, the one scoped query over the index, sorting, keyset pages and result views.

Scoping reuses the lists' own queries: an incoming entry is returned only if its document is in
``visible_incoming(actor)``, an outgoing one only if in ``visible_outgoing(actor)`` -- the index never
decides who may see what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import ContentStatus, IncomingDocument, OutgoingDocument, SearchEntry, Urgency
from backend.domain.accounts.actor import Actor
from backend.domain.documents.reference import urgency_label
from backend.domain.incoming.policies import visible_incoming
from backend.domain.incoming.workflow import STATE_LABELS as INCOMING_STATES
from backend.domain.outgoing.policies import visible_outgoing
from backend.domain.outgoing.workflow import STATE_LABELS as OUTGOING_STATES
from backend.domain.search.engines import engine_for
from backend.domain.search.indexer import INCOMING, OUTGOING
from backend.domain.search.snippets import snippet
from backend.domain.search.terms import Terms, parse
from backend.errors import InvalidInputError
from backend.lib.bounds import parse_id
from backend.lib.text import clean, fold

__all__ = ["KIND_LABELS", "PAGE_SIZE", "Filters", "Hit", "Page", "parse_filters", "run_search", "state_options"]

PAGE_SIZE = 20
EXPORT_LIMIT = 5000
SNIPPET_SOURCE = 5000
"""Characters of a document's text searched for the snippet (a match further in shows the text's start)."""
KIND_LABELS = {"incoming": "Văn bản đến", "outgoing": "Văn bản đi", "draft": "Dự thảo"}
CONTENT_LABELS = {ContentStatus.NO_TEXT_LAYER: "chưa có lớp văn bản", ContentStatus.UNREADABLE: "không đọc được tệp",
                  ContentStatus.PENDING: "đang đọc nội dung tệp"}
SORTS = ("relevance", "date")
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2200, 12, 31)


@dataclass(frozen=True, slots=True)
class Filters:
    """Everything the search page, the export and the API accept (already checked)."""

    q: str = ""
    kind: str = ""
    urgency: str = ""
    type_id: int | None = None
    issuer: str = ""
    signer: str = ""
    state: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    cursor: str = ""
    terms: Terms = field(default_factory=lambda: parse(""))

    @property
    def narrows(self) -> bool:
        """Whether anything searchable was typed or a filter was chosen (else there is nothing to search)."""
        return not self.terms.empty or bool(set(self.params()) - {"q", "sort", "cursor"})

    def params(self, **changes: Any) -> dict[str, str]:
        """The query-string parameters that reproduce this search (``changes`` override)."""
        values = {"q": self.q, "kind": self.kind, "urgency": self.urgency,
                  "type": str(self.type_id or ""), "issuer": self.issuer, "signer": self.signer, "state": self.state,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "sort": self.sort, "cursor": self.cursor}
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value and not (key == "sort" and value == "relevance")}


def state_options() -> list[tuple[str, str]]:
    """Every state of every kind, labelled (a state name shared by both kinds appears once)."""
    seen: dict[str, str] = {}
    for state, label in (*INCOMING_STATES.items(), *OUTGOING_STATES.items()):
        seen.setdefault(str(state), label)
    return list(seen.items())


def _date(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = "Ngày không hợp lệ (dạng năm-tháng-ngày)."
        return None
    if not MIN_DATE <= day <= MAX_DATE:
        errors[name] = "Ngày phải trong khoảng năm 1900 đến 2200."
        return None
    return day


def parse_filters(params: Mapping[str, str]) -> Filters:
    """Checked filters from query parameters.

    Raises:
        InvalidInputError: a filter value is not one of the choices, or a date is malformed or reversed.
    """
    errors: dict[str, str] = {}

    def get(name: str) -> str:
        return clean(params.get(name, ""))[:500]

    q = get("q")
    kind = get("kind")
    if kind and kind not in KIND_LABELS:
        errors["kind"] = "Loại văn bản không hợp lệ."
    urgency = get("urgency")
    if urgency and urgency not in {u.value for u in Urgency}:
        errors["urgency"] = "Độ khẩn không hợp lệ."
    state = get("state")
    if state and state not in dict(state_options()):
        errors["state"] = "Trạng thái không hợp lệ."
    type_text = get("type")
    if type_text and parse_id(type_text) is None:
        errors["type"] = "Loại văn bản không hợp lệ."
    sort = get("sort") or "relevance"
    if sort not in SORTS:
        errors["sort"] = "Cách sắp xếp không hợp lệ."
    date_from, date_to = _date(get("from"), "from", errors), _date(get("to"), "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = "Ngày kết thúc phải sau ngày bắt đầu."
    if errors:
        raise InvalidInputError("Điều kiện tìm kiếm không hợp lệ.", field_errors=errors)
    return Filters(q=q, kind=kind, urgency=urgency, type_id=parse_id(type_text),
                   issuer=get("issuer")[:200], signer=get("signer")[:100], state=state, date_from=date_from,
                   date_to=date_to, sort=sort, cursor=get("cursor")[:100], terms=parse(q))


@dataclass(frozen=True, slots=True)
class Hit:
    """One result as the page, the export and the API show it."""

    kind: str
    doc_id: int
    reference: str
    title: str
    doc_date: date
    urgency: str
    state: str
    is_draft: bool
    content_status: ContentStatus
    snippet: Markup

    @property
    def kind_label(self) -> str:
        return KIND_LABELS["draft" if self.is_draft else self.kind]

    @property
    def urgency_label(self) -> str:
        return urgency_label(self.urgency)

    @property
    def state_label(self) -> str:
        labels: Mapping[Any, str] = INCOMING_STATES if self.kind == INCOMING else OUTGOING_STATES
        return labels.get(self.state, self.state)

    @property
    def content_label(self) -> str:
        return CONTENT_LABELS.get(self.content_status, "")

    @property
    def route(self) -> str:
        return f"{self.kind}.detail"


@dataclass(frozen=True, slots=True)
class Page:
    hits: list[Hit]
    next_cursor: str


def _scope(actor: Actor) -> sa.ColumnElement[bool]:
    incoming_ids = visible_incoming(actor).with_only_columns(IncomingDocument.id)
    outgoing_ids = visible_outgoing(actor).with_only_columns(OutgoingDocument.id)
    return sa.and_(SearchEntry.agency_id == actor.agency_id, sa.or_(
        sa.and_(SearchEntry.kind == INCOMING, SearchEntry.doc_id.in_(incoming_ids)),
        sa.and_(SearchEntry.kind == OUTGOING, SearchEntry.doc_id.in_(outgoing_ids))))


def _conditions(filters: Filters) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.kind == "draft":
        where += [SearchEntry.kind == OUTGOING, SearchEntry.is_draft.is_(True)]
    elif filters.kind == OUTGOING:
        where += [SearchEntry.kind == OUTGOING, SearchEntry.is_draft.is_(False)]
    elif filters.kind:
        where.append(SearchEntry.kind == filters.kind)
    if filters.urgency:
        where.append(SearchEntry.urgency == filters.urgency)
    if filters.type_id is not None:
        where.append(SearchEntry.document_type_id == filters.type_id)
    if filters.state:
        where.append(SearchEntry.state == filters.state)
    for column, text in ((SearchEntry.issuer_folded, filters.issuer), (SearchEntry.signer_folded, filters.signer)):
        for word in fold(text).split()[:5]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(column.like(f"%{escaped}%", escape="\\"))
    if filters.date_from:
        where.append(SearchEntry.doc_date >= filters.date_from)
    if filters.date_to:
        where.append(SearchEntry.doc_date <= filters.date_to)
    return where


def _bad_cursor() -> InvalidInputError:
    return InvalidInputError("Trang kết quả không hợp lệ, hãy tìm lại.", field_errors={"cursor": "Không hợp lệ."})


async def run_search(db: AsyncSession, actor: Actor, filters: Filters, size: int = PAGE_SIZE) -> Page:
    """One page of the actor's results (empty when nothing searchable was typed and no filter narrows)."""
    engine = engine_for(db.bind.dialect.name)
    where = [_scope(actor), *_conditions(filters)]
    if filters.terms.empty:
        match = None
        source: sa.FromClause = SearchEntry.__table__
        score: sa.ColumnElement[float] = sa.literal(0.0, sa.Float)
    else:
        match = engine.match(filters.terms)
        source, score = match.source, match.score
        where.append(match.condition)
    by_date = filters.sort == "date" or match is None
    inner = (sa.select(SearchEntry.id, SearchEntry.kind, SearchEntry.doc_id, SearchEntry.reference,
                       SearchEntry.title, SearchEntry.doc_date, SearchEntry.urgency, SearchEntry.state,
                       SearchEntry.is_draft, SearchEntry.content_status, SearchEntry.metadata_text,
                       sa.func.substr(SearchEntry.content_text, 1, SNIPPET_SOURCE).label("content"),
                       score.label("score"))
             .select_from(source).where(*where)).subquery()
    query = sa.select(inner)
    if filters.cursor:
        try:
            tag, value, last = filters.cursor.split("~")
            last_id = parse_id(last)
            if last_id is None:
                raise ValueError(last)
            if tag == "d" and by_date:
                day = date.fromisoformat(value)
                query = query.where(sa.or_(inner.c.doc_date < day,
                                           sa.and_(inner.c.doc_date == day, inner.c.id < last_id)))
            elif tag == "r" and not by_date:
                mark = float(value)
                query = query.where(sa.or_(inner.c.score < mark, sa.and_(inner.c.score == mark, inner.c.id < last_id)))
            else:
                raise ValueError(tag)
        except ValueError:
            raise _bad_cursor() from None
    order = (inner.c.doc_date.desc(), inner.c.id.desc()) if by_date else (inner.c.score.desc(), inner.c.id.desc())
    rows = (await db.execute(query.order_by(*order).limit(size + 1))).all()
    words = filters.terms.highlight
    hits = [Hit(kind=row.kind, doc_id=row.doc_id, reference=row.reference, title=row.title, doc_date=row.doc_date,
                urgency=row.urgency, state=row.state, is_draft=row.is_draft,
                content_status=ContentStatus(row.content_status),
                snippet=_snippet(row.metadata_text, row.content, words)) for row in rows[:size]]
    next_cursor = ""
    if len(rows) > size:
        last_row = rows[size - 1]
        next_cursor = (f"d~{last_row.doc_date.isoformat()}~{last_row.id}" if by_date
                       else f"r~{float(last_row.score)!r}~{last_row.id}")
    return Page(hits, next_cursor)


def _snippet(metadata_text: str, content: str, words: Sequence[str]) -> Markup:
    """From the content when a word is found there only, else from the metadata."""
    folded_meta = fold(metadata_text)
    if content and words and not any(word in folded_meta for word in words):
        return snippet(content, words)
    return snippet(metadata_text, words)


async def export_rows(db: AsyncSession, actor: Actor, filters: Filters) -> list[Hit]:
    """Every result up to :data:`EXPORT_LIMIT`, in the page's order."""
    page = await run_search(db, actor, replace(filters, cursor=""), size=EXPORT_LIMIT)
    return page.hits
