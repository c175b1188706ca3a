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
from sqlalchemy.orm import InstrumentedAttribute

from backend.db.models import (
    ContentStatus,
    IncomingDocument,
    OutgoingDocument,
    SearchEntry,
    Urgency,
    WorkFile,
    WorkFileDocument,
)
from backend.domain.accounts.actor import Actor
from backend.domain.documents.reference import urgency_label
from backend.domain.incoming.policies import sees_every_incoming, visible_incoming
from backend.domain.incoming.workflow import STATE_LABELS as INCOMING_STATES
from backend.domain.outgoing.policies import sees_every_outgoing, visible_outgoing
from backend.domain.outgoing.workflow import STATE_LABELS as OUTGOING_STATES
from backend.domain.search.engines import Match, engine_for
from backend.domain.search.indexer import INCOMING, OUTGOING, WORKFILE
from backend.domain.search.snippets import snippet
from backend.domain.search.terms import Terms, parse
from backend.domain.workfiles.policies import sees_every_work_file, visible_work_files
from backend.domain.workfiles.workflow import STATE_LABELS as WORKFILE_STATES
from backend.errors import InvalidInputError
from backend.lib.bounds import parse_id
from backend.lib.text import clean, fold

__all__ = ["KIND_LABELS", "PAGE_SIZE", "RANK_WINDOW", "Filters", "Hit", "Page", "page_ids", "parse_filters",
           "run_search", "state_options"]

PAGE_SIZE = 20
EXPORT_LIMIT = 5000
SNIPPET_SOURCE = 5000
"""Characters of a document's text searched for the snippet (a match further in shows the text's start)."""
KIND_LABELS = {"incoming": "Văn bản đến", "outgoing": "Văn bản đi", "draft": "Dự thảo", "workfile": "Hồ sơ"}
CONTENT_LABELS = {ContentStatus.NO_TEXT_LAYER: "chưa có lớp văn bản", ContentStatus.UNREADABLE: "không đọc được tệp",
                  ContentStatus.PENDING: "đang đọc nội dung tệp"}
_STATE_LABELS: dict[str, Mapping[Any, str]] = {INCOMING: INCOMING_STATES, OUTGOING: OUTGOING_STATES,
                                               WORKFILE: WORKFILE_STATES}
SORTS = ("relevance", "date")
RANK_WINDOW = 500
"""Matches ranked by relevance at most: the newest this many (a word found in more documents than that ranks
these and lists the older ones after them by date, so a page never ranks every match of a common word)."""
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
    file_id: int | None = None
    """Only the documents of this work file (one the actor may read)."""
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
                  "to": self.date_to.isoformat() if self.date_to else "", "file": str(self.file_id or ""),
                  "sort": self.sort, "cursor": self.cursor}
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value and not (key == "sort" and value == "relevance")}


def state_options() -> list[tuple[str, str]]:
    """Every state of every kind, labelled (a state name shared by two kinds appears once)."""
    seen: dict[str, str] = {}
    for state, label in (*INCOMING_STATES.items(), *OUTGOING_STATES.items(), *WORKFILE_STATES.items()):
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
    file_text = get("file")
    if file_text and parse_id(file_text) is None:
        errors["file"] = "Hồ sơ không hợp lệ."
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
                   date_to=date_to, file_id=parse_id(file_text), sort=sort, cursor=get("cursor")[:100],
                   terms=parse(q))


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
        return urgency_label(self.urgency) if self.urgency else ""  # a work file has no urgency

    @property
    def state_label(self) -> str:
        return _STATE_LABELS.get(self.kind, OUTGOING_STATES).get(self.state, self.state)

    @property
    def content_label(self) -> str:
        return CONTENT_LABELS.get(self.content_status, "")

    @property
    def route(self) -> str:
        return "workfiles.detail" if self.kind == WORKFILE else f"{self.kind}.detail"

    @property
    def route_params(self) -> dict[str, int]:
        return {"file_id" if self.kind == WORKFILE else "doc_id": self.doc_id}


@dataclass(frozen=True, slots=True)
class Page:
    hits: list[Hit]
    next_cursor: str


