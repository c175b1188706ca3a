"""The administration pages' record layer: advanced-alchemy services with scoping and audit built in.

Every admin aggregate (agency, unit, user) is edited through a subclass of :class:`AuditedRecords`,
an advanced-alchemy ``SQLAlchemyAsyncRepositoryService`` whose base statement is the
administrator's scoping query (``visible_*``), so a look-up outside the subtree is simply missing
(:class:`NotFoundError`). On top of the repository it adds the three writes every admin page makes,
each with its audit row in the same transaction:

* :meth:`AuditedRecords.add` — insert, then ``<object>.created`` with the new values;
* :meth:`AuditedRecords.change` — set the changed fields (after :meth:`~AuditedRecords.check_version`), then
  ``<object>.updated`` with the fields before and after (nothing written when nothing changed);
* :meth:`AuditedRecords.set_active` — the one activate/deactivate helper:
  ``<object>.deactivated`` / ``<object>.reactivated`` (:meth:`~AuditedRecords.switch_active` finds
  the object first and refuses to deactivate a protected one, such as the administrator's own
  agency or account).

``scope`` is an :class:`Actor` (an administrator) or ``None`` for the system itself (seeding, the
CLI), which is unrestricted and audited under ``actor_name``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, Self, TypeVar

import sqlalchemy as sa
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import Base
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta, record
from backend.errors import ConflictError, InvalidInputError, NotFoundError
from backend.lib.i18n import t

__all__ = ["AuditedRecords", "audit", "changes", "repository_for"]

ModelT = TypeVar("ModelT", bound=Base)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{"before": {...}, "after": {...}}`` restricted to the keys whose value changed."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


async def audit(
    db: AsyncSession,
    action: str,
    scope: Actor | None,
    meta: RequestMeta,
    *,
    object_type: str,
    object_id: int | str,
    agency_id: int | None,
    detail: dict[str, Any] | None = None,
    actor_name: str = "system",
) -> None:
    """Write one audit row on behalf of ``scope`` (or the named system actor)."""
    await record(
        db,
        action,
        actor_id=scope.user_id if scope else None,
        actor_name=scope.username if scope else actor_name,
        agency_id=agency_id,
        object_type=object_type,
        object_id=object_id,
        meta=meta,
        detail=detail,
    )


def repository_for(model: type[ModelT]) -> type[SQLAlchemyAsyncRepository[ModelT]]:
    """An advanced-alchemy repository class for ``model`` (one per admin aggregate)."""
    return type(f"{model.__name__}Repository", (SQLAlchemyAsyncRepository,), {"model_type": model})


class AuditedRecords(SQLAlchemyAsyncRepositoryService[ModelT]):
    """A scoped, audited repository service for one admin aggregate.

    Subclasses set ``repository_type`` (see :func:`repository_for`), ``object_type`` (the audit
    prefix), ``visible`` (the scoping query of an administrator) and implement :meth:`snapshot`
    (the audited fields) and :meth:`agency_of` (the agency the audit row belongs to). Build them
    with :meth:`scoped`.
    """

    object_type: ClassVar[str]

    @staticmethod
    def visible(actor: Actor) -> sa.Select[Any]:
        """The records ``actor`` administers (one of the ``visible_*`` scoping queries)."""
        raise NotImplementedError

    @classmethod
    def scoped(
        cls, db: AsyncSession, scope: Actor | None, meta: RequestMeta, actor_name: str = "system"
    ) -> Self:
        """The records ``scope`` administers (all of them for the system)."""
        model = cls.repository_type.model_type
        statement = cls.visible(scope) if scope else sa.select(model)
        return cls(db, scope, meta, statement=statement, actor_name=actor_name)

    def __init__(
        self,
        db: AsyncSession,
        scope: Actor | None,
        meta: RequestMeta,
        *,
        statement: sa.Select[Any] | None = None,
        actor_name: str = "system",
    ) -> None:
        super().__init__(
            session=db, statement=statement, auto_commit=False, auto_refresh=False, wrap_exceptions=False
        )
        self.db = db
        self.scope = scope
        self.meta = meta
        self.actor_name = actor_name

    def snapshot(self, obj: ModelT) -> dict[str, Any]:
        """The audited fields of ``obj``."""
        raise NotImplementedError

    def agency_of(self, obj: ModelT) -> int | None:
        """The agency whose audit trail records changes to ``obj``."""
        raise NotImplementedError

    async def find(self, object_id: int) -> ModelT:
        """The object if it is inside the scope.

        Raises:
            NotFoundError: unknown id or outside the administrator's subtree.
        """
        found = await self.get_one_or_none(self.model_type.id == object_id)  # type: ignore[attr-defined]
        if found is None:
            raise NotFoundError()
        return found

    async def audit(self, action: str, obj: ModelT, detail: dict[str, Any]) -> None:
        """``<object_type>.<action>`` for ``obj`` on behalf of the scope."""
        await audit(
            self.db,
            f"{self.object_type}.{action}",
            self.scope,
            self.meta,
            object_type=self.object_type,
            object_id=obj.id,  # type: ignore[attr-defined]
            agency_id=self.agency_of(obj),
            detail=detail,
            actor_name=self.actor_name,
        )

    async def add(
        self, values: Mapping[str, Any], *, after: Mapping[str, Any] | None = None, **detail: Any
    ) -> ModelT:
        """Insert a new object and audit it.

        ``after`` adds audited values that are not columns of the object (a user's roles);
        ``detail`` adds keys beside ``after`` (the CSV source and line).
        """
        obj = await self.create(self.model_type(**values))
        await self.audit("created", obj, {**detail, "after": {**self.snapshot(obj), **(after or {})}})
        return obj

    @staticmethod
    def check_version(obj: ModelT, version: int) -> None:
        """Optimistic check of an edit form.

        Raises:
            ConflictError: ``version`` (from the form) is set and no longer current.
        """
        if version and version != obj.version:  # type: ignore[attr-defined]
            raise ConflictError()

    async def edit(
        self,
        object_id: int,
        version: int,
        validate: Callable[[ModelT], Awaitable[Mapping[str, Any]]],
    ) -> ModelT:
        """The edit use case: find in scope, check the form's version, validate, :meth:`change`.

        Raises:
            NotFoundError, ConflictError, and whatever ``validate`` raises (InvalidInputError).
        """
        obj = await self.find(object_id)
        self.check_version(obj, version)
        return await self.change(obj, await validate(obj))

    async def change(self, obj: ModelT, values: Mapping[str, Any]) -> ModelT:
        """Apply ``values`` to ``obj`` and audit what changed (nothing is written when nothing did)."""
        before = self.snapshot(obj)
        for key, value in values.items():
            setattr(obj, key, value)
        diff = changes(before, self.snapshot(obj))
        if diff["after"]:
            obj = await self.repository.update(obj)
            await self.audit("updated", obj, diff)
        return obj

    async def set_active(self, obj: ModelT, active: bool) -> ModelT:
        """Deactivate or reactivate ``obj``; audited only when the flag actually changes."""
        if obj.is_active != active:  # type: ignore[attr-defined]
            obj.is_active = active  # type: ignore[attr-defined]
            obj = await self.repository.update(obj)
            await self.audit(
                "reactivated" if active else "deactivated",
                obj,
                {"before": {"is_active": not active}, "after": {"is_active": active}},
            )
        return obj

    async def switch_active(
        self,
        object_id: int,
        active: bool,
        *,
        protected: Callable[[ModelT], bool] | None = None,
        refusal: str = "",
    ) -> ModelT:
        """Find the object in scope and (de)activate it.

        Raises:
            NotFoundError: outside the scope.
            InvalidInputError: deactivating an object for which ``protected`` is true (the message
                is the catalogue entry ``refusal``).
        """
        obj = await self.find(object_id)
        if not active and protected is not None and protected(obj):
            raise InvalidInputError(t(refusal))
        return await self.set_active(obj, active)
