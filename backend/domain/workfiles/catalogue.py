"""The file catalogue (danh mục hồ sơ) of an agency and year: headings, items, copy forward, export rows.

Numbers follow domain.md §5.6 with continuous numbering across the catalogue: the n-th item gets
file number n and the symbol ``<nn>.<major heading abbreviation>``. Major headings carry Roman
ordinals, minor ones Arabic ordinals within their major heading (§14.1). Every change writes an
audit row; every refusal comes before any write.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import CatalogueHeading, CatalogueItem, FileCatalogue, User
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.domain.workfiles import policies as p
from backend.domain.workfiles.schemas import HeadingRequest, ItemRequest
from backend.domain.workfiles.values import PERMANENT, check_retention, required_text
from backend.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from backend.lib.i18n import t
from backend.lib.text import clean

__all__ = ["CatalogueService", "CatalogueView", "roman"]

_ABBREVIATION_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZĐ0123456789-")


def roman(number: int) -> str:
    """``4`` → ``IV`` (major heading ordinals)."""
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _invalid(field: str, key: str, **params: object) -> InvalidInputError:
    message = t(key, **params)
    return InvalidInputError(message, field_errors={field: message})


def check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise _invalid("year", "workfiles.year.invalid", value=year)
    return year


@dataclass(frozen=True, slots=True)
class CatalogueView:
    """A catalogue with its headings (major first, each followed by its minors) and items, in print order."""

    catalogue: FileCatalogue
    headings: list[CatalogueHeading]
    items: list[CatalogueItem]
    creators: dict[int, str]

    def label(self, heading: CatalogueHeading) -> str:
        return f"{roman(heading.ordinal) if heading.parent_id is None else heading.ordinal}. {heading.name}"

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """ND 30 PL V layout: number and symbol, heading or title, retention, creator, note."""
        by_heading: dict[int, list[CatalogueItem]] = {}
        for item in self.items:
            by_heading.setdefault(item.heading_id, []).append(item)
        out: list[tuple[str, str, str, str, str]] = []
        for heading in self.headings:
            out.append(("", self.label(heading), "", "", ""))
            for item in by_heading.get(heading.id, []):
                out.append((item.file_notation, item.title, item.retention,
                            self.creators.get(item.creator_user_id or 0, ""), item.note))
        permanent = sum(1 for item in self.items if item.retention == PERMANENT)
        out.append(("", f"Tổng số: {len(self.items)} hồ sơ, trong đó {permanent} hồ sơ bảo quản vĩnh viễn, "
                        f"{len(self.items) - permanent} hồ sơ bảo quản có thời hạn.", "", "", ""))
        return out


class CatalogueService:
    """Catalogue use cases in one transaction, for the actor's active agency only."""

    def __init__(self, db: AsyncSession, meta: RequestMeta | None = None) -> None:
        self.db = db
        self.meta = meta or RequestMeta()

    def _allowed(self, actor: Actor) -> None:
        decision = p.can_manage_catalogue(actor)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))

    async def _audit(self, actor: Actor, action: str, object_id: int, **detail: object) -> None:
        await record(self.db, f"workfiles.catalogue.{action}", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=actor.agency_id, object_type="file_catalogue", object_id=object_id, meta=self.meta,
                     detail=detail)

    async def find(self, actor: Actor, year: int) -> FileCatalogue | None:
        """The agency's catalogue of ``year`` (the one scoping query of catalogues: the actor's agency)."""
        return (await self.db.scalars(sa.select(FileCatalogue).where(
            FileCatalogue.agency_id == actor.agency_id, FileCatalogue.year == year))).first()

    async def get(self, actor: Actor, year: int) -> FileCatalogue:
        found = await self.find(actor, year)
        if found is None:
            raise NotFoundError()
        return found

    async def create(self, actor: Actor, year: int, decision_no: str = "") -> FileCatalogue:
        """A new, empty catalogue for ``year`` (ConflictError when the agency has one)."""
        self._allowed(actor)
        check_year(year)
        if await self.find(actor, year) is not None:
            raise ConflictError(t("workfiles.catalogue.exists", year=year))
        row = FileCatalogue(agency_id=actor.agency_id, year=year,
                            decision_no=required_text(decision_no, "decision_no", 50, required=False))
        self.db.add(row)
        await self.db.flush()
        await self._audit(actor, "created", row.id, year=year)
        return row

    async def add_heading(self, actor: Actor, year: int, form: HeadingRequest) -> CatalogueHeading:
        """A major heading (needs an abbreviation) or a minor heading under a major heading of this catalogue."""
        self._allowed(actor)
        catalogue = await self.get(actor, year)
        name = required_text(form.name, "name", 300)
        abbreviation = clean(form.abbreviation).upper()
        if form.parent_id is not None:
            parent = await self.db.get(CatalogueHeading, form.parent_id)
            if parent is None or parent.catalogue_id != catalogue.id:
                raise _invalid("parent_id", "workfiles.heading.parent")
            if parent.parent_id is not None:
                raise _invalid("parent_id", "workfiles.heading.minor_parent")
        elif not abbreviation or not set(abbreviation) <= _ABBREVIATION_CHARS or len(abbreviation) > 15:
            raise _invalid("abbreviation", "workfiles.heading.abbreviation")
        siblings = await self.db.scalar(sa.select(sa.func.count(CatalogueHeading.id)).where(
            CatalogueHeading.catalogue_id == catalogue.id, CatalogueHeading.parent_id.is_(None)
            if form.parent_id is None else CatalogueHeading.parent_id == form.parent_id))
        heading = CatalogueHeading(catalogue_id=catalogue.id, parent_id=form.parent_id, ordinal=(siblings or 0) + 1,
                                   name=name, abbreviation=abbreviation)
        self.db.add(heading)
        await self.db.flush()
        await self._audit(actor, "heading_added", catalogue.id, heading_id=heading.id, name=name)
        return heading

    async def add_item(self, actor: Actor, year: int, form: ItemRequest) -> CatalogueItem:
        """A planned file under a heading of this catalogue, numbered ``<nn>.<major abbreviation>``.

        Raises:
            InvalidInputError: a foreign heading or creator, a missing title, a retention outside
                the list, an expected count out of range.
        """
        self._allowed(actor)
        catalogue = await self.get(actor, year)
        heading = await self.db.get(CatalogueHeading, form.heading_id)
        if heading is None or heading.catalogue_id != catalogue.id:
            raise _invalid("heading_id", "workfiles.item.heading")
        title = required_text(form.title, "title", 500)
        retention = check_retention(form.retention)
        await self._check_item_fields(actor, form)
        major = heading if heading.parent_id is None else await self.db.get(CatalogueHeading, heading.parent_id)
        assert major is not None
        number = (await self.db.scalar(sa.select(sa.func.max(CatalogueItem.file_number)).where(
            CatalogueItem.catalogue_id == catalogue.id)) or 0) + 1
        item = CatalogueItem(catalogue_id=catalogue.id, heading_id=heading.id, file_number=number,
                             file_notation=f"{number:02d}.{major.abbreviation}", title=title, retention=retention,
                             creator_user_id=form.creator_user_id, expected_count=form.expected_count,
                             note=required_text(form.note, "note", 500, required=False))
        self.db.add(item)
        await self.db.flush()
        await self._audit(actor, "item_added", catalogue.id, item_id=item.id, file_notation=item.file_notation,
                          retention=retention)
        return item

    async def update_item(self, actor: Actor, year: int, item_id: int, form: ItemRequest) -> CatalogueItem:
        """Change a planned file's title, retention, creator, expected count and note (its number stays).

        Raises:
            NotFoundError: the item is not in the agency's catalogue of ``year``;
            InvalidInputError: as :meth:`add_item`, or a different heading.
        """
        self._allowed(actor)
        catalogue = await self.get(actor, year)
        item = await self.db.get(CatalogueItem, item_id)
        if item is None or item.catalogue_id != catalogue.id:
            raise NotFoundError()
        if form.heading_id != item.heading_id:
            raise _invalid("heading_id", "workfiles.item.heading")
        title, retention = required_text(form.title, "title", 500), check_retention(form.retention)
        await self._check_item_fields(actor, form)
        before = {"title": item.title, "retention": item.retention, "creator_user_id": item.creator_user_id,
                  "expected_count": item.expected_count, "note": item.note}
        item.title, item.retention, item.creator_user_id = title, retention, form.creator_user_id
        item.expected_count, item.note = form.expected_count, required_text(form.note, "note", 500, required=False)
        await self.db.flush()
        await self._audit(actor, "item_changed", catalogue.id, item_id=item.id, before=before,
                          after={"title": title, "retention": retention, "creator_user_id": form.creator_user_id,
                                 "expected_count": form.expected_count, "note": item.note})
        return item

    async def _check_item_fields(self, actor: Actor, form: ItemRequest) -> None:
        if form.expected_count is not None and not 0 <= form.expected_count <= 9999:
            raise _invalid("expected_count", "workfiles.expected.invalid")
        if form.creator_user_id is not None:
            creator = await self.db.get(User, form.creator_user_id)
            if creator is None or creator.agency_id != actor.agency_id:
                raise _invalid("creator_user_id", "workfiles.item.creator")

    async def copy_forward(self, actor: Actor, year: int) -> FileCatalogue:
        """Copy last year's catalogue (headings and items, same numbers) into a new catalogue for ``year``.

        Raises:
            NotFoundError-like InvalidInputError: no catalogue for ``year - 1``; ConflictError: ``year`` exists.
        """
        self._allowed(actor)
        source = await self.find(actor, check_year(year) - 1)
        if source is None:
            raise _invalid("year", "workfiles.catalogue.missing", year=year - 1)
        target = await self.create(actor, year, "")
        old = await self.view(actor, year - 1)
        mapping: dict[int, int] = {}
        for heading in old.headings:
            copy = CatalogueHeading(catalogue_id=target.id, parent_id=mapping.get(heading.parent_id or 0),
                                    ordinal=heading.ordinal, name=heading.name, abbreviation=heading.abbreviation)
            self.db.add(copy)
            await self.db.flush()
            mapping[heading.id] = copy.id
        self.db.add_all([CatalogueItem(
            catalogue_id=target.id, heading_id=mapping[item.heading_id], file_number=item.file_number,
            file_notation=item.file_notation, title=item.title, retention=item.retention,
            creator_user_id=item.creator_user_id, expected_count=item.expected_count, note=item.note)
            for item in old.items])
        await self.db.flush()
        await self._audit(actor, "copied_forward", target.id, from_year=year - 1, items=len(old.items))
        return target

    async def view(self, actor: Actor, year: int) -> CatalogueView:
        """The catalogue of ``year`` in print order (NotFoundError when the agency has none)."""
        catalogue = await self.get(actor, year)
        headings = list((await self.db.scalars(sa.select(CatalogueHeading).where(
            CatalogueHeading.catalogue_id == catalogue.id).order_by(CatalogueHeading.id))).all())
        majors = sorted((h for h in headings if h.parent_id is None), key=lambda h: h.ordinal)
        ordered: list[CatalogueHeading] = []
        for major in majors:
            ordered.append(major)
            ordered += sorted((h for h in headings if h.parent_id == major.id), key=lambda h: h.ordinal)
        items = list((await self.db.scalars(sa.select(CatalogueItem).where(
            CatalogueItem.catalogue_id == catalogue.id).order_by(CatalogueItem.file_number))).all())
        creator_ids = {i.creator_user_id for i in items if i.creator_user_id is not None}
        creators = dict((await self.db.execute(sa.select(User.id, User.full_name).where(
            User.id.in_(creator_ids)))).tuples().all()) if creator_ids else {}
        return CatalogueView(catalogue, ordered, items, creators)