def _scope(actor: Actor) -> sa.ColumnElement[bool]:
    """The entries of documents the actor may see, by the lists' own scoping queries.

    An entry's agency is its document's agency, so for a kind the actor sees all of (a clerk, a leader) the
    agency test is the whole scope: no list of the agency's document ids is built for every search (at
    1,000,000 documents the province office holds some 300,000).
    """
    incoming = SearchEntry.kind == INCOMING
    if not sees_every_incoming(actor):
        incoming = sa.and_(incoming, SearchEntry.doc_id.in_(visible_incoming(actor).with_only_columns(
            IncomingDocument.id)))
    outgoing = SearchEntry.kind == OUTGOING
    if not sees_every_outgoing(actor):
        outgoing = sa.and_(outgoing, SearchEntry.doc_id.in_(visible_outgoing(actor).with_only_columns(
            OutgoingDocument.id)))
    work_file = SearchEntry.kind == WORKFILE
    if not sees_every_work_file(actor):
        work_file = sa.and_(work_file, SearchEntry.doc_id.in_(visible_work_files(actor).with_only_columns(
            WorkFile.id)))
    return sa.and_(SearchEntry.agency_id == actor.agency_id, sa.or_(incoming, outgoing, work_file))


def _in_work_file(actor: Actor, file_id: int) -> sa.ColumnElement[bool]:
    """The entries of the documents of work file ``file_id``, when the actor may read that file (else none)."""
    readable = visible_work_files(actor).where(WorkFile.id == file_id).with_only_columns(WorkFile.id)

    def members(column: InstrumentedAttribute[int | None]) -> sa.Select[tuple[int | None]]:
        return sa.select(column).where(WorkFileDocument.work_file_id.in_(readable), column.is_not(None))

    return sa.or_(
        sa.and_(SearchEntry.kind == INCOMING, SearchEntry.doc_id.in_(members(WorkFileDocument.incoming_id))),
        sa.and_(SearchEntry.kind == OUTGOING, SearchEntry.doc_id.in_(members(WorkFileDocument.outgoing_id))))


def _conditions(actor: Actor, filters: Filters) -> list[sa.ColumnElement[bool]]:
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
    if filters.file_id is not None:
        where.append(_in_work_file(actor, filters.file_id))
    return where


def _bad_cursor() -> InvalidInputError:
    return InvalidInputError("Trang kết quả không hợp lệ, hãy tìm lại.", field_errors={"cursor": "Không hợp lệ."})


@dataclass(frozen=True, slots=True)
class _Cursor:
    """Where the previous page stopped: ``d`` date order, ``r`` relevance within the window, ``t`` the date-ordered
    tail after the window."""

    tag: str
    value: str
    last_id: int


def _cursor(text: str, by_date: bool) -> _Cursor | None:
    if not text:
        return None
    try:
        tag, value, last = text.split("~")
        last_id = parse_id(last)
        if last_id is None or tag not in (("d",) if by_date else ("r", "t")):
            raise ValueError(tag)
        if tag == "r":
            float(value)
        else:
            date.fromisoformat(value)
    except ValueError:
        raise _bad_cursor() from None
    return _Cursor(tag, value, last_id)


@dataclass(frozen=True, slots=True)
class _Query:
    """The actor's matches: the FROM, every condition (scope, filters, the engine's match) and the match itself
    (``None`` when no word was typed)."""

    source: sa.FromClause
    where: list[sa.ColumnElement[bool]]
    match: Match | None

    def ids(self) -> sa.Select[tuple[int, date]]:
        """Every match's id and date, newest first."""
        return (sa.select(SearchEntry.id, SearchEntry.doc_date).select_from(self.source).where(*self.where)
                .order_by(SearchEntry.doc_date.desc(), SearchEntry.id.desc()))

    async def newest(self, db: AsyncSession, limit: int, before: tuple[date, int] | None = None,
                     tag: str = "d") -> list[tuple[int, str]]:
        """Up to ``limit`` matches by date, newest first, after ``before`` -- ``(id, cursor)`` each."""
        query = self.ids()
        if before:
            day, last_id = before
            query = query.where(sa.or_(SearchEntry.doc_date < day,
                                       sa.and_(SearchEntry.doc_date == day, SearchEntry.id < last_id)))
        rows = await db.execute(query.limit(limit))
        return [(row.id, f"{tag}~{row.doc_date.isoformat()}~{row.id}") for row in rows]


def _query(actor: Actor, filters: Filters, dialect: str) -> _Query:
    where = [_scope(actor), *_conditions(actor, filters)]
    if filters.terms.empty:
        return _Query(SearchEntry.__table__, where, None)
    match = engine_for(dialect).match(filters.terms, actor.agency_id)
    return _Query(match.source, [*where, match.condition], match)


async def _ranked(db: AsyncSession, query: _Query, match: Match, limit: int, window: int,
                  after: _Cursor | None) -> list[tuple[int, str]]:
    """Up to ``limit`` of the newest ``window`` matches by relevance (best first), then -- only when there are
    more matches than the window -- the others by date, newest first."""
    picked: list[tuple[int, str]] = []
    if after is None or after.tag == "r":
        newest = query.ids().limit(window)
        among = SearchEntry.id.in_(newest.with_only_columns(SearchEntry.id))
        scored = (sa.select(SearchEntry.id, match.score.label("score")).select_from(match.score_source)
                  .where(among, match.score_condition).subquery())
        page = sa.select(scored.c.id, scored.c.score)
        if after is not None:
            mark = float(after.value)
            page = page.where(sa.or_(scored.c.score < mark, sa.and_(scored.c.score == mark,
                                                                      scored.c.id < after.last_id)))
        rows = await db.execute(page.order_by(scored.c.score.desc(), scored.c.id.desc()).limit(limit))
        picked = [(row.id, f"r~{float(row.score)!r}~{row.id}") for row in rows]
        if len(picked) == limit:
            return picked
        edge = (await db.execute(query.ids().offset(window - 1).limit(1))).first()
        if edge is None:
            return picked
        before = (edge.doc_date, edge.id)
    else:
        before = (date.fromisoformat(after.value), after.last_id)
    return picked + await query.newest(db, limit - len(picked), before, tag="t")


async def page_ids(db: AsyncSession, actor: Actor, filters: Filters, size: int = PAGE_SIZE, *,
                   window: int = RANK_WINDOW) -> list[tuple[int, str]]:
    """The entry ids of one page plus one (to know whether another page follows), in order, each with the cursor
    that continues after it.

    Raises:
        InvalidInputError: the cursor was not made by this search.
    """
    query = _query(actor, filters, db.bind.dialect.name)
    by_date = filters.sort == "date" or query.match is None
    after = _cursor(filters.cursor, by_date)
    if query.match is None or by_date:
        before = (date.fromisoformat(after.value), after.last_id) if after else None
        return await query.newest(db, size + 1, before)
    return await _ranked(db, query, query.match, size + 1, window, after)


async def run_search(db: AsyncSession, actor: Actor, filters: Filters, size: int = PAGE_SIZE, *,
                     window: int = RANK_WINDOW) -> Page:
    """One page of the actor's results (empty when nothing searchable was typed and no filter narrows).

    Relevance ranks the newest ``window`` matches (every match, unless a word is found in more documents than
    that); the rest follow by date. Only the shown rows are read in full and given a snippet.
    """
    picked = await page_ids(db, actor, filters, size, window=window)
    shown = [entry_id for entry_id, _ in picked[:size]]
    rows = {row.id: row for row in await db.execute(
        sa.select(SearchEntry.id, SearchEntry.kind, SearchEntry.doc_id, SearchEntry.reference, SearchEntry.title,
                  SearchEntry.doc_date, SearchEntry.urgency, SearchEntry.state, SearchEntry.is_draft,
                  SearchEntry.content_status, SearchEntry.metadata_text,
                  sa.func.substr(SearchEntry.content_text, 1, SNIPPET_SOURCE).label("content"))
        .where(SearchEntry.id.in_(shown)))} if shown else {}
    words = filters.terms.highlight
    hits = [Hit(kind=row.kind, doc_id=row.doc_id, reference=row.reference, title=row.title, doc_date=row.doc_date,
                urgency=row.urgency, state=row.state, is_draft=row.is_draft,
                content_status=ContentStatus(row.content_status),
                snippet=_snippet(row.metadata_text, row.content, words))
            for row in (rows[entry_id] for entry_id in shown if entry_id in rows)]
    return Page(hits, picked[size - 1][1] if len(picked) > size else "")


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
